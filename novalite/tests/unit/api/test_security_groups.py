"""/os-security-groups, /os-security-group-rules and a server's groups,
as Nova's proxy answers them over Neutron (responses checked against
tempest's schemas). The groups are records: nothing is filtered."""

import threading

from oslo_db import exception as db_exc
from tempest.lib.api_schema.response.compute.v2_1 import \
    security_groups as schemas

from novalite import context as nl_context
from novalite.db import api as db
from novalite.tests import base
from novalite.tests.base import fault_message as _message
from novalite.tests.base import validate_response as _validate

MISSING = '00000000-0000-4000-8000-000000000000'


class _SecurityGroupsTestCase(base.APITestCase):

    USE_AGENT = False

    def setUp(self):
        super().setUp()
        self.other = self.api.as_user('other', 'other')

    def group(self, name='web', description='d', api=None):
        resp = (api or self.api).post('os-security-groups', {
            'security_group': {'name': name, 'description': description}},
            status=200)
        _validate(schemas.create_security_group, resp)
        return resp.json['security_group']

    def rule(self, status=200, api=None, **rule):
        resp = (api or self.api).post('os-security-group-rules', {
            'security_group_rule': rule}, status=status)
        if status == 200:
            _validate(schemas.create_security_group_rule, resp)
            return resp.json['security_group_rule']
        return _message(resp)

    def default(self, api=None):
        groups = (api or self.api).get('os-security-groups').json[
            'security_groups']
        [default] = [g for g in groups if g['name'] == 'default']
        return default


class TestSecurityGroupsAPI(_SecurityGroupsTestCase):

    def test_default_group_made_on_first_list(self):
        resp = self.api.get('os-security-groups', status=200)
        _validate(schemas.list_security_groups, resp)
        [default] = resp.json['security_groups']
        # Neutron's default rules: ingress from the group's own members.
        rules = default.pop('rules')
        self.assertEqual({'name': 'default', 'tenant_id': 'demo',
                          'description': 'Default security group',
                          'id': default['id']}, default)
        self.assertEqual(2, len(rules))
        for rule in rules:
            self.assertEqual({'parent_group_id': default['id'],
                              'ip_protocol': None, 'from_port': None,
                              'to_port': None, 'ip_range': {},
                              'group': {'name': 'default',
                                        'tenant_id': 'demo'}},
                             {k: v for k, v in rule.items() if k != 'id'})
        # The same group on the next list.
        self.assertEqual(default['id'], self.default()['id'])

    def test_create_show_update_list_delete(self):
        group = self.group('web', 'web servers')
        self.assertEqual({'name': 'web', 'description': 'web servers',
                          'tenant_id': 'demo', 'rules': []},
                         {k: v for k, v in group.items() if k != 'id'})
        resp = self.api.get('os-security-groups/%s' % group['id'],
                            status=200)
        _validate(schemas.get_security_group, resp)
        self.assertEqual(group, resp.json['security_group'])
        resp = self.api.put('os-security-groups/%s' % group['id'], {
            'security_group': {'name': 'www', 'description': ''}},
            status=200)
        _validate(schemas.update_security_group, resp)
        self.assertEqual('www', resp.json['security_group']['name'])
        self.assertEqual('', resp.json['security_group']['description'])
        resp = self.api.get('os-security-groups', status=200)
        _validate(schemas.list_security_groups, resp)
        # Sorted by owner then name, as Nova sorts them.
        self.assertEqual(['default', 'www'],
                         [g['name'] for g in resp.json['security_groups']])
        resp = self.api.delete('os-security-groups/%s' % group['id'],
                               status=202)
        _validate(schemas.delete_security_group, resp)
        self.assertEqual(b'', resp.body)
        resp = self.api.get('os-security-groups/%s' % group['id'],
                            status=404)
        self.assertEqual('Security group %s does not exist' % group['id'],
                         _message(resp))
        self.api.delete('os-security-groups/%s' % group['id'], status=404)

    def test_names_need_not_be_unique(self):
        first = self.group('web')
        second = self.group('web')
        self.assertNotEqual(first['id'], second['id'])

    def test_create_bad_bodies(self):
        for body, message in (
                ({'security_group': {'name': 'x'}},
                 "Invalid input for field/attribute security_group. Value: "
                 "{'name': 'x'}. 'description' is a required property"),
                ({'security_group': {'name': 'x' * 256, 'description': ''}},
                 None),
                ({}, "'security_group' is a required property"),
                ({'security_group': {'name': 1, 'description': ''}},
                 None)):
            resp = self.api.post('os-security-groups', body, status=400)
            if message:
                self.assertEqual(message, _message(resp))

    def test_default_name_is_taken(self):
        # Neutron's 409, a 403 through Nova's proxy.
        for name in ('default', 'Default'):
            resp = self.api.post('os-security-groups', {'security_group': {
                'name': name, 'description': ''}}, status=403)
            self.assertEqual('Default security group already exists.',
                             _message(resp))
        group = self.group()
        resp = self.api.put('os-security-groups/%s' % group['id'], {
            'security_group': {'name': 'default', 'description': ''}},
            status=400)
        self.assertEqual('Default security group already exists.',
                         _message(resp))
        default = self.default()
        resp = self.api.put('os-security-groups/%s' % default['id'], {
            'security_group': {'name': 'mine', 'description': ''}},
            status=400)
        self.assertEqual('Updating default security group not allowed.',
                         _message(resp))
        # Its description may change.
        self.api.put('os-security-groups/%s' % default['id'], {
            'security_group': {'name': 'default', 'description': 'x'}},
            status=200)

    def test_default_group_cannot_be_deleted(self):
        default = self.default()
        resp = self.api.delete('os-security-groups/%s' % default['id'],
                               status=400)
        self.assertEqual(
            'Insufficient rights for removing default security group.',
            _message(resp))
        # Neutron lets an admin (a new one is made on next need).
        self.admin_api.delete('os-security-groups/%s' % default['id'],
                              status=202)
        self.assertNotEqual(default['id'], self.default()['id'])

    def test_malformed_and_missing_ids(self):
        for method in ('get', 'delete'):
            resp = getattr(self.api, method)('os-security-groups/x',
                                             status=400)
            self.assertEqual('Security group id should be uuid',
                             _message(resp))
            resp = getattr(self.api, method)(
                'os-security-groups/%s' % MISSING, status=404)
            self.assertEqual('Security group %s does not exist' % MISSING,
                             _message(resp))
        body = {'security_group': {'name': 'a', 'description': ''}}
        self.api.put('os-security-groups/x', body, status=400)
        self.api.put('os-security-groups/%s' % MISSING, body, status=404)

    def test_list_pages_and_all_tenants(self):
        for name in ('a', 'b', 'c'):
            self.group(name)
        self.group('theirs', api=self.other)
        names = [g['name'] for g in self.api.get(
            'os-security-groups?limit=2&offset=1').json['security_groups']]
        self.assertEqual(['b', 'c'], names)
        # all_tenants counts for admins only.
        names = [g['name'] for g in self.api.get(
            'os-security-groups?all_tenants=1').json['security_groups']]
        self.assertEqual(['a', 'b', 'c', 'default'], names)
        resp = self.admin_api.get('os-security-groups?all_tenants=1')
        _validate(schemas.list_security_groups, resp)
        owners = {(g['tenant_id'], g['name'])
                  for g in resp.json['security_groups']}
        self.assertTrue({('demo', 'a'), ('other', 'theirs'),
                         ('admin', 'default')} <= owners, owners)
        self.api.get('os-security-groups?limit=-1', status=400)

    def test_served_up_to_2_35(self):
        v235 = self.api.as_user('demo', 'demo', version='2.35')
        group = self.group(api=v235)
        path = 'os-security-groups/%s' % group['id']
        v235.get(path, status=200)
        # Gone from 2.36, as Nova's proxy APIs.
        v236 = self.api.as_user('demo', 'demo', version='2.36')
        for method, route, body in (
                ('GET', 'os-security-groups', None),
                ('POST', 'os-security-groups', {'security_group': {
                    'name': 'x', 'description': ''}}),
                ('GET', path, None), ('PUT', path, {'security_group': {
                    'name': 'x', 'description': ''}}),
                ('DELETE', path, None),
                ('POST', 'os-security-group-rules', {
                    'security_group_rule': {
                        'parent_group_id': group['id'],
                        'ip_protocol': 'tcp', 'from_port': 22,
                        'to_port': 22}}),
                ('DELETE', 'os-security-group-rules/1', None)):
            resp = v236.request(method, route, body, status=404)
            self.assertEqual({'itemNotFound': {
                'code': 404, 'message': 'The resource could not be found.'}},
                resp.json)
        v235.get(path, status=200)  # untouched

    def test_another_projects_group_is_not_found(self):
        group = self.group(api=self.other)
        path = 'os-security-groups/%s' % group['id']
        self.api.get(path, status=404)
        self.api.put(path, {'security_group': {
            'name': 'x', 'description': ''}}, status=404)
        self.api.delete(path, status=404)
        self.assertEqual('Security group %s does not exist' % group['id'],
                         self.rule(status=404, parent_group_id=group['id'],
                                   ip_protocol='tcp', from_port=1,
                                   to_port=2))
        mine = self.group()
        self.rule(status=404, parent_group_id=mine['id'],
                  group_id=group['id'])
        # An admin sees it.
        self.admin_api.get(path, status=200)


class TestSecurityGroupRulesAPI(_SecurityGroupsTestCase):

    def setUp(self):
        super().setUp()
        self.web = self.group()
        self.parent = self.web['id']

    def test_cidr_rule(self):
        rule = self.rule(parent_group_id=self.parent, ip_protocol='tcp',
                         from_port=22, to_port=22, cidr='10.0.0.0/24')
        self.assertEqual({'parent_group_id': self.parent,
                          'ip_protocol': 'tcp', 'from_port': 22,
                          'to_port': 22, 'ip_range': {'cidr': '10.0.0.0/24'},
                          'group': {}},
                         {k: v for k, v in rule.items() if k != 'id'})
        group = self.api.get('os-security-groups/%s' % self.parent).json[
            'security_group']
        self.assertEqual([rule], group['rules'])
        # Same rule again: Nova's own check.
        self.assertEqual('This rule already exists in group %s'
                         % self.parent,
                         self.rule(400, parent_group_id=self.parent,
                                   ip_protocol='tcp', from_port=22,
                                   to_port=22, cidr='10.0.0.0/24'))
        resp = self.api.delete('os-security-group-rules/%s' % rule['id'],
                               status=202)
        _validate(schemas.delete_security_group_rule, resp)
        resp = self.api.delete('os-security-group-rules/%s' % rule['id'],
                               status=404)
        self.assertEqual('Security group rule %s does not exist'
                         % rule['id'], _message(resp))
        self.api.delete('os-security-group-rules/x', status=400)

    def test_no_cidr_is_everywhere(self):
        rule = self.rule(parent_group_id=self.parent, ip_protocol='icmp',
                         from_port=-1, to_port=-1)
        self.assertEqual({'cidr': '0.0.0.0/0'}, rule['ip_range'])
        self.assertEqual((-1, -1), (rule['from_port'], rule['to_port']))

    def test_group_rule(self):
        other = self.group('db')
        rule = self.rule(parent_group_id=self.parent, group_id=other['id'],
                         ip_protocol='tcp')
        # A group rule without ports opens the whole range.
        self.assertEqual({'parent_group_id': self.parent,
                          'ip_protocol': 'tcp', 'from_port': 1,
                          'to_port': 65535, 'ip_range': {},
                          'group': {'name': 'db', 'tenant_id': 'demo'}},
                         {k: v for k, v in rule.items() if k != 'id'})
        # Nova's own check misses it (no cidr); Neutron's 409 is a 403.
        self.assertEqual(
            'Security group rule already exists. Rule id is %s.'
            % rule['id'],
            self.rule(403, parent_group_id=self.parent,
                      group_id=other['id'], ip_protocol='tcp'))
        # Deleting the remote group deletes its rules too (Neutron).
        self.api.delete('os-security-groups/%s' % other['id'], status=202)
        self.assertEqual([], self.api.get(
            'os-security-groups/%s' % self.parent).json[
                'security_group']['rules'])

    def test_validation_messages(self):
        parent = self.parent
        cases = [
            ({'ip_protocol': 'tcp', 'from_port': 'a', 'to_port': 2},
             'Invalid input received: To and From ports must be integers'),
            ({'ip_protocol': 'icmp', 'from_port': 'a', 'to_port': 2},
             'Invalid input received: Type and Code must be integers for '
             'ICMP protocol type'),
            ({'ip_protocol': 'gre', 'from_port': 1, 'to_port': 2},
             'Invalid IP protocol gre.'),
            ({'ip_protocol': 'tcp', 'from_port': 5, 'to_port': 2},
             'Invalid port range 5:2. Former value cannot be greater than '
             'the later'),
            ({'ip_protocol': 'udp', 'from_port': 0, 'to_port': 2},
             'Invalid port range 0:2. Valid UDP ports should be between '
             '1-65535'),
            ({'ip_protocol': 'tcp', 'from_port': 1, 'to_port': 65536},
             'Invalid port range 1:65536. Valid TCP ports should be '
             'between 1-65535'),
            ({'ip_protocol': 'icmp', 'from_port': 256, 'to_port': 0},
             'Invalid port range 256:0. For ICMP, the type:code must be '
             'valid'),
            ({'ip_protocol': 'tcp', 'from_port': 1},
             'Not enough parameters to build a valid rule.'),
            ({'from_port': 1, 'to_port': 2},
             'Not enough parameters to build a valid rule.'),
            ({'ip_protocol': 'tcp', 'from_port': 1, 'to_port': 2,
              'cidr': '10.0.0.0/33'},
             '10.0.0.0/33 is not a valid IP network.'),
            ({'ip_protocol': 'tcp', 'from_port': 1, 'to_port': 2,
              'cidr': 'nonsense'},
             'nonsense is not a valid IP network.'),
            ({'ip_protocol': 'tcp', 'from_port': 1, 'to_port': 2,
              'cidr': '10.0.0.0/0'},
             'Bad prefix for network in cidr 10.0.0.0/0'),
            ({'ip_protocol': 'icmp', 'from_port': -1, 'to_port': 3},
             'ICMP code (port-range-max) 3 is provided but ICMP type '
             '(port-range-min) is missing.'),
        ]
        for fields, message in cases:
            self.assertEqual(message, self.rule(
                400, parent_group_id=parent, **fields), fields)
        for fields in ({'parent_group_id': 'x'}, {},
                       {'parent_group_id': parent, 'group_id': 'x'}):
            self.rule(400, **fields)
        self.assertEqual('Security group %s does not exist' % MISSING,
                         self.rule(404, parent_group_id=MISSING))
        self.assertEqual('Security group %s does not exist' % MISSING,
                         self.rule(404, parent_group_id=parent,
                                   group_id=MISSING))

    def test_another_projects_rule_is_not_found(self):
        rule = self.rule(parent_group_id=self.parent, ip_protocol='tcp',
                         from_port=1, to_port=2)
        resp = self.other.delete('os-security-group-rules/%s' % rule['id'],
                                 status=404)
        self.assertEqual('Security group rule %s does not exist'
                         % rule['id'], _message(resp))


class TestServerSecurityGroups(_SecurityGroupsTestCase):
    """Servers and groups (the tempest rescue test's steps among them)."""

    USE_AGENT = True

    def setUp(self):
        super().setUp()
        # A server made before any network has no port.
        self.unwired = self.create_server(name='unwired')
        db.network_create(self.admin_context, {
            'name': 'private', 'cidr': '10.0.0.0/24'})
        self.server = self.create_server()
        self.action = 'servers/%s/action' % self.server['id']

    def server_groups(self, api=None):
        resp = (api or self.api).get(
            'servers/%s/os-security-groups' % self.server['id'], status=200)
        _validate(schemas.list_security_groups, resp)
        return resp.json['security_groups']

    def test_add_remove_then_delete(self):
        # tempest's test_rescued_vm_add_remove_security_group; the
        # actions and the server's groups stay after the proxy APIs went
        # (2.36), as in Nova.
        v235 = self.api.as_user('demo', 'demo', version='2.35')
        v236 = self.api.as_user('demo', 'demo', version='2.36')
        group = self.group('sg', api=v235)
        v236.post(self.action, {'addSecurityGroup': {'name': 'sg'}},
                  status=202)
        self.assertEqual(['default', 'sg'],
                         [g['name'] for g in self.server_groups()])
        self.assertEqual([{'name': 'default'}, {'name': 'sg'}],
                         self.api.get('servers/%s' % self.server['id'])
                         .json['server']['security_groups'])
        # In use: Neutron's 409, a 400 through Nova.
        resp = v235.delete('os-security-groups/%s' % group['id'],
                           status=400)
        self.assertEqual('Security Group %s in use.' % group['id'],
                         _message(resp))
        v236.post(self.action, {'removeSecurityGroup': {'name': 'sg'}},
                  status=202)
        self.assertEqual(['default'],
                         [g['name'] for g in self.server_groups(v236)])
        v235.delete('os-security-groups/%s' % group['id'], status=202)

    def test_add_unknown_ambiguous_and_other_projects(self):
        resp = self.api.post(self.action, {'addSecurityGroup': {
            'name': 'web'}}, status=404)
        self.assertEqual('Security group web is not found for project demo',
                         _message(resp))
        self.group('theirs', api=self.other)
        self.api.post(self.action, {'addSecurityGroup': {
            'name': 'theirs'}}, status=404)
        self.group('web')
        self.group('web')
        resp = self.api.post(self.action, {'addSecurityGroup': {
            'name': 'web'}}, status=409)
        self.assertEqual("Multiple security_group matches found for name "
                         "'web', use an ID to be more specific.",
                         _message(resp))

    def test_add_by_id(self):
        group = self.group('web')
        self.api.post(self.action, {'addSecurityGroup': {
            'name': group['id']}}, status=202)
        self.assertIn('web', [g['name'] for g in self.server_groups()])

    def test_rename_follows_to_servers(self):
        group = self.group('web')
        self.api.post(self.action, {'addSecurityGroup': {'name': 'web'}},
                      status=202)
        self.api.put('os-security-groups/%s' % group['id'], {
            'security_group': {'name': 'www', 'description': ''}},
            status=200)
        self.assertEqual(['default', 'www'],
                         [g['name'] for g in self.server_groups()])

    def test_create_with_groups(self):
        web = self.group('web')
        self.group('db')
        resp = self.api.post('servers', {'server': {
            'name': 's', 'flavorRef': '1', 'imageRef': base.IMAGE_ID,
            'security_groups': [{'name': web['id']}, {'name': 'db'}]}},
            status=202)
        # The create answer echoes the request, as Nova's.
        self.assertEqual([{'name': web['id']}, {'name': 'db'}],
                         resp.json['server']['security_groups'])
        server = self.api.get('servers/%s' % resp.json['server']['id']
                              ).json['server']
        self.assertEqual([{'name': 'web'}, {'name': 'db'}],
                         server['security_groups'])
        resp = self.api.post('servers', {'server': {
            'name': 's', 'flavorRef': '1', 'imageRef': base.IMAGE_ID,
            'security_groups': [{'name': 'nope'}]}}, status=400)
        self.assertEqual("Unable to find security_group with name or id "
                         "'nope'", _message(resp))
        theirs = self.group('theirs', api=self.other)
        self.api.post('servers', {'server': {
            'name': 's', 'flavorRef': '1', 'imageRef': base.IMAGE_ID,
            'security_groups': [{'name': theirs['id']}]}}, status=400)

    def test_server_groups_of_another_project(self):
        self.other.get('servers/%s/os-security-groups' % self.server['id'],
                       status=404)
        self.assertEqual(['default'], [g['name'] for g in
                                       self.server_groups(self.admin_api)])

    def test_server_without_port_has_no_groups(self):
        resp = self.api.get(
            'servers/%s/os-security-groups' % self.unwired['id'], status=200)
        self.assertEqual({'security_groups': []}, resp.json)


class TestDefaultGroupRace(base.TestCase):
    """Two first uses of a project's default group make one group."""

    def test_constraint_admits_one_live_default(self):
        context = nl_context.get_admin_context()
        db._security_group_default_create(context, 'p')
        self.assertRaises(db_exc.DBDuplicateEntry,
                          db._security_group_default_create, context, 'p')

    def test_losing_racer_reads_the_winner(self):
        context = nl_context.get_admin_context()
        real = db._security_group_default
        calls = []

        def first_finds_none(context, project_id):
            calls.append(project_id)
            if len(calls) == 1:
                # Another request makes the group meanwhile.
                db._security_group_default_create(context, project_id)
                return None
            return real(context, project_id)

        self.patch(db, '_security_group_default', first_finds_none)
        group = db.security_group_ensure_default(context, 'p')
        self.assertEqual([group['id']], [g['id'] for g in
                                         db.security_group_get_all(
                                             context, project_id='p')])

    def test_threads(self):
        context = nl_context.get_admin_context()
        found = []

        def use():
            found.append(db.security_group_ensure_default(
                nl_context.get_admin_context(), 'q')['id'])

        threads = [threading.Thread(target=use) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(1, len(set(found)))
        self.assertEqual(1, len(db.security_group_get_all(
            context, project_id='q')))
