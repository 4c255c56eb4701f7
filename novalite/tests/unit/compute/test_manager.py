"""The compute manager on a real database and a real driver.

Methods are called directly (no RPC). The same tests run with the fake
driver and with the libvirt driver on libvirt's in-memory test hypervisor.
Mocks only inject failures (or a race) into otherwise real calls.
"""

import datetime
import errno
import logging
import os
import uuid

import fixtures
from oslo_config import cfg

from novalite.compute import manager as compute_manager
from novalite.compute import utils as compute_utils
from novalite.db import api as db
from novalite import exception
from novalite import servicegroup
from novalite import states
from novalite.tests import base
from novalite.tests import fixtures as nl_fixtures
from novalite import utils
from novalite.virt import configdrive
from novalite.virt import fake
from novalite.virt.libvirt import driver as libvirt_driver
from novalite.virt.libvirt.host import libvirt

CONF = cfg.CONF

HOST = 'compute-1'


class _ManagerTestBase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        self.ctxt = self.admin_context
        self.flags(instances_path=os.path.join(
            self.useFixture(fixtures.TempDir()).path, 'instances'))
        self.flavor = self.create_flavor()
        self.image = self.create_image()
        self.driver = self.make_driver()
        self.driver.init_host(HOST)
        self.addCleanup(self.driver.cleanup_host, HOST)
        self.manager = compute_manager.ComputeManager(self.driver,
                                                      host=HOST)

    def make_driver(self):
        return fake.FakeDriver()

    def create_instance(self, vm_state=states.BUILDING,
                        task_state=states.SCHEDULING, host=HOST, **values):
        flavor = self.flavor
        row = {
            'uuid': str(uuid.uuid4()), 'project_id': 'p1', 'user_id': 'u1',
            'display_name': 'server', 'hostname': 'server',
            'image_ref': self.image['id'], 'instance_type_id': flavor['id'],
            'flavorid': flavor['flavorid'], 'flavor_name': flavor['name'],
            'vcpus': flavor['vcpus'], 'memory_mb': flavor['memory_mb'],
            'root_gb': flavor['root_gb'], 'vm_state': vm_state,
            'task_state': task_state, 'power_state': states.NOSTATE,
            'host': host, 'node': host, 'availability_zone': 'nova'}
        row.update(values)
        inst = db.instance_create(self.ctxt, row)
        self.addCleanup(self._destroy_guest, inst['uuid'])
        return inst

    def _destroy_guest(self, uuid):
        # libvirt's test hypervisor outlives the test in this process.
        self.driver.destroy({'uuid': uuid})

    def create_active(self, **values):
        inst = self.create_instance(**values)
        self.manager.build_and_run_instance(self.ctxt, inst['uuid'])
        inst = self.get(inst['uuid'])
        self.assertEqual(states.ACTIVE, inst['vm_state'])
        return inst

    def get(self, uuid, **kwargs):
        return db.instance_get_by_uuid(self.ctxt, uuid, project_only=False,
                                       **kwargs)

    def set_task(self, inst, task_state, **values):
        values['task_state'] = task_state
        return db.instance_update(self.ctxt, inst['uuid'], values)

    def guest_state(self, inst):
        return self.driver.get_info(inst).state

    def states(self, inst):
        row = self.get(inst['uuid'])
        return row['vm_state'], row['task_state']

    def assertFault(self, inst, code, message, raised=True, shown=None):
        """``shown``: the message users see when it is not ``message``
        (a foreign error shows only its class name)."""
        fault = self.get(inst['uuid'], read_deleted='yes')['fault']
        self.assertIsNotNone(fault, 'no fault recorded')
        self.assertEqual(code, fault['code'])
        if shown is None:
            self.assertIn(message, fault['message'])
        else:
            self.assertEqual(shown, fault['message'])
        self.assertEqual(HOST, fault['host'])
        # details: the traceback of an error that was raised, kept for
        # 500 faults only, as in Nova (it names host paths).
        if code != 500:
            self.assertFalse(fault['details'])
            return fault
        self.assertIn(message, fault['details'])
        if raised:
            self.assertIn('Traceback', fault['details'])
        return fault

    def assertSettled(self, inst, vm_state, power_state=None):
        row = self.get(inst['uuid'])
        self.assertEqual(vm_state, row['vm_state'])
        self.assertIsNone(row['task_state'])
        if power_state is not None:
            self.assertEqual(power_state, row['power_state'])
        return row


class _ManagerTests:
    """Run against the fake and the libvirt driver."""

    # ----------------------------------------------------------- build

    def test_build(self):
        inst = self.create_instance()
        self.manager.build_and_run_instance(
            self.ctxt, inst['uuid'], admin_password='pw', injected_files=[])
        row = self.assertSettled(inst, states.ACTIVE, states.RUNNING)
        self.assertIsNotNone(row['launched_at'])
        self.assertIsNone(row['fault'])
        self.assertEqual(states.RUNNING, self.guest_state(inst))
        self.assertIn(inst['uuid'], self.driver.list_instance_uuids())

    def test_build_spawn_failure(self):
        inst = self.create_instance()
        self.useFixture(fixtures.MockPatchObject(
            self.driver, 'spawn',
            side_effect=exception.VirtDriverError(reason='no room')))
        self.manager.build_and_run_instance(self.ctxt, inst['uuid'])
        row = self.assertSettled(inst, states.ERROR)
        self.assertIsNone(row['launched_at'])
        self.assertFault(inst, 500, 'Hypervisor error: no room')
        self.assertNotIn(inst['uuid'], self.driver.list_instance_uuids())

    def test_build_spawn_failure_not_ours(self):
        inst = self.create_instance()
        self.useFixture(fixtures.MockPatchObject(
            self.driver, 'spawn', side_effect=RuntimeError('disk on fire')))
        self.manager.build_and_run_instance(self.ctxt, inst['uuid'])
        self.assertSettled(inst, states.ERROR)
        self.assertFault(inst, 500, 'disk on fire', shown='RuntimeError')

    def _with_address(self, inst):
        net = db.network_create(self.ctxt, {'name': 'n-%s' % inst['uuid'],
                                            'cidr': '10.20.30.0/24'})
        self.addCleanup(self._drop_network, net['uuid'])
        db.fixed_ip_allocate(self.ctxt, net['uuid'], inst['uuid'])
        return db.network_info_for_instance(self.ctxt, inst['uuid'])

    def _drop_network(self, network_uuid):
        """The libvirt test hypervisor outlives the test in-process."""
        if isinstance(self.driver, libvirt_driver.LibvirtDriver):
            conn = self.driver._host.get_connection()
            for net in conn.listAllNetworks():
                if net.name() == 'novalite-' + network_uuid:
                    net.destroy()
                    net.undefine()

    def test_build_passes_network_info(self):
        inst = self.create_instance()
        vifs = self._with_address(inst)
        spawn = self.useFixture(fixtures.MockPatchObject(
            self.driver, 'spawn', wraps=self.driver.spawn)).mock
        self.manager.build_and_run_instance(self.ctxt, inst['uuid'])
        self.assertSettled(inst, states.ACTIVE, states.RUNNING)
        self.assertEqual(vifs, spawn.call_args.kwargs['network_info'])
        # Delete releases the address.
        self.set_task(inst, states.DELETING)
        self.manager.terminate_instance(self.ctxt, inst['uuid'])
        self.assertEqual([], db.network_info_for_instance(self.ctxt,
                                                          inst['uuid']))

    def test_failed_build_releases_addresses(self):
        inst = self.create_instance()
        self._with_address(inst)
        self.useFixture(fixtures.MockPatchObject(
            self.driver, 'spawn',
            side_effect=exception.VirtDriverError(reason='no room')))
        self.manager.build_and_run_instance(self.ctxt, inst['uuid'])
        self.assertSettled(inst, states.ERROR)
        self.assertEqual([], self.get(inst['uuid'])['addresses'])

    def test_kernel_and_ramdisk_are_resolved_and_kept_cached(self):
        kernel = self.create_image(image_id=str(uuid.uuid4()),
                                   disk_format='aki')
        ramdisk = self.create_image(image_id=str(uuid.uuid4()),
                                    disk_format='ari')
        image = self.create_image(
            image_id=str(uuid.uuid4()),
            properties={'kernel_id': kernel['id'],
                        'ramdisk_id': ramdisk['id']})
        inst = self.create_instance(image_ref=image['id'])
        spawn = self.useFixture(fixtures.MockPatchObject(
            self.driver, 'spawn', wraps=self.driver.spawn)).mock
        self.manager.build_and_run_instance(self.ctxt, inst['uuid'])
        self.assertSettled(inst, states.ACTIVE)
        passed = spawn.call_args.args[1]
        self.assertEqual((kernel['id'], ramdisk['id']),
                         (passed['kernel']['id'], passed['ramdisk']['id']))
        cache = self.useFixture(fixtures.MockPatchObject(
            self.driver, 'manage_image_cache')).mock
        self.manager.manage_image_cache()
        self.assertEqual({image['id'], kernel['id'], ramdisk['id']},
                         cache.call_args.args[0])

    def test_lost_guest_shows_nostate_and_hard_reboot_brings_it_back(self):
        inst = self.create_active()
        self.lose(inst)
        self.manager.sync_power_states()
        # Nova's answer: still ACTIVE, power state NOSTATE.
        self.assertSettled(inst, states.ACTIVE, states.NOSTATE)
        self.set_task(inst, states.REBOOTING_HARD)
        self.manager.reboot_instance(self.ctxt, inst['uuid'], 'HARD')
        self.assertSettled(inst, states.ACTIVE, states.RUNNING)
        self.assertEqual(states.RUNNING, self.guest_state(inst))

    def test_stop_of_a_lost_guest_and_start_again(self):
        inst = self.create_active()
        self.lose(inst)
        self.set_task(inst, states.POWERING_OFF)
        self.manager.stop_instance(self.ctxt, inst['uuid'])
        self.assertSettled(inst, states.STOPPED, states.SHUTDOWN)
        self.set_task(inst, states.POWERING_ON)
        self.manager.start_instance(self.ctxt, inst['uuid'])
        self.assertSettled(inst, states.ACTIVE, states.RUNNING)
        self.assertEqual(states.RUNNING, self.guest_state(inst))

    def test_build_image_missing(self):
        inst = self.create_instance(image_ref=str(uuid.uuid4()))
        self.manager.build_and_run_instance(self.ctxt, inst['uuid'])
        self.assertSettled(inst, states.ERROR)
        self.assertFault(inst, 404, 'could not be found')

    def test_build_after_delete_is_noop(self):
        inst = self.create_instance(task_state=states.DELETING)
        self.manager.build_and_run_instance(self.ctxt, inst['uuid'])
        row = self.get(inst['uuid'])
        self.assertEqual((states.BUILDING, states.DELETING),
                         (row['vm_state'], row['task_state']))
        self.assertNotIn(inst['uuid'], self.driver.list_instance_uuids())
        self.assertIsNone(row['fault'])

        gone = self.create_instance()
        db.instance_destroy(self.ctxt, gone['uuid'])
        self.manager.build_and_run_instance(self.ctxt, gone['uuid'])
        self.assertNotIn(gone['uuid'], self.driver.list_instance_uuids())
        self.assertEqual(states.DELETED,
                         self.get(gone['uuid'], read_deleted='yes')
                         ['vm_state'])

    def test_build_of_a_server_already_built_is_noop(self):
        inst = self.create_active()
        self.manager.build_and_run_instance(self.ctxt, inst['uuid'])
        self.assertSettled(inst, states.ACTIVE, states.RUNNING)

    def test_server_deleted_locally_while_spawning(self):
        # The row disappears during spawn (the API deleted it locally):
        # no guest may outlive the server.
        inst = self.create_instance()
        real_spawn = self.driver.spawn

        def spawn_and_lose_the_row(*args, **kwargs):
            real_spawn(*args, **kwargs)
            db.instance_destroy(self.ctxt, inst['uuid'])

        self.useFixture(fixtures.MockPatchObject(
            self.driver, 'spawn', side_effect=spawn_and_lose_the_row))
        self.manager.build_and_run_instance(self.ctxt, inst['uuid'])
        self.assertNotIn(inst['uuid'], self.driver.list_instance_uuids())
        self.assertEqual(states.DELETED, self.get(
            inst['uuid'], read_deleted='yes')['vm_state'])

    def test_delete_requested_while_spawning(self):
        # The delete's terminate cast, queued behind the build, finishes.
        inst = self.create_instance()
        real_spawn = self.driver.spawn

        def spawn_then_delete(*args, **kwargs):
            real_spawn(*args, **kwargs)
            db.instance_update(self.ctxt, inst['uuid'],
                               {'task_state': states.DELETING})

        self.useFixture(fixtures.MockPatchObject(
            self.driver, 'spawn', side_effect=spawn_then_delete))
        self.manager.build_and_run_instance(self.ctxt, inst['uuid'])
        row = self.get(inst['uuid'])
        self.assertEqual(states.DELETING, row['task_state'])
        self.assertNotEqual(states.ERROR, row['vm_state'])
        self.manager.terminate_instance(self.ctxt, inst['uuid'])
        self.assertNotIn(inst['uuid'], self.driver.list_instance_uuids())
        self.assertRaises(exception.InstanceNotFound, self.get,
                          inst['uuid'])

    # ------------------------------------------------------- terminate

    def test_terminate(self):
        inst = self.create_active()
        self.set_task(inst, states.DELETING)
        self.manager.terminate_instance(self.ctxt, inst['uuid'])
        self.assertRaises(exception.InstanceNotFound, self.get,
                          inst['uuid'])
        row = self.get(inst['uuid'], read_deleted='yes')
        self.assertEqual(inst['id'], row['deleted'])
        self.assertEqual(states.DELETED, row['vm_state'])
        self.assertIsNone(row['task_state'])
        self.assertEqual(states.NOSTATE, row['power_state'])
        self.assertIsNotNone(row['terminated_at'])
        self.assertNotIn(inst['uuid'], self.driver.list_instance_uuids())
        self.assertRaises(exception.InstanceNotFound, self.driver.get_info,
                          inst)
        # A repeat is harmless.
        self.manager.terminate_instance(self.ctxt, inst['uuid'])

    def test_terminate_of_a_server_without_guest(self):
        inst = self.create_instance(vm_state=states.ERROR,
                                    task_state=states.DELETING)
        self.manager.terminate_instance(self.ctxt, inst['uuid'])
        self.assertRaises(exception.InstanceNotFound, self.get,
                          inst['uuid'])

    def test_terminate_failure(self):
        inst = self.create_active()
        self.set_task(inst, states.DELETING)
        self.useFixture(fixtures.MockPatchObject(
            self.driver, 'destroy',
            side_effect=exception.VirtDriverError(reason='stuck')))
        self.manager.terminate_instance(self.ctxt, inst['uuid'])
        self.assertSettled(inst, states.ERROR)
        self.assertFault(inst, 500, 'Hypervisor error: stuck')

    # --------------------------------------------------------- actions

    def test_stop_and_start(self):
        inst = self.create_active()
        self.set_task(inst, states.POWERING_OFF)
        self.manager.stop_instance(self.ctxt, inst['uuid'])
        self.assertSettled(inst, states.STOPPED, states.SHUTDOWN)
        self.assertEqual(states.SHUTDOWN, self.guest_state(inst))
        self.set_task(inst, states.POWERING_ON)
        self.manager.start_instance(self.ctxt, inst['uuid'])
        self.assertSettled(inst, states.ACTIVE, states.RUNNING)
        self.assertEqual(states.RUNNING, self.guest_state(inst))

    def test_reboot(self):
        inst = self.create_active()
        for reboot_type, task in (('SOFT', states.REBOOTING),
                                  ('HARD', states.REBOOTING_HARD)):
            self.set_task(inst, task)
            self.manager.reboot_instance(self.ctxt, inst['uuid'],
                                         reboot_type)
            self.assertSettled(inst, states.ACTIVE, states.RUNNING)
            self.assertEqual(states.RUNNING, self.guest_state(inst))

    def test_hard_reboot_of_a_stopped_server(self):
        inst = self.create_active()
        self.set_task(inst, states.POWERING_OFF)
        self.manager.stop_instance(self.ctxt, inst['uuid'])
        self.set_task(inst, states.REBOOTING_HARD)
        self.manager.reboot_instance(self.ctxt, inst['uuid'], 'HARD')
        self.assertSettled(inst, states.ACTIVE, states.RUNNING)
        self.assertEqual(states.RUNNING, self.guest_state(inst))

    def test_action_failures(self):
        for method, task, driver_method, args in (
                ('stop_instance', states.POWERING_OFF, 'power_off', ()),
                ('reboot_instance', states.REBOOTING, 'reboot', ('SOFT',)),
                ('reboot_instance', states.REBOOTING_HARD, 'reboot',
                 ('HARD',))):
            inst = self.create_active()
            self.set_task(inst, task)
            with fixtures.MockPatchObject(
                    self.driver, driver_method,
                    side_effect=exception.VirtDriverError(
                        reason='%s broke' % driver_method)):
                getattr(self.manager, method)(self.ctxt, inst['uuid'],
                                              *args)
            self.assertSettled(inst, states.ERROR)
            self.assertFault(inst, 500, '%s broke' % driver_method)

    def test_non_500_fault_keeps_no_traceback(self):
        # A SOFT reboot of a lost guest: 404, Nova's InstanceNotFound. As
        # in Nova, only 500 faults keep a traceback (it names host paths).
        inst = self.create_active()
        self.lose(inst)
        self.set_task(inst, states.REBOOTING)
        self.manager.reboot_instance(self.ctxt, inst['uuid'], 'SOFT')
        self.assertSettled(inst, states.ERROR)
        fault = self.assertFault(inst, 404, 'could not be found')
        self.assertEqual('', fault['details'])

    def test_start_failure(self):
        inst = self.create_active()
        self.set_task(inst, states.POWERING_OFF)
        self.manager.stop_instance(self.ctxt, inst['uuid'])
        self.set_task(inst, states.POWERING_ON)
        self.useFixture(fixtures.MockPatchObject(
            self.driver, 'power_on',
            side_effect=exception.VirtDriverError(reason='no power')))
        self.manager.start_instance(self.ctxt, inst['uuid'])
        self.assertSettled(inst, states.ERROR)
        self.assertFault(inst, 500, 'no power')

    def test_action_whose_task_moved_on_is_skipped(self):
        inst = self.create_active()
        # The task is not powering-off (say a delete took over).
        self.set_task(inst, states.DELETING)
        self.manager.stop_instance(self.ctxt, inst['uuid'])
        row = self.get(inst['uuid'])
        self.assertEqual((states.ACTIVE, states.DELETING),
                         (row['vm_state'], row['task_state']))
        self.assertEqual(states.RUNNING, self.guest_state(inst))

    def test_action_on_deleted_server_is_noop(self):
        inst = self.create_active()
        db.instance_destroy(self.ctxt, inst['uuid'])
        self.manager.stop_instance(self.ctxt, inst['uuid'])
        self.manager.reboot_instance(self.ctxt, inst['uuid'], 'HARD')
        self.assertEqual(states.RUNNING, self.guest_state(inst))

    def test_set_admin_password(self):
        inst = self.create_active()
        self.set_task(inst, states.UPDATING_PASSWORD)
        self.change_password(inst)
        self.assertSettled(inst, states.ACTIVE)

    def test_set_admin_password_not_supported(self):
        inst = self.create_active()
        self.set_task(inst, states.UPDATING_PASSWORD)
        self.useFixture(fixtures.MockPatchObject(
            self.driver, 'set_admin_password',
            side_effect=exception.SetAdminPasswdNotSupported()))
        e = self.assertRaises(exception.SetAdminPasswdNotSupported,
                              self.manager.set_admin_password, self.ctxt,
                              inst['uuid'], 'new-pw')
        self.assertEqual(501, e.code)
        # Task reverted; vm_state left alone; no fault.
        row = self.assertSettled(inst, states.ACTIVE)
        self.assertIsNone(row['fault'])

    def test_set_admin_password_guest_refuses(self):
        inst = self.create_active()
        # A real refusal: the guest is off.
        self.driver.power_off(inst)
        self.set_task(inst, states.UPDATING_PASSWORD)
        self.assertRaises(exception.InstancePasswordSetFailed,
                          self.manager.set_admin_password, self.ctxt,
                          inst['uuid'], 'new-pw')
        self.assertSettled(inst, states.ACTIVE)

    def test_get_console_output_of_missing_guest(self):
        inst = self.create_active()
        self.driver.destroy(inst)
        self.assertRaises(exception.InstanceNotFound,
                          self.manager.get_console_output, self.ctxt,
                          inst['uuid'])

    # ------------------------------------------------------ start-up

    def test_init_host_reconciles(self):
        c = self.ctxt
        built = self.create_instance()
        spawning = self.create_instance(task_state=states.SPAWNING)
        deleting = self.create_active()
        self.set_task(deleting, states.DELETING)
        stopping = self.create_active()
        self.set_task(stopping, states.POWERING_OFF)
        starting = self.create_active()
        self.driver.power_off(starting)
        db.instance_update(c, starting['uuid'],
                           {'vm_state': states.STOPPED,
                            'task_state': states.POWERING_ON})
        rebooting = self.create_active()
        self.set_task(rebooting, states.REBOOTING)
        # Deleted locally by the API while the agent was down.
        deleted_away = self.create_active()
        db.instance_destroy(c, deleted_away['uuid'])
        # Guests the database does not give to this host.
        elsewhere = self.create_active()
        db.instance_update(c, elsewhere['uuid'], {'host': 'compute-2'})
        unknown = self.create_active()
        db.instance_hard_delete(c, unknown['uuid'])
        arriving = self.create_instance()
        db.instance_update(c, arriving['uuid'], {
            'created_at': db.utcnow() + datetime.timedelta(seconds=5)})

        self.manager.init_host()

        # As Nova: building servers fail at start-up (a dead agent may
        # have taken their build messages)...
        for inst in (built, spawning):
            self.assertSettled(inst, states.ERROR)
            self.assertFault(inst, 500, 'restarted while the server was '
                                        'being built', raised=False)
        # ...but not one created while this agent started: its message
        # waits for this agent.
        self.assertEqual((states.BUILDING, states.SCHEDULING),
                         self.states(arriving))
        self.assertRaises(exception.InstanceNotFound, self.get,
                          deleting['uuid'])
        self.assertNotIn(deleting['uuid'], self.driver.list_instance_uuids())
        self.assertSettled(stopping, states.STOPPED, states.SHUTDOWN)
        self.assertEqual(states.SHUTDOWN, self.guest_state(stopping))
        self.assertSettled(starting, states.ACTIVE, states.RUNNING)
        self.assertEqual(states.RUNNING, self.guest_state(starting))
        self.assertSettled(rebooting, states.ACTIVE)
        uuids = self.driver.list_instance_uuids()
        self.assertNotIn(deleted_away['uuid'], uuids)
        # Not ours to destroy: another agent's server, and a guest the
        # database knows nothing of.
        self.assertIn(elsewhere['uuid'], uuids)
        self.assertIn(unknown['uuid'], uuids)
        self.assertIn('Guest %s is no server of novalite' % unknown['uuid'],
                      self.logger.output)
        # The heartbeat is written.
        services = db.service_get_all(c, compute_utils.BINARY)
        self.assertEqual([HOST], [s['host'] for s in services])

    def test_build_timeout(self):
        # A build message lost on the way (a broker restart): the server
        # does not stay in BUILD for ever.
        lost = self.create_instance()
        spawning = self.create_instance(task_state=states.SPAWNING)
        fresh = self.create_instance()
        old = db.utcnow() - datetime.timedelta(seconds=601)
        for inst in (lost, spawning):
            db.instance_update(self.ctxt, inst['uuid'], {'created_at': old})
        self.flags(instance_build_timeout=0)
        self.manager.check_instance_build_time()
        self.assertEqual((states.BUILDING, states.SCHEDULING),
                         self.states(lost))
        self.flags(instance_build_timeout=600)
        self.manager.check_instance_build_time()
        for inst in (lost, spawning):
            self.assertSettled(inst, states.ERROR)
            self.assertFault(inst, 500, 'The build did not finish within '
                                        '600 seconds.', raised=False)
        self.assertEqual((states.BUILDING, states.SCHEDULING),
                         self.states(fresh))

    def test_init_host_survives_a_failing_server(self):
        bad = self.create_active()
        self.set_task(bad, states.POWERING_OFF)
        good = self.create_instance()
        with fixtures.MockPatchObject(
                self.manager, '_finish_stop',
                side_effect=RuntimeError('injected')):
            self.manager.init_host()
        self.assertSettled(good, states.ERROR)

    # ----------------------------------------- guests of deleted servers

    def _deleted_with_guest(self):
        """A server deleted by the API while this agent was down: the row
        is gone, its guest still runs."""
        inst = self.create_active()
        db.instance_destroy(self.ctxt, inst['uuid'])
        self.assertIn(inst['uuid'], self.driver.list_instance_uuids())
        return inst

    def test_periodic_reaps_guests_of_deleted_servers(self):
        deleted = self._deleted_with_guest()
        live = self.create_active()
        self.manager.cleanup_running_deleted_instances()
        uuids = self.driver.list_instance_uuids()
        self.assertNotIn(deleted['uuid'], uuids)
        self.assertFalse(os.path.exists(os.path.join(
            CONF.instances_path, deleted['uuid'])))
        self.assertIn('Destroying guest %s' % deleted['uuid'],
                      self.logger.output)
        self.assertIn(live['uuid'], uuids)
        self.assertEqual(states.RUNNING, self.guest_state(live))
        # Nothing left to do: a repeat is harmless.
        self.manager.cleanup_running_deleted_instances()

    def test_periodic_leaves_guests_that_are_not_ours(self):
        # A guest the database knows nothing of (the hypervisor may run
        # other things), a live server of another agent (agents may share
        # a hypervisor) and a deleted server of another agent (its own
        # agent reaps it, with its files).
        elsewhere = self.create_active()
        db.instance_update(self.ctxt, elsewhere['uuid'],
                           {'host': 'compute-2'})
        deleted_elsewhere = self.create_active()
        db.instance_update(self.ctxt, deleted_elsewhere['uuid'],
                           {'host': 'compute-2'})
        db.instance_destroy(self.ctxt, deleted_elsewhere['uuid'])
        # NOTE: last: its database id would be given again.
        unknown = self.create_active()
        db.instance_hard_delete(self.ctxt, unknown['uuid'])
        self.manager.cleanup_running_deleted_instances()
        uuids = self.driver.list_instance_uuids()
        for inst in (unknown, elsewhere, deleted_elsewhere):
            self.assertIn(inst['uuid'], uuids)
            self.assertEqual(states.RUNNING, self.guest_state(inst))
        self.assertIn('Guest %s is no server of novalite' % unknown['uuid'],
                      self.logger.output)

    def test_periodic_noop_log_and_shutdown(self):
        inst = self._deleted_with_guest()
        self.flags(running_deleted_instance_action='noop')
        self.manager.cleanup_running_deleted_instances()
        self.assertEqual(states.RUNNING, self.guest_state(inst))
        self.assertNotIn(inst['uuid'], self.logger.output)

        self.flags(running_deleted_instance_action='log')
        self.manager.cleanup_running_deleted_instances()
        self.assertEqual(states.RUNNING, self.guest_state(inst))
        self.assertIn('Guest %s (%s) is still on the hypervisor but its '
                      'server is deleted' % (inst['uuid'],
                                             utils.instance_name(inst)),
                      self.logger.output)

        # Nova's "shutdown": powered off, kept to look into.
        self.flags(running_deleted_instance_action='shutdown')
        self.manager.cleanup_running_deleted_instances()
        self.assertIn(inst['uuid'], self.driver.list_instance_uuids())
        self.assertEqual(states.SHUTDOWN, self.guest_state(inst))

    def test_periodic_waits_running_deleted_instance_timeout(self):
        inst = self._deleted_with_guest()
        deleted_at = self.get(inst['uuid'], read_deleted='yes')['deleted_at']
        self.flags(running_deleted_instance_timeout=3600)
        self.manager.cleanup_running_deleted_instances()
        self.assertEqual(states.RUNNING, self.guest_state(inst))
        # An hour later, it is old enough.
        with fixtures.MockPatchObject(
                compute_manager.db, 'utcnow',
                return_value=deleted_at + datetime.timedelta(seconds=3600)):
            self.manager.cleanup_running_deleted_instances()
        self.assertNotIn(inst['uuid'], self.driver.list_instance_uuids())

    def test_periodic_survives_a_failing_destroy(self):
        first = self._deleted_with_guest()
        second = self._deleted_with_guest()
        real_destroy = self.driver.destroy

        def destroy(instance, network_info=None):
            if instance['uuid'] == first['uuid']:
                raise exception.VirtDriverError(reason='injected')
            real_destroy(instance, network_info)

        with fixtures.MockPatchObject(self.driver, 'destroy',
                                      side_effect=destroy):
            self.manager.cleanup_running_deleted_instances()
        uuids = self.driver.list_instance_uuids()
        self.assertIn(first['uuid'], uuids)
        self.assertNotIn(second['uuid'], uuids)
        self.assertIn('Could not reap guest %s' % first['uuid'],
                      self.logger.output)
        # The next run tries again.
        self.manager.cleanup_running_deleted_instances()
        self.assertNotIn(first['uuid'], self.driver.list_instance_uuids())

    def test_init_host_follows_running_deleted_instance_action(self):
        inst = self._deleted_with_guest()
        self.flags(running_deleted_instance_action='log')
        self.manager.init_host()
        self.assertEqual(states.RUNNING, self.guest_state(inst))
        self.assertIn('Guest %s' % inst['uuid'], self.logger.output)

    # ---------------------------------------------------- power sync

    def test_sync_power_states(self):
        c = self.ctxt
        running = self.create_active()
        lost = self.create_active()
        self.driver.destroy(lost)
        off_by_itself = self.create_active()
        self.driver.power_off(off_by_itself)
        stopped_but_running = self.create_active()
        db.instance_update(c, stopped_but_running['uuid'],
                           {'vm_state': states.STOPPED,
                            'power_state': states.SHUTDOWN})
        busy = self.create_active()
        self.driver.power_off(busy)
        self.set_task(busy, states.REBOOTING_HARD)

        self.manager.sync_power_states()

        self.assertSettled(running, states.ACTIVE, states.RUNNING)
        # As in Nova: a lost guest is shown, not stopped (a HARD reboot
        # or a start brings it back).
        self.assertSettled(lost, states.ACTIVE, states.NOSTATE)
        self.assertSettled(off_by_itself, states.STOPPED, states.SHUTDOWN)
        self.assertSettled(stopped_but_running, states.STOPPED,
                           states.SHUTDOWN)
        self.assertEqual(states.SHUTDOWN,
                         self.guest_state(stopped_but_running))
        # A server in a task is the task's business.
        row = self.get(busy['uuid'])
        self.assertEqual((states.ACTIVE, states.REBOOTING_HARD,
                          states.RUNNING),
                         (row['vm_state'], row['task_state'],
                          row['power_state']))

    def test_sync_uses_fresh_state(self):
        # The list is read, then a start finishes before the sync takes
        # the server's lock: the sync must not power the server off.
        inst = self.create_active()
        self.set_task(inst, states.POWERING_OFF)
        self.manager.stop_instance(self.ctxt, inst['uuid'])
        stale = db.instance_get_all_by_host(self.ctxt, HOST)
        self.set_task(inst, states.POWERING_ON)
        self.manager.start_instance(self.ctxt, inst['uuid'])
        self.useFixture(fixtures.MockPatchObject(
            compute_manager.db, 'instance_get_all_by_host',
            return_value=stale))
        self.manager.sync_power_states()
        self.assertSettled(inst, states.ACTIVE, states.RUNNING)
        self.assertEqual(states.RUNNING, self.guest_state(inst))

    # ----------------------------------------------------- heartbeat

    def test_report_state(self):
        self.flags(service_down_time=5)
        self.manager.report_state()
        service, = db.service_get_all(self.ctxt, compute_utils.BINARY)
        self.assertEqual((HOST, 'compute', 1),
                         (service['host'], service['topic'],
                          service['report_count']))
        resources = self.driver.get_available_resource()
        self.assertEqual(
            (resources['vcpus'], resources['memory_mb'],
             resources['local_gb']),
            (service['vcpus'], service['memory_mb'], service['local_gb']))
        self.assertEqual(CONF.default_availability_zone,
                         service['availability_zone'])
        self.assertTrue(servicegroup.is_up(service))
        self.assertEqual('UP', servicegroup.host_status(service))
        later = service['last_seen_up'] + datetime.timedelta(seconds=6)
        self.assertFalse(servicegroup.is_up(service, now=later))
        self.assertEqual('UNKNOWN', servicegroup.host_status(service,
                                                             now=later))
        self.manager.report_state()
        service, = db.service_get_all(self.ctxt, compute_utils.BINARY)
        self.assertEqual(2, service['report_count'])
        db.service_update(self.ctxt, HOST, compute_utils.BINARY,
                          {'disabled': True})
        service, = db.service_get_all(self.ctxt, compute_utils.BINARY)
        self.assertEqual('MAINTENANCE', servicegroup.host_status(service))
        db.service_update(self.ctxt, HOST, compute_utils.BINARY,
                          {'forced_down': True})
        service, = db.service_get_all(self.ctxt, compute_utils.BINARY)
        self.assertFalse(servicegroup.is_up(service))
        self.assertEqual('DOWN', servicegroup.host_status(service))
        self.assertEqual('UNKNOWN', servicegroup.host_status(None))


class FakeDriverManagerTest(_ManagerTests, _ManagerTestBase):

    def lose(self, inst):
        self.driver._guests.pop(inst['uuid'])

    def change_password(self, inst):
        self.manager.set_admin_password(self.ctxt, inst['uuid'], 'new-pw')

    def test_build_passes_password_and_files(self):
        inst = self.create_instance()
        self.manager.build_and_run_instance(self.ctxt, inst['uuid'],
                                            admin_password='pw1')
        self.assertEqual('pw1', self.driver._guests[inst['uuid']]
                         ['password'])
        self.set_task(inst, states.UPDATING_PASSWORD)
        self.manager.set_admin_password(self.ctxt, inst['uuid'], 'pw2')
        self.assertEqual('pw2', self.driver._guests[inst['uuid']]
                         ['password'])

    def test_get_console_output_tail_length(self):
        inst = self.create_active()
        self.driver._guests[inst['uuid']]['console'] = 'one\ntwo\nthree\n'
        get = self.manager.get_console_output
        self.assertEqual('one\ntwo\nthree\n',
                         get(self.ctxt, inst['uuid']))
        # Nova's _tail_log: split at newlines, the final one makes an
        # empty last line.
        self.assertEqual('three\n',
                         get(self.ctxt, inst['uuid'], tail_length=2))
        self.assertEqual('two\nthree\n',
                         get(self.ctxt, inst['uuid'], tail_length=3))
        self.assertEqual('one\ntwo\nthree\n',
                         get(self.ctxt, inst['uuid'], tail_length=10))
        self.assertEqual('', get(self.ctxt, inst['uuid'], tail_length=0))


class LibvirtDriverManagerTest(_ManagerTests, _ManagerTestBase):

    def make_driver(self):
        if libvirt is None:
            nl_fixtures.require(self, False,
                                'libvirt-python is not installed')
        self.flags(connection_uri='test:///default', group='libvirt')
        return libvirt_driver.LibvirtDriver()

    def lose(self, inst):
        domain = self.driver._host.lookup(inst['uuid'])
        domain.destroy()
        domain.undefine()

    def change_password(self, inst):
        # No guest agent channel: Nova's 409, and the task is reverted.
        e = self.assertRaises(exception.QemuGuestAgentNotEnabled,
                              self.manager.set_admin_password, self.ctxt,
                              inst['uuid'], 'new-pw')
        self.assertEqual(409, e.code)

    def test_build_with_real_spawn_failure(self):
        # No mock: the image file is gone.
        missing = os.path.join(self.useFixture(fixtures.TempDir()).path,
                               'missing.raw')
        image = self.create_image(image_id=str(uuid.uuid4()), path=missing)
        inst = self.create_instance(image_ref=image['id'])
        self.manager.build_and_run_instance(self.ctxt, inst['uuid'])
        self.assertSettled(inst, states.ERROR)
        self.assertFault(inst, 500, 'No such file or directory',
                         shown='FileNotFoundError')
        self.assertNotIn(inst['uuid'], self.driver.list_instance_uuids())
        self.assertFalse(os.path.exists(os.path.join(CONF.instances_path,
                                                     inst['uuid'])))

    def assertOwnersWords(self, inst, shown, raw):
        """The fault says ``shown``, in novalite's words; ``raw``, the
        error's own text, is only in the details (admins only)."""
        fault = self.assertFault(inst, 500, raw, shown=shown)
        self.assertNotIn(CONF.instances_path, fault['message'])
        return fault

    def test_disk_creation_failure_says_what_failed(self):
        # No mock: qemu-img refuses a raw file said to be qcow2, naming
        # the disk's path.
        image = self.create_image(image_id=str(uuid.uuid4()),
                                  disk_format='qcow2')
        inst = self.create_instance(image_ref=image['id'])
        self.manager.build_and_run_instance(self.ctxt, inst['uuid'])
        self.assertSettled(inst, states.ERROR)
        fault = self.assertOwnersWords(inst, "Could not create the guest's "
                                       "disk.", 'qemu-img')
        disk = os.path.join(CONF.instances_path, inst['uuid'], 'disk')
        self.assertIn(disk, fault['details'])
        # qemu-img's own words are in the log.
        self.assertIn('not in qcow2 format', self.logger.output)
        self.assertNotIn(inst['uuid'], self.driver.list_instance_uuids())

    def test_config_drive_failure_says_what_failed(self):
        inst = self.create_instance(config_drive='True')
        path = os.path.join(CONF.instances_path, inst['uuid'],
                            'disk.config')
        self.useFixture(fixtures.MockPatch(
            'pycdlib.PyCdlib.write', side_effect=OSError(
                errno.ENOSPC, os.strerror(errno.ENOSPC), path)))
        self.manager.build_and_run_instance(self.ctxt, inst['uuid'])
        self.assertSettled(inst, states.ERROR)
        fault = self.assertOwnersWords(
            inst, "Could not build the guest's config drive.",
            os.strerror(errno.ENOSPC))
        self.assertIn(path, fault['details'])

    def _libvirt_error(self, text):
        libvirt.virResetLastError()
        return libvirt.libvirtError(text)

    def test_crash_dump_failure_says_what_failed(self):
        inst = self.create_active()
        error = self._libvirt_error(
            "internal error: cannot write to '/var/lib/libvirt/qemu/"
            "domain-1-instance/monitor.sock'")
        self.useFixture(fixtures.MockPatchObject(
            libvirt.virDomain, 'injectNMI', side_effect=error))
        self.manager.trigger_crash_dump(self.ctxt, inst['uuid'])
        self.assertSettled(inst, states.ACTIVE)
        # A fault shows only for a server in ERROR.
        db.instance_update(self.ctxt, inst['uuid'],
                           {'vm_state': states.ERROR})
        fault = self.assertOwnersWords(
            inst, 'Could not send the guest a non-maskable interrupt.',
            str(error))
        self.assertNotIn('/var/lib/libvirt', fault['message'])

    def test_hypervisor_error_says_what_failed(self):
        # libvirt fails to answer a lookup (its text names a socket).
        inst = self.create_active()
        error = self._libvirt_error(
            "Cannot recv data: /run/libvirt/libvirt-sock: Connection reset "
            "by peer")
        self.set_task(inst, states.POWERING_OFF)
        with fixtures.MockPatchObject(libvirt.virConnect,
                                      'lookupByUUIDString',
                                      side_effect=error):
            self.manager.stop_instance(self.ctxt, inst['uuid'])
        self.assertSettled(inst, states.ERROR)
        fault = self.assertOwnersWords(
            inst, 'Could not find the guest on the hypervisor.', str(error))
        self.assertNotIn('libvirt-sock', fault['message'])

    def test_build_with_config_drive_and_files(self):
        inst = self.create_instance(config_drive='True')
        files = [['/etc/motd', 'aGkK']]
        self.manager.build_and_run_instance(self.ctxt, inst['uuid'],
                                            admin_password='pw',
                                            injected_files=files)
        self.assertSettled(inst, states.ACTIVE, states.RUNNING)
        contents = configdrive.read_iso(os.path.join(
            CONF.instances_path, inst['uuid'], 'disk.config'))
        self.assertEqual(b'hi\n', contents['openstack/content/0000'])

    def test_init_host_leaves_foreign_domains(self):
        # test:///default starts with a domain "test" that is no server.
        conn = libvirt.open('test:///default')
        self.addCleanup(conn.close)
        foreign = conn.lookupByName('test').UUIDString()
        self.manager.init_host()
        self.assertIn(foreign, self.driver.list_instance_uuids())


class TestUnexpectedFailures(base.TestCase):
    """A cast that blows up outside the driver still settles its server."""

    def setUp(self):
        super().setUp()
        self.create_flavor()
        self.create_image()
        self.driver = fake.FakeDriver()
        self.manager = compute_manager.ComputeManager(self.driver, host=HOST)
        self.manager.init_host()
        self.ctxt = self.admin_context

    def test_database_error_during_build_leaves_error_not_build(self):
        inst = db.instance_create(self.ctxt, {
            'uuid': str(uuid.uuid4()), 'project_id': 'p',
            'user_id': 'u', 'vm_state': states.BUILDING,
            'task_state': states.SCHEDULING, 'power_state': 0,
            'host': HOST, 'image_ref': base.IMAGE_ID, 'vcpus': 1,
            'memory_mb': 64, 'display_name': 'x', 'hostname': 'x'})
        # The image lookup hits a broken database: not a driver error.
        self.useFixture(fixtures.MockPatch(
            'novalite.db.api.image_get',
            side_effect=RuntimeError('database went away')))
        self.manager.build_and_run_instance(self.ctxt, inst['uuid'])
        row = db.instance_get_by_uuid(self.ctxt, inst['uuid'],
                                      project_only=False)
        self.assertEqual(states.ERROR, row['vm_state'])
        self.assertIsNone(row['task_state'])
        self.assertEqual('RuntimeError', row['fault']['message'])

    def test_failure_before_any_task_change_settles_too(self):
        inst = db.instance_create(self.ctxt, {
            'uuid': str(uuid.uuid4()), 'project_id': 'p',
            'user_id': 'u', 'vm_state': states.ACTIVE,
            'task_state': states.POWERING_OFF, 'power_state': 1,
            'host': HOST, 'vcpus': 1, 'memory_mb': 64,
            'display_name': 'y', 'hostname': 'y'})
        self.useFixture(fixtures.MockPatchObject(
            self.manager, '_run_action',
            side_effect=RuntimeError('bug')))
        self.manager.stop_instance(self.ctxt, inst['uuid'])
        row = db.instance_get_by_uuid(self.ctxt, inst['uuid'],
                                      project_only=False)
        self.assertEqual(states.ERROR, row['vm_state'])
        self.assertIsNone(row['task_state'])
