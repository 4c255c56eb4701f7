"""Networks through the API in process: create with ``networks``, the
addresses in server views and /ips, the ip filter, /os-networks."""

import threading

from oslo_policy import policy as oslo_policy
from tempest.lib.api_schema.response.compute.v2_1 import servers as s21

from novalite.db import api as db
from novalite import policy
from novalite.tests import base
from novalite.tests.unit.api.test_servers import validate

SHARED = '3cb9bc59-5699-4588-a4b1-b87f96708bc6'
OWN = '9b6a8cde-77a8-4e0b-8d46-2a1b0f3c2d10'
THEIRS = 'c0ffee00-1111-4222-8333-444455556666'
MISSING = '00000000-0000-4000-8000-000000000000'


class NetworkTestCase(base.APITestCase):

    def create_network(self, name, cidr, uuid=None, project_id=None):
        return db.network_create(self.admin_context, {
            'name': name, 'cidr': cidr, 'uuid': uuid,
            'project_id': project_id})

    def post_server(self, status, api=None, **extra):
        body = {'server': dict({'name': 's', 'flavorRef': '1',
                                'imageRef': base.IMAGE_ID}, **extra)}
        return (api or self.api).post('servers', body, status=status)

    def addresses(self, server_id):
        """{network name: [address]} as the owner sees them."""
        return self.api.get('servers/%s' % server_id,
                            status=200).json['server']['addresses']

    def allocated(self):
        """Every allocated address, as (server, address)."""
        return sorted(
            (vif['address'], server['uuid'])
            for server in db.instance_get_all_by_filters_sort(
                self.admin_context, {'deleted': None},
                extras=('addresses',))
            for vif in server['addresses'])

    def assertFault(self, resp, name, message):
        self.assertEqual({name: {'code': resp.status_int,
                                 'message': message}}, resp.json)


class TestCreateWithNetworks(NetworkTestCase):

    def test_requested_network(self):
        self.create_network('public', '10.0.0.0/24', uuid=SHARED)
        self.create_network('other', '10.9.0.0/24')
        server = self.create_server(networks=[{'uuid': SHARED}])
        addresses = self.addresses(server['id'])
        self.assertEqual(['public'], list(addresses))
        [address] = addresses['public']
        self.assertEqual(4, address['version'])
        self.assertEqual('10.0.0.2', address['addr'])
        self.assertEqual('fixed', address['OS-EXT-IPS:type'])
        self.assertRegex(address['OS-EXT-IPS-MAC:mac_addr'],
                         '^fa:16:3e(:[0-9a-f]{2}){3}$')
        validate(s21.get_server, self.api.get('servers/%s' % server['id']))

    def test_requested_fixed_ip_and_two_networks(self):
        self.create_network('public', '10.0.0.0/24', uuid=SHARED)
        self.create_network('mine', '192.168.7.0/24', uuid=OWN,
                            project_id='demo')
        server = self.create_server(networks=[
            {'uuid': OWN}, {'uuid': SHARED, 'fixed_ip': '10.0.0.42'}])
        addresses = self.addresses(server['id'])
        self.assertEqual({'mine': ['192.168.7.2'], 'public': ['10.0.0.42']},
                         {net: [a['addr'] for a in ips]
                          for net, ips in addresses.items()})
        # In allocation order, for the agent.
        info = db.network_info_for_instance(self.admin_context,
                                            server['id'])
        self.assertEqual([OWN, SHARED], [v['network_id'] for v in info])

    def test_fixed_ip_in_use_is_409_and_leaves_nothing(self):
        self.create_network('public', '10.0.0.0/24', uuid=SHARED)
        first = self.create_server(
            networks=[{'uuid': SHARED, 'fixed_ip': '10.0.0.5'}])
        before = self.allocated()
        resp = self.post_server(
            409, networks=[{'uuid': SHARED, 'fixed_ip': '10.0.0.5'}])
        self.assertFault(resp, 'conflictingRequest',
                         'Fixed IP address 10.0.0.5 is already in use on '
                         'instance %s.' % first['id'])
        self.assertEqual('application/json; charset=UTF-8',
                         resp.headers['Content-Type'])
        self.assertEqual([first['id']],
                         [s['id'] for s in
                          self.api.get('servers').json['servers']])
        # No row of the refused server is left, not even a deleted one.
        self.assertEqual([], self.admin_api.get(
            'servers?all_tenants=1&deleted=1').json['servers'])
        self.assertEqual(before, self.allocated())

    def test_failure_on_a_later_network_releases_the_earlier(self):
        self.create_network('public', '10.0.0.0/24', uuid=SHARED)
        self.create_network('mine', '192.168.7.0/24', uuid=OWN,
                            project_id='demo')
        taken = self.create_server(
            networks=[{'uuid': OWN, 'fixed_ip': '192.168.7.9'}])
        before = self.allocated()
        self.post_server(409, networks=[
            {'uuid': SHARED}, {'uuid': OWN, 'fixed_ip': '192.168.7.9'}])
        self.assertEqual(before, self.allocated())
        self.assertEqual([taken['id']], [
            s['id'] for s in self.api.get('servers').json['servers']])
        # Nothing of the refused server is left, not even a deleted row.
        self.assertEqual([], self.admin_api.get(
            'servers?all_tenants=1&deleted=1').json['servers'])

    def test_invalid_fixed_ips_are_400(self):
        self.create_network('public', '10.0.0.0/29', uuid=SHARED)
        for address, reason in (
                ('10.0.1.2', 'it is not in 10.0.0.0/29'),
                ('10.0.0.0', 'it is the network address of 10.0.0.0/29'),
                ('10.0.0.7', 'it is the broadcast address of 10.0.0.0/29'),
                ('10.0.0.1', 'it is the gateway of 10.0.0.0/29')):
            resp = self.post_server(400, networks=[
                {'uuid': SHARED, 'fixed_ip': address}])
            self.assertFault(resp, 'badRequest',
                             'Fixed IP address %s cannot be used on network '
                             '%s: %s.' % (address, SHARED, reason))
        self.post_server(400, networks=[{'uuid': SHARED,
                                         'fixed_ip': 'bogus'}])
        self.assertEqual([], self.api.get('servers').json['servers'])
        self.assertEqual([], self.allocated())

    def test_unknown_or_foreign_network_is_400(self):
        self.create_network('theirs', '10.0.0.0/24', uuid=THEIRS,
                            project_id='evil')
        for network in (MISSING, THEIRS):
            resp = self.post_server(400, networks=[{'uuid': network}])
            self.assertFault(resp, 'badRequest',
                             'Network %s could not be found.' % network)
        # The owner, and an admin, may use it.
        self.create_server(api=self.api.as_user('eve', 'evil'),
                           networks=[{'uuid': THEIRS}])
        self.create_server(api=self.admin_api, networks=[{'uuid': THEIRS}])

    def test_port_requests_are_refused(self):
        self.create_network('public', '10.0.0.0/24', uuid=SHARED)
        for networks in ([{'port': MISSING}],
                         [{'port': MISSING, 'uuid': SHARED}],
                         [{'uuid': SHARED}, {'port': MISSING}]):
            resp = self.post_server(400, networks=networks)
            self.assertFault(resp, 'badRequest',
                             'Port requests are not supported by novalite: '
                             'use "uuid" with an optional "fixed_ip".')
        # "port": null is no port request.
        self.post_server(202, networks=[{'port': None, 'uuid': SHARED}])

    def test_fixed_ip_with_max_count(self):
        self.create_network('public', '10.0.0.0/24', uuid=SHARED)
        resp = self.post_server(400, max_count=2, networks=[
            {'uuid': SHARED, 'fixed_ip': '10.0.0.5'}])
        self.assertFault(resp, 'badRequest',
                         'max_count cannot be greater than 1 if an fixed_ip '
                         'is specified.')

    def test_bad_formats(self):
        resp = self.post_server(400, networks=[{'uuid': 'abc'}])
        self.assertFault(resp, 'badRequest', 'Bad networks format: network '
                         'uuid is not in proper format (abc)')
        resp = self.post_server(400, networks=[{'fixed_ip': '10.0.0.2'}])
        self.assertFault(resp, 'badRequest',
                         "Bad network format: missing 'uuid'")

    def test_multi_create_gets_an_address_each(self):
        self.create_network('public', '10.0.0.0/24', uuid=SHARED)
        self.post_server(202, min_count=3, networks=[{'uuid': SHARED}])
        self.assertEqual(3, len(self.api.get('servers').json['servers']))
        self.assertEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4'],
                         [address for address, _server in self.allocated()])
        self.assertEqual(3, len({server for _a, server in self.allocated()}))

    def test_exhausted_network_is_409_and_rolls_back(self):
        self.flags(instances=-1, cores=-1, ram=-1, group='quota')
        # A /29 has five addresses for servers.
        self.create_network('tiny', '10.0.0.0/29', uuid=SHARED)
        resp = self.post_server(409, min_count=6)
        self.assertFault(resp, 'conflictingRequest',
                         'No fixed IP addresses available for network: %s'
                         % SHARED)
        self.assertEqual([], self.api.get('servers').json['servers'])
        self.assertEqual([], self.allocated())
        self.post_server(202, min_count=5)
        self.post_server(409)

    def test_empty_list_is_no_network(self):
        self.create_network('public', '10.0.0.0/24', uuid=SHARED)
        server = self.create_server(networks=[])
        self.assertEqual({}, self.addresses(server['id']))

    def test_no_valid_host_releases_the_addresses(self):
        self.flags(cores=-1, group='quota')
        self.create_network('public', '10.0.0.0/24', uuid=SHARED)
        self.create_flavor(flavorid='big', name='big', vcpus=100000)
        resp = self.post_server(202, flavorRef='big')
        server = self.wait_for_status(resp.json['server']['id'], 'ERROR')
        self.assertEqual({}, server['addresses'])
        self.assertEqual([], db.network_info_for_instance(
            self.admin_context, server['id']))
        self.assertEqual({}, self.api.get('servers/%s/ips' % server['id'])
                         .json['addresses'])

    def test_delete_releases_the_addresses(self):
        self.create_network('public', '10.0.0.0/24', uuid=SHARED)
        server = self.create_server()
        self.api.delete('servers/%s' % server['id'], status=204)
        self.wait_for_status(server['id'], 'DELETED')
        self.assertEqual([], self.allocated())
        again = self.create_server()
        self.assertEqual('10.0.0.2',
                         self.addresses(again['id'])['public'][0]['addr'])

    def test_fifty_servers_one_after_another_on_a_28(self):
        # A /28 has 13 addresses for servers: each delete must give its
        # address back for the next build.
        self.create_network('small', '10.0.0.0/28', uuid=SHARED)
        for _ in range(50):
            server = self.create_server()
            self.assertEqual(['small'], list(self.addresses(server['id'])))
            self.api.delete('servers/%s' % server['id'], status=204)
            self.wait_for_status(server['id'], 'DELETED')
        last = self.create_server()
        self.assertEqual('10.0.0.2',
                         self.addresses(last['id'])['small'][0]['addr'])
        self.assertEqual(1, len(self.allocated()))


class TestOmittedNetworks(NetworkTestCase):
    """The rule: the project's own networks if it has any, else the shared
    ones; one candidate is used, several are 409, none is no network."""

    def _picked(self, api=None):
        """The names of the networks a new server was connected to."""
        server = self.create_server(api=api)
        return sorted(server['addresses'])

    def test_no_network_at_all(self):
        self.assertEqual([], self._picked())

    def test_single_shared(self):
        self.create_network('public', '10.0.0.0/24')
        self.assertEqual(['public'], self._picked())

    def test_own_network_wins_over_shared(self):
        self.create_network('public', '10.0.0.0/24')
        self.create_network('mine', '10.1.0.0/24', project_id='demo')
        self.create_network('theirs', '10.2.0.0/24', project_id='evil')
        self.assertEqual(['mine'], self._picked())
        # Another project without a network of its own gets the shared one.
        self.assertEqual(['public'],
                         self._picked(api=self.api.as_user('bob', 'bob')))

    def test_ambiguous(self):
        message = ('More than one possible network found. Specify network '
                   'ID(s) to select which one(s) to connect to.')
        self.create_network('public', '10.0.0.0/24')
        self.create_network('public2', '10.1.0.0/24')
        resp = self.post_server(409)
        self.assertFault(resp, 'conflictingRequest', message)
        # An own network settles it ...
        self.create_network('mine', '10.2.0.0/24', project_id='demo')
        self.assertEqual(['mine'], self._picked())
        # ... but two own networks do not.
        self.create_network('mine2', '10.3.0.0/24', project_id='demo')
        self.assertFault(self.post_server(409), 'conflictingRequest',
                         message)
        self.assertEqual(1, len(self.api.get('servers').json['servers']))


class TestAddresses(NetworkTestCase):

    def setUp(self):
        super().setUp()
        self.create_network('public', '10.0.0.0/24', uuid=SHARED)
        self.create_network('mine', '192.168.7.0/24', uuid=OWN,
                            project_id='demo')
        self.server = self.create_server(
            name='web', networks=[{'uuid': SHARED}, {'uuid': OWN}])

    def test_detail_and_update_show_addresses(self):
        resp = self.api.get('servers/detail')
        validate(s21.list_servers_detail, resp)
        [server] = resp.json['servers']
        self.assertEqual({'public': ['10.0.0.2'], 'mine': ['192.168.7.2']},
                         {net: [a['addr'] for a in ips] for net, ips in
                          server['addresses'].items()})
        resp = self.api.put('servers/%s' % self.server['id'],
                            {'server': {'name': 'web2'}}, status=200)
        # Nova's update answer: the addresses without MAC and type.
        self.assertEqual({net: [{'version': a['version'], 'addr': a['addr']}
                                for a in ips]
                          for net, ips in server['addresses'].items()},
                         resp.json['server']['addresses'])

    def test_hidden_while_building(self):
        release = threading.Event()
        spawn = self.agent.driver.spawn

        def slow_spawn(*args, **kwargs):
            release.wait(10)
            return spawn(*args, **kwargs)

        self.agent.driver.spawn = slow_spawn
        self.addCleanup(release.set)
        resp = self.post_server(202, networks=[{'uuid': SHARED}])
        server_id = resp.json['server']['id']
        shown = self.api.get('servers/%s' % server_id).json['server']
        self.assertEqual('BUILD', shown['status'])
        self.assertEqual({}, shown['addresses'])
        detail = {s['id']: s for s in
                  self.api.get('servers/detail').json['servers']}
        self.assertEqual({}, detail[server_id]['addresses'])
        # /ips shows them, as Nova's does.
        self.assertEqual(
            {'public': [{'version': 4, 'addr': '10.0.0.3'}]},
            self.api.get('servers/%s/ips' % server_id).json['addresses'])
        release.set()
        active = self.wait_for_status(server_id, 'ACTIVE')
        self.assertEqual(['10.0.0.3'],
                         [a['addr'] for a in active['addresses']['public']])

    def test_hide_server_address_states(self):
        self.flags(hide_server_address_states=['active'], group='api')
        self.assertEqual({}, self.addresses(self.server['id']))
        self.flags(hide_server_address_states=[], group='api')
        self.assertEqual(2, len(self.addresses(self.server['id'])))

    def test_ips(self):
        path = 'servers/%s/ips' % self.server['id']
        resp = self.api.get(path, status=200)
        validate(s21.list_addresses, resp)
        self.assertEqual({'addresses': {
            'public': [{'version': 4, 'addr': '10.0.0.2'}],
            'mine': [{'version': 4, 'addr': '192.168.7.2'}]}}, resp.json)
        resp = self.api.get(path + '/public', status=200)
        validate(s21.list_addresses_by_network, resp)
        self.assertEqual({'public': [{'version': 4, 'addr': '10.0.0.2'}]},
                         resp.json)
        resp = self.api.get(path + '/nope', status=404)
        self.assertFault(resp, 'itemNotFound',
                         'Instance is not a member of specified network')
        # A reader may look; another project may not see the server.
        reader = self.api.as_user('peek', 'demo', roles=['reader'])
        reader.get(path, status=200)
        reader.get(path + '/mine', status=200)
        other = self.api.as_user('eve', 'evil')
        other.get(path, status=404)
        other.get(path + '/public', status=404)
        self.api.get('servers/%s/ips' % MISSING, status=404)

    def test_ip_filter(self):
        second = self.create_server(name='db', networks=[{'uuid': SHARED}])
        bob = self.create_server(api=self.api.as_user('bob', 'bob'),
                                 name='bob', networks=[{'uuid': SHARED}])

        def names(query, api=None):
            resp = (api or self.api).get('servers?' + query, status=200)
            return sorted(s['name'] for s in resp.json['servers'])

        self.assertEqual(['db', 'web'], names('ip=10.0.0'))
        self.assertEqual(['web'], names('ip=192.168'))
        self.assertEqual(['db'], names(r'ip=10\.0\.0\.3$'))
        self.assertEqual(['web'], names('ip=10.0.0.2'))
        self.assertEqual([], names('ip=0.0.2'))  # from the start
        # ip6 (a user filter from 2.5) finds nothing on IPv4 networks.
        self.assertEqual(['db', 'web'], names('ip6=.'))  # dropped < 2.5
        self.assertEqual([], names('ip6=.', self.api.as_user(
            'demo', version='2.5')))
        self.assertEqual(['bob', 'db', 'web'],
                         names('all_tenants=1&ip=10.0.0', self.admin_api))
        self.assertEqual(['bob'], names(r'all_tenants=1&ip=10\.0\.0\.4',
                                        self.admin_api))
        resp = self.api.get('servers/detail?ip=10.0.0.3', status=200)
        self.assertEqual([second['id']],
                         [s['id'] for s in resp.json['servers']])
        self.assertTrue(bob)


class TestOsNetworks(NetworkTestCase):

    def setUp(self):
        super().setUp()
        self.shared = self.create_network('public', '10.0.0.0/24',
                                          uuid=SHARED)
        self.create_network('mine', '192.168.7.0/29', uuid=OWN,
                            project_id='demo')
        self.create_network('theirs', '172.16.0.0/16', uuid=THEIRS,
                            project_id='evil')

    def test_list_as_member(self):
        networks = self.api.get('os-networks',
                                status=200).json['networks']
        self.assertEqual(['mine', 'public'], [n['label'] for n in networks])
        self.assertEqual({
            'id': OWN, 'label': 'mine', 'cidr': '192.168.7.0/29',
            'netmask': '255.255.255.248', 'gateway': '192.168.7.1',
            'broadcast': '192.168.7.7', 'dns1': None, 'dns2': None,
            'cidr_v6': None, 'gateway_v6': None, 'netmask_v6': None},
            networks[0])

    def test_gone_from_2_36(self):
        v236 = self.api.as_user('demo', version='2.36')
        for path in ('os-networks', 'os-networks/' + OWN):
            self.api.as_user('demo', version='2.35').get(path, status=200)
            resp = v236.get(path, status=404)
            self.assertEqual('The resource could not be found.',
                             resp.json['itemNotFound']['message'])
        # The removed nova-network routes stay Nova's 410.
        v236.post('os-networks/add', {'id': OWN}, status=410)

    def test_list_as_admin(self):
        networks = self.admin_api.get('os-networks',
                                      status=200).json['networks']
        self.assertEqual(['mine', 'public', 'theirs'],
                         [n['label'] for n in networks])
        public = networks[1]
        self.assertEqual(32, len(public))
        self.assertEqual('nlbr3cb9bc59', public['bridge'])
        self.assertEqual('10.0.0.2', public['dhcp_start'])
        self.assertIsNone(public['project_id'])
        self.assertEqual('evil', networks[2]['project_id'])
        self.assertFalse(public['deleted'])
        self.assertIsNone(public['deleted_at'])
        self.assertRegex(public['created_at'],
                         r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$')
        for field in ('vlan', 'mtu', 'host', 'dhcp_server', 'dns1'):
            self.assertIsNone(public[field])

    def test_show(self):
        resp = self.api.get('os-networks/%s' % SHARED, status=200)
        self.assertEqual('public', resp.json['network']['label'])
        self.assertEqual(SHARED, resp.json['network']['id'])
        self.assertNotIn('bridge', resp.json['network'])
        reader = self.api.as_user('peek', 'demo', roles=['reader'])
        reader.get('os-networks/%s' % OWN, status=200)
        admin = self.admin_api.get('os-networks/%s' % THEIRS, status=200)
        self.assertEqual('evil', admin.json['network']['project_id'])

    def test_show_not_found(self):
        for network in (THEIRS, MISSING, 'nope'):
            resp = self.api.get('os-networks/%s' % network, status=404)
            self.assertFault(resp, 'itemNotFound', 'Network not found')

    def test_removed_actions_are_gone(self):
        message = ('This resource is no longer available.  No forwarding '
                   'address is given.')
        for method, path, body in (
                ('POST', 'os-networks', {'network': {'label': 'x'}}),
                ('POST', 'os-networks/add', {'id': SHARED}),
                ('DELETE', 'os-networks/%s' % SHARED, None),
                ('POST', 'os-networks/%s/action' % SHARED,
                 {'disassociate': None})):
            resp = self.admin_api.request(method, path, body, status=410)
            self.assertFault(resp, 'computeFault', message)
        self.assertEqual(3, len(db.network_get_all(self.admin_context)))

    def test_policy(self):
        policy.get_enforcer().set_rules(oslo_policy.Rules.from_dict({
            'os_compute_api:os-networks:list': '!',
            'os_compute_api:os-networks:show': 'rule:context_is_admin',
        }), overwrite=False, use_conf=False)
        resp = self.api.get('os-networks', status=403)
        self.assertFault(resp, 'forbidden', "Policy doesn't allow "
                         "os_compute_api:os-networks:list to be performed.")
        self.api.get('os-networks/%s' % SHARED, status=403)
        self.admin_api.get('os-networks/%s' % SHARED, status=200)
