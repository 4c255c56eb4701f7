"""Fault injection with real processes: an agent killed mid-operation, the
message broker and the database taken away and given back.

The broker and the database are reached through a TcpProxy, so a test
cuts its own deployment's links without touching the shared servers.
"""

import json
import signal
import time
import urllib.error
import urllib.request

from novalite.tests.functional import base
from novalite.tests.functional import fixtures as func_fixtures
from novalite.tests.unit.db import test_migrations

# Every server must have settled this long after the fault is over.
SETTLE_SECONDS = 60
# The longest an API request may take while a service is away.
REQUEST_BOUND_SECONDS = 20


# libvirt's test driver has 3 GiB: room for more than six m1.tiny.
ROOMY = '[DEFAULT]\nram_allocation_ratio = 16.0\n'
# Reconnect to RabbitMQ within a second or two once it is back.
FAST_RECONNECT = ('[oslo_messaging_rabbit]\nrabbit_retry_interval = 1\n'
                  'rabbit_retry_backoff = 1\nrabbit_interval_max = 2\n')


class _FaultTestCase(base.FunctionalTestCase):

    def make_deployment(self):
        return func_fixtures.Deployment(compute_hosts=self.COMPUTE_HOSTS,
                                        extra_conf=ROOMY)

    def request(self, method, path, body=None, user='demo:demo',
                version='2.26'):
        """(status, parsed body, seconds) of one raw API request."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.deployment.url + '/v2.1/' + path, data=data, method=method,
            headers={'X-Auth-Token': user, 'Content-Type':
                     'application/json',
                     'OpenStack-API-Version': 'compute %s' % version})
        started = time.monotonic()
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        return (status, json.loads(raw) if raw else None,
                time.monotonic() - started)

    def create(self, name):
        return self.request('POST', 'servers', {'server': {
            'name': name, 'flavorRef': '1',
            'imageRef': func_fixtures.IMAGE_ID}})

    def assertFaultShape(self, status, body):
        self.assertEqual(1, len(body), body)
        fault = next(iter(body.values()))
        self.assertEqual(status, fault['code'])
        self.assertIsInstance(fault['message'], str)

    def servers(self):
        status, body, _ = self.request(
            'GET', 'servers/detail?all_tenants=1', user='admin:admin')
        self.assertEqual(200, status, body)
        return body['servers']

    def assertAllSettled(self, timeout=SETTLE_SECONDS):
        """Every server ends ACTIVE, SHUTOFF, or ERROR with a fault, with
        no task."""
        deadline = time.monotonic() + timeout
        while True:
            servers = self.servers()
            unsettled = [
                (s['id'], s['status'], s['OS-EXT-STS:task_state'])
                for s in servers
                if s['OS-EXT-STS:task_state'] is not None
                or s['status'] not in ('ACTIVE', 'SHUTOFF', 'ERROR')
                or (s['status'] == 'ERROR' and not s.get('fault'))]
            if not unsettled:
                return servers
            if time.monotonic() > deadline:
                self.fail('servers not settled %ds after the fault: %s'
                          % (timeout, unsettled))
            time.sleep(0.2)

    def assertNoLeaks(self):
        """No address or capacity held by a server that is gone."""
        self.assertEqual([], self.deployment.query(
            'SELECT f.address FROM fixed_ips f JOIN instances i ON '
            'f.instance_uuid = i.uuid WHERE i.deleted != 0'))
        self.assertEqual([], self.deployment.query(
            'SELECT f.address FROM fixed_ips f WHERE f.instance_uuid IS '
            'NOT NULL AND f.instance_uuid NOT IN (SELECT uuid FROM '
            'instances)'))


class TestAgentKilled(_FaultTestCase):
    """SIGKILL of novalite-compute in the middle of builds and deletes."""

    def make_deployment(self):
        # The agent reaches RabbitMQ through a proxy of its own, so that
        # its messages can be held back on the broker.
        self.proxy = self.useFixture(func_fixtures.TcpProxy(
            ('127.0.0.1', 5672)))
        return func_fixtures.Deployment(
            compute_hosts=self.COMPUTE_HOSTS,
            agent_transport_url='rabbit://guest:guest@127.0.0.1:%d/'
                                % self.proxy.port,
            extra_conf=ROOMY + FAST_RECONNECT)

    def _kill_while_busy(self, requests, begun):
        """Send ``requests`` while the agent cannot take them (they wait on
        the broker), let it take them, SIGKILL it as soon as ``begun``
        (some done, some under way, some still queued) and start it again.

        NOTE: not SIGSTOP: a frozen agent may hold SQLite's write lock,
        and every other writer would wait for it.
        """
        self.proxy.cut()
        for send in requests:
            send()
        self.proxy.restore()
        deadline = time.monotonic() + SETTLE_SECONDS
        while not begun():
            self.assertLess(time.monotonic(), deadline,
                            'the agent took no message')
            time.sleep(0.01)
        self.deployment.stop('compute-hv1', sig=signal.SIGKILL)
        self.deployment.start_compute('hv1')
        self.deployment.wait_for_computes()

    def test_kill_during_builds_and_deletes(self):
        ids = []

        def create(index):
            status, body, _ = self.create('burst-%d' % index)
            self.assertEqual(202, status, body)
            ids.append(body['server']['id'])

        self._kill_while_busy(
            [lambda i=i: create(i) for i in range(12)],
            begun=lambda: self.deployment.query(
                "SELECT COUNT(*) FROM instances WHERE deleted = 0 AND "
                "(task_state IS NULL OR task_state != 'scheduling')")[0][0])
        servers = self.assertAllSettled()
        self.assertEqual(sorted(ids), sorted(s['id'] for s in servers))
        # No fault but the agent's restart (there is room for all).
        for server in servers:
            if server['status'] == 'ERROR':
                self.assertIn('restarted', server['fault']['message'])

        def delete(server_id):
            status, body, _ = self.request('DELETE', 'servers/%s'
                                           % server_id)
            self.assertEqual(204, status, body)

        self._kill_while_busy(
            [lambda s=s: delete(s) for s in ids[:6]],
            begun=lambda: self.deployment.query(
                'SELECT COUNT(*) FROM instances WHERE deleted != 0')[0][0])
        deadline = time.monotonic() + SETTLE_SECONDS
        while {s['id'] for s in self.servers()} & set(ids[:6]):
            self.assertLess(time.monotonic(), deadline,
                            'deleted servers still listed')
            time.sleep(0.2)
        remaining = self.assertAllSettled()
        self.assertEqual(sorted(ids[6:]),
                         sorted(s['id'] for s in remaining))
        self.assertNoLeaks()
        # The agent works normally afterwards.
        status, body, _ = self.create('after')
        self.assertEqual(202, status, body)
        self.wait_for_status(self.user.servers, body['server']['id'],
                             'ACTIVE')


class TestBrokerCut(_FaultTestCase):
    """The API's and the agent's links to RabbitMQ cut during creates."""

    def make_deployment(self):
        self.proxy = self.useFixture(func_fixtures.TcpProxy(
            ('127.0.0.1', 5672)))
        return func_fixtures.Deployment(
            compute_hosts=self.COMPUTE_HOSTS,
            transport_url='rabbit://guest:guest@127.0.0.1:%d/'
                          % self.proxy.port,
            extra_conf=ROOMY + FAST_RECONNECT)

    def test_requests_fail_fast_and_everything_recovers(self):
        before = []
        for index in range(3):
            status, body, _ = self.create('before-%d' % index)
            self.assertEqual(202, status, body)
            before.append(body['server']['id'])
        for server_id in before:
            self.wait_for_status(self.user.servers, server_id, 'ACTIVE')

        self.proxy.cut()
        # A create during the cut: its build cannot be sent; the server
        # goes to ERROR with a fault at once instead of waiting in BUILD.
        status, body, seconds = self.create('during')
        self.assertEqual(202, status, body)
        self.assertLess(seconds, REQUEST_BOUND_SECONDS)
        during = body['server']['id']
        # An action during the cut: 503, and no task left set.
        status, body, seconds = self.request(
            'POST', 'servers/%s/action' % before[0], {'os-stop': None})
        self.assertEqual(503, status, body)
        self.assertFaultShape(503, body)
        self.assertLess(seconds, REQUEST_BOUND_SECONDS)
        server = self.user.servers.show_server(before[0])['server']
        self.assertEqual('ACTIVE', server['status'])
        self.assertIsNone(server['OS-EXT-STS:task_state'])
        # Reads do not need the broker.
        status, _, _ = self.request('GET', 'servers/detail')
        self.assertEqual(200, status)

        self.proxy.restore()
        # Both sides reconnect by themselves.
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            status, body, _ = self.request(
                'POST', 'servers/%s/action' % before[0], {'os-stop': None})
            if status == 202:
                break
            self.assertEqual(503, status, body)
            self.assertLess(time.monotonic(), deadline,
                            'the API did not reconnect to the broker')
            time.sleep(1)
        self.wait_for_status(self.user.servers, before[0], 'SHUTOFF',
                             timeout=SETTLE_SECONDS)
        after = []
        for index in range(3):
            status, body, _ = self.create('after-%d' % index)
            self.assertEqual(202, status, body)
            after.append(body['server']['id'])
        servers = {s['id']: s for s in self.assertAllSettled()}
        self.assertEqual('ERROR', servers[during]['status'])
        self.assertIn('fault', servers[during])
        for server_id in after:
            self.wait_for_status(self.user.servers, server_id, 'ACTIVE',
                                 timeout=SETTLE_SECONDS)
        self.assertNoLeaks()


class TestDatabaseCut(_FaultTestCase):
    """MariaDB taken away from the API and the agent for a few seconds."""

    def make_deployment(self):
        url = test_migrations.provision_database(self, 'mysql')
        self.proxy = self.useFixture(func_fixtures.TcpProxy(
            ('127.0.0.1', 3306)))
        proxied = url.replace('127.0.0.1/', '127.0.0.1:%d/'
                              % self.proxy.port)
        return func_fixtures.Deployment(compute_hosts=self.COMPUTE_HOSTS,
                                        database_url=proxied,
                                        extra_conf=ROOMY)

    def test_requests_fail_in_fault_shape_and_services_recover(self):
        status, body, _ = self.create('before')
        self.assertEqual(202, status, body)
        before = body['server']['id']
        self.wait_for_status(self.user.servers, before, 'ACTIVE')

        self.proxy.cut()
        for method, path, body in (
                ('GET', 'servers/detail', None),
                ('GET', 'servers/%s' % before, None),
                ('POST', 'servers', {'server': {
                    'name': 'during', 'flavorRef': '1',
                    'imageRef': func_fixtures.IMAGE_ID}}),
                ('POST', 'servers/%s/action' % before, {'os-stop': None})):
            status, answer, seconds = self.request(method, path, body)
            self.assertIn(status, (500, 503), (method, path, answer))
            self.assertFaultShape(status, answer)
            self.assertLess(seconds, REQUEST_BOUND_SECONDS)
        time.sleep(3)
        self.proxy.restore()

        # No restart: the same processes serve again.
        deadline = time.monotonic() + SETTLE_SECONDS
        while self.request('GET', 'servers')[0] != 200:
            self.assertLess(time.monotonic(), deadline,
                            'the API did not reconnect to the database')
            time.sleep(0.5)
        # Nothing half-written: the create that failed left no row.
        servers = self.assertAllSettled()
        self.assertEqual([before], [s['id'] for s in servers])
        self.assertEqual('ACTIVE', servers[0]['status'])
        status, body, _ = self.create('after')
        self.assertEqual(202, status, body)
        self.wait_for_status(self.user.servers, body['server']['id'],
                             'ACTIVE', timeout=SETTLE_SECONDS)
        status, body, _ = self.request(
            'POST', 'servers/%s/action' % before, {'os-stop': None})
        self.assertEqual(202, status, body)
        self.wait_for_status(self.user.servers, before, 'SHUTOFF')
        for process in self.deployment.processes.values():
            self.assertIsNone(process.poll())
