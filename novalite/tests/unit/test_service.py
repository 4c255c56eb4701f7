"""The compute agent process: periodic tasks and start/stop."""

import logging
import threading
import time
import uuid

import fixtures

from novalite.compute import utils as compute_utils
from novalite.db import api as db
from novalite import service
from novalite import servicegroup
from novalite import states
from novalite.tests import base
from novalite.virt import fake


class PeriodicTest(base.TestCase):

    def test_runs_until_stopped_and_survives_errors(self):
        logger = self.useFixture(fixtures.FakeLogger(level=logging.ERROR))
        calls = []
        done = threading.Event()

        def task():
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError('first run fails')
            if len(calls) >= 3:
                done.set()

        timer = service._Periodic('test-task', 0.01, task)
        timer.start()
        self.addCleanup(timer.stop)
        self.assertTrue(done.wait(5), 'the task stopped running')
        timer.stop()
        timer.join(5)
        self.assertFalse(timer.is_alive())
        self.assertIn('Periodic task test-task failed', logger.output)

    def test_waits_an_interval_before_the_first_run(self):
        calls = []
        timer = service._Periodic('slow', 3600, lambda: calls.append(1))
        timer.start()
        timer.stop()
        timer.join(5)
        self.assertEqual([], calls)


class ComputeServiceTest(base.TestCase):

    def test_start_and_stop(self):
        self.flags(sync_power_state_interval=600, report_interval=3600)
        driver = fake.FakeDriver()
        svc = service.ComputeService(host='svc-host', driver=driver)
        svc.start()
        self.addCleanup(svc.stop, graceful=False)
        # Started: heartbeat written, both periodic tasks running.
        row, = db.service_get_all(self.admin_context,
                                  compute_utils.BINARY)
        self.assertEqual('svc-host', row['host'])
        self.assertTrue(servicegroup.is_up(row))
        self.assertEqual(['report_state', 'sync_power_states',
                          'check_instance_build_time',
                          'cleanup_running_deleted_instances',
                          'manage_image_cache'],
                         [t.name for t in svc.timers])
        self.assertEqual(60, svc.timers[2].interval)
        cleanup = svc.timers[3]
        self.assertEqual(1800, cleanup.interval)  # Nova's default
        self.assertEqual(svc.manager.cleanup_running_deleted_instances,
                         cleanup.func)
        self.assertTrue(all(t.is_alive() for t in svc.timers))
        svc.stop(graceful=False)
        for timer in svc.timers:
            timer.join(5)
            self.assertFalse(timer.is_alive())

    def test_stop_waits_for_its_threads(self):
        # A periodic task that is running when stop is called finishes
        # before stop returns (and before the driver is cleaned up); no
        # thread the service started is left.
        self.flags(sync_power_state_interval=1, report_interval=3600)
        driver = fake.FakeDriver()
        svc = service.ComputeService(host='svc-host', driver=driver)
        running, finished, cleaned = (threading.Event(), threading.Event(),
                                      [])

        def slow_sync():
            if threading.current_thread() is threading.main_thread():
                return  # init_host's sync
            running.set()
            time.sleep(0.5)
            finished.set()

        svc.manager.sync_power_states = slow_sync
        cleanup_host = driver.cleanup_host
        driver.cleanup_host = lambda host: (
            cleaned.append(finished.is_set()), cleanup_host(host))
        before = set(threading.enumerate())
        svc.start()
        self.addCleanup(svc.stop, graceful=False)
        self.assertTrue(running.wait(5))
        svc.stop(graceful=False)
        self.assertTrue(finished.is_set())
        self.assertEqual([True], cleaned)
        left = [t for t in threading.enumerate()
                if t not in before and t.is_alive()]
        self.assertEqual([], [t.name for t in left
                              if t in svc.timers or t.daemon is False])

    def test_periodic_tasks_can_be_turned_off(self):
        self.flags(sync_power_state_interval=-1, instance_build_timeout=0,
                   running_deleted_instance_poll_interval=0)
        self.flags(manager_interval=0, group='image_cache')
        svc = service.ComputeService(host='svc-host',
                                     driver=fake.FakeDriver())
        svc.start()
        self.addCleanup(svc.stop, graceful=False)
        self.assertEqual(['report_state'], [t.name for t in svc.timers])

    def test_guests_of_deleted_servers_are_reaped_periodically(self):
        self.flags(running_deleted_instance_poll_interval=1)
        driver = fake.FakeDriver()
        svc = service.ComputeService(host='svc-host', driver=driver)
        svc.start()
        self.addCleanup(svc.stop, graceful=False)
        self.create_flavor()
        self.create_image()
        # Built, then deleted by the API while the agent looked down.
        inst = db.instance_create(self.admin_context, {
            'uuid': str(uuid.uuid4()), 'project_id': 'p', 'user_id': 'u',
            'vm_state': states.BUILDING, 'task_state': states.SCHEDULING,
            'power_state': 0, 'host': 'svc-host', 'image_ref': base.IMAGE_ID,
            'vcpus': 1, 'memory_mb': 64, 'display_name': 'x',
            'hostname': 'x'})
        svc.manager.build_and_run_instance(self.admin_context, inst['uuid'])
        self.assertIn(inst['uuid'], driver.list_instance_uuids())
        db.instance_destroy(self.admin_context, inst['uuid'])
        deadline = time.monotonic() + 5
        while inst['uuid'] in driver.list_instance_uuids():
            self.assertLess(time.monotonic(), deadline,
                            'the guest was never reaped')
            time.sleep(0.01)

    def test_driver_from_config(self):
        svc = service.ComputeService(host='svc-host')
        self.assertIsInstance(svc.driver, fake.FakeDriver)
        self.assertEqual('svc-host', svc.manager.host)

    def test_soft_deleted_servers_are_reclaimed_periodically(self):
        # Nova's _reclaim_queued_deletes: every minute, or every
        # reclaim_instance_interval seconds when that is shorter.
        self.flags(reclaim_instance_interval=3600)
        self.assertEqual(60, service.RECLAIM_INTERVAL)
        self.flags(reclaim_instance_interval=1)
        svc = service.ComputeService(host='svc-host',
                                     driver=fake.FakeDriver())
        svc.start()
        self.addCleanup(svc.stop, graceful=False)
        reclaim, = [t for t in svc.timers
                    if t.name == 'reclaim_queued_deletes']
        self.assertEqual(1, reclaim.interval)
        self.create_flavor()
        self.create_image()
        db.instance_create(self.admin_context, {
            'uuid': str(uuid.uuid4()), 'project_id': 'p', 'user_id': 'u',
            'vm_state': states.SOFT_DELETED, 'task_state': None,
            'power_state': 4, 'host': 'svc-host',
            'image_ref': base.IMAGE_ID, 'vcpus': 1, 'memory_mb': 64,
            'display_name': 'x', 'hostname': 'x',
            'deleted_at': db.utcnow()})
        deadline = time.monotonic() + 10
        while db.instance_get_all_by_host(self.admin_context, 'svc-host'):
            self.assertLess(time.monotonic(), deadline,
                            'the server was never reclaimed')
            time.sleep(0.05)
