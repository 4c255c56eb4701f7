"""Functional tests: real processes, real broker, real clients."""

import time

import testtools

from tempest.lib.services.compute import base_compute_client
from tempest.lib.services.compute import flavors_client
from tempest.lib.services.compute import hypervisor_client
from tempest.lib.services.compute import keypairs_client
from tempest.lib.services.compute import limits_client
from tempest.lib.services.compute import networks_client
from tempest.lib.services.compute import servers_client

from novalite.tests import fixtures as nl_fixtures
from novalite.tests.functional import fixtures as func_fixtures


class Clients:
    def __init__(self, url, user, project):
        provider = func_fixtures.NoAuthProvider(url, user, project)
        kwargs = dict(build_interval=0.05, build_timeout=30)
        self.servers = servers_client.ServersClient(provider, 'compute',
                                                    'RegionOne', **kwargs)
        self.flavors = flavors_client.FlavorsClient(provider, 'compute',
                                                    'RegionOne', **kwargs)
        self.keypairs = keypairs_client.KeyPairsClient(
            provider, 'compute', 'RegionOne', **kwargs)
        self.limits = limits_client.LimitsClient(provider, 'compute',
                                                 'RegionOne', **kwargs)
        self.networks = networks_client.NetworksClient(
            provider, 'compute', 'RegionOne', **kwargs)
        self.hypervisors = hypervisor_client.HypervisorClient(
            provider, 'compute', 'RegionOne', **kwargs)


class FunctionalTestCase(testtools.TestCase):

    COMPUTE_HOSTS = ('hv1',)

    def setUp(self):
        super().setUp()
        self.require(func_fixtures.rabbit_available(),
                     'RabbitMQ is not running on 127.0.0.1:5672')
        nl_fixtures.require_test_backend(self)
        self.deployment = self.useFixture(self.make_deployment())
        self.addOnException(self._dump_logs)
        self.user = Clients(self.deployment.url, 'demo', 'demo')
        self.admin = Clients(self.deployment.url, 'admin', 'admin')
        self.set_microversion(None)

    def make_deployment(self):
        return func_fixtures.Deployment(compute_hosts=self.COMPUTE_HOSTS)

    def require(self, ok, why):
        nl_fixtures.require(self, ok, why)

    def _dump_logs(self, exc_info):
        for name in self.deployment.processes:
            self.addDetail('%s.log' % name, testtools.content.text_content(
                self.deployment.log(name)))

    def set_microversion(self, version):
        # tempest.lib picks its response schemas from this module global.
        base_compute_client.COMPUTE_MICROVERSION = version
        self.addCleanup(setattr, base_compute_client,
                        'COMPUTE_MICROVERSION', None)

    def wait_for_status(self, client, server_id, status, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            server = client.show_server(server_id)['server']
            if server['status'] == status and \
                    server.get('OS-EXT-STS:task_state') is None:
                return server
            if time.monotonic() > deadline:
                self.fail('server %s stuck in %s (wanted %s): %s'
                          % (server_id, server['status'], status, server))
            time.sleep(0.05)

    def wait_for_deletion(self, client, server_id, timeout=30):
        from tempest.lib import exceptions as lib_exc
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.show_server(server_id)
            except lib_exc.NotFound:
                return
            if time.monotonic() > deadline:
                self.fail('server %s was not deleted' % server_id)
            time.sleep(0.05)
