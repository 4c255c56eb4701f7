"""``/network``: the read-only Networking API v2.0 subset over novalite's
networks, servers' addresses and security groups, with real DB rows."""

import uuid

from oslo_policy import policy as oslo_policy
import sqlalchemy as sa

from novalite.compute import networking
from novalite.db import api as db
from novalite import policy
from novalite.tests import base

V20 = '/network/v2.0'
SHARED = '3cb9bc59-5699-4588-a4b1-b87f96708bc6'
OWN = '9b6a8cde-77a8-4e0b-8d46-2a1b0f3c2d10'
THEIRS = 'c0ffee00-1111-4222-8333-444455556666'


class NetworkV2TestCase(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.other = self.api.as_user('other')
        for name, cidr, net_id, project in (
                ('public', '10.0.0.0/24', SHARED, None),
                ('mine', '192.168.7.0/24', OWN, 'demo'),
                ('theirs', '172.16.0.0/24', THEIRS, 'other')):
            db.network_create(self.admin_context, {
                'name': name, 'cidr': cidr, 'uuid': net_id,
                'project_id': project})

    def ids(self, api, path, key):
        return [item['id'] for item in
                api.get(V20 + path, status=200).json[key]]

    def assertFault(self, resp, code, name, message):
        self.assertEqual((code, {name: {'code': code, 'message': message}}),
                         (resp.status_int, resp.json))


class TestDocuments(NetworkV2TestCase):

    USE_AGENT = False

    def test_version_document_needs_no_token(self):
        for path in ('/network', '/network/'):
            resp = self.app.get(path)
            self.assertEqual((200, {'versions': [{
                'id': 'v2.0', 'status': 'CURRENT',
                'links': [{'rel': 'self',
                           'href': 'http://localhost/network/v2.0/'}]}]}),
                (resp.status_int, resp.json))
        for path in ('/network/v2.0/', V20 + '/networks',
                     '/network//v2.0/networks'):
            self.assertEqual(401, self.app.get(
                path, expect_errors=True).status_int, path)

    def test_resources_and_extensions(self):
        resources = self.api.get(V20 + '/', status=200).json['resources']
        self.assertEqual(
            [('network', 'networks'), ('subnet', 'subnets'),
             ('port', 'ports'), ('security_group', 'security-groups')],
            [(r['name'], r['collection']) for r in resources])
        self.assertEqual('http://localhost/network/v2.0/networks',
                         resources[0]['links'][0]['href'])
        aliases = [e['alias'] for e in self.api.get(
            V20 + '/extensions', status=200).json['extensions']]
        self.assertIn('security-group', aliases)
        self.assertEqual('external-net', self.api.get(
            V20 + '/extensions/external-net',
            status=200).json['extension']['alias'])
        self.api.get(V20 + '/extensions/router', status=404)
        # No network agents, so no zones (the CLI asks).
        self.assertEqual({'availability_zones': []}, self.api.get(
            V20 + '/availability_zones', status=200).json)
        self.api.get(V20 + '/routers', status=404)


class TestNetworksAndSubnets(NetworkV2TestCase):

    USE_AGENT = False

    def test_network_body(self):
        network = self.api.get(V20 + '/networks/' + OWN,
                               status=200).json['network']
        created = db.network_get(self.admin_context, OWN)['created_at']
        self.assertEqual({
            'id': OWN, 'name': 'mine', 'status': 'ACTIVE',
            'admin_state_up': True, 'shared': False,
            'subnets': [networking.subnet_id(OWN)],
            'router:external': False, 'mtu': 1500,
            'availability_zone_hints': [], 'availability_zones': [],
            'project_id': 'demo', 'tenant_id': 'demo', 'description': '',
            'tags': [], 'revision_number': 1,
            'created_at': created.strftime('%Y-%m-%dT%H:%M:%SZ'),
            'updated_at': created.strftime('%Y-%m-%dT%H:%M:%SZ')},
            network)
        shared = self.api.get(V20 + '/networks/' + SHARED,
                              status=200).json['network']
        self.assertEqual((True, None), (shared['shared'],
                                        shared['project_id']))

    def test_visibility(self):
        self.assertEqual({SHARED, OWN},
                         set(self.ids(self.api, '/networks', 'networks')))
        self.assertEqual({SHARED, THEIRS},
                         set(self.ids(self.other, '/networks', 'networks')))
        self.assertEqual({SHARED, OWN, THEIRS}, set(
            self.ids(self.admin_api, '/networks', 'networks')))
        self.assertFault(self.api.get(V20 + '/networks/' + THEIRS), 404,
                         'itemNotFound',
                         'Network %s could not be found.' % THEIRS)
        self.admin_api.get(V20 + '/networks/' + THEIRS, status=200)
        # Subnets follow their networks.
        self.assertEqual(
            {networking.subnet_id(SHARED), networking.subnet_id(OWN)},
            set(self.ids(self.api, '/subnets', 'subnets')))
        subnet = networking.subnet_id(THEIRS)
        self.assertFault(self.api.get(V20 + '/subnets/' + subnet), 404,
                         'itemNotFound',
                         'Subnet %s could not be found.' % subnet)

    def test_filters_fields_and_pages(self):
        # openstacksdk's find_network: by id first, then by name.
        self.api.get(V20 + '/networks/public', status=404)
        self.assertEqual([SHARED], self.ids(self.api, '/networks?name=public',
                                            'networks'))
        self.assertEqual([OWN], self.ids(self.api, '/networks?shared=false',
                                         'networks'))
        self.assertEqual([OWN], self.ids(
            self.api, '/networks?project_id=demo', 'networks'))
        self.assertEqual([THEIRS], self.ids(
            self.admin_api, '/networks?tenant_id=other', 'networks'))
        self.assertEqual({SHARED, OWN}, set(self.ids(
            self.api, '/networks?id=%s&id=%s' % (SHARED, OWN), 'networks')))
        self.assertEqual([], self.ids(self.api, '/networks?name=nope',
                                      'networks'))
        self.assertEqual([networking.subnet_id(OWN)], self.ids(
            self.api, '/subnets?network_id=' + OWN, 'subnets'))
        self.assertEqual([networking.subnet_id(SHARED)], self.ids(
            self.api, '/subnets?cidr=10.0.0.0/24', 'subnets'))
        self.assertEqual({'networks': [{'id': SHARED, 'name': 'public'}]},
                         self.api.get(V20 + '/networks?name=public&fields=id'
                                      '&fields=name', status=200).json)
        self.assertFault(self.api.get(V20 + '/networks?colour=red'), 400,
                         'badRequest',
                         '[colour] is invalid attribute for filtering')
        page = self.admin_api.get(V20 + '/networks?limit=2&sort_key=name',
                                  status=200).json
        self.assertEqual(['mine', 'public'],
                         [n['name'] for n in page['networks']])
        self.assertEqual('next', page['networks_links'][0]['rel'])
        self.assertIn('marker=' + SHARED, page['networks_links'][0]['href'])
        rest = self.admin_api.get(
            V20 + '/networks?limit=2&sort_key=name&marker=' + SHARED,
            status=200).json
        self.assertEqual((['theirs'], False),
                         ([n['name'] for n in rest['networks']],
                          'networks_links' in rest))

    def test_subnet_body(self):
        subnet_id = networking.subnet_id(OWN)
        # Stable: derived from the network's id.
        self.assertEqual(str(uuid.uuid5(networking.NAMESPACE,
                                        'subnet:' + OWN)), subnet_id)
        subnet = self.api.get(V20 + '/subnets/' + subnet_id,
                              status=200).json['subnet']
        self.assertEqual(
            (subnet_id, 'mine', OWN, 4, '192.168.7.0/24', '192.168.7.1',
             True, [{'start': '192.168.7.2', 'end': '192.168.7.254'}], [],
             [], 'demo'),
            (subnet['id'], subnet['name'], subnet['network_id'],
             subnet['ip_version'], subnet['cidr'], subnet['gateway_ip'],
             subnet['enable_dhcp'], subnet['allocation_pools'],
             subnet['dns_nameservers'], subnet['host_routes'],
             subnet['project_id']))

    def test_writes_are_not_implemented(self):
        for method, path in (('POST', '/networks'),
                             ('PUT', '/networks/' + OWN),
                             ('DELETE', '/networks/' + OWN),
                             ('POST', '/subnets'), ('POST', '/ports'),
                             ('POST', '/security-groups'),
                             ('PUT', '/security-groups/' + OWN)):
            resp = self.admin_api.request(method, V20 + path, {})
            self.assertEqual(501, resp.status_int, path)
            self.assertIn("novalite's Networking API is read-only",
                          resp.json['notImplemented']['message'])
        self.assertEqual(3, len(db.network_get_all(self.admin_context)))

    def test_policy(self):
        policy.get_enforcer().set_rules(oslo_policy.Rules.from_dict({
            'get_network': 'rule:context_is_admin or project_id:other',
            'get_subnet': '!',
        }), overwrite=False, use_conf=False)
        # Neutron filters a list by the policy and hides what it refuses.
        self.assertEqual([], self.ids(self.api, '/networks', 'networks'))
        self.api.get(V20 + '/networks/' + SHARED, status=404)
        self.assertEqual({SHARED, THEIRS},
                         set(self.ids(self.other, '/networks', 'networks')))
        self.assertEqual([], self.ids(self.admin_api, '/subnets',
                                      'subnets'))


class TestPortsAndSecurityGroups(NetworkV2TestCase):

    def test_ports(self):
        server = self.create_server(networks=[{'uuid': OWN},
                                              {'uuid': SHARED}])
        self.create_server(api=self.other, networks=[{'uuid': THEIRS}])
        info = db.network_info_for_instance(self.admin_context,
                                            server['id'])
        ports = self.api.get(V20 + '/ports?device_id=' + server['id'],
                             status=200).json['ports']
        [default] = db.security_group_get_all(
            self.admin_context, project_id='demo', name='default')
        self.assertEqual(
            [(vif['port_id'], vif['network_id'],
              vif['mac_address'],
              [{'subnet_id': networking.subnet_id(vif['network_id']),
                'ip_address': vif['address']}],
              server['id'], 'compute:nova', 'ACTIVE', [default['id']],
              'demo') for vif in info],
            [(p['id'], p['network_id'], p['mac_address'], p['fixed_ips'],
              p['device_id'], p['device_owner'], p['status'],
              p['security_groups'], p['project_id']) for p in ports])
        self.assertNotIn('binding:host_id', ports[0])
        # Another project's ports are not shown; an admin sees them all,
        # with the binding.
        self.assertEqual(2, len(self.ids(self.api, '/ports', 'ports')))
        self.assertEqual([], self.ids(
            self.other, '/ports?device_id=' + server['id'], 'ports'))
        admin_ports = self.admin_api.get(V20 + '/ports',
                                         status=200).json['ports']
        self.assertEqual(3, len(admin_ports))
        self.assertEqual(
            ('normal', 'bridge'), (admin_ports[0]['binding:vnic_type'],
                                   admin_ports[0]['binding:vif_type']))
        self.assertTrue(admin_ports[0]['binding:host_id'])
        # Filters.
        own = info[0]['port_id']
        self.assertEqual([own], self.ids(
            self.api, '/ports?network_id=' + OWN, 'ports'))
        self.assertEqual([own], self.ids(
            self.api, '/ports?fixed_ips=ip_address=%s' % info[0]['address'],
            'ports'))
        self.assertEqual([own], self.ids(
            self.api, '/ports?mac_address=' + info[0]['mac_address'],
            'ports'))
        # Show.
        self.assertEqual(own, self.api.get(
            V20 + '/ports/' + own, status=200).json['port']['id'])
        self.other.get(V20 + '/ports/' + own, status=404)
        # Stopped: the port is DOWN. Deleted: gone.
        self.api.post('servers/%s/action' % server['id'], {'os-stop': None},
                      status=202)
        self.wait_for_status(server['id'], 'SHUTOFF')
        self.assertEqual('DOWN', self.api.get(
            V20 + '/ports/' + own, status=200).json['port']['status'])
        self.api.delete('servers/%s' % server['id'], status=204)
        self.wait_for_status(server['id'], 'DELETED')
        self.assertFault(self.api.get(V20 + '/ports/' + own), 404,
                         'itemNotFound', 'Port %s could not be found.' % own)

    def test_ports_are_paged_by_the_database(self):
        servers = [self.create_server(name='s%d' % i,
                                      networks=[{'uuid': OWN}])
                   for i in range(3)]
        self.create_server(api=self.other, networks=[{'uuid': THEIRS}])
        ports = self.ids(self.api, '/ports', 'ports')
        self.assertEqual([s['id'] for s in servers], [
            p['device_id'] for p in self.api.get(
                V20 + '/ports', status=200).json['ports']])
        statements = []
        sa.event.listen(self.db.engine, 'before_cursor_execute',
                        lambda *args: statements.append(args[2]))
        page = self.api.get(V20 + '/ports?limit=2', status=200).json
        self.assertEqual(ports[:2], [p['id'] for p in page['ports']])
        # The database cut the page: LIMIT 3, one more than the page.
        [query] = [q for q in statements if 'FROM fixed_ips' in q]
        self.assertIn('LIMIT', query)
        self.assertIn('marker=' + ports[1],
                      page['ports_links'][0]['href'])
        page = self.api.get(V20 + '/ports?limit=2&marker=' + ports[1],
                            status=200).json
        self.assertEqual(([ports[2]], None), ([p['id'] for p in page[
            'ports']], page.get('ports_links')))
        # Filters the query cannot apply page after reading the rest.
        self.assertEqual(ports[1:], self.ids(
            self.api, '/ports?limit=5&status=ACTIVE&marker=' + ports[0],
            'ports'))
        # A marker the caller cannot see is a port not found.
        [theirs] = self.ids(self.other, '/ports', 'ports')
        for marker in (theirs, 'nope'):
            self.assertFault(
                self.api.get(V20 + '/ports?limit=1&marker=' + marker), 404,
                'itemNotFound', 'Port %s could not be found.' % marker)
        self.assertEqual([ports[2]], self.ids(
            self.api, '/ports?id=' + ports[2], 'ports'))

    def test_security_groups(self):
        # Listing makes the caller's default group, as Neutron does.
        [group] = self.api.get(V20 + '/security-groups',
                               status=200).json['security_groups']
        self.assertEqual(('default', 'demo', True, False),
                         (group['name'], group['project_id'],
                          group['stateful'], group['shared']))
        rules = {(r['direction'], r['ethertype'], r['remote_group_id'])
                 for r in group['security_group_rules']}
        self.assertEqual({('egress', 'IPv4', None), ('egress', 'IPv6', None),
                          ('ingress', 'IPv4', group['id']),
                          ('ingress', 'IPv6', group['id'])}, rules)
        # The egress rules' ids are stable.
        self.assertEqual(group, self.api.get(
            V20 + '/security-groups/' + group['id'],
            status=200).json['security_group'])
        # A group made through the compute API, with a rule.
        web = self.api.post('os-security-groups', {'security_group': {
            'name': 'web', 'description': 'http'}},
            status=200).json['security_group']
        self.api.post('os-security-group-rules', {'security_group_rule': {
            'parent_group_id': web['id'], 'ip_protocol': 'tcp',
            'from_port': 80, 'to_port': 80, 'cidr': '0.0.0.0/0'}},
            status=200)
        shown = self.api.get(V20 + '/security-groups?name=web',
                             status=200).json['security_groups']
        [rule] = [r for r in shown[0]['security_group_rules']
                  if r['direction'] == 'ingress']
        self.assertEqual(('http', 'tcp', 80, 80, '0.0.0.0/0', 'IPv4'),
                         (shown[0]['description'], rule['protocol'],
                          rule['port_range_min'], rule['port_range_max'],
                          rule['remote_ip_prefix'], rule['ethertype']))
        # Another project sees neither; a malformed id is a 404 too.
        self.other.get(V20 + '/security-groups/' + web['id'], status=404)
        self.assertEqual([], self.ids(
            self.other, '/security-groups?project_id=demo',
            'security_groups'))
        self.assertFault(
            self.api.get(V20 + '/security-groups/nope'), 404,
            'itemNotFound', 'Security group nope does not exist')

    def test_delete_security_group(self):
        """tempest's clean-up: the admin lists a project's default group
        by name and project, and deletes it."""
        server = self.create_server()
        found = self.admin_api.get(
            V20 + '/security-groups?name=default&project_id=demo',
            status=200).json['security_groups']
        [default] = found
        # Not the admin's own (which the list made), nor another's.
        self.assertEqual('demo', default['project_id'])
        self.assertEqual([], self.admin_api.get(
            V20 + '/security-groups?name=default&project_id=nobody',
            status=200).json['security_groups'])
        self.assertEqual([], db.security_group_get_all(
            self.admin_context, project_id='nobody'))
        path = V20 + '/security-groups/' + default['id']
        self.assertFault(self.admin_api.delete(path), 409,
                         'conflictingRequest',
                         'Security Group %s in use.' % default['id'])
        self.api.delete('servers/%s' % server['id'], status=204)
        self.wait_for_status(server['id'], 'DELETED')
        self.assertFault(
            self.api.delete(path), 409, 'conflictingRequest',
            'Insufficient rights for removing default security group.')
        self.other.delete(path, status=404)
        self.admin_api.delete(path, status=204)
        self.admin_api.delete(path, status=404)
        self.assertEqual([], db.security_group_get_all(
            self.admin_context, project_id='demo'))

    def test_delete_policy(self):
        policy.get_enforcer().set_rules(oslo_policy.Rules.from_dict({
            'delete_security_group': 'rule:context_is_admin',
        }), overwrite=False, use_conf=False)
        web = self.api.post('os-security-groups', {'security_group': {
            'name': 'web', 'description': ''}},
            status=200).json['security_group']
        self.api.delete(V20 + '/security-groups/' + web['id'], status=403)
        self.admin_api.delete(V20 + '/security-groups/' + web['id'],
                              status=204)
