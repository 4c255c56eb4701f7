"""Requests that are malformed, oversized or absurd get a 400 (or 413) in
Nova's fault shape, a message of bounded length, and never a 500."""

from novalite.db import api as db
from novalite.tests import base


class TestBadRequests(base.APITestCase):

    USE_AGENT = False

    def assertFault(self, resp, code, message=None):
        self.assertEqual(code, resp.status_int, resp.text)
        name = {400: 'badRequest', 413: 'overLimit'}[code]
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
