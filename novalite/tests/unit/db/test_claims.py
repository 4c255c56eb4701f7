"""Creates claim their host's room atomically, on every backend.

Several API requests (threads here; processes or mod_wsgi daemons in
production) create servers on one compute host at once. The host's room
is claimed in the transaction that inserts the servers
(``db.instance_create_claimed``), so exactly as many get the host as fit
and the others fail with NoValidHost: the host is never overcommitted.
"""

import threading

from novalite.compute import api as compute_api
from novalite.compute import utils as compute_utils
from novalite import context as nl_context
from novalite.db import api as db
from novalite import exception
from novalite.tests import base
from novalite.tests import fixtures as nl_fixtures
from novalite.tests.unit.db import test_migrations

HOST = 'claimed-host'
FITS = 3        # servers of the flavor the host has room for (vCPUs)
REQUESTS = 12   # concurrent creates


def _user_context(index):
    return nl_context.RequestContext(
        user_id='user%d' % index, project_id='project%d' % index,
        roles=['member'], is_admin=False)


def _one_small_host(test):
    """Exact ratios, an m1.tiny-like flavor, an image, and one compute
    host with room for FITS such servers (by vCPUs)."""
    test.flags(cpu_allocation_ratio=1.0, ram_allocation_ratio=1.0,
               disk_allocation_ratio=1.0, reserved_host_memory_mb=0)
    test.flavor = test.create_flavor(vcpus=1, memory_mb=512, root_gb=1)
    test.image = test.create_image()
    db.service_report(test.admin_context, HOST, compute_utils.BINARY,
                      'compute', {'vcpus': FITS, 'memory_mb': 65536,
                                  'local_gb': 1000}, 'nova')


class _ClaimsMixin:

    BACKEND = None

    def setUp(self):
        super().setUp()
        if self.BACKEND != 'sqlite':
            url = test_migrations.provision_database(self, self.BACKEND)
            self.db = self.useFixture(nl_fixtures.Database(connection=url))
        _one_small_host(self)

    def test_concurrent_creates_never_overcommit(self):
        api = compute_api.API()
        start = threading.Barrier(REQUESTS + 1)
        done = threading.Event()
        errors, peak = [], [0]

        def create(index):
            try:
                context = _user_context(index)
                start.wait()
                api.create(context, compute_api.RequestSpec(
                    name='racer%d' % index,
                    flavor_id=self.flavor['flavorid'],
                    image_ref=self.image['id'], requested_networks=[]))
            except Exception as e:  # noqa: B902 - any error fails the test
                errors.append(e)

        def watch():
            # The host's usage, sampled while the creates run.
            start.wait()
            while not done.is_set():
                used = db.instance_usage_by_host(self.admin_context)
                peak[0] = max(peak[0], used.get(HOST, (0, 0, 0))[0])

        threads = [threading.Thread(target=create, args=(i,))
                   for i in range(REQUESTS)]
        watcher = threading.Thread(target=watch)
        for thread in threads + [watcher]:
            thread.start()
        for thread in threads:
            thread.join()
        done.set()
        watcher.join()
        self.assertEqual([], errors)

        servers = db.instance_get_all_by_filters_sort(
            self.admin_context, {}, extras=('fault',))
        self.assertEqual(REQUESTS, len(servers))
        placed = [s for s in servers if s['host'] == HOST]
        failed = [s for s in servers if s['host'] is None]
        self.assertEqual(FITS, len(placed),
                         'servers placed on a host with room for %d' % FITS)
        self.assertEqual(REQUESTS - FITS, len(failed))
        for server in placed:
            self.assertEqual(('building', 'scheduling'),
                             (server['vm_state'], server['task_state']))
        for server in failed:
            self.assertEqual(('error', None),
                             (server['vm_state'], server['task_state']))
            self.assertEqual('No valid host was found. There are not '
                             'enough hosts available.',
                             server['fault']['message'])
        self.assertEqual({HOST: (FITS, FITS * 512, FITS)},
                         db.instance_usage_by_host(self.admin_context))
        self.assertLessEqual(peak[0], FITS)


class SQLiteClaimsTest(_ClaimsMixin, base.TestCase):
    BACKEND = 'sqlite'


class MySQLClaimsTest(_ClaimsMixin, base.TestCase):
    BACKEND = 'mysql'


class PostgreSQLClaimsTest(_ClaimsMixin, base.TestCase):
    BACKEND = 'postgresql'


class AbsurdCountTest(base.TestCase):
    """min_count/max_count far beyond what can be had cost nothing."""

    HUGE = 10 ** 12   # [None] * HUGE alone would need 8 TB

    def setUp(self):
        super().setUp()
        _one_small_host(self)
        self.context = _user_context(1)

    def create(self, min_count, max_count):
        return compute_api.API().create(
            self.context, compute_api.RequestSpec(
                name='many', flavor_id=self.flavor['flavorid'],
                image_ref=self.image['id'], min_count=min_count,
                max_count=max_count, requested_networks=[]))

    def servers(self):
        return db.instance_get_all_by_filters_sort(
            self.admin_context, {}, extras=('fault',))

    def test_over_quota_is_refused_before_anything(self):
        self.flags(instances=2, group='quota')
        e = self.assertRaises(exception.TooManyInstances, self.create,
                              self.HUGE, self.HUGE)
        self.assertEqual(403, e.code)
        self.assertEqual([], self.servers())
        # max_count is trimmed to the quota.
        instances, _ = self.create(1, self.HUGE)
        self.assertEqual([HOST] * 2, [i['host'] for i in instances])

    def test_unlimited_quota_max_count_is_no_valid_host(self):
        # All of max_count must fit, as in Nova; the ERROR servers are as
        # many as the hosts could ever hold, not 10**12.
        self.flags(instances=-1, cores=-1, ram=-1, group='quota')
        instances, _ = self.create(1, self.HUGE)
        self.assertEqual([None] * FITS, [i['host'] for i in instances])
        self.assertEqual(['many-1', 'many-2', 'many-3'],
                         [i['display_name'] for i in instances])
        self.assertEqual(FITS, len(self.servers()))

    def test_unlimited_quota_min_count_is_no_valid_host(self):
        self.flags(instances=-1, cores=-1, ram=-1, group='quota')
        instances, _ = self.create(self.HUGE, self.HUGE)
        # As many servers in ERROR as the hosts could ever hold, not one
        # per server asked for.
        servers = self.servers()
        self.assertEqual(FITS, len(servers))
        self.assertEqual(sorted(i['uuid'] for i in instances),
                         sorted(s['uuid'] for s in servers))
        for server in servers:
            self.assertEqual((None, 'error'),
                             (server['host'], server['vm_state']))
            self.assertEqual('No valid host was found. There are not '
                             'enough hosts available.',
                             server['fault']['message'])
