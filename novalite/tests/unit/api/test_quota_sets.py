"""``/os-quota-sets``: a project's limits as Nova shows and changes them
(tempest's schemas), and what creates are then held to."""

import sqlalchemy as sa
from tempest.lib.api_schema.response.compute.v2_1 import quotas as schema
from tempest.lib.api_schema.response.compute.v2_36 import \
    quotas as schema236

from novalite.db import models
from novalite.tests import base
from novalite.tests.unit.api import test_servers

# Nova's defaults as novalite's [quota] options have them, and the
# nova-network resources Nova shows unlimited.
DEFAULTS = {
    'cores': 20, 'fixed_ips': -1, 'floating_ips': -1,
    'injected_file_content_bytes': 10240, 'injected_file_path_bytes': 255,
    'injected_files': 5, 'instances': 10, 'key_pairs': 100,
    'metadata_items': 128, 'ram': 51200, 'security_group_rules': -1,
    'security_groups': -1, 'server_group_members': 10, 'server_groups': 10,
}


class QuotaSetsTestBase(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.admin = self.admin_api.as_user('admin', 'admin', version='2.1')

    def put(self, project, values, status=200, api=None):
        return (api or self.admin).put('os-quota-sets/' + project,
                                       {'quota_set': values}, status=status)


class TestQuotaSetsShow(QuotaSetsTestBase):

    USE_AGENT = False

    def test_show_defaults_detail(self):
        for path in ('os-quota-sets/demo', 'os-quota-sets/demo/defaults'):
            resp = self.api.get(path, status=200)
            test_servers.validate(schema.get_quota_set, resp)
            self.assertEqual({'quota_set': dict(DEFAULTS, id='demo')},
                             resp.json)
            # Nova's order: the id, then the resources by name.
            self.assertEqual(['id'] + sorted(DEFAULTS),
                             list(resp.json['quota_set']))
        resp = self.api.get('os-quota-sets/demo/detail', status=200)
        test_servers.validate(schema.get_quota_set_details, resp)
        detail = resp.json['quota_set']
        self.assertEqual({'limit': 10, 'in_use': 0, 'reserved': 0},
                         detail['instances'])
        self.assertEqual(['id'] + sorted(DEFAULTS), list(detail))

    def test_proxy_resources_gone_from_2_36(self):
        gone = ('fixed_ips', 'floating_ips', 'security_group_rules',
                'security_groups')
        kept = sorted(r for r in DEFAULTS if r not in gone)
        api = self.api.as_user('demo', version='2.36')
        for path in ('os-quota-sets/demo', 'os-quota-sets/demo/defaults'):
            resp = api.get(path, status=200)
            test_servers.validate(schema236.get_quota_set, resp)
            self.assertEqual(['id'] + kept, list(resp.json['quota_set']))
        resp = api.get('os-quota-sets/demo/detail', status=200)
        test_servers.validate(schema236.get_quota_set_details, resp)
        self.assertEqual(['id'] + kept, list(resp.json['quota_set']))

    def test_detail_counts_usage(self):
        for index in range(2):
            self.create_server(wait=False, name='s%d' % index)
        self.create_server(api=self.api.as_user('eve', 'evil'), wait=False)
        with self.db.engine.begin() as conn:
            conn.execute(sa.insert(models.InstanceGroup).values(
                uuid='3d2b4b5e-0000-4000-8000-000000000001', name='g',
                user_id='demo', project_id='demo', policy='affinity'))
        self.api.post('os-keypairs', {'keypair': {'name': 'k'}},
                      status=200)
        detail = self.admin.get('os-quota-sets/demo/detail',
                                status=200).json['quota_set']
        self.assertEqual(
            {'instances': 2, 'cores': 2, 'ram': 1024, 'server_groups': 1,
             'key_pairs': 0, 'server_group_members': 0, 'metadata_items': 0},
            {r: detail[r]['in_use'] for r in (
                'instances', 'cores', 'ram', 'server_groups', 'key_pairs',
                'server_group_members', 'metadata_items')})

    def test_policies(self):
        reader = self.api.as_user('peek', 'demo', roles=['reader'])
        other = self.api.as_user('eve', 'evil')
        for api in (self.api, reader, self.admin):
            api.get('os-quota-sets/demo', status=200)
            api.get('os-quota-sets/demo/detail', status=200)
        for path, rule in (('os-quota-sets/demo', 'show'),
                           ('os-quota-sets/demo/detail', 'detail')):
            resp = other.get(path, status=403)
            self.assertEqual(
                "Policy doesn't allow os_compute_api:os-quota-sets:%s to "
                "be performed." % rule, resp.json['forbidden']['message'])
        # Anyone may read the defaults, of any project.
        other.get('os-quota-sets/demo/defaults', status=200)
        for api in (self.api, reader, other):
            resp = self.put('demo', {'instances': 1}, api=api, status=403)
            self.assertEqual(
                "Policy doesn't allow os_compute_api:os-quota-sets:update "
                "to be performed.", resp.json['forbidden']['message'])
            api.delete('os-quota-sets/demo', status=403)
        self.assertEqual(10, self.api.get(
            'os-quota-sets/demo').json['quota_set']['instances'])


class TestQuotaSetsUpdate(QuotaSetsTestBase):

    def test_update_and_revert(self):
        resp = self.put('demo', {'instances': 3, 'cores': '7', 'ram': -1,
                                 'floating_ips': 4, 'key_pairs': 0})
        test_servers.validate(schema.update_quota_set, resp)
        expected = dict(DEFAULTS, instances=3, cores=7, ram=-1,
                        floating_ips=4, key_pairs=0)
        # No id in the update's answer, as Nova.
        self.assertEqual({'quota_set': expected}, resp.json)
        self.assertEqual(dict(expected, id='demo'), self.api.get(
            'os-quota-sets/demo').json['quota_set'])
        # Another project, and the defaults, are unchanged.
        self.assertEqual(dict(DEFAULTS, id='evil'), self.admin.get(
            'os-quota-sets/evil').json['quota_set'])
        self.assertEqual(dict(DEFAULTS, id='demo'), self.api.get(
            'os-quota-sets/demo/defaults').json['quota_set'])
        # Set again: the rows are updated.
        self.put('demo', {'instances': 4})
        self.assertEqual(4, self.api.get(
            'os-quota-sets/demo').json['quota_set']['instances'])
        resp = self.admin.delete('os-quota-sets/demo', status=202)
        self.assertEqual(b'', resp.body)
        self.assertEqual(dict(DEFAULTS, id='demo'), self.api.get(
            'os-quota-sets/demo').json['quota_set'])

    def test_override_is_enforced(self):
        self.put('demo', {'instances': 1})
        self.create_server(name='one')
        resp = self.api.post('servers', {'server': {
            'name': 'two', 'flavorRef': '1', 'imageRef': base.IMAGE_ID}},
            status=403)
        self.assertEqual('Quota exceeded for instances: Requested 1, but '
                         'already used 1 of 1 instances',
                         resp.json['forbidden']['message'])
        absolute = self.api.get('limits').json['limits']['absolute']
        self.assertEqual((1, 1), (absolute['maxTotalInstances'],
                                  absolute['totalInstancesUsed']))
        # Another project keeps the default.
        self.create_server(api=self.api.as_user('eve', 'evil'))
        self.put('demo', {'instances': -1})
        self.create_server(name='two')

    def test_other_limits_are_enforced(self):
        self.put('demo', {'metadata_items': 1, 'key_pairs': 1,
                          'injected_files': 0})
        body = {'name': 's', 'flavorRef': '1', 'imageRef': base.IMAGE_ID}
        resp = self.api.post('servers', {'server': dict(
            body, metadata={'a': '1', 'b': '2'})}, status=403)
        self.assertEqual('Maximum number of metadata items exceeds 1',
                         resp.json['forbidden']['message'])
        resp = self.api.post('servers', {'server': dict(
            body, personality=[{'path': '/a', 'contents': 'YQ=='}])},
            status=403)
        self.assertEqual('Personality file limit exceeded',
                         resp.json['forbidden']['message'])
        self.api.post('os-keypairs', {'keypair': {'name': 'k1'}},
                      status=200)
        resp = self.api.post('os-keypairs', {'keypair': {'name': 'k2'}},
                             status=403)
        self.assertEqual('Quota exceeded, too many key pairs.',
                         resp.json['forbidden']['message'])
        absolute = self.api.get('limits').json['limits']['absolute']
        self.assertEqual((1, 1, 0), (absolute['maxServerMeta'],
                                     absolute['maxTotalKeypairs'],
                                     absolute['maxPersonality']))

    def test_below_usage_needs_force(self):
        self.create_server(name='a')
        self.create_server(name='b')
        resp = self.put('demo', {'cores': 5, 'instances': 1}, status=400)
        self.assertEqual('Quota limit 1 for instances must be greater than '
                         'or equal to already used and reserved 2.',
                         resp.json['badRequest']['message'])
        # Nothing was written.
        self.assertEqual(20, self.api.get(
            'os-quota-sets/demo').json['quota_set']['cores'])
        self.put('demo', {'instances': 2, 'ram': -1})
        resp = self.put('demo', {'instances': 1, 'force': 'True'})
        self.assertEqual(1, resp.json['quota_set']['instances'])
        self.assertEqual(1, self.api.get(
            'os-quota-sets/demo').json['quota_set']['instances'])

    def test_proxy_resources_not_set_from_2_36(self):
        admin236 = self.admin_api.as_user('admin', 'admin', version='2.36')
        for resource in ('fixed_ips', 'floating_ips', 'security_groups',
                         'security_group_rules'):
            resp = self.put('demo', {resource: 3}, status=400,
                            api=admin236)
            self.assertIn("Additional properties are not allowed ('%s' was "
                          "unexpected)" % resource,
                          resp.json['badRequest']['message'])
        resp = self.put('demo', {'cores': 3}, api=admin236)
        test_servers.validate(schema236.update_quota_set, resp)
        self.assertEqual(3, resp.json['quota_set']['cores'])
        self.assertNotIn('floating_ips', resp.json['quota_set'])
        # Still settable (and shown) at 2.35.
        resp = self.put('demo', {'floating_ips': 3},
                        api=self.admin_api.as_user('admin', 'admin',
                                                   version='2.35'))
        self.assertEqual(3, resp.json['quota_set']['floating_ips'])

    def test_bad_bodies(self):
        for values, message in (
                ({'instances': -2}, None),
                ({'instances': 'ten'}, None),
                ({'instances': 1.5}, None),
                ({'instances': 2 ** 31}, None),
                ({'instances': True}, None),
                # Gone from Nova in Train.
                ({'networks': 1}, "Invalid input for field/attribute "
                                  "quota_set. Value: {'networks': 1}. "
                                  "Additional properties are not allowed "
                                  "('networks' was unexpected)"),
                ({'force': 'maybe'}, None)):
            resp = self.put('demo', values, status=400)
            if message:
                self.assertEqual(message, resp.json['badRequest']['message'])
        self.admin.put('os-quota-sets/demo', {'instances': 1}, status=400)
        resp = self.admin.put('os-quota-sets/demo?user_id=demo',
                              {'quota_set': {'instances': 1}}, status=400)
        self.assertEqual('Per-user quotas are not supported.',
                         resp.json['badRequest']['message'])
        self.admin.put('os-quota-sets/' + 'p' * 300,
                       {'quota_set': {'instances': 1}}, status=400)
        self.assertEqual(dict(DEFAULTS, id='demo'), self.api.get(
            'os-quota-sets/demo').json['quota_set'])
