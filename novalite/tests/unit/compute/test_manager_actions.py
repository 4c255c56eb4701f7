"""The agent's pause/unpause, suspend/resume, rescue/unrescue, soft
delete/restore and reclaim, its start-up and its power sync for them: the
manager's methods called directly, on a real database, with the fake
driver and with the libvirt driver on libvirt's test hypervisor."""

import datetime
import os
import uuid

import fixtures
from oslo_config import cfg

from novalite.db import api as db
from novalite import exception
from novalite import states
from novalite.tests.unit.compute import test_manager

CONF = cfg.CONF

HANDLERS = {
    'pause': 'pause_instance', 'unpause': 'unpause_instance',
    'suspend': 'suspend_instance', 'resume': 'resume_instance',
    'rescue': 'rescue_instance', 'unrescue': 'unrescue_instance',
    'soft_delete': 'soft_delete_instance', 'restore': 'restore_instance',
}


class _ActionsTests:

    def act(self, inst, action, **kwargs):
        """Set the task as the API does, then run the agent's handler."""
        self.set_task(inst, states.TRANSITIONS[action].new_task_state)
        getattr(self.manager, HANDLERS[action])(self.ctxt, inst['uuid'],
                                                **kwargs)

    def put(self, inst, vm_state, task_state=None, **values):
        values.update(vm_state=vm_state, task_state=task_state)
        return db.instance_update(self.ctxt, inst['uuid'], values)

    def test_pause_unpause(self):
        inst = self.create_active()
        self.act(inst, 'pause')
        self.assertSettled(inst, states.PAUSED, states.PAUSED_POWER)
        self.assertEqual(states.PAUSED_POWER, self.guest_state(inst))
        self.act(inst, 'unpause')
        self.assertSettled(inst, states.ACTIVE, states.RUNNING)
        self.assertEqual(states.RUNNING, self.guest_state(inst))

    def test_suspend_resume(self):
        inst = self.create_active()
        self.act(inst, 'suspend')
        # The power state is the hypervisor's (libvirt: SHUTDOWN).
        row = self.assertSettled(inst, states.SUSPENDED)
        self.assertEqual(self.guest_state(inst), row['power_state'])
        self.assertIn(row['power_state'], (states.SUSPENDED_POWER,
                                           states.SHUTDOWN))
        self.act(inst, 'resume')
        self.assertSettled(inst, states.ACTIVE, states.RUNNING)
        self.assertEqual(states.RUNNING, self.guest_state(inst))

    def test_rescue_unrescue(self):
        inst = self.create_active()
        launched = self.get(inst['uuid'])['launched_at']
        self.act(inst, 'rescue', rescue_password='pw')
        row = self.assertSettled(inst, states.RESCUED, states.RUNNING)
        self.assertGreater(row['launched_at'], launched)
        self.assertEqual(states.RUNNING, self.guest_state(inst))
        self.act(inst, 'unrescue')
        self.assertSettled(inst, states.ACTIVE, states.RUNNING)
        self.assertEqual(states.RUNNING, self.guest_state(inst))

    def test_rescue_of_a_stopped_server(self):
        inst = self.create_active()
        self.driver.power_off(inst)
        self.put(inst, states.STOPPED)
        self.act(inst, 'rescue', rescue_password='pw')
        self.assertSettled(inst, states.RESCUED, states.RUNNING)

    def test_rescue_with_an_image_gone(self):
        inst = self.create_active()
        missing = str(uuid.uuid4())
        self.act(inst, 'rescue', rescue_password='pw',
                 rescue_image_ref=missing)
        self.assertSettled(inst, states.ERROR)
        self.assertFault(inst, 400, 'Instance %s cannot be rescued: Driver '
                                    'Error: Image %s could not be found.'
                         % (inst['uuid'], missing))

    def test_soft_delete_restore(self):
        inst = self.create_active()
        self.act(inst, 'soft_delete')
        self.assertSettled(inst, states.SOFT_DELETED, states.SHUTDOWN)
        self.assertEqual(states.SHUTDOWN, self.guest_state(inst))
        self.act(inst, 'restore')
        self.assertSettled(inst, states.ACTIVE, states.RUNNING)
        self.assertEqual(states.RUNNING, self.guest_state(inst))

    def test_restore_of_a_server_soft_deleted_while_rescued(self):
        # Nova: the power on is a hard reboot, which builds the server's
        # own guest: the rescue ends.
        inst = self.create_active()
        self.act(inst, 'rescue', rescue_password='pw')
        self.act(inst, 'soft_delete')
        self.assertSettled(inst, states.SOFT_DELETED, states.SHUTDOWN)
        self.act(inst, 'restore')
        self.assertSettled(inst, states.ACTIVE, states.RUNNING)
        self.assertFalse(self.rescued(inst))

    def test_failure_is_error_with_fault(self):
        # Unpause of a guest that is off: the driver says it is not
        # running, and the server is not left in a task.
        inst = self.create_active()
        self.driver.power_off(inst)
        self.put(inst, states.PAUSED)
        self.act(inst, 'unpause')
        self.assertSettled(inst, states.ERROR)
        self.assertFault(inst, 409, 'Instance %s is not running.'
                         % inst['uuid'])

    def test_unexpected_failure_settles_the_server(self):
        inst = self.create_active()
        self.useFixture(fixtures.MockPatchObject(
            self.manager, '_run_action',
            side_effect=exception.NovaliteException('database gone')))
        self.act(inst, 'suspend')
        self.assertSettled(inst, states.ERROR)

    def test_start_up_finishes_what_the_agent_died_in(self):
        # Nova's rules for a pause: a guest that runs is ACTIVE...
        pausing_running = self.create_active()
        self.set_task(pausing_running, states.PAUSING)
        unpausing_running = self.create_active()
        self.put(unpausing_running, states.PAUSED, states.UNPAUSING)
        # ...a paused one is unpaused if that was asked.
        unpausing_paused = self.create_active()
        self.driver.pause(unpausing_paused)
        self.put(unpausing_paused, states.PAUSED, states.UNPAUSING)
        # novalite's: a pause whose guest is paused is done; one whose
        # guest is off loses its task, and the power sync stops it.
        pausing_paused = self.create_active()
        self.driver.pause(pausing_paused)
        self.set_task(pausing_paused, states.PAUSING)
        pausing_off = self.create_active()
        self.driver.power_off(pausing_off)
        self.set_task(pausing_off, states.PAUSING)
        # The others are done again.
        suspending = self.create_active()
        self.set_task(suspending, states.SUSPENDING)
        resuming = self.create_active()
        self.driver.suspend(resuming)
        self.put(resuming, states.SUSPENDED, states.RESUMING)
        rescuing = self.create_active()
        self.set_task(rescuing, states.RESCUING)
        unrescuing = self.create_active()
        self.driver.rescue(self.manager._load(self.ctxt, unrescuing['uuid']),
                           self.manager._image(self.ctxt, self.image['id']),
                           'pw')
        self.put(unrescuing, states.RESCUED, states.UNRESCUING)
        soft_deleting = self.create_active()
        self.set_task(soft_deleting, states.SOFT_DELETING)
        restoring = self.create_active()
        self.driver.power_off(restoring)
        self.put(restoring, states.SOFT_DELETED, states.RESTORING)

        self.manager.init_host()

        for inst in (pausing_running, unpausing_running, unpausing_paused,
                     resuming, unrescuing, restoring):
            self.assertSettled(inst, states.ACTIVE, states.RUNNING)
            self.assertEqual(states.RUNNING, self.guest_state(inst))
        self.assertSettled(pausing_paused, states.PAUSED,
                           states.PAUSED_POWER)
        self.assertSettled(pausing_off, states.STOPPED, states.SHUTDOWN)
        self.assertSettled(suspending, states.SUSPENDED)
        self.assertSettled(rescuing, states.RESCUED, states.RUNNING)
        self.assertSettled(soft_deleting, states.SOFT_DELETED,
                           states.SHUTDOWN)

    def test_power_sync_of_paused_suspended_rescued_soft_deleted(self):
        paused_off = self.create_active()
        self.driver.power_off(paused_off)
        self.put(paused_off, states.PAUSED)
        # Nova: a paused server whose guest runs again is fine.
        paused_running = self.create_active()
        self.put(paused_running, states.PAUSED,
                 power_state=states.PAUSED_POWER)
        stopped_paused = self.create_active()
        self.driver.pause(stopped_paused)
        self.put(stopped_paused, states.STOPPED,
                 power_state=states.SHUTDOWN)
        suspended = self.create_active()
        self.driver.suspend(suspended)
        self.put(suspended, states.SUSPENDED)
        rescued_off = self.create_active()
        self.driver.power_off(rescued_off)
        self.put(rescued_off, states.RESCUED)
        soft_deleted_running = self.create_active()
        self.put(soft_deleted_running, states.SOFT_DELETED)

        self.manager.sync_power_states()

        self.assertSettled(paused_off, states.STOPPED, states.SHUTDOWN)
        self.assertSettled(paused_running, states.PAUSED, states.RUNNING)
        self.assertEqual(states.RUNNING, self.guest_state(paused_running))
        self.assertSettled(stopped_paused, states.STOPPED, states.SHUTDOWN)
        self.assertEqual(states.SHUTDOWN, self.guest_state(stopped_paused))
        self.assertSettled(suspended, states.SUSPENDED,
                           self.guest_state(suspended))
        self.assertSettled(rescued_off, states.RESCUED, states.SHUTDOWN)
        self.assertSettled(soft_deleted_running, states.SOFT_DELETED,
                           states.RUNNING)
        self.assertIn('Soft-deleted server %s is not off'
                      % soft_deleted_running['uuid'], self.logger.output)

    def test_reclaim_queued_deletes(self):
        old = db.utcnow() - datetime.timedelta(seconds=61)
        due = self.create_active()
        self.act(due, 'soft_delete')
        young = self.create_active()
        self.act(young, 'soft_delete')
        db.instance_update(self.ctxt, young['uuid'],
                           {'deleted_at': db.utcnow()})
        restoring = self.create_active()
        self.act(restoring, 'soft_delete')
        for inst in (due, restoring):
            db.instance_update(self.ctxt, inst['uuid'], {'deleted_at': old})
        self.set_task(restoring, states.RESTORING)
        active = self.create_active()
        db.instance_update(self.ctxt, active['uuid'], {'deleted_at': old})

        self.flags(reclaim_instance_interval=0)
        self.manager.reclaim_queued_deletes()
        self.assertSettled(due, states.SOFT_DELETED)

        self.flags(reclaim_instance_interval=60)
        self.manager.reclaim_queued_deletes()
        self.assertRaises(exception.InstanceNotFound, self.get, due['uuid'])
        self.assertNotIn(due['uuid'], self.driver.list_instance_uuids())
        self.assertSettled(young, states.SOFT_DELETED)
        self.assertEqual(states.RESTORING, self.get(
            restoring['uuid'])['task_state'])
        self.assertSettled(active, states.ACTIVE)


class FakeDriverActionsTest(_ActionsTests, test_manager._ManagerTestBase):

    def rescued(self, inst):
        return 'rescue' in self.driver._guests[inst['uuid']]

    def test_rescue_gets_the_password_and_image(self):
        inst = self.create_active()
        other = self.create_image(image_id=str(uuid.uuid4()), name='r')
        self.act(inst, 'rescue', rescue_password='pw',
                 rescue_image_ref=other['id'])
        self.assertEqual({'image': other['id'], 'password': 'pw'},
                         self.driver._guests[inst['uuid']]['rescue'])


class LibvirtDriverActionsTest(_ActionsTests,
                               test_manager._ManagerTestBase):

    make_driver = test_manager.LibvirtDriverManagerTest.make_driver

    def rescued(self, inst):
        return os.path.exists(os.path.join(
            CONF.instances_path, inst['uuid'], 'unrescue.xml'))
