"""Host selection on a real database of compute services."""

import datetime
import uuid

from novalite.compute import scheduler
from novalite.compute import utils as compute_utils
from novalite.db import api as db
from novalite import exception
from novalite.tests import base

TINY = {'vcpus': 1, 'memory_mb': 512, 'root_gb': 1, 'ephemeral_gb': 0,
        'swap': 0}


class SchedulerTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.flags(service_down_time=60, cpu_allocation_ratio=1.0,
                   ram_allocation_ratio=1.0, disk_allocation_ratio=1.0,
                   reserved_host_memory_mb=0)
        self.ctxt = self.admin_context

    def add_host(self, host, vcpus=4, memory_mb=4096, local_gb=100,
                 az='nova', binary=compute_utils.BINARY, **values):
        db.service_report(self.ctxt, host, binary, 'compute',
                          {'vcpus': vcpus, 'memory_mb': memory_mb,
                           'local_gb': local_gb}, az)
        if values:
            db.service_update(self.ctxt, host, binary, values)

    def use(self, host, vcpus=0, memory_mb=0, root_gb=0, **values):
        row = dict(uuid=str(uuid.uuid4()), project_id='p1', user_id='u1',
                   vm_state='active', host=host, vcpus=vcpus,
                   memory_mb=memory_mb, root_gb=root_gb)
        row.update(values)
        return db.instance_create(self.ctxt, row)

    def select(self, flavor=TINY, count=1, **kwargs):
        services = db.service_get_all(self.ctxt,
                                      binary=compute_utils.BINARY)
        usage = db.instance_usage_by_host(self.ctxt)
        return [service['host'] for service in scheduler.place(
            services, usage, flavor, count, **kwargs)]

    def test_most_free_ram_wins(self):
        self.add_host('a', memory_mb=2048)
        self.add_host('b', memory_mb=8192)
        self.add_host('c', memory_mb=4096)
        self.assertEqual(['b'], self.select())
        self.use('b', memory_mb=6144)
        self.assertEqual(['c'], self.select())

    def test_spreads_several_servers(self):
        self.add_host('a', memory_mb=2048)
        self.add_host('b', memory_mb=2048)
        self.assertEqual(sorted(['a', 'b', 'a', 'b']),
                         sorted(self.select(count=4)))
        e = self.assertRaises(exception.NoValidHost, self.select, count=9)
        self.assertEqual('No valid host was found. There are not enough '
                         'hosts available.', e.message)
        self.assertEqual(500, e.code)

    def test_all_of_the_count_must_fit(self):
        # As Nova's scheduler: the count the quota allowed, all or none
        # (min_count does not lower it: test_claims.AbsurdCountTest).
        self.add_host('a', vcpus=2)
        self.add_host('b', vcpus=1)
        self.assertEqual(['b', 'a', 'a'], self.select(count=3))
        self.assertEqual(['b', 'a'], self.select(count=2))
        e = self.assertRaises(exception.NoValidHost, self.select, count=5)
        self.assertEqual(3, e.kwargs['servers'])
        e = self.assertRaises(exception.NoValidHost, self.select,
                              count=10 ** 12)
        # ERROR servers to record: no more than the hosts could hold.
        self.assertEqual(3, e.kwargs['servers'])
        self.use('a', vcpus=2)
        self.use('b', vcpus=1)
        e = self.assertRaises(exception.NoValidHost, self.select, count=2)
        self.assertEqual(2, e.kwargs['servers'])
        e = self.assertRaises(exception.NoValidHost, self.select,
                              count=10 ** 12)
        self.assertEqual(3, e.kwargs['servers'])

    def test_no_hosts(self):
        e = self.assertRaises(exception.NoValidHost, self.select, count=5)
        self.assertEqual(1, e.kwargs['servers'])

    def test_dead_hosts_skipped(self):
        self.flags(service_down_time=10)
        self.add_host('alive', memory_mb=1024)
        self.add_host('dead', memory_mb=8192)
        db.service_update(self.ctxt, 'dead', compute_utils.BINARY, {
            'last_seen_up': db.utcnow() - datetime.timedelta(seconds=11)})
        self.assertEqual(['alive'], self.select())
        # Just within service_down_time is alive.
        db.service_update(self.ctxt, 'dead', compute_utils.BINARY, {
            'last_seen_up': db.utcnow() - datetime.timedelta(seconds=5)})
        self.assertEqual(['dead'], self.select())

    def test_never_reported_is_dead(self):
        self.add_host('quiet', memory_mb=8192, last_seen_up=None)
        self.assertRaises(exception.NoValidHost, self.select)

    def test_disabled_and_forced_down_skipped(self):
        self.add_host('ok', memory_mb=1024)
        self.add_host('off', memory_mb=8192, disabled=True,
                      disabled_reason='maintenance')
        self.add_host('down', memory_mb=8192, forced_down=True)
        self.assertEqual(['ok'], self.select())

    def test_other_binaries_ignored(self):
        self.add_host('api', memory_mb=8192, binary='novalite-api')
        self.assertRaises(exception.NoValidHost, self.select)

    def test_availability_zone(self):
        self.add_host('a1', memory_mb=1024, az='az1')
        self.add_host('a2', memory_mb=8192, az='az2')
        self.assertEqual(['a1'], self.select(availability_zone='az1'))
        self.assertEqual(['a2'], self.select(availability_zone='az2'))
        self.assertEqual(['a2'], self.select())
        self.assertRaises(exception.NoValidHost, self.select,
                          availability_zone='az3')

    def test_forced_host(self):
        self.add_host('small', memory_mb=1024)
        self.add_host('big', memory_mb=8192)
        self.assertEqual(['small', 'small'],
                         self.select(count=2, force_host='small'))
        self.assertRaises(exception.NoValidHost, self.select,
                          force_host='nowhere')
        # A forced host must still have room (Nova's placement).
        self.assertRaises(exception.NoValidHost, self.select, count=3,
                          force_host='small')

    def test_forced_host_skips_the_filters(self):
        # As Nova's host manager: no filter runs for a forced host, so one
        # that stopped reporting or was forced down still gets the server
        # (ComputeFilter skipped). Placement's checks stay: it must exist,
        # not be disabled (the COMPUTE_STATUS_DISABLED trait), have room,
        # and be in the zone searched.
        self.flags(service_down_time=10)
        self.add_host('silent', memory_mb=1024, az='az1')
        self.add_host('other', memory_mb=8192, az='az2')
        db.service_update(self.ctxt, 'silent', compute_utils.BINARY, {
            'last_seen_up': db.utcnow() - datetime.timedelta(seconds=60)})
        self.assertRaises(exception.NoValidHost, self.select,
                          availability_zone='az1')
        self.assertEqual(['silent'], self.select(force_host='silent'))
        self.assertEqual(['silent'], self.select(
            force_host='silent', availability_zone='az1'))
        db.service_update(self.ctxt, 'silent', compute_utils.BINARY,
                          {'forced_down': True})
        self.assertEqual(['silent', 'silent'],
                         self.select(count=2, force_host='silent'))
        self.assertRaises(exception.NoValidHost, self.select, count=3,
                          force_host='silent')
        self.assertRaises(exception.NoValidHost, self.select,
                          force_host='silent', availability_zone='az2')
        db.service_update(self.ctxt, 'silent', compute_utils.BINARY,
                          {'disabled': True})
        self.assertRaises(exception.NoValidHost, self.select,
                          force_host='silent')

    def test_vcpu_capacity_and_ratio(self):
        self.add_host('h', vcpus=2, memory_mb=65536)
        self.use('h', vcpus=2)
        flavor = dict(TINY, vcpus=2)
        self.assertRaises(exception.NoValidHost, self.select, flavor)
        self.flags(cpu_allocation_ratio=2.0)
        self.assertEqual(['h'], self.select(flavor))
        self.assertRaises(exception.NoValidHost, self.select, flavor,
                          count=2)

    def test_ram_capacity_ratio_and_reserved(self):
        self.add_host('h', memory_mb=2048)
        self.use('h', memory_mb=1024)
        flavor = dict(TINY, memory_mb=1024)
        self.assertEqual(['h'], self.select(flavor))
        self.flags(reserved_host_memory_mb=512)
        self.assertRaises(exception.NoValidHost, self.select, flavor)
        # (2048 - 512) * 1.5 - 1024 = 1280 free.
        self.flags(ram_allocation_ratio=1.5)
        self.assertEqual(['h'], self.select(flavor))

    def test_disk_capacity_counts_ephemeral_and_swap(self):
        self.add_host('h', local_gb=10)
        self.use('h', root_gb=5, ephemeral_gb=2, swap=1)
        # Used: 5 + 2 + 1 (swap rounded up to a GiB) = 8; 2 left.
        self.assertEqual(['h'], self.select(dict(TINY, root_gb=2)))
        self.assertRaises(exception.NoValidHost, self.select,
                          dict(TINY, root_gb=2, swap=1))
        self.assertRaises(exception.NoValidHost, self.select,
                          dict(TINY, root_gb=1, ephemeral_gb=2))
        self.flags(disk_allocation_ratio=2.0)
        self.assertEqual(['h'], self.select(dict(TINY, root_gb=12)))

    def test_deleted_servers_free_their_room(self):
        self.add_host('h', vcpus=1)
        inst = self.use('h', vcpus=1)
        self.assertRaises(exception.NoValidHost, self.select)
        db.instance_destroy(self.ctxt, inst['uuid'])
        self.assertEqual(['h'], self.select())
