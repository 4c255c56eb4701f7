"""Server group policies in host selection, and concurrent creates into
one group on every backend.

The scheduler tests give ``scheduler.place`` a group as the claim reads
it ({'policy', 'hosts': {host: members there}}). The claim tests run
creates through ``compute.API`` in threads, as several API requests
would, on compute hosts that have room to spare: only the group's
policy can refuse a host.
"""

import collections
import threading

from novalite.compute import api as compute_api
from novalite.compute import scheduler
from novalite.compute import server_groups
from novalite.compute import utils as compute_utils
from novalite import context as nl_context
from novalite.db import api as db
from novalite import exception
from novalite.tests import base
from novalite.tests import fixtures as nl_fixtures
from novalite.tests.unit.db import test_migrations

TINY = {'vcpus': 1, 'memory_mb': 512, 'root_gb': 1, 'ephemeral_gb': 0,
        'swap': 0}
NO_HOST = 'No valid host was found. There are not enough hosts available.'


def _exact_ratios(test):
    test.flags(service_down_time=60, cpu_allocation_ratio=1.0,
               ram_allocation_ratio=1.0, disk_allocation_ratio=1.0,
               reserved_host_memory_mb=0)


def _add_host(test, host, vcpus=8, memory_mb=8192, local_gb=100, az='nova'):
    db.service_report(test.admin_context, host, compute_utils.BINARY,
                      'compute', {'vcpus': vcpus, 'memory_mb': memory_mb,
                                  'local_gb': local_gb}, az)


class GroupPolicyTest(base.TestCase):
    """``scheduler.place`` with a group."""

    def setUp(self):
        super().setUp()
        _exact_ratios(self)
        # Free RAM orders them when nothing else does: c, b, a.
        _add_host(self, 'a', memory_mb=4096)
        _add_host(self, 'b', memory_mb=6144)
        _add_host(self, 'c', memory_mb=8192)

    def select(self, policy, members=None, count=1, flavor=TINY, **kwargs):
        services = db.service_get_all(self.admin_context,
                                      binary=compute_utils.BINARY)
        usage = db.instance_usage_by_host(self.admin_context)
        group = {'policy': policy, 'hosts': dict(members or {})}
        return [s['host'] for s in scheduler.place(
            services, usage, flavor, count, group=group, **kwargs)]

    def assertNoHost(self, *args, **kwargs):
        e = self.assertRaises(exception.NoValidHost, self.select, *args,
                              **kwargs)
        self.assertEqual(NO_HOST, e.message)
        return e

    def test_anti_affinity_never_a_members_host(self):
        self.assertEqual(['c'], self.select('anti-affinity'))
        self.assertEqual(['b'], self.select('anti-affinity', {'c': 1}))
        self.assertEqual(['a'], self.select('anti-affinity',
                                            {'c': 1, 'b': 2}))
        self.assertNoHost('anti-affinity', {'a': 1, 'b': 1, 'c': 1})

    def test_anti_affinity_spreads_a_multi_create(self):
        # As Nova: each server of the request avoids the ones before it.
        self.assertEqual(['c', 'b', 'a'],
                         self.select('anti-affinity', count=3))
        self.assertEqual(['b', 'a'],
                         self.select('anti-affinity', {'c': 1}, count=2))
        # One host per server or none at all; the ERROR servers are the
        # count asked for.
        e = self.assertNoHost('anti-affinity', count=4)
        self.assertEqual(4, e.kwargs['servers'])
        self.assertNoHost('anti-affinity', {'c': 1}, count=3)

    def test_anti_affinity_with_a_forced_host(self):
        # A forced host is no exception (Nova's compute refuses it late).
        self.assertEqual(['a'], self.select('anti-affinity', force_host='a'))
        self.assertNoHost('anti-affinity', {'a': 1}, force_host='a')

    def test_affinity_on_the_members_host(self):
        # No member yet: the host with the most free RAM ...
        self.assertEqual(['c'], self.select('affinity'))
        # ... then the members' host, whatever the others have.
        self.assertEqual(['a', 'a'], self.select('affinity', {'a': 1},
                                                 count=2))
        big = dict(TINY, memory_mb=5000)
        self.assertNoHost('affinity', {'a': 1}, flavor=big)
        self.assertNoHost('affinity', {'a': 1}, availability_zone='elsewhere')

    def test_affinity_keeps_a_multi_create_together(self):
        # Five servers of 1 GiB: only b and c have room for all of them.
        gib = dict(TINY, memory_mb=1024)
        self.assertEqual(['c'] * 5, self.select('affinity', count=5,
                                                flavor=gib))
        self.assertEqual(['b'] * 6, self.select('affinity', count=6,
                                                flavor=gib,
                                                force_host='b'))
        # Nine fit on the three hosts, but on no one host.
        e = self.assertNoHost('affinity', count=9, flavor=gib)
        self.assertEqual(9, e.kwargs['servers'])

    def test_affinity_with_members_on_a_dead_host(self):
        db.service_update(self.admin_context, 'a', compute_utils.BINARY,
                          {'forced_down': True})
        self.assertNoHost('affinity', {'a': 1})
        self.assertEqual(['c'], self.select('anti-affinity', {'b': 1}))

    def test_soft_affinity_prefers_the_members_host(self):
        self.assertEqual(['c'], self.select('soft-affinity'))
        self.assertEqual(['a', 'a'], self.select('soft-affinity', {'a': 1},
                                                 count=2))
        # The most members wins; full, the next best: never a refusal.
        self.assertEqual(['b'], self.select('soft-affinity',
                                            {'a': 1, 'b': 2}))
        big = dict(TINY, memory_mb=5000)
        self.assertEqual(['c'], self.select('soft-affinity', {'a': 1},
                                            flavor=big))

    def test_soft_anti_affinity_prefers_other_hosts(self):
        self.assertEqual(['c', 'b', 'a'],
                         self.select('soft-anti-affinity', count=3))
        self.assertEqual(['a'], self.select('soft-anti-affinity',
                                            {'c': 1, 'b': 1}))
        # More servers than hosts: spread as evenly as room allows.
        placed = self.select('soft-anti-affinity', {'c': 1}, count=5)
        self.assertEqual({'a': 2, 'b': 2, 'c': 1},
                         dict(collections.Counter(placed)))
        # Every host has members: the fewest, then the most free RAM.
        self.assertEqual(['b'], self.select('soft-anti-affinity',
                                            {'a': 2, 'b': 1, 'c': 2}))

    def test_no_group_is_the_plain_spread(self):
        services = db.service_get_all(self.admin_context,
                                      binary=compute_utils.BINARY)
        self.assertEqual(['c', 'c', 'b'], [s['host'] for s in scheduler.place(
            services, {}, dict(TINY, memory_mb=2048), 3)])


def _context(user, project='project1'):
    return nl_context.RequestContext(user_id=user, project_id=project,
                                     roles=['member'], is_admin=False)


class _GroupClaimsMixin:
    """Concurrent creates into one group: the policy holds however the
    requests interleave (see db.instance_create_claimed)."""

    BACKEND = None
    REQUESTS = 6

    def setUp(self):
        super().setUp()
        if self.BACKEND != 'sqlite':
            url = test_migrations.provision_database(self, self.BACKEND)
            self.db = self.useFixture(nl_fixtures.Database(connection=url))
        _exact_ratios(self)
        self.flags(instances=-1, cores=-1, ram=-1, server_groups=-1,
                   server_group_members=-1, group='quota')
        self.flavor = self.create_flavor()
        self.image = self.create_image()
        self.api = compute_api.API()

    def race(self, group, zones=None):
        """REQUESTS creates at once into ``group`` (one server each, the
        i-th in ``zones[i]`` if given); the servers, by name."""
        start = threading.Barrier(self.REQUESTS)
        errors = []

        def create(index):
            try:
                context = _context('user%d' % index)
                start.wait()
                self.api.create(context, compute_api.RequestSpec(
                    name='racer%d' % index,
                    flavor_id=self.flavor['flavorid'],
                    image_ref=self.image['id'], requested_networks=[],
                    availability_zone=zones[index] if zones else None,
                    scheduler_hints={'group': group['uuid']}))
            except Exception as e:  # noqa: B902 - any error fails the test
                errors.append(e)

        threads = [threading.Thread(target=create, args=(i,))
                   for i in range(self.REQUESTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual([], errors)
        servers = db.instance_get_all_by_filters_sort(
            self.admin_context, {}, extras=('fault',))
        self.assertEqual(self.REQUESTS, len(servers))
        # Every server of the race joined the group, placed or not.
        members = server_groups.get(self.admin_context,
                                    group['uuid'])['members']
        self.assertEqual(sorted(s['uuid'] for s in servers),
                         sorted(members))
        return servers

    def assertFailed(self, servers):
        for server in servers:
            self.assertEqual((None, 'error'),
                             (server['host'], server['vm_state']))
            self.assertEqual(NO_HOST, server['fault']['message'])

    def test_concurrent_creates_into_an_anti_affinity_group(self):
        for host in ('h1', 'h2', 'h3'):
            _add_host(self, host)
        group = server_groups.create(_context('owner'), 'spread',
                                     'anti-affinity')
        servers = self.race(group)
        placed = [s['host'] for s in servers if s['host']]
        # One server per host, never two: the others found no host.
        self.assertEqual(['h1', 'h2', 'h3'], sorted(placed))
        self.assertFailed([s for s in servers if not s['host']])

    def test_concurrent_creates_into_an_affinity_group_by_zone(self):
        # Each request locks only its zone's service: the group's row
        # orders them, so the first one's host binds all the others.
        zones = ['az%d' % (i % 3) for i in range(self.REQUESTS)]
        for index in range(3):
            _add_host(self, 'h%d' % index, az='az%d' % index)
        group = server_groups.create(_context('owner'), 'together',
                                     'affinity')
        servers = self.race(group, zones)
        placed = [s for s in servers if s['host']]
        hosts = {s['host'] for s in placed}
        self.assertEqual(1, len(hosts), placed)
        zone = 'az' + hosts.pop()[1:]
        # Exactly the requests of that zone got it.
        self.assertEqual(self.REQUESTS // 3, len(placed))
        for server in placed:
            self.assertEqual(zone, server['availability_zone'])
        self.assertFailed([s for s in servers if not s['host']])


class SQLiteGroupClaimsTest(_GroupClaimsMixin, base.TestCase):
    BACKEND = 'sqlite'


class MySQLGroupClaimsTest(_GroupClaimsMixin, base.TestCase):
    BACKEND = 'mysql'


class PostgreSQLGroupClaimsTest(_GroupClaimsMixin, base.TestCase):
    BACKEND = 'postgresql'
