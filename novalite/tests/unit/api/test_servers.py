"""The servers API in process: real app, real SQLite, fake-driver agent."""

import base64

from tempest.lib.api_schema.response.compute.v2_1 import servers as s21
from tempest.lib.api_schema.response.compute.v2_16 import servers as s216
from tempest.lib.api_schema.response.compute.v2_19 import servers as s219
from tempest.lib.api_schema.response.compute.v2_26 import servers as s226
from tempest.lib.api_schema.response.compute.v2_3 import servers as s23
from tempest.lib.api_schema.response.compute.v2_9 import servers as s29
from tempest.lib.common import rest_client

from novalite.api import api_version
from novalite.compute import api as compute_api
from novalite.db import api as db
from novalite.db import models
from novalite.tests import base
from novalite.tests import fixtures as nl_fixtures


class _Resp(dict):
    def __init__(self, webtest_resp):
        super().__init__({k.lower(): v for k, v in
                          webtest_resp.headers.items()})
        self.status = webtest_resp.status_int


def validate(schema, resp):
    """Check a response against tempest's schema for that call."""
    body = resp.json if resp.body else None
    rest_client.RestClient.validate_response(schema, _Resp(resp), body)


class TestCreate(base.APITestCase):

    def test_create_returns_nova_shape(self):
        resp = self.api.post('servers', {'server': {
            'name': 'web', 'flavorRef': '1', 'imageRef': base.IMAGE_ID}},
            status=202)
        validate(s21.create_server_with_admin_pass, resp)
        server = resp.json['server']
        self.assertEqual(server['links'][0]['href'], resp.headers['Location'])
        self.assertEqual('MANUAL', server['OS-DCF:diskConfig'])
        self.assertEqual([{'name': 'default'}], server['security_groups'])
        self.assertEqual(12, len(server['adminPass']))
        shown = self.wait_for_status(server['id'], 'ACTIVE', api=self.api)
        self.assertEqual('web', shown['name'])

    def test_admin_pass_is_not_stored(self):
        resp = self.api.post('servers', {'server': {
            'name': 'web', 'flavorRef': '1', 'imageRef': base.IMAGE_ID,
            'adminPass': 'sekrit-Passw0rd'}}, status=202)
        self.assertEqual('sekrit-Passw0rd', resp.json['server']['adminPass'])
        self.wait_for_status(resp.json['server']['id'], 'ACTIVE')
        with self.db.engine.connect() as conn:
            for table in models.Base.metadata.sorted_tables:
                self.assertNotIn('sekrit-Passw0rd', repr(
                    conn.execute(table.select()).all()))
        if self.db.connection.startswith('sqlite:///'):
            with open(self.db.connection[len('sqlite:///'):], 'rb') as f:
                self.assertNotIn(b'sekrit-Passw0rd', f.read())

    def test_flavor_ref_may_be_a_url(self):
        self.api.post('servers', {'server': {
            'name': 'web', 'imageRef': base.IMAGE_ID,
            'flavorRef': 'http://localhost/v2.1/flavors/1'}}, status=202)

    def test_min_max_count_and_names(self):
        resp = self.api.post('servers', {'server': {
            'name': 'multi', 'flavorRef': '1', 'imageRef': base.IMAGE_ID,
            'min_count': 2, 'max_count': '3'}}, status=202)
        self.assertIn('id', resp.json['server'])
        names = sorted(s['name'] for s in
                       self.api.get('servers').json['servers'])
        self.assertEqual(['multi-1', 'multi-2', 'multi-3'], names)

    def test_max_count_trimmed_to_quota(self):
        self.flags(instances=2, group='quota')
        self.api.post('servers', {'server': {
            'name': 'm', 'flavorRef': '1', 'imageRef': base.IMAGE_ID,
            'min_count': 1, 'max_count': 5}}, status=202)
        self.assertEqual(2, len(self.api.get('servers').json['servers']))

    def test_return_reservation_id(self):
        resp = self.api.post('servers', {'server': {
            'name': 'r', 'flavorRef': '1', 'imageRef': base.IMAGE_ID,
            'return_reservation_id': 'True'}}, status=202)
        self.assertEqual(['reservation_id'], list(resp.json))
        self.assertRegex(resp.json['reservation_id'], '^r-[0-9a-z]{8}$')
        self.assertNotIn('Location', resp.headers)
        listed = self.admin_api.get(
            'servers?all_tenants=1&reservation_id=%s'
            % resp.json['reservation_id']).json['servers']
        self.assertEqual(1, len(listed))

    def test_description_defaults_to_name_below_2_19(self):
        server = self.create_server(name='named')
        shown = self.api.as_user('demo', version='2.19').get(
            'servers/%s' % server['id']).json['server']
        self.assertEqual('named', shown['description'])
        api219 = self.api.as_user('demo', version='2.19')
        resp = api219.post('servers', {'server': {
            'name': 'n2', 'flavorRef': '1', 'imageRef': base.IMAGE_ID}},
            status=202)
        shown = api219.get('servers/%s' % resp.json['server']['id']).json
        self.assertIsNone(shown['server']['description'])

    def test_metadata_personality_user_data_stored(self):
        user_data = base64.b64encode(b'#!/bin/sh\necho hi\n').decode()
        server = self.create_server(
            metadata={'role': 'web'}, user_data=user_data,
            personality=[{'path': '/etc/motd',
                          'contents': base64.b64encode(b'hi').decode()}],
            config_drive=True)
        self.assertEqual({'role': 'web'}, server['metadata'])
        self.assertEqual('True', server['config_drive'])
        admin = self.admin_api.as_user('admin', version='2.3').get(
            'servers/%s' % server['id']).json['server']
        self.assertEqual(user_data, admin['OS-EXT-SRV-ATTR:user_data'])

    def test_key_name(self):
        db.key_pair_create(self.admin_context, {
            'name': 'k1', 'user_id': 'demo', 'public_key': 'ssh-rsa AAA x',
            'fingerprint': 'aa', 'type': 'ssh'}, 100)
        server = self.create_server(key_name='k1')
        self.assertEqual('k1', server['key_name'])
        resp = self.api.as_user('other').post('servers', {'server': {
            'name': 'x', 'flavorRef': '1', 'imageRef': base.IMAGE_ID,
            'key_name': 'k1'}}, status=400)
        self.assertEqual('Invalid key_name provided.',
                         resp.json['badRequest']['message'])


class TestCreateErrors(base.APITestCase):

    def _create(self, server, status, api=None, **top):
        body = dict({'server': server}, **top)
        return (api or self.api).post('servers', body, status=status)

    def _server(self, **kw):
        return dict({'name': 's', 'flavorRef': '1',
                     'imageRef': base.IMAGE_ID}, **kw)

    def assertFault(self, resp, name, message):
        self.assertEqual({name: {'code': resp.status_int,
                                 'message': message}}, resp.json)
        self.assertEqual('application/json; charset=UTF-8',
                         resp.headers['Content-Type'])

    def test_unknown_flavor(self):
        resp = self._create(self._server(flavorRef='999999'), 400)
        self.assertFault(resp, 'badRequest',
                         'Flavor 999999 could not be found.')

    def test_block_device_mapping_of_an_image_boot(self):
        # What clients send with imageRef for a plain image boot: as in
        # Nova, the same as imageRef alone.
        bdm = {'uuid': base.IMAGE_ID, 'boot_index': 0,
               'source_type': 'image', 'destination_type': 'local',
               'delete_on_termination': True}
        server = self._create(self._server(block_device_mapping_v2=[bdm]),
                              202).json['server']
        server = self.wait_for_status(server['id'], 'ACTIVE')
        self.assertEqual(base.IMAGE_ID, server['image']['id'])
        # The Nova anchor's answers for the rest.
        no_local = ('Block Device Mapping is Invalid: Mapping image to '
                    'local is not supported.')
        for server, message in (
                (self._server(imageRef='', block_device_mapping_v2=[bdm]),
                 no_local),
                ({'name': 's', 'flavorRef': '1',
                  'block_device_mapping_v2': [bdm]}, no_local),
                (self._server(block_device_mapping_v2=[
                    dict(bdm, boot_index=1)]), no_local),
                (self._server(block_device_mapping_v2=[dict(
                    bdm, uuid='a0a4d1c8-46a8-4d77-a83b-7a3c1c2bbb4f')]),
                 'Block Device Mapping is Invalid: failed to get image '
                 'a0a4d1c8-46a8-4d77-a83b-7a3c1c2bbb4f.'),
                (self._server(block_device_mapping_v2=[
                    dict(bdm, destination_type='volume', volume_size=1)]),
                 compute_api.BDM_UNSUPPORTED),
                (self._server(block_device_mapping_v2=[bdm, dict(
                    bdm, boot_index=1, source_type='blank')]),
                 compute_api.BDM_UNSUPPORTED)):
            resp = self._create(server, 400)
            self.assertFault(resp, 'badRequest', message)
        self.assertIn('no volume service',
                      compute_api.BDM_UNSUPPORTED)

    def test_access_ipv6_is_stored_canonical(self):
        # Nova's answer for this address.
        server = self._create(self._server(
            accessIPv6='0000:0000:0000:0000:0000:babe:220.12.22.2'),
            202).json['server']
        shown = self.api.get('servers/%s' % server['id']).json['server']
        self.assertEqual('::babe:dc0c:1602', shown['accessIPv6'])
        self.api.put('servers/%s' % server['id'], {'server': {
            'accessIPv6': '2001:DB8:0:0:0:0:0:1'}}, status=200)
        shown = self.api.get('servers/%s' % server['id']).json['server']
        self.assertEqual('2001:db8::1', shown['accessIPv6'])

    def test_unknown_image(self):
        resp = self._create(self._server(
            imageRef='00000000-0000-0000-0000-000000000000'), 400)
        self.assertFault(resp, 'badRequest', 'Can not find requested image')

    def test_missing_image(self):
        server = self._server()
        del server['imageRef']
        resp = self._create(server, 400)
        self.assertFault(resp, 'badRequest', 'Missing imageRef attribute')

    def test_missing_name(self):
        resp = self._create({'flavorRef': '1'}, 400)
        self.assertFault(
            resp, 'badRequest',
            "Invalid input for field/attribute server. Value: "
            "{'flavorRef': '1'}. 'name' is a required property")

    def test_unknown_key(self):
        resp = self._create(self._server(bogus=1), 400)
        self.assertIn("Additional properties are not allowed ('bogus' was "
                      "unexpected)", resp.json['badRequest']['message'])

    def test_description_needs_2_19(self):
        self._create(self._server(description='d'), 400)
        self._create(self._server(description='d'), 202,
                     api=self.api.as_user('demo', version='2.19'))

    def test_bad_names(self):
        for name in (' lead', 'trail ', 'a\x00b', ''):
            resp = self._create(self._server(name=name), 400)
            self.assertIn('badRequest', resp.json)

    def test_min_greater_than_max(self):
        resp = self._create(self._server(min_count=3, max_count=2), 400)
        self.assertFault(resp, 'badRequest',
                         'min_count must be <= max_count')

    def test_user_data_not_base64(self):
        self._create(self._server(user_data='***'), 400)

    def test_user_data_too_long(self):
        self._create(self._server(user_data='A' * 65536), 400)

    def test_malformed_json(self):
        resp = self.app.post('/v2.1/servers', '{"server": ',
                             headers=self.api.headers(),
                             content_type='application/json',
                             expect_errors=True)
        self.assertEqual(400, resp.status_int)
        self.assertFault(resp, 'badRequest', 'Malformed request body')

    def test_unsupported_content_type(self):
        resp = self.app.post('/v2.1/servers', '<server/>',
                             headers=self.api.headers(),
                             content_type='application/xml',
                             expect_errors=True)
        self.assertEqual(415, resp.status_int)
        self.assertIn('badMediaType', resp.json)

    def test_metadata_over_quota(self):
        self.flags(metadata_items=2, group='quota')
        resp = self._create(self._server(
            metadata={'a': '1', 'b': '2', 'c': '3'}), 403)
        self.assertFault(resp, 'forbidden',
                         'Maximum number of metadata items exceeds 2')

    def test_bad_metadata(self):
        self._create(self._server(metadata={'a': 1}), 400)
        self._create(self._server(metadata={'é': 'x'}), 400)
        self._create(self._server(metadata={'a': 'x' * 256}), 400)

    def test_instances_over_quota(self):
        self.flags(instances=1, group='quota')
        self._create(self._server(), 202)
        resp = self._create(self._server(), 403)
        self.assertFault(resp, 'forbidden',
                         'Quota exceeded for instances: Requested 1, but '
                         'already used 1 of 1 instances')

    def test_cores_over_quota(self):
        self.flags(cores=0, group='quota')
        resp = self._create(self._server(), 403)
        self.assertIn('Quota exceeded for cores',
                      resp.json['forbidden']['message'])

    def test_personality_limits(self):
        content = base64.b64encode(b'x').decode()
        self.flags(injected_files=1, group='quota')
        resp = self._create(self._server(personality=[
            {'path': '/a', 'contents': content},
            {'path': '/b', 'contents': content}]), 403)
        self.assertFault(resp, 'forbidden', 'Personality file limit exceeded')
        resp = self._create(self._server(personality=[
            {'path': '/' + 'p' * 255, 'contents': content}]), 403)
        self.assertFault(resp, 'forbidden',
                         'Personality file path exceeds maximum 255')
        resp = self._create(self._server(personality=[
            {'path': '/a', 'contents': 'QUFB' * 2561}]), 403)
        self.assertFault(resp, 'forbidden',
                         'Personality file content exceeds maximum 10240')

    def test_availability_zone(self):
        self._create(self._server(availability_zone='nova'), 202)
        resp = self._create(self._server(availability_zone='mars'), 400)
        self.assertFault(resp, 'badRequest',
                         'The requested availability zone is not available')
        self._create(self._server(availability_zone='nova:a:b:c'), 400)

    def test_forced_host_needs_admin(self):
        zone = 'nova:%s' % self.agent.service.host
        resp = self._create(self._server(availability_zone=zone), 403)
        self.assertFault(
            resp, 'forbidden', "Policy doesn't allow "
            "os_compute_api:servers:create:forced_host to be performed.")
        resp = self._create(self._server(availability_zone=zone), 202,
                            api=self.admin_api)
        shown = self.wait_for_status(resp.json['server']['id'], 'ACTIVE')
        self.assertEqual(self.agent.service.host,
                         shown['OS-EXT-SRV-ATTR:host'])

    def test_networks(self):
        self._create(self._server(networks=[]), 202)
        resp = self._create(self._server(networks=[{'uuid': 'abc'}]), 400)
        self.assertFault(resp, 'badRequest', 'Bad networks format: network '
                         'uuid is not in proper format (abc)')
        resp = self._create(self._server(networks=[{'fixed_ip':
                                                    '10.0.0.1'}]), 400)
        self.assertFault(resp, 'badRequest',
                         "Bad network format: missing 'uuid'")

    def test_block_device_mapping_is_refused(self):
        self._create(self._server(block_device_mapping_v2=[
            {'source_type': 'blank', 'destination_type': 'local',
             'boot_index': -1, 'volume_size': 1}]), 400)

    def test_unknown_security_group(self):
        self._create(self._server(security_groups=[{'name': 'web'}]), 400)

    def test_security_groups_without_a_name_mean_default(self):
        # Nova ignores them (a KeyError, a 500, before).
        resp = self._create(self._server(security_groups=[{}]), 202)
        self.assertEqual([{'name': 'default'}],
                         resp.json['server']['security_groups'])

    def test_reader_cannot_create(self):
        reader = self.api.as_user('r', 'demo', roles=['reader'])
        resp = self._create(self._server(), 403, api=reader)
        self.assertFault(resp, 'forbidden', "Policy doesn't allow "
                         "os_compute_api:servers:create to be performed.")

    def test_no_valid_host_is_error_with_fault(self):
        self.flags(cores=-1, group='quota')
        self.create_flavor(flavorid='big', name='big', vcpus=100000)
        resp = self._create(self._server(flavorRef='big'), 202)
        server = self.wait_for_status(resp.json['server']['id'], 'ERROR')
        self.assertEqual(500, server['fault']['code'])
        self.assertEqual('No valid host was found. There are not enough '
                         'hosts available.', server['fault']['message'])
        self.assertIn('details', server['fault'])  # admin sees details
        owner = self.api.get('servers/%s' % server['id']).json['server']
        self.assertNotIn('details', owner['fault'])

    def test_agent_failure_is_error_with_fault(self):
        def broken(*args, **kwargs):
            raise RuntimeError('disk on fire')
        self.agent.driver.spawn = broken
        resp = self._create(self._server(), 202)
        server = self.wait_for_status(resp.json['server']['id'], 'ERROR')
        # Only the class of a foreign error is shown (its text may reveal
        # the host); an admin gets the traceback in details.
        self.assertEqual('RuntimeError', server['fault']['message'])
        self.assertIn('disk on fire', server['fault']['details'])
        self.assertIsNone(server['OS-EXT-STS:task_state'])


class TestShowListDetail(base.APITestCase):

    def test_show_at_each_microversion(self):
        server = self.create_server()
        path = 'servers/%s' % server['id']
        for version, schema in (('2.1', s21.get_server),
                                ('2.9', s29.get_server),
                                ('2.16', s216.get_server),
                                ('2.19', s219.get_server),
                                ('2.26', s226.get_server)):
            resp = self.api.as_user('demo', version=version).get(path)
            validate(schema, resp)
            self.assertEqual('compute %s' % version,
                             resp.headers['OpenStack-API-Version'])
            body = resp.json['server']
            self.assertEqual(version >= '2.9' and len(version) == 3 or
                             version in ('2.16', '2.19', '2.26'),
                             'locked' in body)
            self.assertNotIn('OS-EXT-SRV-ATTR:host', body)
        self.assertEqual([], body['tags'])
        self.assertNotIn('host_status', body)

    def test_admin_fields(self):
        server = self.create_server()
        path = 'servers/%s' % server['id']
        shown = self.admin_api.as_user('admin', version='2.3').get(path)
        validate(s23.get_server, shown)
        body = shown.json['server']
        self.assertEqual(self.agent.service.host,
                         body['OS-EXT-SRV-ATTR:host'])
        self.assertRegex(body['OS-EXT-SRV-ATTR:instance_name'],
                         '^instance-[0-9a-f]{8}$')
        self.assertEqual('server', body['OS-EXT-SRV-ATTR:hostname'])
        self.assertEqual(0, body['OS-EXT-SRV-ATTR:launch_index'])
        body = self.admin_api.as_user('admin', version='2.16').get(
            path).json['server']
        self.assertEqual('UP', body['host_status'])
        self.assertEqual(56, len(body['hostId']))
        # Nova's instance_name_template, with an id or named fields.
        for template, expected in (('vm-%d', r'^vm-\d+$'),
                                   ('vm-%(uuid)s', '^vm-' + server['id'])):
            self.flags(instance_name_template=template)
            body = self.admin_api.as_user('admin', version='2.3').get(
                path).json['server']
            self.assertRegex(body['OS-EXT-SRV-ATTR:instance_name'],
                             expected)

    def test_host_status_unknown_when_agent_silent(self):
        server = self.create_server()
        db.service_update(self.admin_context, self.agent.service.host,
                          'novalite-compute', {'last_seen_up': None})
        body = self.admin_api.as_user('admin', version='2.16').get(
            'servers/%s' % server['id']).json['server']
        self.assertEqual('UNKNOWN', body['host_status'])

    def test_host_status_down_and_maintenance(self):
        server = self.create_server()
        host = self.agent.service.host
        path = 'servers/%s' % server['id']
        api = self.admin_api.as_user('admin', version='2.16')
        db.service_update(self.admin_context, host, 'novalite-compute',
                          {'disabled': True})
        self.assertEqual('MAINTENANCE',
                         api.get(path).json['server']['host_status'])
        db.service_update(self.admin_context, host, 'novalite-compute',
                          {'forced_down': True})
        self.assertEqual('DOWN', api.get(path).json['server']['host_status'])
        detail = api.get('servers/detail?all_tenants=1').json['servers']
        self.assertEqual(['DOWN'], [s['host_status'] for s in detail])

    def test_list_and_detail_schemas(self):
        self.create_server()
        validate(s21.list_servers, self.api.get('servers'))
        validate(s21.list_servers_detail, self.api.get('servers/detail'))
        api226 = self.api.as_user('demo', version='2.26')
        validate(s226.list_servers_detail, api226.get('servers/detail'))

    def test_not_found(self):
        for server_id in ('00000000-0000-0000-0000-000000000000', 'nope'):
            resp = self.api.get('servers/%s' % server_id, status=404)
            self.assertEqual(
                {'itemNotFound': {'code': 404, 'message': 'Instance %s '
                                  'could not be found.' % server_id}},
                resp.json)

    def test_other_project_is_404(self):
        server = self.create_server()
        other = self.api.as_user('eve', 'evil')
        path = 'servers/%s' % server['id']
        other.get(path, status=404)
        other.put(path, {'server': {'name': 'x'}}, status=404)
        other.delete(path, status=404)
        other.post(path + '/action', {'lock': None}, status=404)
        self.assertEqual([], other.get('servers').json['servers'])

    def test_project_id_in_url(self):
        server = self.create_server()
        # noauth2 project ids must look like Nova's (hex and dashes).
        api = self.api.as_user('ab12', 'ab12')
        mine = self.create_server(api=api)
        resp = api.get('/v2.1/ab12/servers/%s' % mine['id'], status=200)
        self.assertIn('/v2.1/ab12/servers/',
                      resp.json['server']['links'][0]['href'])
        resp = api.get('/v2.1/abcd/servers', status=400)
        self.assertEqual(
            "Malformed request URL: URL's project_id 'abcd' doesn't match "
            "Context's project_id 'ab12'", resp.json['badRequest']['message'])
        self.assertNotIn('/demo/', self.api.get(
            'servers/%s' % server['id']).json['server']['links'][0]['href'])


class TestListFilters(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.web = self.create_server(name='web-1', metadata={'a': 'b'})
        self.db_server = self.create_server(name='db-1')
        self.other = self.create_server(api=self.api.as_user('bob', 'bob'),
                                        name='web-bob')

    def names(self, path, api=None):
        resp = (api or self.api).get(path, status=200)
        return sorted(s['name'] for s in resp.json['servers'])

    def test_project_scoping(self):
        self.assertEqual(['db-1', 'web-1'], self.names('servers'))
        self.assertEqual(['db-1', 'web-1'],
                         self.names('servers', api=self.admin_api.as_user(
                             'admin', 'demo')))

    def test_name_is_a_regex(self):
        self.assertEqual(['web-1'], self.names('servers?name=eb'))
        self.assertEqual(['db-1'], self.names('servers/detail?name=^d'))

    def test_bad_regex_is_400(self):
        # Nova's query schema: 'format': 'regex' (compiles, not empty).
        for param in ('name', 'ip', 'key_name'):
            resp = self.api.get('servers?%s=(' % param, status=400)
            self.assertEqual(
                "Invalid input for query parameters %s. Value: (. '(' is "
                "not a 'regex'" % param, resp.json['badRequest']['message'])
        resp = self.api.get('servers/detail?name=', status=400)
        self.assertEqual("Invalid input for query parameters name. Value: "
                         ". '' is not a 'regex'",
                         resp.json['badRequest']['message'])
        self.api.get('servers?tags=(', status=200)  # no tags below 2.26
        self.api.as_user('demo', version='2.26').get('servers?tags=(',
                                                     status=400)
        # Exact-match filters are not patterns.
        self.api.get('servers?user_id=(', status=200)

    def test_runaway_regex_is_stopped(self):
        self.create_server(name='a' * 40 + '!')
        self.flags(regex_filter_timeout=0.3, group='api')
        resp = self.api.get('servers?name=^(a|a)%2B$')
        if self.db.engine.dialect.name != 'sqlite' and \
                resp.status_int == 200:
            # PostgreSQL's engine does not backtrack: no match, at once.
            # MariaDB's PCRE2 gives up at its match limit (a warning, no
            # match) in about the budget's time: either answer. Their
            # budgets are tested with pg_sleep and SLEEP in test_regexp.
            self.assertEqual([], resp.json['servers'])
        else:
            self.assertEqual(400, resp.status_int, resp.text)
            self.assertEqual('The regular expressions of the filters took '
                             'too long to match; use simpler patterns.',
                             resp.json['badRequest']['message'])
        # The next request of the same thread is not affected.
        self.assertEqual(['db-1', 'web-1'], self.names('servers?name=-1'))

    def test_all_tenants(self):
        self.assertEqual(['db-1', 'web-1', 'web-bob'],
                         self.names('servers?all_tenants', self.admin_api))
        self.assertEqual(['web-bob'], self.names(
            'servers?all_tenants=true&tenant_id=bob', self.admin_api))
        resp = self.api.get('servers?all_tenants=1', status=403)
        self.assertEqual("Policy doesn't allow os_compute_api:servers:index:"
                         "get_all_tenants to be performed.",
                         resp.json['forbidden']['message'])
        self.assertEqual(['db-1', 'web-1'],
                         self.names('servers?all_tenants=0'))
        self.api.get('servers?all_tenants=maybe', status=400)

    def test_admin_only_filters_dropped_for_users(self):
        # A user's host filter is ignored; an admin's applies.
        self.assertEqual(['db-1', 'web-1'], self.names('servers?host=zzz'))
        self.assertEqual([], self.names('servers?all_tenants=1&host=zzz',
                                        self.admin_api))

    def test_status(self):
        self.assertEqual(['db-1', 'web-1'],
                         self.names('servers?status=active'))
        self.assertEqual([], self.names('servers?status=SHUTOFF'))
        self.assertEqual([], self.names('servers?status=BOGUS'))
        # A status that names no state adds nothing (Nova).
        self.assertEqual(['db-1', 'web-1'],
                         self.names('servers?status=BOGUS&status=ACTIVE'))
        self.api.get('servers?status=DELETED', status=403)
        # 2.38: none known is a 400.
        v238 = self.api.as_user('demo', version='2.38')
        for query in ('status=BOGUS', 'status=BOGUS&status=NOPE'):
            for path in ('servers?', 'servers/detail?'):
                resp = v238.get(path + query, status=400)
                self.assertEqual('Invalid status value',
                                 resp.json['badRequest']['message'])
        self.assertEqual(['db-1', 'web-1'], self.names(
            'servers?status=BOGUS&status=ACTIVE', v238))

    def test_deleted(self):
        self.api.delete('servers/%s' % self.db_server['id'], status=204)
        self.wait_for_status(self.db_server['id'], 'DELETED', api=self.api)
        self.assertEqual(['web-1'], self.names('servers?deleted=true'))
        resp = self.admin_api.get('servers/detail?all_tenants=1&deleted=1')
        servers = resp.json['servers']
        self.assertEqual(['db-1'], [s['name'] for s in servers])
        self.assertEqual('DELETED', servers[0]['status'])

    def test_changes_since(self):
        self.assertEqual(['db-1', 'web-1'], self.names(
            'servers?changes-since=2000-01-01T00:00:00Z'))
        self.assertEqual([], self.names(
            'servers?changes-since=2999-01-01T00:00:00'))
        self.api.get('servers?changes-since=yesterday', status=400)

    def test_image_and_flavor(self):
        self.assertEqual(['db-1', 'web-1'],
                         self.names('servers?image=%s&flavor=1'
                                    % base.IMAGE_ID))
        self.assertEqual([], self.names('servers?flavor=42'))

    def test_ip_filter_matches_nothing_without_addresses(self):
        self.assertEqual([], self.names('servers?ip=10.'))

    def test_tags(self):
        api = self.api.as_user('demo', version='2.26')
        api.put('servers/%s/tags' % self.web['id'],
                {'tags': ['a', 'b']}, status=200)
        api.put('servers/%s/tags' % self.db_server['id'], {'tags': ['b']},
                status=200)
        self.assertEqual(['web-1'], self.names('servers?tags=a,b', api))
        self.assertEqual(['db-1', 'web-1'],
                         self.names('servers?tags-any=a,b', api))
        self.assertEqual(['db-1'], self.names('servers?not-tags=a,b', api))
        self.assertEqual([], self.names('servers?not-tags-any=b', api))
        # Below 2.26 the tag filters do not exist (ignored).
        self.assertEqual(['db-1', 'web-1'], self.names('servers?tags=zz'))

    def test_pagination(self):
        page = self.api.get('servers?limit=1', status=200).json
        self.assertEqual(1, len(page['servers']))
        next_href = page['servers_links'][0]['href']
        self.assertIn('limit=1', next_href)
        self.assertIn('marker=%s' % page['servers'][0]['id'], next_href)
        second = self.api.get(next_href.split('/v2.1/', 1)[1]).json
        self.assertEqual(1, len(second['servers']))
        self.assertNotEqual(page['servers'][0]['id'],
                            second['servers'][0]['id'])
        third = self.api.get(second['servers_links'][0]['href']
                             .split('/v2.1/', 1)[1]).json
        self.assertEqual([], third['servers'])
        self.assertNotIn('servers_links', third)
        self.assertEqual([], self.api.get('servers?limit=0').json['servers'])
        self.api.get('servers?limit=-1', status=400)
        self.api.get('servers?limit=abc', status=400)
        resp = self.api.get('servers?marker=nope', status=400)
        self.assertEqual('marker [nope] not found',
                         resp.json['badRequest']['message'])

    def test_max_limit(self):
        self.flags(max_limit=1, group='api')
        resp = self.api.get('servers?limit=5').json
        self.assertEqual(1, len(resp['servers']))
        self.assertIn('servers_links', resp)

    def test_sorting(self):
        self.assertEqual(['db-1', 'web-1'], [s['name'] for s in self.api.get(
            'servers?sort_key=display_name&sort_dir=asc').json['servers']])
        self.assertEqual(['web-1', 'db-1'], [s['name'] for s in self.api.get(
            'servers?sort_key=display_name&sort_dir=desc').json['servers']])
        self.api.get('servers?sort_key=display_name&sort_dir=up',
                     status=400)
        self.api.get('servers?sort_key=bogus', status=400)
        resp = self.api.get('servers?sort_key=host', status=403)
        self.assertEqual('Only administrators can sort servers by host',
                         resp.json['forbidden']['message'])
        # Legacy keys are ignored below 2.75.
        self.api.get('servers?sort_key=vcpus', status=200)

    def test_invalid_filter_for_admin(self):
        self.admin_api.get('servers?all_tenants=1&metadata=x', status=400)


class TestUpdate(base.APITestCase):

    def test_update(self):
        server = self.create_server()
        path = 'servers/%s' % server['id']
        resp = self.api.put(path, {'server': {
            'name': 'renamed', 'accessIPv4': '10.0.0.1',
            'accessIPv6': '::1', 'OS-DCF:diskConfig': 'AUTO'}}, status=200)
        validate(s21.update_server, resp)
        body = resp.json['server']
        self.assertEqual('renamed', body['name'])
        self.assertEqual('AUTO', body['OS-DCF:diskConfig'])
        self.assertNotIn('OS-EXT-STS:vm_state', body)
        api = self.api.as_user('demo', version='2.26')
        resp = api.put(path, {'server': {'description': 'd'}}, status=200)
        validate(s226.update_server, resp)
        self.assertEqual('d', resp.json['server']['description'])
        resp = api.put(path, {'server': {'description': None}}, status=200)
        self.assertIsNone(resp.json['server']['description'])
        self.api.put(path, {'server': {'description': 'd'}}, status=400)
        self.api.put(path, {'server': {'accessIPv4': 'x'}}, status=400)
        self.api.put(path, {'server': {}}, status=200)
        self.api.put(path, {}, status=400)

    def test_update_and_rebuild_answers_have_plain_addresses(self):
        # Nova's update and rebuild views have no address extensions
        # (show and detail do): tempest's schemas refuse them.
        db.network_create(self.admin_context, {'name': 'private',
                                               'cidr': '10.0.0.0/24'})
        server = self.create_server()
        path = 'servers/%s' % server['id']
        shown = self.api.get(path).json['server']['addresses']['private']
        self.assertIn('OS-EXT-IPS-MAC:mac_addr', shown[0])
        plain = [{'version': a['version'], 'addr': a['addr']}
                 for a in shown]
        resp = self.api.put(path, {'server': {'name': 'n'}}, status=200)
        validate(s21.update_server, resp)
        self.assertEqual({'private': plain}, resp.json['server']['addresses'])
        resp = self.api.post(path + '/action', {'rebuild': {
            'imageRef': base.IMAGE_ID}}, status=202)
        validate(s21.rebuild_server_with_admin_pass, resp)
        self.assertEqual({'private': plain}, resp.json['server']['addresses'])

    def test_update_allowed_when_locked(self):
        server = self.create_server()
        path = 'servers/%s' % server['id']
        self.api.post(path + '/action', {'lock': None}, status=202)
        self.api.put(path, {'server': {'name': 'still'}}, status=200)


class TestDeleteAndLock(base.APITestCase):

    def test_delete(self):
        server = self.create_server()
        path = 'servers/%s' % server['id']
        resp = self.api.delete(path, status=204)
        self.assertEqual(b'', resp.body)
        self.wait_for_status(server['id'], 'DELETED', api=self.api)
        self.api.get(path, status=404)
        self.api.delete(path, status=404)
        self.assertNotIn(server['id'], self.agent.driver.list_instance_uuids())

    def test_locked_server_delete_is_admin_only(self):
        server = self.create_server()
        path = 'servers/%s' % server['id']
        self.api.post(path + '/action', {'lock': None}, status=202)
        shown = self.api.as_user('demo', version='2.9').get(path).json
        self.assertTrue(shown['server']['locked'])
        resp = self.api.delete(path, status=409)
        self.assertEqual({'conflictingRequest': {
            'code': 409, 'message': 'Instance %s is locked' % server['id']}},
            resp.json)
        # Locked servers refuse other actions from non-admins too.
        self.api.post(path + '/action', {'reboot': {'type': 'HARD'}},
                      status=409)
        self.admin_api.delete(path, status=204)
        self.wait_for_status(server['id'], 'DELETED')

    def test_unlock_override(self):
        server = self.create_server()
        action = 'servers/%s/action' % server['id']
        self.admin_api.post(action, {'lock': None}, status=202)
        resp = self.api.post(action, {'unlock': None}, status=403)
        self.assertEqual(
            "Policy doesn't allow os_compute_api:os-lock-server:unlock:"
            "unlock_override to be performed.",
            resp.json['forbidden']['message'])
        self.admin_api.post(action, {'unlock': None}, status=202)
        # An owner's lock may be lifted by an admin (override allowed).
        self.api.post(action, {'lock': None}, status=202)
        self.admin_api.post(action, {'unlock': None}, status=202)
        self.api.delete('servers/%s' % server['id'], status=204)

    def test_delete_never_scheduled_is_immediate(self):
        self.flags(cores=-1, group='quota')
        self.create_flavor(flavorid='big', name='big', vcpus=100000)
        resp = self.api.post('servers', {'server': {
            'name': 'x', 'flavorRef': 'big', 'imageRef': base.IMAGE_ID}},
            status=202)
        server_id = resp.json['server']['id']
        self.api.delete('servers/%s' % server_id, status=204)
        self.api.get('servers/%s' % server_id, status=404)

    def test_delete_with_agent_down_is_local(self):
        server = self.create_server()
        db.service_update(self.admin_context, self.agent.service.host,
                          'novalite-compute', {'forced_down': True})
        self.api.delete('servers/%s' % server['id'], status=204)
        self.api.get('servers/%s' % server['id'], status=404)


class TestActions(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.server = self.create_server()
        self.action = 'servers/%s/action' % self.server['id']

    def test_actions_on_a_server_with_no_host(self):
        # ERROR after NoValidHost: no agent may get the action (it would
        # overwrite the fault). The answers are the Nova anchor's.
        self.flags(cores=-1, group='quota')
        self.create_flavor(flavorid='big', name='big', vcpus=100000)
        api = self.api.as_user('demo', version='2.26')
        server = api.post('servers', {'server': {
            'name': 'x', 'flavorRef': 'big', 'imageRef': base.IMAGE_ID}},
            status=202).json['server']
        self.wait_for_status(server['id'], 'ERROR')
        action = 'servers/%s/action' % server['id']
        not_ready = 'Instance %s is not ready' % server['id']
        expected = [
            ({'reboot': {'type': 'HARD'}},
             "Instance %s is in an invalid state for 'reboot'"
             % server['id']),
            ({'reboot': {'type': 'SOFT'}},
             "Cannot 'reboot' instance %s while it is in vm_state error"
             % server['id']),
            ({'os-stop': None}, not_ready),
            ({'os-start': None}, not_ready),
            ({'trigger_crash_dump': None}, not_ready),
            ({'os-getConsoleOutput': {}}, not_ready),
            ({'changePassword': {'adminPass': 'x'}},
             "Cannot 'changePassword' instance %s while it is in vm_state "
             "error" % server['id']),
        ]
        for body, message in expected:
            resp = api.post(action, body, status=409)
            self.assertEqual(message,
                             resp.json['conflictingRequest']['message'],
                             body)
        api.post(action, {'lock': None}, status=202)
        api.post(action, {'unlock': None}, status=202)
        shown = api.get('servers/%s' % server['id']).json['server']
        self.assertEqual('ERROR', shown['status'])
        self.assertIsNone(shown['OS-EXT-STS:task_state'])
        self.assertIn('No valid host', shown['fault']['message'])

    def test_stop_start(self):
        self.api.post(self.action, {'os-stop': None}, status=202)
        server = self.wait_for_status(self.server['id'], 'SHUTOFF')
        self.assertEqual(4, server['OS-EXT-STS:power_state'])
        resp = self.api.post(self.action, {'os-stop': None}, status=409)
        self.assertEqual("Cannot 'stop' instance %s while it is in vm_state "
                         "stopped" % self.server['id'],
                         resp.json['conflictingRequest']['message'])
        self.api.post(self.action, {'reboot': {'type': 'SOFT'}}, status=409)
        self.api.post(self.action, {'os-start': None}, status=202)
        server = self.wait_for_status(self.server['id'], 'ACTIVE')
        self.assertEqual(1, server['OS-EXT-STS:power_state'])
        self.api.post(self.action, {'os-start': None}, status=409)

    def test_reboot(self):
        for reboot_type in ('SOFT', 'hard', 'Hard'):
            self.api.post(self.action, {'reboot': {'type': reboot_type}},
                          status=202)
            self.wait_for_status(self.server['id'], 'ACTIVE')
        self.api.post(self.action, {'reboot': {'type': 'KICK'}}, status=400)
        self.api.post(self.action, {'reboot': {}}, status=400)

    def test_reboot_in_progress_conflicts(self):
        db.instance_update(self.admin_context, self.server['id'],
                           {'task_state': 'rebooting'})
        shown = self.api.get('servers/%s' % self.server['id']).json
        self.assertEqual('REBOOT', shown['server']['status'])
        self.api.post(self.action, {'reboot': {'type': 'SOFT'}}, status=409)
        # A hard reboot may take over a soft one.
        self.api.post(self.action, {'reboot': {'type': 'HARD'}}, status=202)
        self.wait_for_status(self.server['id'], 'ACTIVE')

    def test_change_password(self):
        self.api.post(self.action, {'changePassword': {'adminPass': 'n3w'}},
                      status=202)
        self.assertEqual('n3w', self.agent.driver._guests[
            self.server['id']]['password'])
        self.api.post(self.action, {'changePassword': {}}, status=400)

    def test_console_output(self):
        resp = self.api.post(self.action, {'os-getConsoleOutput': {}},
                             status=200)
        self.assertEqual('fake console of %s\nFAKE CONSOLE OUTPUT\nANOTHER\n'
                         'LAST LINE' % self.server['id'], resp.json['output'])
        resp = self.api.post(self.action,
                             {'os-getConsoleOutput': {'length': 3}},
                             status=200)
        self.assertEqual('FAKE CONSOLE OUTPUT\nANOTHER\nLAST LINE',
                         resp.json['output'])
        resp = self.api.post(self.action,
                             {'os-getConsoleOutput': {'length': 0}},
                             status=200)
        self.assertEqual('', resp.json['output'])
        self.api.post(self.action, {'os-getConsoleOutput': {'length': -2}},
                      status=400)

    def test_trigger_crash_dump(self):
        body = {'trigger_crash_dump': None}
        # Below 2.17 the action does not exist: Nova's 404.
        resp = self.api.post(self.action, body, status=404)
        self.assertEqual('The resource could not be found.',
                         resp.json['itemNotFound']['message'])
        api = self.api.as_user('demo', version='2.17')
        api.post(self.action, {'trigger_crash_dump': {}}, status=400)
        api.post(self.action, body, status=202)
        guest = self.agent.driver._guests[self.server['id']]
        self.wait_until(lambda: guest.get('nmi') == 1)
        self.api.post(self.action, {'os-stop': None}, status=202)
        self.wait_for_status(self.server['id'], 'SHUTOFF')
        api.post(self.action, body, status=409)

    def test_bad_action_bodies(self):
        resp = self.api.post(self.action, {'fly': None}, status=400)
        self.assertEqual('There is no such action: fly',
                         resp.json['badRequest']['message'])
        resp = self.api.post(self.action, {'lock': None, 'unlock': None},
                             status=400)
        self.assertEqual('Malformed request body',
                         resp.json['badRequest']['message'])
        self.api.post('servers/nope/action', {'lock': None}, status=404)

    def test_reader_cannot_act(self):
        reader = self.api.as_user('r', 'demo', roles=['reader'])
        reader.get('servers/%s' % self.server['id'], status=200)
        for body in ({'lock': None}, {'os-stop': None},
                     {'reboot': {'type': 'SOFT'}},
                     {'changePassword': {'adminPass': 'x'}},
                     {'os-getConsoleOutput': {}}):
            reader.post(self.action, body, status=403)
        reader.delete('servers/%s' % self.server['id'], status=403)
        reader.put('servers/%s' % self.server['id'],
                   {'server': {'name': 'x'}}, status=403)


class TestTags(base.APITestCase):

    def test_tags_sub_resource(self):
        server = self.create_server()
        api = self.api.as_user('demo', version='2.26')
        path = 'servers/%s/tags' % server['id']
        resp = api.get(path, status=200)
        validate(s226.list_tags, resp)
        resp = api.put(path + '/one', status=201)
        self.assertTrue(resp.headers['Location'].endswith('/tags/one'))
        api.put(path + '/one', status=204)
        api.get(path + '/one', status=204)
        api.get(path + '/two', status=404)
        resp = api.put(path, {'tags': ['x', 'y']}, status=200)
        validate(s226.update_all_tags, resp)
        self.assertEqual(['x', 'y'], resp.json['tags'])
        api.put(path + '/a,b', status=400)
        api.put(path, {'tags': ['ok', 'bad/tag']}, status=400)
        api.put(path, {'tags': ['t%d' % i for i in range(51)]}, status=400)
        api.delete(path + '/x', status=204)
        api.delete(path + '/x', status=404)
        api.delete(path, status=204)
        self.assertEqual([], api.get(path).json['tags'])
        # Tags are a 2.26 feature.
        self.api.get(path, status=404)

    def test_unicode_tag_location_is_quoted(self):
        # Found by test_fuzz: the Location of a new tag held the tag as
        # is, and a header is latin-1 (webtest's lint, or any WSGI
        # server, refused the answer).
        server = self.create_server(wait=False)
        api = self.api.as_user('demo', version='2.26')
        path = 'servers/%s/tags/%%F0%%9F%%92%%A5%%20x' % server['id']
        resp = api.put(path, status=201)
        self.assertTrue(resp.headers['Location'].endswith(
            '/v2.1/' + path), resp.headers['Location'])
        self.assertEqual(['\U0001f4a5 x'], api.get(
            'servers/%s/tags' % server['id']).json['tags'])
        api.get(resp.headers['Location'].split('/v2.1/', 1)[1], status=204)

    def test_tag_limit(self):
        server = self.create_server()
        api = self.api.as_user('demo', version='2.26')
        path = 'servers/%s/tags' % server['id']
        api.put(path, {'tags': ['t%d' % i for i in range(50)]}, status=200)
        api.put(path + '/one-more', status=400)


class TestVersionsAndHeaders(base.APITestCase):

    USE_AGENT = False

    def test_root_document(self):
        resp = self.app.get('/')
        versions = resp.json['versions']
        self.assertEqual(['v2.0', 'v2.1'], [v['id'] for v in versions])
        self.assertEqual(api_version.MAX_API_VERSION, versions[1]['version'])
        self.assertNotIn('OpenStack-API-Version', resp.headers)

    def test_v21_document_without_auth(self):
        for path in ('/v2.1', '/v2.1/'):
            resp = self.app.get(path, headers={
                'OpenStack-API-Version': 'compute 2.5'})
            self.assertEqual('compute 2.5',
                             resp.headers['OpenStack-API-Version'])
            self.assertEqual(api_version.MAX_API_VERSION,
                             resp.json['version']['version'])
            self.assertIn('x-openstack-request-id', resp.headers)

    def test_other_paths_are_300(self):
        resp = self.app.get('/v3/whatever', expect_errors=True)
        self.assertEqual(300, resp.status_int)
        self.assertEqual(2, len(resp.json['choices']))

    def test_microversion_negotiation(self):
        def version_of(headers):
            resp = self.app.get('/v2.1/flavors', headers=dict(
                self.api.headers(), **headers), expect_errors=True)
            return resp

        resp = version_of({})
        self.assertEqual('compute 2.1', resp.headers['OpenStack-API-Version'])
        self.assertEqual('2.1', resp.headers['X-OpenStack-Nova-API-Version'])
        self.assertEqual(['OpenStack-API-Version',
                          'X-OpenStack-Nova-API-Version'],
                         resp.headers.getall('Vary'))
        resp = version_of({'OpenStack-API-Version': 'compute latest'})
        self.assertEqual(api_version.MAX_API_VERSION,
                         resp.headers['X-OpenStack-Nova-API-Version'])
        resp = version_of({'X-OpenStack-Nova-API-Version': '2.19'})
        self.assertEqual('2.19', resp.headers['X-OpenStack-Nova-API-Version'])
        resp = version_of({'OpenStack-API-Version': 'compute 2.3',
                           'X-OpenStack-Nova-API-Version': '2.19'})
        self.assertEqual('2.3', resp.headers['X-OpenStack-Nova-API-Version'])
        resp = version_of({'OpenStack-API-Version': 'compute 2.999'})
        self.assertEqual(406, resp.status_int)
        self.assertEqual({'computeFault': {
            'code': 406, 'message': 'Version 2.999 is not supported by the '
            'API. Minimum is 2.1 and maximum is %s.'
            % api_version.MAX_API_VERSION}}, resp.json)
        self.assertEqual('compute 2.999',
                         resp.headers['OpenStack-API-Version'])
        for bad in ('2', '2.latest', '02.1', 'LATEST'):
            resp = version_of({'OpenStack-API-Version': 'compute ' + bad})
            self.assertEqual(400, resp.status_int, bad)
            self.assertEqual(
                'API Version String %s is of invalid format. Must be of '
                'format MajorNum.MinorNum.' % bad,
                resp.json['badRequest']['message'])
            self.assertNotIn('OpenStack-API-Version', resp.headers)

    def test_request_ids(self):
        resp = self.api.get('flavors', headers={
            'X-OpenStack-Request-ID':
                'req-11111111-2222-3333-4444-555555555555'})
        self.assertRegex(resp.headers['x-openstack-request-id'],
                         '^req-[0-9a-f-]{36}$')
        self.assertEqual(resp.headers['x-openstack-request-id'],
                         resp.headers['x-compute-request-id'])
        self.assertNotIn('11111111', resp.headers['x-compute-request-id'])

    def test_errors_are_json(self):
        resp = self.api.get('nowhere', status=404)
        self.assertEqual({'itemNotFound': {
            'code': 404, 'message': 'The resource could not be found.'}},
            resp.json)
        resp = self.api.request('PATCH', 'flavors/1')
        self.assertIn(resp.status_int, (404, 405))
        self.assertIn(resp.content_type, ('application/json',))
        resp = self.api.get('flavors?_method=DELETE', status=400)
        self.assertIn('badRequest', resp.json)

    def test_no_token_is_401(self):
        resp = self.app.get('/v2.1/servers', expect_errors=True)
        self.assertEqual(401, resp.status_int)
        self.assertEqual(401, resp.json['error']['code'])

    def test_version_gated_route_is_404(self):
        self.api.get('servers/x/tags', status=404)


class TestBrokerUnreachable(base.APITestCase):
    """The API cannot reach the message broker: the action fails with 503
    at once and leaves no task behind (a real rabbit transport, pointed at
    a port where nothing listens)."""

    def setUp(self):
        super().setUp()
        self.server = self.create_server()
        self.action = 'servers/%s/action' % self.server['id']
        self.broker = self.useFixture(
            nl_fixtures.UnreachableBroker(self.flags))

    def assertUnreachable(self, resp):
        self.assertEqual(
            {'serviceUnavailable': {
                'code': 503,
                'message': 'The compute service could not be reached; '
                           'nothing was done. Try again later.'}},
            resp.json)

    def test_actions_leave_no_task(self):
        for body in ({'reboot': {'type': 'SOFT'}},
                     {'reboot': {'type': 'HARD'}}, {'os-stop': None}):
            self.assertUnreachable(
                self.api.post(self.action, body, status=503))
            server = self.api.get('servers/%s' % self.server['id']).json
            self.assertEqual('ACTIVE', server['server']['status'])
            self.assertIsNone(server['server']['OS-EXT-STS:task_state'])

    def test_delete_leaves_the_server(self):
        self.assertUnreachable(
            self.api.delete('servers/%s' % self.server['id'], status=503))
        server = self.api.get('servers/%s' % self.server['id']).json
        self.assertIsNone(server['server']['OS-EXT-STS:task_state'])
        # Once the broker is back the delete goes through.
        self.broker.restore()
        self.api.delete('servers/%s' % self.server['id'], status=204)
        self.wait_until(lambda: self.api.get(
            'servers/%s' % self.server['id']).status_int == 404)
