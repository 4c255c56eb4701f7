"""What each microversion after 2.26 changes in /servers, version by
version (the answers compared with Nova 34's on the anchor)."""

import time

from oslo_policy import policy as oslo_policy
from tempest.lib.api_schema.response.compute.v2_100 import \
    servers as servers2100
from tempest.lib.api_schema.response.compute.v2_47 import \
    servers as servers247
from tempest.lib.api_schema.response.compute.v2_54 import \
    servers as servers254
from tempest.lib.api_schema.response.compute.v2_57 import \
    limits as limits257
from tempest.lib.api_schema.response.compute.v2_57 import \
    quotas as quotas257
from tempest.lib.api_schema.response.compute.v2_57 import \
    servers as servers257
from tempest.lib.api_schema.response.compute.v2_63 import \
    servers as servers263
from tempest.lib.api_schema.response.compute.v2_71 import \
    servers as servers271
from tempest.lib.api_schema.response.compute.v2_73 import \
    servers as servers273
from tempest.lib.api_schema.response.compute.v2_75 import \
    servers as servers275
from tempest.lib.api_schema.response.compute.v2_96 import \
    servers as servers296
from tempest.lib.api_schema.response.compute.v2_98 import \
    servers as servers298

from novalite.compute import utils as compute_utils
from novalite.db import api as db
from novalite import policy
from novalite.tests import base
from novalite.tests.base import validate_response
from novalite.tests import fixtures as nl_fixtures


class MicroversionTestCase(base.APITestCase):

    def api_at(self, version, user='demo', project=None):
        return self.api.as_user(user, project, version=version)

    def server_body(self, **kw):
        return {'server': dict({'name': 's', 'flavorRef': '1',
                                'imageRef': base.IMAGE_ID}, **kw)}

    def assertBadRequest(self, resp, fragment):
        self.assertEqual(400, resp.status_int)
        self.assertIn(fragment, resp.json['badRequest']['message'])


class TestDeviceTags(MicroversionTestCase):
    """2.32: ``tag`` on ``networks[]`` and ``block_device_mapping_v2[]``;
    2.33-2.36: on networks only (Nova's bug, kept by its versions)."""

    def setUp(self):
        super().setUp()
        self.network = db.network_create(self.admin_context, {
            'name': 'private', 'cidr': '10.0.0.0/24'})
        self.bdm = {'uuid': base.IMAGE_ID, 'boot_index': 0,
                    'source_type': 'image', 'destination_type': 'local'}

    def _create(self, version, status, network_tag=None, bdm_tag=None):
        network = {'uuid': self.network['uuid']}
        if network_tag is not None:
            network['tag'] = network_tag
        bdm = dict(self.bdm)
        if bdm_tag is not None:
            bdm['tag'] = bdm_tag
        return self.api_at(version).post('servers', self.server_body(
            networks=[network], block_device_mapping_v2=[bdm]),
            status=status)

    def test_tags_at_2_32_reach_the_agent(self):
        server = self._create('2.32', 202, network_tag='nic1',
                              bdm_tag='root').json['server']
        self.wait_for_status(server['id'], 'ACTIVE')
        [vif] = db.network_info_for_instance(self.admin_context,
                                             server['id'])
        self.assertEqual('nic1', vif['tag'])
        self.assertEqual('root', db.instance_system_metadata_get(
            self.admin_context, server['id'])[compute_utils.ROOT_DEVICE_TAG])

    def test_untagged_create_records_no_tag(self):
        server = self._create('2.32', 202).json['server']
        [vif] = db.network_info_for_instance(self.admin_context,
                                             server['id'])
        self.assertIsNone(vif['tag'])
        self.assertNotIn(compute_utils.ROOT_DEVICE_TAG,
                         db.instance_system_metadata_get(
                             self.admin_context, server['id']))

    def test_tags_by_version(self):
        # Before 2.32 neither tag is a known key.
        for kw in ({'network_tag': 'a'}, {'bdm_tag': 'a'}):
            resp = self._create('2.31', 400, **kw)
            self.assertBadRequest(resp, "Additional properties are not "
                                        "allowed ('tag' was unexpected)")
        # From 2.33 the mapping's tag is gone again, the network's stays.
        resp = self._create('2.33', 400, bdm_tag='a')
        self.assertBadRequest(resp, "('tag' was unexpected)")
        self._create('2.33', 202, network_tag='a')
        # 2.37 to 2.41: no tags at all; 2.42: both back.
        for kw in ({'network_tag': 'a'}, {'bdm_tag': 'a'}):
            self._create('2.41', 400, **kw)
        server = self._create('2.42', 202, network_tag='n42',
                              bdm_tag='r42').json['server']
        [vif] = db.network_info_for_instance(self.admin_context,
                                             server['id'])
        self.assertEqual('n42', vif['tag'])
        self.assertEqual('r42', db.instance_system_metadata_get(
            self.admin_context, server['id'])[compute_utils.ROOT_DEVICE_TAG])

    def test_tag_form(self):
        for bad in ('a,b', 'a/b', '', 'x' * 61):
            self._create('2.32', 400, network_tag=bad)
            self._create('2.32', 400, bdm_tag=bad)
        self._create('2.32', 202, network_tag='x' * 60)


class TestNetworksRequired(MicroversionTestCase):
    """2.37: ``networks`` is required: a list (UUIDs, no tags), "auto" or
    "none"."""

    def setUp(self):
        super().setUp()
        self.v237 = self.api_at('2.37')

    def _create(self, status, api=None, **kw):
        return (api or self.v237).post('servers', self.server_body(**kw),
                                       status=status)

    def _addresses(self, server):
        return db.network_info_for_instance(self.admin_context,
                                            server['id'])

    def test_required(self):
        resp = self._create(400)
        self.assertBadRequest(resp, "'networks' is a required property")
        # Optional before.
        self._create(202, api=self.api_at('2.36'))

    def test_none(self):
        db.network_create(self.admin_context, {'name': 'private',
                                               'cidr': '10.0.0.0/24'})
        server = self._create(202, networks='none').json['server']
        self.assertEqual([], self._addresses(server))

    def test_auto_picks_as_when_omitted(self):
        # No network at all: Nova's 400 without an auto-allocated
        # topology to make one.
        resp = self._create(400, networks='auto')
        self.assertEqual(
            'Unable to automatically allocate a network for project demo',
            resp.json['badRequest']['message'])
        shared = db.network_create(self.admin_context, {
            'name': 'public', 'cidr': '10.0.0.0/24'})
        server = self._create(202, networks='auto').json['server']
        [vif] = self._addresses(server)
        self.assertEqual(shared['uuid'], vif['network_id'])
        # Two candidates: ambiguous, as when networks are omitted.
        db.network_create(self.admin_context, {'name': 'public2',
                                               'cidr': '10.1.0.0/24'})
        self._create(409, networks='auto')

    def test_list_form(self):
        network = db.network_create(self.admin_context, {
            'name': 'private', 'cidr': '10.0.0.0/24'})
        server = self._create(202, networks=[
            {'uuid': network['uuid'], 'fixed_ip': '10.0.0.9'}]).json['server']
        self.assertEqual(['10.0.0.9'],
                         [v['address'] for v in self._addresses(server)])
        for bad in ('all', [{'uuid': 'not-a-uuid'}], [{'uuid': network[
                'uuid'], 'tag': 't'}], {'uuid': network['uuid']}, None):
            self._create(400, networks=bad)
        # Before 2.37 a network id is checked by the server code, not the
        # schema: Nova's own message.
        resp = self._create(400, api=self.api_at('2.36'),
                            networks=[{'uuid': 'abc'}])
        self.assertEqual('Bad networks format: network uuid is not in '
                         'proper format (abc)',
                         resp.json['badRequest']['message'])


class TestEmbeddedFlavor(MicroversionTestCase):
    """2.47: show, detail, update and rebuild embed the server's flavor (as
    it was at boot or its last resize), with its extra specs for those the
    policy lets see them."""

    def setUp(self):
        super().setUp()
        self.admin_api.post('flavors/1/os-extra_specs', {'extra_specs': {
            'hw:cpu_policy': 'shared'}}, status=200)
        self.v247 = self.api_at('2.47')

    def _flavor(self, api, server_id):
        return api.get('servers/%s' % server_id).json['server']['flavor']

    def test_views(self):
        server = self.create_server(api=self.api_at('2.46'), networks='none')
        expected = {'vcpus': 1, 'ram': 512, 'disk': 1, 'ephemeral': 0,
                    'swap': 0, 'original_name': 'm1.tiny',
                    'extra_specs': {'hw:cpu_policy': 'shared'}}
        path = 'servers/%s' % server['id']
        resp = self.v247.get(path, status=200)
        validate_response(servers247.get_server, resp)
        self.assertEqual(expected, resp.json['server']['flavor'])
        self.assertEqual(list(expected), list(resp.json['server']['flavor']))
        resp = self.v247.get('servers/detail', status=200)
        validate_response(servers247.list_servers_detail, resp)
        self.assertEqual([expected],
                         [s['flavor'] for s in resp.json['servers']])
        # The list of ids and links has no flavor.
        self.assertNotIn('flavor',
                         self.v247.get('servers').json['servers'][0])
        resp = self.v247.put(path, {'server': {'name': 'n'}}, status=200)
        validate_response(servers247.update_server, resp)
        self.assertEqual(expected, resp.json['server']['flavor'])
        resp = self.v247.post(path + '/action', {'rebuild': {
            'imageRef': base.IMAGE_ID}}, status=202)
        validate_response(servers247.rebuild_server_with_admin_pass, resp)
        self.assertEqual(expected, resp.json['server']['flavor'])
        # 2.46 still links to the flavor.
        self.assertEqual('1', self._flavor(self.api_at('2.46'),
                                           server['id'])['id'])

    def test_kept_from_boot_and_policy(self):
        server = self.create_server()
        # Later changes to the flavor do not change the server's.
        self.admin_api.put('flavors/1/os-extra_specs/hw:cpu_policy',
                           {'hw:cpu_policy': 'dedicated'}, status=200)
        self.assertEqual({'hw:cpu_policy': 'shared'}, self._flavor(
            self.v247, server['id'])['extra_specs'])
        # Without the policy, no extra_specs key.
        policy.get_enforcer().set_rules(oslo_policy.Rules.from_dict({
            'os_compute_api:servers:show:flavor-extra-specs': '!'}),
            overwrite=False, use_conf=False)
        flavor = self._flavor(self.v247, server['id'])
        self.assertNotIn('extra_specs', flavor)
        self.assertEqual('m1.tiny', flavor['original_name'])


class TestTagsAtCreate(MicroversionTestCase):
    """2.52: ``tags`` on create (each server of the request gets them)."""

    def test_tags(self):
        v252 = self.api_at('2.52')
        resp = v252.post('servers', self.server_body(
            networks='none', tags=['b', 'a', 'a'], min_count=2,
            return_reservation_id=True), status=202)
        servers = v252.get('servers/detail?reservation_id=%s' % resp.json[
            'reservation_id']).json['servers']
        self.assertEqual([['a', 'b'], ['a', 'b']],
                         [s['tags'] for s in servers])
        for bad in (['b/c'], ['a,b'], [''], ['x' * 61], 'a',
                    ['t%d' % i for i in range(51)]):
            v252.post('servers', self.server_body(networks='none',
                                                  tags=bad), status=400)
        # Fifty is the most a server may have.
        server = v252.post('servers', self.server_body(
            networks='none', tags=['t%d' % i for i in range(50)]),
            status=202).json['server']
        self.assertEqual(50, len(v252.get('servers/%s/tags' % server[
            'id']).json['tags']))
        resp = self.api_at('2.51').post('servers', self.server_body(
            networks='none', tags=['a']), status=400)
        self.assertBadRequest(resp, "Additional properties are not allowed "
                                    "('tags' was unexpected)")


class TestRebuildKeyName(MicroversionTestCase):
    """2.54: rebuild sets (or with null clears) the key pair, the
    caller's of that name, and answers with ``key_name``."""

    def test_key_name(self):
        for user in ('demo', 'alt'):
            self.api_at('2.2', user=user, project='demo').post(
                'os-keypairs', {'keypair': {'name': 'k-' + user}},
                status=201)
        v254 = self.api_at('2.54')
        server = self.create_server(api=v254, networks='none',
                                    key_name='k-demo')
        path = 'servers/%s/action' % server['id']

        def rebuild(api, status=202, **kw):
            resp = api.post(path, {'rebuild': dict(
                {'imageRef': base.IMAGE_ID}, **kw)}, status=status)
            if status == 202:
                self.wait_for_status(server['id'], 'ACTIVE')
            return resp

        def key_data():
            return db.instance_get_by_uuid(
                self.admin_context, server['id'])['key_data']

        demo_key = key_data()
        # Another user of the project rebuilds with their own key pair.
        resp = rebuild(self.api_at('2.54', user='alt', project='demo'),
                       key_name='k-alt')
        validate_response(servers254.rebuild_server_with_admin_pass, resp)
        self.assertEqual('k-alt', resp.json['server']['key_name'])
        self.assertNotIn(key_data(), (None, demo_key))
        # Absent: kept; null: none.
        self.assertEqual('k-alt', rebuild(v254).json['server']['key_name'])
        resp = rebuild(v254, key_name=None)
        self.assertIsNone(resp.json['server']['key_name'])
        self.assertIsNone(key_data())
        self.assertIsNone(v254.get('servers/' + server['id']).json[
            'server']['key_name'])
        # Not the caller's: Nova's 400; nothing changed.
        resp = rebuild(v254, status=400, key_name='k-alt')
        self.assertEqual('Invalid key_name provided.',
                         resp.json['badRequest']['message'])
        rebuild(v254, status=400, key_name='')
        # Before 2.54: not in the body, nor in the answer.
        v253 = self.api_at('2.53')
        resp = rebuild(v253, status=400, key_name='k-demo')
        self.assertBadRequest(resp, "('key_name' was unexpected)")
        self.assertNotIn('key_name', rebuild(v253).json['server'])


class TestPersonalityGone(MicroversionTestCase):
    """2.57: no personality on create and rebuild, nor its quotas in
    /limits and os-quota-sets; rebuild sets (or with null clears)
    ``user_data`` and shows it."""

    def test_create_and_limits(self):
        personality = [{'path': '/etc/motd', 'contents': 'aGk='}]
        resp = self.api_at('2.57').post('servers', self.server_body(
            networks='none', personality=personality), status=400)
        self.assertBadRequest(resp, "('personality' was unexpected)")
        self.api_at('2.56').post('servers', self.server_body(
            networks='none', personality=personality), status=202)
        resp = self.api_at('2.57').get('limits', status=200)
        validate_response(limits257.get_limit, resp)
        absolute = resp.json['limits']['absolute']
        self.assertNotIn('maxPersonality', absolute)
        self.assertNotIn('maxPersonalitySize', absolute)
        self.assertIn('maxPersonality', self.api_at('2.56').get(
            'limits').json['limits']['absolute'])
        admin = self.api_at('2.57', user='admin')
        for path in ('os-quota-sets/demo', 'os-quota-sets/demo/detail',
                     'os-quota-sets/demo/defaults'):
            quota_set = admin.get(path, status=200).json['quota_set']
            self.assertEqual(
                {'cores', 'instances', 'key_pairs', 'metadata_items', 'ram',
                 'server_groups', 'server_group_members', 'id'},
                set(quota_set), path)
        resp = admin.put('os-quota-sets/demo', {'quota_set': {
            'injected_files': 3}}, status=400)
        self.assertBadRequest(resp, "('injected_files' was unexpected)")
        resp = admin.put('os-quota-sets/demo', {'quota_set': {'cores': 30}},
                         status=200)
        validate_response(quotas257.update_quota_set, resp)

    def test_rebuild_user_data(self):
        v257 = self.api_at('2.57')
        server = self.create_server(api=v257, networks='none',
                                    user_data='b25l')
        path = 'servers/%s/action' % server['id']

        def rebuild(status=202, api=v257, **kw):
            resp = api.post(path, {'rebuild': dict(
                {'imageRef': base.IMAGE_ID}, **kw)}, status=status)
            if status == 202:
                self.wait_for_status(server['id'], 'ACTIVE')
            return resp

        resp = rebuild()
        validate_response(servers257.rebuild_server_with_admin_pass, resp)
        self.assertEqual('b25l', resp.json['server']['user_data'])
        self.assertEqual('dHdv', rebuild(user_data='dHdv').json['server'][
            'user_data'])
        self.assertEqual('dHdv', db.instance_get_by_uuid(
            self.admin_context, server['id'])['user_data'])
        self.assertIsNone(rebuild(user_data=None).json['server'][
            'user_data'])
        rebuild(status=400, user_data='not base64!')
        resp = rebuild(status=400, personality=[])
        self.assertBadRequest(resp, "('personality' was unexpected)")
        # Before 2.57: neither in the body nor in the answer.
        v256 = self.api_at('2.56')
        rebuild(status=400, api=v256, user_data='dHdv')
        self.assertNotIn('user_data', rebuild(api=v256).json['server'])


class TestTrustedCerts(MicroversionTestCase):
    """2.63: trusted image certificates on create and rebuild, shown in
    the server views. novalite cannot verify an image signature (no key
    manager), so such a server does not boot: ERROR with a fault, as
    Nova's libvirt driver for an image it cannot verify."""

    def test_trusted_certs(self):
        v263 = self.api_at('2.63')
        certs = ['cert-a', 'cert-b']
        resp = v263.post('servers', self.server_body(
            networks='none', trusted_image_certificates=certs), status=202)
        server_id = resp.json['server']['id']
        shown = self.wait_for_status(server_id, 'ERROR', api=v263)
        self.assertEqual(certs, shown['trusted_image_certificates'])
        self.assertIn('Signature verification for the image failed',
                      shown['fault']['message'])
        resp = v263.get('servers/' + server_id, status=200)
        validate_response(servers263.get_server, resp)
        # Without certificates: null, and the server boots.
        plain = self.create_server(api=v263, networks='none')
        resp = v263.get('servers/detail', status=200)
        validate_response(servers263.list_servers_detail, resp)
        self.assertEqual({server_id: certs, plain['id']: None}, {
            s['id']: s['trusted_image_certificates']
            for s in resp.json['servers']})
        resp = v263.put('servers/' + plain['id'],
                        {'server': {'name': 'n'}}, status=200)
        validate_response(servers263.update_server, resp)
        self.assertIsNone(resp.json['server']['trusted_image_certificates'])
        # Rebuild: set (the rebuild fails likewise), then unset (boots).
        path = 'servers/%s/action' % plain['id']
        resp = v263.post(path, {'rebuild': {
            'imageRef': base.IMAGE_ID,
            'trusted_image_certificates': ['cert-c']}}, status=202)
        validate_response(servers263.rebuild_server_with_admin_pass, resp)
        self.assertEqual(['cert-c'],
                         resp.json['server']['trusted_image_certificates'])
        self.wait_for_status(plain['id'], 'ERROR')
        v263.post(path, {'rebuild': {
            'imageRef': base.IMAGE_ID, 'trusted_image_certificates': None}},
            status=202)
        shown = self.wait_for_status(plain['id'], 'ACTIVE', api=v263)
        self.assertIsNone(shown['trusted_image_certificates'])
        for bad in ([], ['a', 'a'], [''], 'a', ['x'] * 51):
            v263.post('servers', self.server_body(
                networks='none', trusted_image_certificates=bad), status=400)
        # Their own policies.
        policy.get_enforcer().set_rules(oslo_policy.Rules.from_dict({
            'os_compute_api:servers:create:trusted_certs': '!',
            'os_compute_api:servers:rebuild:trusted_certs': '!'}),
            overwrite=False, use_conf=False)
        v263.post('servers', self.server_body(
            networks='none', trusted_image_certificates=certs), status=403)
        v263.post(path, {'rebuild': {
            'imageRef': base.IMAGE_ID, 'trusted_image_certificates': None}},
            status=403)
        # Before 2.63: neither taken nor shown.
        v262 = self.api_at('2.62')
        v262.post('servers', self.server_body(
            networks='none', trusted_image_certificates=certs), status=400)
        self.assertNotIn('trusted_image_certificates', v262.get(
            'servers/' + plain['id']).json['server'])


class TestChangesBefore(MicroversionTestCase):
    """2.66: ``changes-before`` filters the server list (anyone may) and
    a server's actions."""

    def test_servers(self):
        v266 = self.api_at('2.66')
        self.create_server(api=v266, networks='none', name='a')
        # NOTE: MySQL keeps whole seconds, rounding to the nearest: a gap
        # of more than half a second on each side keeps the order.
        time.sleep(0.6)
        between = db.utcnow().isoformat()
        time.sleep(0.6)
        self.create_server(api=v266, networks='none', name='b')
        gone = self.create_server(api=v266, networks='none', name='c')
        v266.delete('servers/' + gone['id'], status=204)
        self.wait_for_status(gone['id'], 'DELETED')

        def names(query, api=v266):
            return sorted(s['name'] for s in api.get(
                'servers/detail?' + query, status=200).json['servers'])

        self.assertEqual(['a'], names('changes-before=' + between))
        # With changes-since: the window; deleted servers show up too.
        self.assertEqual(['b', 'c'], names('changes-since=%s&changes-before'
                                           '=2999-01-01T00:00:00Z' % between))
        resp = v266.get('servers?changes-since=2030-01-01T00:00:00Z&'
                        'changes-before=2020-01-01T00:00:00Z', status=400)
        self.assertEqual('The value of changes-since must be less than or '
                         'equal to changes-before.',
                         resp.json['badRequest']['message'])
        v266.get('servers?changes-before=yesterday', status=400)
        # Before 2.66 it means nothing (as any unknown parameter).
        self.assertEqual(['a', 'b'], names('changes-before=' + between,
                                           api=self.api_at('2.65')))

    def test_instance_actions(self):
        server = self.create_server(networks='none', api=self.api_at('2.66'))
        path = 'servers/%s/os-instance-actions' % server['id']
        v266 = self.api_at('2.66')
        [create] = v266.get(path).json['instanceActions']
        self.assertEqual([create], v266.get(
            path + '?changes-before=' + create['updated_at']).json[
                'instanceActions'])
        self.assertEqual([], v266.get(
            path + '?changes-before=2000-01-01T00:00:00Z').json[
                'instanceActions'])
        resp = v266.get(path + '?changes-since=2030-01-01T00:00:00Z&'
                        'changes-before=2020-01-01T00:00:00Z', status=400)
        self.assertEqual('The value of changes-since must be less than or '
                         'equal to changes-before.',
                         resp.json['badRequest']['message'])
        self.api_at('2.65').get(path + '?changes-before=2000-01-01T00:00:00Z',
                                status=400)


class TestVolumeType(MicroversionTestCase):
    """2.67: ``volume_type`` in a block device mapping (schema only:
    novalite has no volumes)."""

    def test_schema(self):
        bdm = {'uuid': base.IMAGE_ID, 'boot_index': 0, 'source_type': 'image',
               'destination_type': 'local', 'volume_type': None}
        body = self.server_body(networks='none',
                                block_device_mapping_v2=[bdm])
        resp = self.api_at('2.66').post('servers', body, status=400)
        self.assertBadRequest(resp, "('volume_type' was unexpected)")
        self.api_at('2.67').post('servers', body, status=202)
        bdm['volume_type'] = 'x' * 256
        self.api_at('2.67').post('servers', body, status=400)


class TestServerGroupsShown(MicroversionTestCase):
    """2.71: show, update and rebuild give the server's group (not the
    detailed list)."""

    def test_server_groups(self):
        v271 = self.api_at('2.71')
        group = v271.post('os-server-groups', {'server_group': {
            'name': 'g', 'policy': 'affinity'}}).json['server_group']
        body = self.server_body(networks='none')
        body['os:scheduler_hints'] = {'group': group['id']}
        member = v271.post('servers', body, status=202).json['server']
        self.wait_for_status(member['id'], 'ACTIVE')
        loner = self.create_server(api=v271, networks='none')
        resp = v271.get('servers/' + member['id'], status=200)
        validate_response(servers271.get_server, resp)
        self.assertEqual([group['id']], resp.json['server']['server_groups'])
        self.assertEqual([], v271.get('servers/' + loner['id']).json[
            'server']['server_groups'])
        resp = v271.put('servers/' + member['id'],
                        {'server': {'name': 'n'}}, status=200)
        validate_response(servers271.update_server, resp)
        self.assertEqual([group['id']], resp.json['server']['server_groups'])
        resp = v271.post('servers/%s/action' % member['id'], {'rebuild': {
            'imageRef': base.IMAGE_ID}}, status=202)
        validate_response(servers271.rebuild_server_with_admin_pass, resp)
        self.assertEqual([group['id']], resp.json['server']['server_groups'])
        self.assertNotIn('server_groups', v271.get('servers/detail').json[
            'servers'][0])
        self.assertNotIn('server_groups', self.api_at('2.70').get(
            'servers/' + member['id']).json['server'])


class TestLockedReason(MicroversionTestCase):
    """2.73: a lock may give its reason, shown as ``locked_reason``; the
    list filters and sorts by ``locked``."""

    def test_locked_reason(self):
        v273 = self.api_at('2.73')
        server = self.create_server(api=v273, networks='none', name='a')
        other = self.create_server(api=v273, networks='none', name='b')
        path = 'servers/%s/action' % server['id']
        v273.post(path, {'lock': {'locked_reason': 'maintenance'}},
                  status=202)
        resp = v273.get('servers/' + server['id'], status=200)
        validate_response(servers273.get_server, resp)
        self.assertEqual((True, 'maintenance'),
                         (resp.json['server']['locked'],
                          resp.json['server']['locked_reason']))
        resp = v273.get('servers/detail', status=200)
        validate_response(servers273.list_servers_detail, resp)
        self.assertEqual({'a': 'maintenance', 'b': None}, {
            s['name']: s['locked_reason'] for s in resp.json['servers']})
        resp = v273.put('servers/' + server['id'],
                        {'server': {'description': 'd'}}, status=200)
        validate_response(servers273.update_server, resp)
        self.assertEqual('maintenance', resp.json['server']['locked_reason'])
        # The filter and the sort key.
        for query, names in (('locked=true', ['a']), ('locked=0', ['b']),
                             ('sort_key=locked&sort_dir=desc', ['a', 'b']),
                             ('sort_key=locked&sort_dir=asc', ['b', 'a'])):
            self.assertEqual(names, [s['name'] for s in v273.get(
                'servers?' + query).json['servers']], query)
        resp = v273.get('servers?locked=maybe', status=400)
        self.assertEqual(
            "Unrecognized value 'maybe', acceptable values are: '0', '1', "
            "'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'",
            resp.json['badRequest']['message'])
        # Unlock forgets the reason; a lock without one has none.
        v273.post(path, {'unlock': None}, status=202)
        self.assertIsNone(v273.get('servers/' + server['id']).json[
            'server']['locked_reason'])
        v273.post('servers/%s/action' % other['id'], {'lock': None},
                  status=202)
        self.assertEqual((True, None), tuple(
            v273.get('servers/' + other['id']).json['server'][k]
            for k in ('locked', 'locked_reason')))
        for body in ({'lock': {'locked_reason': ''}},
                     {'lock': {'reason': 'x'}}, {'lock': 'x'}):
            v273.post(path, body, status=400)
        # Before 2.73: any lock body; the reason, filter and key ignored.
        v272 = self.api_at('2.72')
        v272.post(path, {'lock': {'locked_reason': 'x'}}, status=202)
        self.assertIsNone(v273.get('servers/' + server['id']).json[
            'server']['locked_reason'])
        self.assertNotIn('locked_reason', v272.get(
            'servers/' + server['id']).json['server'])
        self.assertEqual(2, len(v272.get('servers?locked=maybe').json[
            'servers']))


class TestRequestedDestination(MicroversionTestCase):
    """2.74: ``host`` and ``hypervisor_hostname`` on create (admin only):
    the scheduler's filters still run, unlike a forced host."""

    def test_destination(self):
        self.useFixture(nl_fixtures.ComputeAgent(host='second-host'))
        admin = self.api_at('2.74', user='admin')
        # The hypervisor's name, as the agent reported it.
        [second] = db.service_get_all(self.admin_context,
                                      hosts=['second-host'])
        node = second['hypervisor_hostname']
        for extra in ({'host': 'second-host'},
                      {'host': 'second-host', 'hypervisor_hostname': node}):
            server = admin.post('servers', self.server_body(
                networks='none', **extra), status=202).json['server']
            shown = self.wait_for_status(server['id'], 'ACTIVE')
            self.assertEqual('second-host', shown['OS-EXT-SRV-ATTR:host'])
        for extra, message in (
                ({'host': 'nowhere'}, 'Compute host nowhere could not be '
                                      'found.'),
                ({'hypervisor_hostname': 'nowhere'},
                 'Compute host nowhere could not be found.'),
                ({'host': 'second-host', 'hypervisor_hostname': 'other'},
                 'Compute host second-host could not be found.'),
                ({'host': 'second-host',
                  'availability_zone': 'nova:second-host'},
                 'One mechanism with host and/or hypervisor_hostname and '
                 'another mechanism with zone:host:node are mutually '
                 'exclusive.'),
                ({'host': 'a b'}, None)):
            resp = admin.post('servers', self.server_body(
                networks='none', **extra), status=400)
            if message:
                self.assertEqual(message, resp.json['badRequest']['message'])
        # Unlike a forced host, a disabled one is filtered out.
        db.service_update(self.admin_context, 'second-host',
                          compute_utils.BINARY, {'disabled': True})
        server = admin.post('servers', self.server_body(
            networks='none', host='second-host'), status=202).json['server']
        self.assertEqual('No valid host was found. There are not enough '
                         'hosts available.',
                         self.wait_for_status(server['id'], 'ERROR')[
                             'fault']['message'])
        self.api_at('2.74').post('servers', self.server_body(
            networks='none', host='second-host'), status=403)
        self.api_at('2.73', user='admin').post('servers', self.server_body(
            networks='none', host='second-host'), status=400)


class TestCleanup275(MicroversionTestCase):
    """2.75: unknown query parameters are a 400 on the lists that took
    them silently; PUT and rebuild answer with the whole server; a
    flavor's swap is 0, not ""; with_servers always gives ``servers``."""

    def test_strict_queries(self):
        server = self.create_server(api=self.api_at('2.75'), networks='none')
        admin = self.api_at('2.75', user='admin')
        self.api_at('2.2', user='admin').post(
            'os-keypairs', {'keypair': {'name': 'k'}}, status=201)
        for path in ('servers', 'servers/detail', 'flavors',
                     'flavors/detail', 'os-keypairs', 'os-keypairs/k',
                     'limits', 'os-server-groups',
                     'os-simple-tenant-usage', 'os-simple-tenant-usage/demo',
                     'os-quota-sets/demo', 'os-quota-sets/demo/detail',
                     'os-services'):
            resp = admin.get(path + '?foo=1', status=400)
            # jsonschema's words, as Nova's (the servers' schema lets
            # "_" names through).
            self.assertEqual(
                "'foo' does not match any of the regexes: '^_'"
                if path.startswith('servers') else
                "Additional properties are not allowed ('foo' was "
                "unexpected)", resp.json['badRequest']['message'], path)
            self.api_at('2.74', user='admin').get(path + '?foo=1',
                                                  status=200)
        admin.put('os-quota-sets/demo?foo=1', {'quota_set': {'cores': 9}},
                  status=400)
        # (os-hypervisors was strict from 2.53.)
        admin.delete('os-keypairs/k?foo=1', status=400)
        # Known parameters still work; a sort key Nova ignored is now a
        # 400; the joined-table and "_" filters keep their own 400.
        self.assertEqual([server['id']], [s['id'] for s in self.api_at(
            '2.75').get('servers?sort_key=display_name&locked=false').json[
                'servers']])
        resp = admin.get('servers?sort_key=vcpus', status=400)
        self.assertIn("'vcpus' is not one of",
                      resp.json['badRequest']['message'])
        self.api_at('2.74').get('servers?sort_key=vcpus', status=200)
        for name in ('metadata', '_hidden'):
            resp = admin.get('servers?%s=x' % name, status=400)
            self.assertEqual('Invalid filter field: %s.' % name,
                             resp.json['badRequest']['message'])

    def test_whole_server_on_update_and_rebuild(self):
        v275 = self.api_at('2.75')
        server = self.create_server(api=v275, networks='none',
                                    user_data='b25l')
        shown = v275.get('servers/' + server['id']).json['server']
        resp = v275.put('servers/' + server['id'],
                        {'server': {'name': 'renamed'}}, status=200)
        validate_response(servers275.update_server, resp)
        updated = resp.json['server']
        self.assertEqual(sorted(set(shown) | {'server_groups'}),
                         sorted(updated))
        for key in ('OS-EXT-AZ:availability_zone', 'key_name',
                    'config_drive', 'OS-EXT-STS:vm_state',
                    'OS-SRV-USG:launched_at', 'security_groups'):
            self.assertEqual(shown[key], updated[key], key)
        resp = v275.post('servers/%s/action' % server['id'], {'rebuild': {
            'imageRef': base.IMAGE_ID}}, status=202)
        validate_response(servers275.rebuild_server_with_admin_pass, resp)
        rebuilt = resp.json['server']
        self.assertEqual('b25l', rebuilt['user_data'])
        self.assertIn('OS-EXT-STS:task_state', rebuilt)
        # Admins: the extended attributes too, but not their user_data.
        self.wait_for_status(server['id'], 'ACTIVE')
        admin = self.api_at('2.75', user='admin')
        resp = admin.put('servers/' + server['id'], {'server': {}},
                         status=200)
        self.assertIn('OS-EXT-SRV-ATTR:host', resp.json['server'])
        self.assertIn('OS-EXT-SRV-ATTR:user_data', resp.json['server'])
        resp = admin.post('servers/%s/action' % server['id'], {'rebuild': {
            'imageRef': base.IMAGE_ID}}, status=202)
        self.assertIn('OS-EXT-SRV-ATTR:host', resp.json['server'])
        self.assertNotIn('OS-EXT-SRV-ATTR:user_data', resp.json['server'])
        # 2.74 still answers with the reduced view.
        self.assertNotIn('key_name', self.api_at('2.74').put(
            'servers/' + server['id'], {'server': {}}).json['server'])

    def test_flavor_swap_and_hypervisor_servers(self):
        self.assertEqual(0, self.api_at('2.75').get('flavors/1').json[
            'flavor']['swap'])
        self.assertEqual('', self.api_at('2.74').get('flavors/1').json[
            'flavor']['swap'])
        admin = self.api_at('2.75', user='admin')
        [hypervisor] = admin.get('os-hypervisors?with_servers=true').json[
            'hypervisors']
        self.assertEqual([], hypervisor['servers'])
        self.assertNotIn('servers', self.api_at('2.74', user='admin').get(
            'os-hypervisors?with_servers=true').json['hypervisors'][0])


class TestMoreFilters283(MicroversionTestCase):
    """2.83: non-admins may filter by availability_zone, config_drive,
    key_name, the times, the states, progress and user_id."""

    def test_filters(self):
        v283 = self.api_at('2.83')
        self.create_server(api=v283, networks='none', name='a')
        other = self.api_at('2.83', user='alt', project='demo')
        self.create_server(api=other, networks='none', name='b')

        def names(api, query):
            return sorted(s['name'] for s in api.get(
                'servers?' + query, status=200).json['servers'])

        self.assertEqual(['b'], names(v283, 'user_id=alt'))
        self.assertEqual(['a', 'b'], names(v283, 'vm_state=active'))
        self.assertEqual([], names(v283, 'vm_state=stopped'))
        self.assertEqual([], names(v283, 'availability_zone=elsewhere'))
        # Below 2.83 they are dropped for non-admins (still listed).
        self.assertEqual(['a', 'b'], names(self.api_at('2.82'),
                                           'user_id=alt'))
        self.assertEqual(['a', 'b'], names(self.api_at('2.82'),
                                           'vm_state=stopped'))


class TestHostname290(MicroversionTestCase):
    """2.90: the guest's hostname on create, update and rebuild, shown
    to everyone and a filter for everyone; 2.94: fully qualified."""

    HOSTNAME = 'OS-EXT-SRV-ATTR:hostname'

    def test_create_update_rebuild(self):
        v290 = self.api_at('2.90')
        server = self.create_server(api=v290, networks='none', name='Web 1',
                                    hostname='guest-1')
        self.assertEqual('guest-1', server[self.HOSTNAME])
        path = 'servers/' + server['id']
        resp = v290.put(path, {'server': {'hostname': 'guest-2'}},
                        status=200)
        self.assertEqual('guest-2', resp.json['server'][self.HOSTNAME])
        self.assertEqual('guest-2', v290.get(path).json['server'][
            self.HOSTNAME])
        # The name no longer makes the hostname once it is set.
        v290.put(path, {'server': {'name': 'other'}}, status=200)
        resp = v290.post(path + '/action', {'rebuild': {
            'imageRef': base.IMAGE_ID, 'hostname': 'guest-3'}}, status=202)
        self.assertEqual('guest-3', resp.json['server'][self.HOSTNAME])
        self.wait_for_status(server['id'], 'ACTIVE')
        # A filter for everyone (a regular expression, as Nova's).
        self.create_server(api=v290, networks='none', name='plain')
        names = [s['name'] for s in v290.get(
            'servers/detail?hostname=^guest-').json['servers']]
        self.assertEqual(['other'], names)
        # Below 2.90 non-admins neither see it nor filter by it.
        v289 = self.api_at('2.89')
        self.assertNotIn(self.HOSTNAME, v289.get(path).json['server'])
        self.assertEqual(2, len(v289.get(
            'servers?hostname=^guest-').json['servers']))
        # Admins saw it already (2.3); from 2.90 it is there once.
        admin = self.admin_api.as_user('admin', 'admin', version='2.90')
        self.assertEqual('guest-3', admin.get(path).json['server'][
            self.HOSTNAME])
        # The name's hostname stays the default.
        self.assertEqual('plain', [
            s for s in v290.get('servers/detail').json['servers']
            if s['name'] == 'plain'][0][self.HOSTNAME])

    def test_requests(self):
        v290, v294 = self.api_at('2.90'), self.api_at('2.94')
        server = self.create_server(api=v290, networks='none')
        path = 'servers/' + server['id']
        for api, hostname, status in (
                (v290, 'a', 400), (v290, 'my.host', 400),
                (v290, '-ab', 400), (v290, 'x' * 64, 400),
                (v294, 'my.host.example', None), (v294, '', 400),
                (v294, 'a b', 400), (v294, 'x' * 256, 400),
                (v294, 'under_score', None)):
            if status:
                resp = api.post('servers', self.server_body(
                    networks='none', hostname=hostname), status=status)
                self.assertIn('Invalid input for field/attribute hostname',
                              resp.json['badRequest']['message'])
                api.put(path, {'server': {'hostname': hostname}},
                        status=status)
                api.post(path + '/action', {'rebuild': {
                    'imageRef': base.IMAGE_ID, 'hostname': hostname}},
                    status=status)
            else:
                resp = api.put(path, {'server': {'hostname': hostname}},
                               status=200)
                self.assertEqual(hostname,
                                 resp.json['server'][self.HOSTNAME])
        # One hostname for several servers: Nova's 400, after the flavor.
        for extra in ({'min_count': 2}, {'max_count': 3}):
            resp = v290.post('servers', self.server_body(
                networks='none', hostname='h1', **extra), status=400)
            self.assertEqual('Unable to allocate a single hostname to '
                             'multiple instances',
                             resp.json['badRequest']['message'])
        resp = v290.post('servers', self.server_body(
            networks='none', hostname='h1', flavorRef='999', max_count=2),
            status=400)
        self.assertEqual('Flavor 999 could not be found.',
                         resp.json['badRequest']['message'])
        # Not a parameter before 2.90.
        v289 = self.api_at('2.89')
        v289.post('servers', self.server_body(networks='none',
                                              hostname='h1'), status=400)
        v289.put(path, {'server': {'hostname': 'h1'}}, status=400)
        v289.post(path + '/action', {'rebuild': {
            'imageRef': base.IMAGE_ID, 'hostname': 'h1'}}, status=400)


class TestWhatTheCreateAskedFor(MicroversionTestCase):
    """2.96: the zone a server is pinned to; 2.98: the properties of its
    image; 2.100: its scheduler hints. Each in show, detail, update and
    rebuild, validated by tempest's schemas."""

    def test_pinned_zone_and_hints(self):
        pinned = self.create_server(api=self.api_at('2.95'), networks='none',
                                    name='pinned', availability_zone='nova')
        free = self.create_server(api=self.api_at('2.95'), networks='none',
                                  name='free')
        v296, v2100 = self.api_at('2.96'), self.api_at('2.100')
        for server, zone in ((pinned, 'nova'), (free, None)):
            path = 'servers/' + server['id']
            resp = v296.get(path)
            validate_response(servers296.get_server, resp)
            self.assertEqual(zone,
                             resp.json['server']['pinned_availability_zone'])
            resp = v296.put(path, {'server': {'name': server['name']}})
            validate_response(servers296.update_server, resp)
            self.assertEqual(zone,
                             resp.json['server']['pinned_availability_zone'])
            self.assertNotIn('scheduler_hints', resp.json['server'])
            self.assertNotIn('pinned_availability_zone', self.api_at(
                '2.95').get(path).json['server'])
        resp = v296.get('servers/detail')
        validate_response(servers296.list_servers_detail, resp)
        self.assertEqual({'pinned': 'nova', 'free': None}, {
            s['name']: s['pinned_availability_zone']
            for s in resp.json['servers']})
        # The hints as Nova's request spec keeps them: lists of text,
        # none of Nova's own.
        hinted = self.api_at('2.100').post('servers', {
            'server': {'name': 'hinted', 'flavorRef': '1',
                       'imageRef': base.IMAGE_ID, 'networks': 'none'},
            'os:scheduler_hints': {'same_host': free['id'],
                                   'num': [1, 2], '_nova_x': 'y'}},
            status=202).json['server']
        self.wait_for_status(hinted['id'], 'ACTIVE')
        hints = {'same_host': [free['id']], 'num': ['1', '2']}
        resp = v2100.get('servers/' + hinted['id'])
        validate_response(servers2100.get_server, resp)
        self.assertEqual(hints, resp.json['server']['scheduler_hints'])
        resp = v2100.get('servers/detail')
        validate_response(servers2100.list_servers_detail, resp)
        self.assertEqual({'pinned': {}, 'free': {}, 'hinted': hints}, {
            s['name']: s['scheduler_hints'] for s in resp.json['servers']})
        resp = v2100.post('servers/%s/action' % hinted['id'], {
            'rebuild': {'imageRef': base.IMAGE_ID}}, status=202)
        validate_response(servers2100.rebuild_server_with_admin_pass, resp)
        self.assertEqual(hints, resp.json['server']['scheduler_hints'])
        self.wait_for_status(hinted['id'], 'ACTIVE')
        # A server whose hints were not kept (made before they were):
        # {} shown alone, null in the list, as Nova's without a spec.
        db.instance_update(self.admin_context, free['id'],
                           {'scheduler_hints': None})
        self.assertEqual({}, v2100.get('servers/' + free['id']).json[
            'server']['scheduler_hints'])
        self.assertIsNone({
            s['name']: s for s in v2100.get('servers/detail').json[
                'servers']}['free']['scheduler_hints'])

    def test_image_properties(self):
        self.create_image(image_id=self.IMAGE2, name='props', properties={
            'hw_disk_bus': 'virtio', 'os_distro': 'cirros',
            'architecture': 'x86_64', 'hw_numa_nodes': 2,
            'img_mappings': '[]', 'my_own': 'x', 'os_type': None})
        v298 = self.api_at('2.98')
        server = self.create_server(api=v298, networks='none')
        path = 'servers/' + server['id']
        resp = v298.get(path)
        validate_response(servers298.get_server, resp)
        self.assertEqual({}, resp.json['server']['image']['properties'])
        # Rebuilt from an image with properties: those Nova knows, as
        # text.
        resp = v298.post(path + '/action', {'rebuild': {
            'imageRef': self.IMAGE2}}, status=202)
        validate_response(servers298.rebuild_server_with_admin_pass, resp)
        expected = {'hw_disk_bus': 'virtio', 'os_distro': 'cirros',
                    'architecture': 'x86_64', 'hw_numa_nodes': '2'}
        self.assertEqual(expected, resp.json['server']['image']['properties'])
        self.wait_for_status(server['id'], 'ACTIVE')
        resp = v298.get('servers/detail')
        validate_response(servers298.list_servers_detail, resp)
        self.assertEqual(expected,
                         resp.json['servers'][0]['image']['properties'])
        created = self.create_server(api=v298, networks='none',
                                     imageRef=self.IMAGE2)
        self.assertEqual(expected, created['image']['properties'])
        self.assertNotIn('properties', self.api_at('2.97').get(path).json[
            'server']['image'])

    IMAGE2 = '6b1b7a0e-5d42-4b6e-9f7c-2a8e1c3d4f50'


class TestNoQuery2102(MicroversionTestCase):
    """2.102: the routes that take no query parameter refuse any, as
    Nova's (server tags and quota defaults still ignore them)."""

    def test_query_refused(self):
        server = self.create_server(api=self.api_at('2.101'),
                                    networks='none')
        sid = server['id']
        self.api_at('2.101').put('servers/%s/metadata/k' % sid,
                                 {'meta': {'k': 'v'}}, status=200)
        [action] = self.api_at('2.101').get(
            'servers/%s/os-instance-actions' % sid).json['instanceActions']
        group = self.api_at('2.101').post('os-server-groups', {
            'server_group': {'name': 'g', 'policy': 'affinity'}},
            status=200).json['server_group']
        admin = self.admin_api.as_user('admin', 'admin', version='2.102')
        self.create_flavor(flavorid='p', name='p', is_public=False)
        paths = [
            (None, 'servers/' + sid), (None, 'servers/%s/ips' % sid),
            (None, 'servers/%s/metadata' % sid),
            (None, 'servers/%s/metadata/k' % sid),
            (None, 'servers/%s/os-instance-actions/%s'
             % (sid, action['request_id'])),
            (None, 'servers/%s/os-server-password' % sid),
            (None, 'servers/%s/os-security-groups' % sid),
            (None, 'flavors/1/os-extra_specs'),
            (None, 'os-availability-zone'),
            (None, 'os-server-groups/' + group['id']),
            (admin, 'flavors/p/os-flavor-access'),
            (admin, 'os-availability-zone/detail')]
        addresses = self.api_at('2.101').get(
            'servers/%s/ips' % sid).json['addresses']
        for label in addresses:
            paths.append((None, 'servers/%s/ips/%s' % (sid, label)))
        self.admin_api.post('flavors/1/os-extra_specs',
                            {'extra_specs': {'a': 'b'}}, status=200)
        paths.append((None, 'flavors/1/os-extra_specs/a'))
        for api, path in paths:
            api = api or self.api_at('2.102')
            api.get(path, status=200)
            resp = api.get(path + '?x=1', status=400)
            self.assertEqual("Additional properties are not allowed ('x' "
                             "was unexpected)",
                             resp.json['badRequest']['message'], path)
            older = self.api_at('2.101') if api is not admin else \
                self.admin_api.as_user('admin', 'admin', version='2.101')
            older.get(path + '?x=1', status=200)
        # Still ignored there, as in Nova.
        self.api_at('2.102').get('servers/%s/tags?x=1' % sid, status=200)
        self.api_at('2.102').get('os-quota-sets/demo/defaults?x=1',
                                 status=200)


class TestPinZone2104(MicroversionTestCase):
    """2.104: PUT pins a server to its current zone, or unpins it."""

    def test_pin_and_unpin(self):
        v2104 = self.api_at('2.104')
        server = self.create_server(api=v2104, networks='none')
        path = 'servers/' + server['id']
        zone = server['OS-EXT-AZ:availability_zone']
        self.assertIsNone(server['pinned_availability_zone'])

        def pin(value, status=200):
            return v2104.put(path, {'server': {
                'pinned_availability_zone': value}}, status=status)

        resp = pin('elsewhere', 409)
        self.assertEqual("Server can only be pinned to its current "
                         "availability zone '%s', but 'elsewhere' was "
                         "requested." % zone,
                         resp.json['conflictingRequest']['message'])
        resp = pin(zone)
        self.assertEqual(zone, resp.json['server'][
            'pinned_availability_zone'])
        pin(zone)  # the same pin again: nothing changes
        resp = pin('elsewhere', 409)
        self.assertEqual('Cannot change pinned availability zone directly. '
                         'Unpin first by setting pinned_availability_zone '
                         'to null.',
                         resp.json['conflictingRequest']['message'])
        # A refused request changes nothing else either.
        v2104.put(path, {'server': {'name': 'renamed',
                                    'pinned_availability_zone': 'x'}},
                  status=409)
        self.assertEqual(server['name'], v2104.get(path).json['server'][
            'name'])
        for _ in range(2):  # unpinning twice is fine
            resp = pin(None)
            self.assertIsNone(resp.json['server'][
                'pinned_availability_zone'])
        for bad in ('', 'x' * 256, 1, True):
            pin(bad, 400)
        self.api_at('2.103').put(path, {'server': {
            'pinned_availability_zone': zone}}, status=400)


class TestTopology278(MicroversionTestCase):
    """2.78: a server's NUMA topology: none, as Nova's for a server
    without NUMA cells."""

    def test_topology(self):
        server = self.create_server(api=self.api_at('2.78'), networks='none')
        path = 'servers/%s/topology' % server['id']
        resp = self.api_at('2.78').get(path, status=200)
        self.assertEqual({'nodes': [], 'pagesize_kb': None}, resp.json)
        self.api_at('2.77').get(path, status=404)
        resp = self.api_at('2.78', user='eve', project='evil').get(
            path, status=404)
        self.assertEqual('Instance %s could not be found.' % server['id'],
                         resp.json['itemNotFound']['message'])
        self.api_at('2.101').get(path + '?x=1', status=200)
        self.api_at('2.102').get(path + '?x=1', status=400)
