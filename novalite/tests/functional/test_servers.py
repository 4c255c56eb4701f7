"""The servers API end to end through tempest.lib's clients, which check
every response against Nova's response schemas."""

import json

from tempest.lib import exceptions as lib_exc

from novalite.tests.functional import base
from novalite.tests.functional import fixtures as func_fixtures


class TestServersLifecycle(base.FunctionalTestCase):

    def _lifecycle(self, version):
        self.set_microversion(version)
        servers = self.user.servers
        created = servers.create_server(
            name='func-%s' % version, flavorRef='1',
            imageRef=func_fixtures.IMAGE_ID,
            metadata={'k': 'v'})['server']
        self.assertIn('adminPass', created)
        server = self.wait_for_status(servers, created['id'], 'ACTIVE')
        self.assertEqual({'k': 'v'}, server['metadata'])
        self.assertEqual(1, server['OS-EXT-STS:power_state'])

        listed = servers.list_servers()['servers']
        self.assertIn(created['id'], [s['id'] for s in listed])
        detail = servers.list_servers(detail=True)['servers']
        self.assertEqual(['ACTIVE'], [s['status'] for s in detail
                                      if s['id'] == created['id']])

        kwargs = {'name': 'renamed'}
        if version == '2.26':
            kwargs['description'] = 'described'
        updated = servers.update_server(created['id'], **kwargs)['server']
        self.assertEqual('renamed', updated['name'])

        admin_view = self.admin.servers.show_server(created['id'])['server']
        self.assertEqual(self.deployment.host_name('hv1'),
                         admin_view['OS-EXT-SRV-ATTR:host'])

        servers.delete_server(created['id'])
        self.wait_for_deletion(servers, created['id'])
        deleted = self.admin.servers.list_servers(
            detail=True, all_tenants=1, deleted=True)['servers']
        self.assertEqual(['DELETED'], [s['status'] for s in deleted
                                       if s['id'] == created['id']])

    def test_lifecycle_2_1(self):
        self._lifecycle(None)

    def test_lifecycle_2_26(self):
        self._lifecycle('2.26')
        created = self.user.servers.create_server(
            name='tagged', flavorRef='1',
            imageRef=func_fixtures.IMAGE_ID)['server']
        self.user.servers.update_tag(created['id'], 'blue')
        self.assertEqual(['blue'], self.user.servers.list_tags(
            created['id'])['tags'])
        found = self.user.servers.list_servers(tags='blue')['servers']
        self.assertEqual([created['id']], [s['id'] for s in found])

    def test_actions_and_lock(self):
        servers = self.user.servers
        created = servers.create_server(name='acts', flavorRef='1',
                                        imageRef=func_fixtures.IMAGE_ID)
        server_id = created['server']['id']
        self.wait_for_status(servers, server_id, 'ACTIVE')
        servers.stop_server(server_id)
        self.wait_for_status(servers, server_id, 'SHUTOFF')
        servers.start_server(server_id)
        self.wait_for_status(servers, server_id, 'ACTIVE')
        servers.reboot_server(server_id, type='HARD')
        self.wait_for_status(servers, server_id, 'ACTIVE')
        output = servers.get_console_output(server_id)['output']
        self.assertEqual('', output)  # the test driver writes no log
        servers.lock_server(server_id)
        self.assertRaises(lib_exc.Conflict, servers.delete_server,
                          server_id)
        self.admin.servers.delete_server(server_id)
        self.wait_for_deletion(servers, server_id)

    def test_errors_keep_nova_shapes(self):
        servers = self.user.servers
        exc = self.assertRaises(lib_exc.BadRequest, servers.create_server,
                                name='x', flavorRef='424242',
                                imageRef=func_fixtures.IMAGE_ID)
        self.assertIn('Flavor 424242 could not be found.', str(exc))
        self.assertRaises(lib_exc.NotFound, servers.show_server,
                          '00000000-0000-0000-0000-000000000000')
        other = base.Clients(self.deployment.url, 'eve', 'eve')
        created = servers.create_server(name='mine', flavorRef='1',
                                        imageRef=func_fixtures.IMAGE_ID)
        self.assertRaises(lib_exc.NotFound, other.servers.show_server,
                          created['server']['id'])
        reader = base.Clients(self.deployment.url, 'demo', 'demo')
        reader.servers.auth_provider  # noqa: B018 (same project, member)

    def test_no_valid_host_and_agent_failure_go_to_error(self):
        servers = self.user.servers
        created = servers.create_server(name='huge', flavorRef='99',
                                        imageRef=func_fixtures.IMAGE_ID)
        server = self.wait_for_status(servers, created['server']['id'],
                                      'ERROR')
        self.assertEqual('No valid host was found. There are not enough '
                         'hosts available.', server['fault']['message'])
        # Remove the image file behind the agent's back: spawn fails on
        # the compute host and the server must end in ERROR with a fault.
        import glob
        import os
        for path in glob.glob(os.path.join(self.deployment.dir, 'images',
                                           '*')):
            os.unlink(path)
        created = servers.create_server(name='broken', flavorRef='1',
                                        imageRef=func_fixtures.IMAGE_ID)
        server = self.wait_for_status(servers, created['server']['id'],
                                      'ERROR')
        self.assertEqual(500, server['fault']['code'])
        self.assertEqual('FileNotFoundError', server['fault']['message'])
        admin_view = self.admin.servers.show_server(server['id'])['server']
        self.assertIn('No such file', admin_view['fault']['details'])


class TestOtherResources(base.FunctionalTestCase):

    def test_flavors_keypairs_limits(self):
        flavors = self.user.flavors.list_flavors(detail=True)['flavors']
        self.assertIn('m1.tiny', [f['name'] for f in flavors])
        self.user.flavors.show_flavor('1')
        key = self.user.keypairs.create_keypair(name='k1')['keypair']
        self.assertIn('private_key', key)
        self.assertEqual(['k1'], [k['keypair']['name'] for k in
                                  self.user.keypairs.list_keypairs()
                                  ['keypairs']])
        self.user.keypairs.delete_keypair('k1')
        absolute = self.user.limits.show_limits()['limits']['absolute']
        self.assertEqual(1000, absolute['maxTotalInstances'])


class TestTwoComputeHosts(base.FunctionalTestCase):

    COMPUTE_HOSTS = ('hv1', 'hv2')

    def test_servers_spread_and_survive_an_agent_restart(self):
        servers = self.user.servers
        ids = [servers.create_server(name='s%d' % i, flavorRef='1',
                                     imageRef=func_fixtures.IMAGE_ID)
               ['server']['id'] for i in range(4)]
        hosts = set()
        for server_id in ids:
            self.wait_for_status(servers, server_id, 'ACTIVE')
            hosts.add(self.admin.servers.show_server(server_id)['server']
                      ['OS-EXT-SRV-ATTR:host'])
        self.assertEqual({self.deployment.host_name('hv1'),
                          self.deployment.host_name('hv2')}, hosts)

    def test_each_agent_tells_its_uptime(self):
        # An RPC call (1.3) to each agent process over the broker.
        hypervisors = self.admin.hypervisors
        listed = hypervisors.list_hypervisors()['hypervisors']
        self.assertEqual(2, len(listed))
        for hypervisor in listed:
            uptime = hypervisors.show_hypervisor_uptime(
                hypervisor['id'])['hypervisor']['uptime']
            self.assertRegex(uptime, r' up .*load average: ')
        # NOTE: raw, as tempest has no schema of 2.88 (its newest rejects
        # the uptime key).
        self.set_microversion('2.88')
        _resp, body = hypervisors.get('os-hypervisors/detail')
        detail = json.loads(body)['hypervisors']
        self.assertEqual(2, len([h for h in detail
                                 if ' up ' in (h['uptime'] or '')]))
