"""Several compute hosts, as a multi-host user runs them: one novalite-api
and three novalite-compute processes (fake driver, each its own ``host``,
capacity and zone), one RabbitMQ, one MariaDB database.

A host is put in a zone by its agent's own ``default_availability_zone``
(novalite has no host aggregates, Nova's way of zoning hosts): hv1 and
hv2 are in az1, hv3 in az2.
"""

import json
import signal
import time
import urllib.error
import urllib.request

import testtools

from novalite.tests.functional import base
from novalite.tests.functional import fixtures as func_fixtures
from novalite.tests.unit.db import test_migrations

# RAM (MiB) of each host, chosen so that "most free RAM" never ties in
# the sequence below (m1.tiny takes 512).
HOSTS = {'hv1': ('az1', 4096), 'hv2': ('az1', 2432), 'hv3': ('az2', 3328)}
# Seconds without a heartbeat after which a host is down (agents report
# every second).
DOWN_TIME = 5


class TestMultiHost(base.FunctionalTestCase):
    """One test method: the database is made once for the class's run."""

    COMPUTE_HOSTS = tuple(sorted(HOSTS))

    def make_deployment(self):
        url = test_migrations.provision_database(self, 'mysql')
        host_conf = {host: 'default_availability_zone = %s\n'
                           'fake_memory_mb = %d\n' % (zone, ram)
                     for host, (zone, ram) in HOSTS.items()}
        return func_fixtures.Deployment(
            compute_hosts=self.COMPUTE_HOSTS,
            compute_driver='fake.FakeDriver', database_url=url,
            host_conf=host_conf,
            extra_conf='[DEFAULT]\nservice_down_time = %d\n'
                       'ram_allocation_ratio = 1.0\n' % DOWN_TIME)

    def request(self, method, path, body=None, user='admin:admin',
                version='2.26', status=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.deployment.url + '/v2.1/' + path, data=data, method=method,
            headers={'X-Auth-Token': user,
                     'Content-Type': 'application/json',
                     'OpenStack-API-Version': 'compute %s' % version})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                code, raw = resp.status, resp.read()
        except urllib.error.HTTPError as e:
            code, raw = e.code, e.read()
        answer = json.loads(raw) if raw else None
        if status is not None:
            self.assertEqual(status, code, (method, path, answer))
        return answer

    def create(self, name, zone=None, user='demo:demo'):
        server = {'name': name, 'flavorRef': '1',
                  'imageRef': func_fixtures.IMAGE_ID}
        if zone:
            server['availability_zone'] = zone
        return self.request('POST', 'servers', {'server': server},
                            user=user, status=202)['server']['id']

    def show(self, server_id):
        return self.request('GET', 'servers/%s' % server_id,
                            status=200)['server']

    def host_of(self, server_id):
        """hv1, hv2 or hv3: where the server runs (as admin sees it)."""
        names = {self.deployment.host_name(h): h for h in HOSTS}
        return names.get(self.show(server_id)['OS-EXT-SRV-ATTR:host'])

    def service(self, host):
        services = self.request(
            'GET', 'os-services?host=%s' % self.deployment.host_name(host),
            status=200)['services']
        self.assertEqual(1, len(services))
        return services[0]

    def wait_for(self, what, predicate, timeout=30):
        deadline = time.monotonic() + timeout
        while not predicate():
            self.assertLess(time.monotonic(), deadline, what)
            time.sleep(0.2)

    def test_spread_zones_and_a_host_that_dies(self):
        started = time.monotonic()
        # Each on the host with the most free RAM of those it may use.
        placed = {}
        for name, zone, host in (('s1', None, 'hv1'),   # 4096 free
                                 ('s2', None, 'hv1'),   # 3584
                                 ('s3', None, 'hv3'),   # 3328 > hv1's 3072
                                 ('s4', 'az2', 'hv3'),  # hv1 has more
                                 ('s5', None, 'hv1')):  # 3072
            placed[name] = self.create(name, zone)
            self.assertEqual(host, self.host_of(placed[name]), name)
        for name, server_id in placed.items():
            self.wait_for_status(self.admin.servers, server_id, 'ACTIVE')
        zones = {name: self.show(server_id)['OS-EXT-AZ:availability_zone']
                 for name, server_id in placed.items()}
        self.assertEqual({'s1': 'az1', 's2': 'az1', 's3': 'az2',
                          's4': 'az2', 's5': 'az1'}, zones)
        for server_id in placed.values():
            self.assertEqual('UP', self.request(
                'GET', 'servers/%s' % server_id, version='2.16',
                status=200)['server']['host_status'])

        # hv1's agent dies (no goodbye): after service_down_time it is
        # down, its servers' host is UNKNOWN (Nova's DOWN is an operator's
        # force-down, below).
        self.deployment.stop('compute-hv1', signal.SIGKILL)
        self.wait_for('hv1 never went down', lambda: self.service(
            'hv1')['state'] == 'down', timeout=DOWN_TIME * 4)
        self.assertEqual('enabled', self.service('hv1')['status'])
        self.assertEqual('up', self.service('hv2')['state'])
        self.assertEqual('UNKNOWN', self.request(
            'GET', 'servers/%s' % placed['s1'], version='2.16',
            status=200)['server']['host_status'])
        self.assertEqual('UP', self.request(
            'GET', 'servers/%s' % placed['s3'], version='2.16',
            status=200)['server']['host_status'])

        # New builds never go there, though it has the most free RAM
        # (2560), in its zone too.
        for name, zone, host in (('s6', None, 'hv2'),   # 2432
                                 ('s7', 'az1', 'hv2'),  # hv1 is down
                                 ('s8', None, 'hv3')):  # 2304 > 1408
            placed[name] = self.create(name, zone)
            self.assertEqual(host, self.host_of(placed[name]), name)
            self.wait_for_status(self.admin.servers, placed[name], 'ACTIVE')

        # Its servers' actions answer as Nova's: a stop is cast all the
        # same (it waits in the host's queue, the task stays); a cold
        # migration needs the source host up (409); a delete is local.
        self.request('POST', 'servers/%s/action' % placed['s1'],
                     {'os-stop': None}, user='demo:demo', status=202)
        server = self.show(placed['s1'])
        self.assertEqual(('ACTIVE', 'powering-off'), (
            server['status'], server['OS-EXT-STS:task_state']))
        answer = self.request('POST', 'servers/%s/action' % placed['s5'],
                              {'migrate': None}, status=409)
        self.assertEqual('Service is unavailable at this time.',
                         answer['conflictingRequest']['message'])
        self.request('DELETE', 'servers/%s' % placed['s2'],
                     user='demo:demo', status=204)
        self.request('GET', 'servers/%s' % placed['s2'], status=404)

        # An operator forces it down: DOWN. An admin may still force a
        # build onto it (Nova's filters do not run for a forced host):
        # it waits in BUILD for the agent.
        self.request('PUT', 'os-services/force-down',
                     {'host': self.deployment.host_name('hv1'),
                      'binary': 'nova-compute', 'forced_down': True},
                     version='2.11', status=200)
        self.assertEqual('DOWN', self.request(
            'GET', 'servers/%s' % placed['s5'], version='2.16',
            status=200)['server']['host_status'])
        forced = self.create('forced', 'az1:%s'
                             % self.deployment.host_name('hv1'),
                             user='admin:admin')
        self.assertEqual('hv1', self.host_of(forced))
        time.sleep(1)
        self.assertEqual('BUILD', self.show(forced)['status'])
        self.assertEqual('ACTIVE', self.show(placed['s1'])['status'])

        for name in ('s3', 's6'):
            self.request('DELETE', 'servers/%s' % placed[name],
                         user='demo:demo', status=204)
            self.wait_for_deletion(self.admin.servers, placed[name])
        self.addDetail('seconds', testtools.content.text_content(
            '%.1f' % (time.monotonic() - started)))
