"""/os-server-groups and the ``group`` scheduler hint, as Nova answers
them (responses checked against tempest's schemas), with three compute
agents (the fake driver) for the policies to choose among."""

from tempest.lib.api_schema.response.compute.v2_1 import \
    server_groups as v21
from tempest.lib.api_schema.response.compute.v2_13 import \
    server_groups as v213
from tempest.lib.api_schema.response.compute.v2_64 import \
    server_groups as v264
from tempest.lib.common import jsonschema_validator

from novalite.tests import base
from novalite.tests.base import fault_message as _fault
from novalite.tests import fixtures as nl_fixtures

MISSING = '00000000-0000-4000-8000-000000000000'
NO_HOST = 'No valid host was found. There are not enough hosts available.'


def _validate(schema, resp):
    jsonschema_validator.JSONSCHEMA_VALIDATOR(
        schema['response_body'],
        format_checker=jsonschema_validator.FORMAT_CHECKER).validate(
            resp.json)
    if 'status_code' in schema:
        assert resp.status_int in schema['status_code'], resp.status


class _GroupsTestCase(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.flags(instances=-1, cores=-1, ram=-1, group='quota')
        self.v213 = self.api.as_user('demo', 'demo', version='2.13')
        self.v215 = self.api.as_user('demo', 'demo', version='2.15')

    def group(self, policy='anti-affinity', api=None, name='g'):
        api = api or self.v215
        resp = api.post('os-server-groups', {'server_group': {
            'name': name, 'policies': [policy]}}, status=200)
        return resp.json['server_group']

    def boot(self, group=None, api=None, status=202, hints_key=None,
             **server):
        body = {'server': dict({'name': 's', 'flavorRef': '1',
                                'imageRef': base.IMAGE_ID}, **server)}
        if group is not None:
            body[hints_key or 'os:scheduler_hints'] = {'group': group}
        return (api or self.api).post('servers', body, status=status)

    def host_of(self, server_id):
        server = self.admin_api.get('servers/%s' % server_id,
                                    status=200).json['server']
        return server['OS-EXT-SRV-ATTR:host']

    def members(self, group_id):
        return self.api.get('os-server-groups/%s' % group_id,
                            status=200).json['server_group']['members']


class TestServerGroupsAPI(_GroupsTestCase):

    USE_AGENT = False

    def test_create_show_list_delete(self):
        resp = self.api.post('os-server-groups', {'server_group': {
            'name': 'web', 'policies': ['anti-affinity']}}, status=200)
        _validate(v21.create_show_server_group, resp)
        group = resp.json['server_group']
        self.assertEqual({'name': 'web', 'policies': ['anti-affinity'],
                          'members': [], 'metadata': {}},
                         {k: v for k, v in group.items() if k != 'id'})
        resp = self.api.get('os-server-groups/%s' % group['id'], status=200)
        _validate(v21.create_show_server_group, resp)
        self.assertEqual(group, resp.json['server_group'])
        resp = self.api.get('os-server-groups', status=200)
        _validate(v21.list_server_groups, resp)
        self.assertEqual([group], resp.json['server_groups'])
        # From 2.13 the owner is shown.
        resp = self.v213.get('os-server-groups/%s' % group['id'],
                             status=200)
        _validate(v213.create_show_server_group, resp)
        self.assertEqual(('demo', 'demo'),
                         (resp.json['server_group']['project_id'],
                          resp.json['server_group']['user_id']))
        _validate(v213.list_server_groups,
                  self.v213.get('os-server-groups', status=200))
        resp = self.api.delete('os-server-groups/%s' % group['id'],
                               status=204)
        self.assertEqual(b'', resp.body)
        resp = self.api.get('os-server-groups/%s' % group['id'], status=404)
        self.assertEqual('Instance group %s could not be found.'
                         % group['id'], _fault(resp))
        self.api.delete('os-server-groups/%s' % group['id'], status=404)
        self.assertEqual([], self.api.get(
            'os-server-groups').json['server_groups'])

    def test_policies_by_microversion(self):
        for policy in ('affinity', 'anti-affinity'):
            self.group(policy, api=self.api)
        for policy in ('soft-affinity', 'soft-anti-affinity'):
            for version in ('2.1', '2.14'):
                resp = self.api.as_user('demo', version=version).post(
                    'os-server-groups', {'server_group': {
                        'name': 'g', 'policies': [policy]}}, status=400)
                self.assertIn("'%s' is not one of" % policy, _fault(resp))
            resp = self.v215.post('os-server-groups', {'server_group': {
                'name': 'g', 'policies': [policy]}}, status=200)
            _validate(v213.create_show_server_group, resp)
            self.assertEqual([policy],
                             resp.json['server_group']['policies'])

    def test_bad_bodies(self):
        for body in (
                {'server_group': {'name': 'g',
                                  'policies': ['affinity',
                                               'anti-affinity']}},
                {'server_group': {'name': 'g', 'policies': []}},
                {'server_group': {'name': 'g',
                                  'policies': ['affinity', 'affinity']}},
                {'server_group': {'name': 'g', 'policies': ['legacy']}},
                {'server_group': {'name': 'g', 'policies': 'affinity'}},
                {'server_group': {'name': ' g', 'policies': ['affinity']}},
                {'server_group': {'name': '', 'policies': ['affinity']}},
                {'server_group': {'policies': ['affinity']}},
                {'server_group': {'name': 'g'}},
                {'server_group': {'name': 'g', 'policies': ['affinity'],
                                  'rules': {}}},
                {'server_group': {'name': 'g', 'policy': 'affinity'}},
                {'server_group': None}, {}, None, []):
            resp = self.v215.post('os-server-groups', body, status=400)
            self.assertIn('badRequest', resp.json, body)
        resp = self.api.post('os-server-groups', {'server_group': {
            'name': 'g', 'policies': ['affinity', 'anti-affinity']}},
            status=400)
        self.assertEqual(
            "Invalid input for field/attribute policies. Value: "
            "['affinity', 'anti-affinity']. ['affinity', 'anti-affinity'] "
            "is too long", _fault(resp))
        self.assertEqual([], self.api.get(
            'os-server-groups').json['server_groups'])

    def test_another_projects_group_is_not_found(self):
        group = self.group()
        eve = self.api.as_user('eve', 'evil')
        for method in ('get', 'delete'):
            resp = getattr(eve, method)('os-server-groups/%s' % group['id'],
                                        status=404)
            self.assertEqual('Instance group %s could not be found.'
                             % group['id'], _fault(resp))
        self.assertEqual([], eve.get('os-server-groups').json[
            'server_groups'])
        # Not even with all_projects: that is an admin's.
        self.assertEqual([], eve.get(
            'os-server-groups?all_projects=1').json['server_groups'])
        # A reader of the project looks, a member of it deletes.
        peek = self.api.as_user('peek', 'demo', roles=['reader'])
        peek.get('os-server-groups/%s' % group['id'], status=200)
        resp = peek.delete('os-server-groups/%s' % group['id'], status=403)
        self.assertEqual("Policy doesn't allow os_compute_api:"
                         "os-server-groups:delete to be performed.",
                         _fault(resp))
        peek.post('os-server-groups', {'server_group': {
            'name': 'g', 'policies': ['affinity']}}, status=403)
        self.api.as_user('carol', 'demo').delete(
            'os-server-groups/%s' % group['id'], status=204)

    def test_admin_lists_every_project_with_all_projects(self):
        mine = self.group(name='mine')
        theirs = self.group(api=self.api.as_user('eve', 'evil',
                                                 version='2.15'),
                            name='theirs')
        admin = self.admin_api
        self.assertEqual([], admin.get('os-server-groups').json[
            'server_groups'])
        for value in ('1', 'true', 'false', ''):
            resp = admin.get('os-server-groups?all_projects=' + value,
                             status=200)
            self.assertEqual([mine['id'], theirs['id']],
                             [g['id'] for g in resp.json['server_groups']])
        # An admin sees and deletes any group.
        admin.get('os-server-groups/%s' % theirs['id'], status=200)
        admin.delete('os-server-groups/%s' % theirs['id'], status=204)

    def test_limit_and_offset(self):
        ids = [self.group(name='g%d' % i)['id'] for i in range(5)]

        def listed(query):
            return [g['id'] for g in self.api.get(
                'os-server-groups?' + query,
                status=200).json['server_groups']]

        self.assertEqual(ids[:2], listed('limit=2'))
        self.assertEqual(ids[3:], listed('offset=3'))
        self.assertEqual(ids[1:3], listed('limit=2&offset=1'))
        self.assertEqual(ids, listed('limit=0'))
        self.assertEqual([], listed('offset=9'))
        self.assertEqual([], listed('offset=' + '9' * 30))
        self.assertEqual(ids, listed('limit=' + '9' * 30))
        # Unknown parameters are ignored (below 2.75, as in Nova).
        self.assertEqual(ids, listed('foo=bar'))
        for query in ('limit=-1', 'offset=-1', 'limit=x', 'offset=1.5'):
            self.api.get('os-server-groups?' + query, status=400)
        self.flags(max_limit=3, group='api')
        self.assertEqual(ids[:3], listed('limit=100'))
        self.assertEqual(ids[:3], listed(''))

    def test_quota(self):
        self.flags(server_groups=2, group='quota')
        self.group(name='one')
        self.group(name='two')
        resp = self.api.post('os-server-groups', {'server_group': {
            'name': 'three', 'policies': ['affinity']}}, status=403)
        self.assertEqual('Quota exceeded, too many server groups.',
                         _fault(resp))
        self.assertEqual(2, len(self.api.get(
            'os-server-groups').json['server_groups']))
        # Another project has its own.
        self.group(api=self.api.as_user('eve', 'evil', version='2.15'))

    def test_missing_group_hint_is_400(self):
        for hint in (MISSING, [MISSING]):
            resp = self.boot(hint, status=400)
            self.assertEqual('Instance group %s could not be found.'
                             % MISSING, _fault(resp))
        for hint in ('nope', ['nope'], 5, {'a': 1}):
            self.boot(hint, status=400)
        self.assertEqual([], self.api.get('servers').json['servers'])


class TestPolicyAndRules(_GroupsTestCase):
    """2.64: ``policy`` (a string) and ``rules`` replace ``policies``
    and ``metadata``; anti-affinity may allow more than one member per
    host (``max_server_per_host``)."""

    def test_create_and_views(self):
        api264 = self.api.as_user('demo', 'demo', version='2.64')
        resp = api264.post('os-server-groups', {'server_group': {
            'name': 'g', 'policy': 'anti-affinity',
            'rules': {'max_server_per_host': '2'}}}, status=200)
        _validate(v264.create_show_server_group, resp)
        group = resp.json['server_group']
        self.assertEqual(
            {'name': 'g', 'policy': 'anti-affinity',
             'rules': {'max_server_per_host': 2}, 'members': [],
             'project_id': 'demo', 'user_id': 'demo'},
            {k: v for k, v in group.items() if k != 'id'})
        resp = api264.get('os-server-groups/' + group['id'], status=200)
        _validate(v264.create_show_server_group, resp)
        self.assertEqual(group, resp.json['server_group'])
        resp = api264.get('os-server-groups', status=200)
        _validate(v264.list_server_groups, resp)
        resp = api264.post('os-server-groups', {'server_group': {
            'name': 'h', 'policy': 'soft-affinity'}}, status=200)
        self.assertEqual({}, resp.json['server_group']['rules'])
        # The old form below 2.64.
        old = self.v215.get('os-server-groups/' + group['id']).json[
            'server_group']
        self.assertEqual((['anti-affinity'], {}),
                         (old['policies'], old['metadata']))
        for body, message in (
                ({'name': 'x', 'policy': 'affinity',
                  'rules': {'max_server_per_host': 2}},
                 'Only anti-affinity policy supports rules.'),
                ({'name': 'x', 'policies': ['affinity']}, None),
                ({'name': 'x', 'policy': 'best'}, None),
                ({'name': 'x', 'policy': 'anti-affinity',
                  'rules': {'max_server_per_host': 0}}, None),
                ({'name': 'x', 'policy': 'anti-affinity',
                  'rules': {'other': 1}}, None),
                ({'name': 'x'}, None)):
            resp = api264.post('os-server-groups',
                               {'server_group': body}, status=400)
            if message:
                self.assertEqual(message,
                                 resp.json['badRequest']['message'])

    def test_max_server_per_host(self):
        self.useFixture(nl_fixtures.ComputeAgent(host='sg-host-2'))
        api264 = self.api.as_user('demo', 'demo', version='2.64')
        group = api264.post('os-server-groups', {'server_group': {
            'name': 'g', 'policy': 'anti-affinity',
            'rules': {'max_server_per_host': 2}}}).json['server_group']
        servers = []
        for _ in range(4):
            server = self.boot(group['id']).json['server']['id']
            self.wait_for_status(server, 'ACTIVE')
            servers.append(server)
        hosts = [self.host_of(s) for s in servers]
        self.assertEqual({2}, {hosts.count(h) for h in set(hosts)})
        extra = self.boot(group['id']).json['server']['id']
        self.assertEqual(NO_HOST,
                         self.wait_for_status(extra, 'ERROR')['fault'][
                             'message'])


class TestServerGroupScheduling(_GroupsTestCase):
    """Three compute hosts."""

    def setUp(self):
        super().setUp()
        self.hosts = {self.agent.service.host}
        for name in ('sg-host-2', 'sg-host-3'):
            self.useFixture(nl_fixtures.ComputeAgent(host=name))
            self.hosts.add(name)

    def test_anti_affinity_spreads_then_no_valid_host(self):
        group = self.group('anti-affinity')
        resp = self.boot(group['id'], min_count=3,
                         return_reservation_id=True)
        reservation = resp.json['reservation_id']
        servers = self.api.get('servers/detail?reservation_id=%s'
                               % reservation).json['servers']
        self.assertEqual(3, len(servers))
        for server in servers:
            self.wait_for_status(server['id'], 'ACTIVE')
        self.assertEqual(self.hosts,
                         {self.host_of(s['id']) for s in servers})
        # Every host has a member: the next one finds none.
        extra = self.boot(group['id']).json['server']['id']
        failed = self.wait_for_status(extra, 'ERROR')
        self.assertEqual(NO_HOST, failed['fault']['message'])
        self.assertEqual(500, failed['fault']['code'])
        self.assertEqual(sorted([s['id'] for s in servers] + [extra]),
                         sorted(self.members(group['id'])))
        # A deleted server leaves the group and frees its host.
        gone = servers[0]['id']
        freed = self.host_of(gone)
        self.api.delete('servers/%s' % gone, status=204)
        self.wait_for_status(gone, 'DELETED')
        self.assertNotIn(gone, self.members(group['id']))
        again = self.boot(group['id'],
                          hints_key='OS-SCH-HNT:scheduler_hints')
        again = again.json['server']['id']
        self.wait_for_status(again, 'ACTIVE')
        self.assertEqual(freed, self.host_of(again))
        self.assertIn(again, self.members(group['id']))

    def test_moves_honour_the_group(self):
        # Nova's scheduler applies the group's policy to moves too.
        group = self.group('anti-affinity')
        first = self.boot(group['id']).json['server']['id']
        second = self.boot(group['id']).json['server']['id']
        for server in (first, second):
            self.wait_for_status(server, 'ACTIVE')
        taken = {self.host_of(first), self.host_of(second)}
        self.admin_api.post('servers/%s/action' % first, {'migrate': None},
                            status=202)
        self.wait_for_status(first, 'VERIFY_RESIZE')
        # Not the other member's host, nor its own: the third one.
        self.assertEqual(self.hosts - taken, {self.host_of(first)})
        self.api.post('servers/%s/action' % first, {'confirmResize': None},
                      status=204)
        self.wait_for_status(first, 'ACTIVE')
        # With a member on every other host there is nowhere to go.
        third = self.boot(group['id']).json['server']['id']
        self.wait_for_status(third, 'ACTIVE')
        self.admin_api.post('servers/%s/action' % third, {'migrate': None},
                            status=202)
        host = self.host_of(third)

        def migrate_failed():
            actions = self.admin_api.get(
                'servers/%s/os-instance-actions' % third).json
            return [a['message'] for a in actions['instanceActions']
                    if a['action'] == 'migrate'] == ['Error']
        self.wait_until(migrate_failed)
        self.wait_for_status(third, 'ACTIVE')
        self.assertEqual(host, self.host_of(third))

    def test_anti_affinity_multi_create_beyond_the_hosts(self):
        group = self.group('anti-affinity')
        resp = self.boot(group['id'], min_count=4,
                         return_reservation_id=True)
        servers = self.api.get('servers/detail?reservation_id=%s'
                               % resp.json['reservation_id']).json[
                                   'servers']
        # All or nothing, as Nova: four servers in ERROR, all members.
        self.assertEqual(4, len(servers))
        for server in servers:
            failed = self.wait_for_status(server['id'], 'ERROR')
            self.assertEqual(NO_HOST, failed['fault']['message'])
            self.assertIsNone(self.host_of(server['id']))
        self.assertEqual(sorted(s['id'] for s in servers),
                         sorted(self.members(group['id'])))

    def test_affinity_keeps_servers_together(self):
        group = self.group('affinity')
        first = self.boot(group['id']).json['server']['id']
        self.wait_for_status(first, 'ACTIVE')
        host = self.host_of(first)
        resp = self.boot(group['id'], min_count=3,
                         return_reservation_id=True)
        servers = self.api.get('servers/detail?reservation_id=%s'
                               % resp.json['reservation_id']).json[
                                   'servers']
        for server in servers:
            self.wait_for_status(server['id'], 'ACTIVE')
            self.assertEqual(host, self.host_of(server['id']))
        # The other hosts are the plain spread's choice.
        loose = self.boot().json['server']['id']
        self.wait_for_status(loose, 'ACTIVE')
        self.assertNotEqual(host, self.host_of(loose))
        self.assertEqual(4, len(self.members(group['id'])))

    def test_soft_policies_prefer(self):
        soft = self.group('soft-affinity')
        servers = []
        for _ in range(3):
            server = self.boot(soft['id']).json['server']['id']
            self.wait_for_status(server, 'ACTIVE')
            servers.append(server)
        self.assertEqual(1, len({self.host_of(s) for s in servers}))
        spread = self.group('soft-anti-affinity')
        resp = self.boot(spread['id'], min_count=5,
                         return_reservation_id=True)
        placed = self.api.get('servers/detail?reservation_id=%s'
                              % resp.json['reservation_id']).json[
                                  'servers']
        hosts = []
        for server in placed:
            self.wait_for_status(server['id'], 'ACTIVE')
            hosts.append(self.host_of(server['id']))
        # Five on three hosts: never more than two on one.
        self.assertEqual(self.hosts, set(hosts))
        self.assertLessEqual(max(hosts.count(h) for h in self.hosts), 2)

    def test_group_hint_of_another_project_is_400(self):
        group = self.group()
        eve = self.api.as_user('eve', 'evil')
        resp = self.boot(group['id'], api=eve, status=400)
        self.assertEqual('Instance group %s could not be found.'
                         % group['id'], _fault(resp))
        self.assertEqual([], eve.get('servers').json['servers'])
        self.assertEqual([], self.members(group['id']))
        # An admin may boot into any project's group.
        server = self.boot(group['id'], api=self.admin_api).json['server']
        self.wait_for_status(server['id'], 'ACTIVE')
        self.assertEqual([server['id']], self.members(group['id']))

    def test_members_quota(self):
        self.flags(server_group_members=2, group='quota')
        group = self.group()
        resp = self.boot(group['id'], min_count=3, status=403)
        self.assertEqual('Quota exceeded, too many servers in group',
                         _fault(resp))
        self.assertEqual([], self.api.get('servers').json['servers'])
        first = self.boot(group['id'], min_count=2,
                          return_reservation_id=True)
        self.assertEqual(2, len(self.members(group['id'])))
        resp = self.boot(group['id'], status=403)
        self.assertEqual('Quota exceeded, too many servers in group',
                         _fault(resp))
        # Counted per user, as Nova: another user of the project may.
        self.boot(group['id'], api=self.api.as_user('carol', 'demo'))
        self.assertEqual(3, len(self.members(group['id'])))
        self.assertTrue(first.json['reservation_id'])

    def test_deleting_a_group_keeps_its_servers(self):
        group = self.group('affinity')
        server = self.boot(group['id']).json['server']['id']
        self.wait_for_status(server, 'ACTIVE')
        self.api.delete('os-server-groups/%s' % group['id'], status=204)
        self.assertEqual('ACTIVE', self.api.get(
            'servers/%s' % server).json['server']['status'])
        # Its hint is now unknown.
        resp = self.boot(group['id'], status=400)
        self.assertEqual('Instance group %s could not be found.'
                         % group['id'], _fault(resp))
        self.api.delete('servers/%s' % server, status=204)
        self.wait_for_status(server, 'DELETED')
