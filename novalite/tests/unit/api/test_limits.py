"""``/limits``: absolute limits from the quota options and counted usage."""

from tempest.lib.api_schema.response.compute.v2_1 import limits as schemas
from tempest.lib.api_schema.response.compute.v2_36 import \
    limits as schemas236
from tempest.lib.api_schema.response.compute.v2_39 import \
    limits as schemas239

from novalite.tests import base

# What Nova answers with its default quotas and nothing in use, in its
# order.
NOVA_DEFAULTS = {
    'maxTotalCores': 20, 'maxPersonality': 5, 'maxPersonalitySize': 10240,
    'maxTotalInstances': 10, 'maxTotalKeypairs': 100, 'maxServerMeta': 128,
    'maxImageMeta': 128, 'maxTotalRAMSize': 51200, 'maxServerGroups': 10,
    'maxServerGroupMembers': 10, 'maxTotalFloatingIps': -1,
    'maxSecurityGroups': -1, 'maxSecurityGroupRules': -1,
    'totalRAMUsed': 0, 'totalCoresUsed': 0, 'totalInstancesUsed': 0,
    'totalFloatingIpsUsed': 0, 'totalSecurityGroupsUsed': 0,
    'totalServerGroupsUsed': 0,
}
POLICY_MESSAGE = ("Policy doesn't allow os_compute_api:limits:other_project "
                  "to be performed.")


class LimitsTestBase(base.APITestCase):

    def absolute(self, api=None, query='', status=200, schema=None):
        """The absolute limits, checked against tempest's ``schema``
        (2.1's by default)."""
        resp = (api or self.api).get('limits' + query, status=status)
        base.validate_response(schema or schemas.get_limit, resp)
        self.assertEqual([], resp.json['limits']['rate'])
        return resp.json['limits']['absolute']


class TestLimits(LimitsTestBase):

    USE_AGENT = False

    def test_defaults(self):
        resp = self.api.get('limits', status=200)
        self.assertEqual({'limits': {'rate': [], 'absolute': NOVA_DEFAULTS}},
                         resp.json)
        self.assertEqual(list(NOVA_DEFAULTS),
                         list(resp.json['limits']['absolute']))
        for version in ('2.1', '2.2', '2.26'):
            api = self.api.as_user('demo', version=version)
            self.assertEqual(NOVA_DEFAULTS, self.absolute(api))

    def test_proxy_resources_gone_from_2_36(self):
        absolute = self.absolute(self.api.as_user('demo', version='2.36'),
                                 schema=schemas236.get_limit)
        gone = ('maxTotalFloatingIps', 'maxSecurityGroups',
                'maxSecurityGroupRules', 'totalFloatingIpsUsed',
                'totalSecurityGroupsUsed')
        # Nova's answer on the anchor: the rest, in the same order.
        self.assertEqual([k for k in NOVA_DEFAULTS if k not in gone],
                         list(absolute))
        self.assertEqual(
            {k: v for k, v in NOVA_DEFAULTS.items() if k not in gone},
            absolute)
        self.assertEqual(NOVA_DEFAULTS, self.absolute(
            self.api.as_user('demo', version='2.35')))
        # 2.39: no maxImageMeta either.
        absolute = self.absolute(self.api.as_user('demo', version='2.39'),
                                 schema=schemas239.get_limit)
        self.assertEqual(
            [k for k in NOVA_DEFAULTS if k not in gone + ('maxImageMeta',)],
            list(absolute))

    def test_configured_quotas(self):
        for name, value in (('instances', 3), ('cores', -1), ('ram', 2048),
                            ('metadata_items', 7), ('injected_files', 0),
                            ('injected_file_content_bytes', 99),
                            ('key_pairs', 4), ('server_groups', 5),
                            ('server_group_members', 6)):
            self.flags(**{name: value, 'group': 'quota'})
        expected = dict(NOVA_DEFAULTS, maxTotalInstances=3,
                        maxTotalCores=-1, maxTotalRAMSize=2048,
                        maxServerMeta=7, maxImageMeta=7, maxPersonality=0,
                        maxPersonalitySize=99, maxTotalKeypairs=4,
                        maxServerGroups=5, maxServerGroupMembers=6)
        self.assertEqual(expected, self.absolute())

    def test_other_project_needs_admin(self):
        # Asking is enough, even for one's own project (as Nova).
        for query in ('?tenant_id=demo', '?tenant_id=other', '?tenant_id='):
            resp = self.api.get('limits' + query, status=403)
            self.assertEqual({'forbidden': {'code': 403,
                                            'message': POLICY_MESSAGE}},
                             resp.json)
        self.assertEqual(NOVA_DEFAULTS, self.absolute(
            self.admin_api, '?tenant_id=other'))

    def test_server_groups_used(self):
        self.api.post('os-server-groups', {'server_group': {
            'name': 'g', 'policies': ['affinity']}}, status=200)
        self.assertEqual(1, self.absolute()['totalServerGroupsUsed'])
        self.assertEqual(0, self.absolute(
            self.api.as_user('eve', 'evil'))['totalServerGroupsUsed'])

    def test_get_only(self):
        self.api.get('limits/x', status=404)
        for method in ('put', 'post', 'delete'):
            getattr(self.api, method)('limits', status=404)

    def test_anyone_may_read(self):
        reader = self.api.as_user('reader', 'proj2', roles=['reader'])
        self.assertEqual(NOVA_DEFAULTS, self.absolute(reader))


class TestLimitsUsage(LimitsTestBase):

    def test_usage(self):
        self.create_flavor('2', 'm1.small', vcpus=2, memory_mb=2048)
        self.create_server(name='a', wait=False)
        self.create_server(name='b', flavorRef='2', wait=False)
        used = {'totalInstancesUsed': 2, 'totalCoresUsed': 3,
                'totalRAMUsed': 2560}
        self.assertEqual(dict(NOVA_DEFAULTS, **used), self.absolute())
        # Usage is the project's, whoever asks.
        colleague = self.api.as_user('alice', 'demo')
        self.assertEqual(dict(NOVA_DEFAULTS, **used),
                         self.absolute(colleague))
        self.assertEqual(NOVA_DEFAULTS,
                         self.absolute(self.api.as_user('bob', 'proj2')))
        self.assertEqual(NOVA_DEFAULTS, self.absolute(self.admin_api))
        self.assertEqual(dict(NOVA_DEFAULTS, **used), self.absolute(
            self.admin_api, '?tenant_id=demo'))
        # The last tenant_id counts, as in Nova.
        self.assertEqual(dict(NOVA_DEFAULTS, **used), self.absolute(
            self.admin_api, '?tenant_id=proj2&tenant_id=demo'))
