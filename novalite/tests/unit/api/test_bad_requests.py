"""Requests that are malformed, oversized or absurd get a 400 (or 413) in
Nova's fault shape, a message of bounded length, and never a 500."""

import json

import fixtures
from oslo_db import exception as db_exc

from novalite import crypto
from novalite.db import api as db
from novalite.tests import base


class TestBadRequests(base.APITestCase):

    USE_AGENT = False

    def assertFault(self, resp, code, message=None):
        self.assertEqual(code, resp.status_int, resp.text)
        name = {400: 'badRequest', 404: 'itemNotFound',
                413: 'overLimit'}[code]
        self.assertEqual([name], list(resp.json))
        self.assertEqual(code, resp.json[name]['code'])
        if message is not None:
            self.assertEqual(message, resp.json[name]['message'])
        return resp.json[name]['message']

    def post_raw(self, path, raw):
        return self.app.post('/v2.1/' + path, raw,
                             headers=self.api.headers(),
                             content_type='application/json',
                             expect_errors=True)

    def test_body_that_is_not_an_object(self):
        for raw, what in ((b'', 'empty or null'), (b'null', 'empty or null'),
                          (b'[]', 'an array'), (b'"x"', 'a string'),
                          (b'5', 'a number'), (b'true', 'a boolean')):
            self.assertFault(self.post_raw('servers', raw), 400,
                             'The request body must be a JSON object, not '
                             '%s.' % what)

    def test_deeply_nested_body(self):
        raw = b'{"server": ' * 5000 + b'1' + b'}' * 5000
        self.assertFault(self.post_raw('servers', raw), 400,
                         'Malformed request body')
        raw = b'[' * 50000 + b']' * 50000
        self.assertFault(self.post_raw('servers', raw), 400,
                         'Malformed request body')

    def test_body_not_utf8(self):
        raw = b'{"server": {"name": "\xff\xfe", "flavorRef": "1"}}'
        self.assertFault(self.post_raw('servers', raw), 400,
                         'Malformed request body')

    def test_url_not_utf8(self):
        message = 'The request URL is not valid UTF-8.'
        for query in ('name=%ff', 'marker=%c3%28', '%ff=1', 'sort_key=%fe'):
            self.assertFault(self.app.get('/v2.1/servers?' + query,
                                          headers=self.api.headers(),
                                          expect_errors=True),
                             400, message)
        # WSGI gives the path percent-decoded, as latin-1 of its bytes.
        resp = self.app.request('/v2.1/servers/x', headers=self.api.headers(),
                                environ={'PATH_INFO': '/v2.1/servers/\xff'},
                                expect_errors=True)
        self.assertFault(resp, 400, message)
        resp = self.app.request('/x', environ={'PATH_INFO': '/\xc3\x28'},
                                expect_errors=True)
        self.assertFault(resp, 400, message)

    def test_long_values_are_not_echoed_whole(self):
        name = 'n' * 300
        message = self.assertFault(self.api.post('servers', {'server': {
            'name': name, 'flavorRef': '1', 'imageRef': base.IMAGE_ID}}),
            400)
        self.assertTrue(message.startswith(
            'Invalid input for field/attribute name. Value: %s... (300 '
            'characters).' % ('n' * 64)), message)
        self.assertLess(len(message), 250)
        key = 'k' * 5000
        message = self.assertFault(self.api.post('servers', {'server': {
            'name': 'x', 'flavorRef': '1', 'imageRef': base.IMAGE_ID,
            key: 1}}), 400)
        self.assertLessEqual(len(message), 515)
        server = self.create_server(wait=False)
        message = self.assertFault(self.api.post(
            'servers/%s/action' % server['id'], {'reboot': {'type': name}}),
            400)
        self.assertLess(len(message), 400)

    def test_numbers_beyond_the_database_range(self):
        huge = '9' * 25
        # Numeric server filters: nothing can match (as in Nova).
        for param in ('launch_index', 'power_state', 'progress'):
            resp = self.admin_api.get('servers?all_tenants=1&%s=%s'
                                      % (param, huge), status=200)
            self.assertEqual([], resp.json['servers'])
        self.admin_api.get('servers?limit=%s' % huge, status=200)
        # Flavor filters and sizes beyond MAX_INT are refused.
        for query in ('minRam=%s' % huge, 'minDisk=2147483648'):
            self.assertFault(self.api.get('flavors?' + query), 400)
        self.api.get('flavors?minRam=2147483647', status=200)
        for field in ('ram', 'vcpus', 'disk', 'swap',
                      'OS-FLV-EXT-DATA:ephemeral'):
            body = {'flavor': {'name': 'f-' + field, 'ram': 1, 'vcpus': 1,
                               'disk': 1}}
            body['flavor'][field] = 2 ** 31
            self.assertFault(self.admin_api.post('flavors', body), 400)
        self.assertEqual(['1'], [f['flavorid'] for f in
                                 db.flavor_get_all(self.admin_context, {})])

    def test_form_bodies_are_not_read(self):
        # Found by test_fuzz: pecan took the verb from a form body's
        # _method (a POST deleted the server), and failed on a multipart
        # body without a boundary (a 500).
        server = self.create_server(wait=False)
        resp = self.app.post('/v2.1/servers/%s' % server['id'],
                             b'_method=DELETE', headers=self.api.headers(),
                             content_type='application/x-www-form-urlencoded',
                             expect_errors=True)
        self.assertEqual(404, resp.status_int, resp.text)
        self.api.get('servers/%s' % server['id'], status=200)
        public_key = crypto.generate_ssh_key()[1]
        self.api.post('os-keypairs', {'keypair': {
            'name': 'kp', 'public_key': public_key}}, status=200)
        resp = self.app.delete('/v2.1/os-keypairs/kp',
                               headers=self.api.headers(),
                               content_type='multipart/form-data',
                               expect_errors=True)
        self.assertEqual(202, resp.status_int, resp.text)

    def test_lone_surrogate_in_body(self):
        # Found by test_fuzz: "\ud800" is JSON but no text; the ipv4
        # format check failed to encode it (a 500).
        for field, value in (('accessIPv4', '\\ud800'),
                             ('name', 'x\\udfff'),
                             ('networks', [{'fixed_ip': '\\ud800'}])):
            raw = json.dumps({'server': {
                'name': 'x', 'flavorRef': '1', 'imageRef': base.IMAGE_ID,
                field: value}}).replace('\\\\u', '\\u').encode()
            self.assertFault(self.post_raw('servers', raw), 400,
                             'Malformed request body')
        # A surrogate pair is one character, and fine.
        raw = (b'{"server": {"name": "\\ud83d\\ude00", "flavorRef": "1", '
               b'"imageRef": "%s"}}' % base.IMAGE_ID.encode())
        resp = self.post_raw('servers', raw)
        self.assertEqual(202, resp.status_int, resp.text)
        server = self.api.get('servers/%s' % resp.json['server']['id'],
                              status=200).json['server']
        self.assertEqual('\U0001f600', server['name'])

    def test_long_ids_are_not_echoed_whole(self):
        # Found by test_fuzz: a 404 quoted a 5000-character id whole.
        resp = self.api.get('servers/' + 'y' * 5000)
        message = self.assertFault(resp, 404)
        self.assertEqual('Instance %s... (5000 characters) could not be '
                         'found.' % ('y' * 64), message)
        message = self.assertFault(self.api.delete('os-keypairs/' +
                                                   'k' * 5000), 404)
        self.assertEqual('Keypair %s... (5000 characters) not found for '
                         'user demo' % ('k' * 64), message)

    def test_nul_characters(self):
        # Found by test_fuzz on PostgreSQL, which refuses a NUL in a
        # string: an id, a filter or a body value with one was a 500.
        server = self.create_server(wait=False)
        for path in ('servers?name=%00', 'servers?a%00=1',
                     'servers/%00', 'flavors/1%00',
                     'os-keypairs/k%00', 'images?marker=%00'):
            self.assertFault(self.api.get(path), 400,
                             'The request URL must not contain NUL '
                             'characters.')
        api = self.api.as_user('demo', version='2.26')
        self.assertFault(api.put('servers/%s/tags/a%%00' % server['id']),
                         400, 'The request URL must not contain NUL '
                              'characters.')
        for body in ({'tags': ['a\x00']}, {'tags': ['a'], '\x00': 1}):
            self.assertFault(api.put('servers/%s/tags' % server['id'],
                                     body), 400, 'Malformed request body')
        self.assertFault(self.api.post('servers', {'server': {
            'name': 'x', 'flavorRef': '1', 'imageRef': base.IMAGE_ID,
            'metadata': {'a': 'b\x00'}}}), 400, 'Malformed request body')
        # A backslash followed by "u0000" is text like any other.
        resp = self.api.post('servers', {'server': {
            'name': 'x\\u0000', 'flavorRef': '1',
            'imageRef': base.IMAGE_ID}}, status=202)
        self.assertEqual('x\\u0000', self.api.get(
            'servers/%s' % resp.json['server']['id']).json['server']['name'])

    def test_numbers_that_are_not_finite(self):
        # Found by test_fuzz: Python's json takes NaN and Infinity (not
        # JSON); a NaN rxtx_factor was a 500 (NOT NULL), an infinite one
        # was stored and listed as "Infinity" (not JSON either).
        def flavor(factor):
            return self.app.post(
                '/v2.1/flavors', b'{"flavor": {"name": "f", "ram": 1, '
                b'"vcpus": 1, "disk": 1, "rxtx_factor": %s}}' % factor,
                headers=self.admin_api.headers(),
                content_type='application/json', expect_errors=True)

        for factor in (b'NaN', b'Infinity', b'-Infinity', b'1e400'):
            self.assertFault(flavor(factor), 400, 'Malformed request body')
        # Beyond a single-precision float (MySQL's FLOAT), as in Nova.
        for factor in (b'1e308', b'"%s"' % (b'9' * 400)):
            message = self.assertFault(flavor(factor), 400)
            self.assertIn('is greater than the maximum of 3.40282e+38',
                          message)
        self.assertEqual(['1'], [f['flavorid'] for f in
                                 db.flavor_get_all(self.admin_context, {})])
        self.assertEqual(200, flavor(b'3.4e38').status_int)


class TestDatabaseUnreachable(base.APITestCase):

    USE_AGENT = False

    def test_503_in_nova_shape(self):
        # What oslo.db raises when it cannot connect (the functional
        # test_faults cuts a real MariaDB link).
        self.useFixture(fixtures.MockPatch(
            'novalite.db.api.instance_get_all_by_filters_sort',
            side_effect=db_exc.DBConnectionError('gone')))
        resp = self.api.get('servers', status=503)
        self.assertEqual({'serviceUnavailable': {
            'code': 503,
            'message': 'The database could not be reached. Try again '
                       'later.'}}, resp.json)
