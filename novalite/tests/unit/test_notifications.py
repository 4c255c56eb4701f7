"""Versioned notifications through oslo.messaging's ``test`` driver, from
the real compute manager on a real database: which ones are sent for
which options, and what a failure's carry."""

from unittest import mock
import uuid

import fixtures
from oslo_messaging.notify import _impl_test

from novalite.compute import api as compute_api
from novalite.compute import manager as compute_manager
from novalite import context as nl_context
from novalite.db import api as db
from novalite import notifications
from novalite import rpc
from novalite import states
from novalite.tests import base
from novalite.virt import fake

HOST = 'compute-1'


class _Base(base.TestCase):

    FORMAT = 'versioned'
    STATE_CHANGE = 'vm_and_task_state'

    def setUp(self):
        super().setUp()
        self.flags(driver=['test'], group='oslo_messaging_notifications')
        self.flags(notification_format=self.FORMAT,
                   notify_on_state_change=self.STATE_CHANGE,
                   group='notifications')
        _impl_test.reset()
        self.addCleanup(_impl_test.reset)
        self.flavor = self.create_flavor()
        self.image = self.create_image()
        self.driver = fake.FakeDriver()
        self.driver.init_host(HOST)
        self.manager = compute_manager.ComputeManager(self.driver, HOST)
        self.context = nl_context.RequestContext(
            user_id='u1', project_id='p1', request_id='req-%s' % uuid.uuid4(),
            is_admin=False)

    def create_instance(self, **values):
        flavor = self.flavor
        row = dict({
            'uuid': str(uuid.uuid4()), 'project_id': 'p1', 'user_id': 'u1',
            'display_name': 'server', 'hostname': 'server',
            'image_ref': self.image['id'], 'instance_type_id': flavor['id'],
            'flavorid': flavor['flavorid'], 'flavor_name': flavor['name'],
            'vcpus': flavor['vcpus'], 'memory_mb': flavor['memory_mb'],
            'root_gb': flavor['root_gb'], 'vm_state': states.BUILDING,
            'task_state': states.SCHEDULING,
            'power_state': states.NOSTATE, 'host': HOST, 'node': HOST,
            'availability_zone': 'nova'}, **values)
        return db.instance_create(self.admin_context, row)

    def sent(self):
        """(event_type, priority, publisher_id, payload) of each one."""
        return [(m['event_type'], m['priority'], m['publisher_id'],
                 m['payload']) for _c, m, _p, _r in _impl_test.NOTIFICATIONS]

    def event_types(self):
        return [event for event, _p, _pub, _d in self.sent()]


class TestFormatGating(_Base):

    def test_versioned_format_sends_the_build(self):
        inst = self.create_instance()
        self.manager.build_and_run_instance(self.context, inst['uuid'])
        self.assertEqual(
            ['instance.update', 'instance.create.start',
             'instance.update', 'instance.create.end'], self.event_types())
        event, priority, publisher, payload = self.sent()[-1]
        self.assertEqual('INFO', priority)
        self.assertEqual('nova-compute:%s' % HOST, publisher)
        self.assertEqual('InstanceCreatePayload',
                         payload['nova_object.name'])
        self.assertEqual('1.13', payload['nova_object.version'])
        data = payload['nova_object.data']
        self.assertEqual(('active', 'running', None, inst['uuid'], 'p1'),
                         (data['state'], data['power_state'],
                          data['task_state'], data['uuid'],
                          data['tenant_id']))
        self.assertEqual(self.context.request_id, data['request_id'])
        self.assertEqual('m1.tiny', data['flavor']['nova_object.data']
                         ['name'])

    def test_unversioned_format_sends_nothing(self):
        self.flags(notification_format='unversioned', group='notifications')
        inst = self.create_instance()
        self.manager.build_and_run_instance(self.context, inst['uuid'])
        self.assertEqual([], self.sent())
        self.assertIsNone(rpc._NOTIFIER)  # not even made

    def test_both_sends_the_versioned_ones(self):
        self.flags(notification_format='both', group='notifications')
        inst = self.create_instance()
        self.manager.build_and_run_instance(self.context, inst['uuid'])
        self.assertIn('instance.create.end', self.event_types())

    def test_no_driver_sends_nothing(self):
        self.flags(driver=[], group='oslo_messaging_notifications')
        inst = self.create_instance()
        self.manager.build_and_run_instance(self.context, inst['uuid'])
        self.assertEqual([], self.sent())

    def test_a_notifier_failure_does_not_break_the_action(self):
        inst = self.create_instance()
        logger = self.useFixture(fixtures.FakeLogger())
        with mock.patch.object(notifications, '_emit',
                               side_effect=RuntimeError('broker gone')):
            self.manager.build_and_run_instance(self.context, inst['uuid'])
        self.assertEqual(states.ACTIVE, db.instance_get_by_uuid(
            self.admin_context, inst['uuid'])['vm_state'])
        self.assertIn('Could not send', logger.output)


class TestStateChangeGating(_Base):

    def _stop_and_updates(self):
        inst = self.create_instance(vm_state=states.ACTIVE, task_state=None,
                                    power_state=states.RUNNING,
                                    launched_at=db.utcnow())
        self.driver.spawn(inst, {}, None, [], [])
        # NOTE: the API's compare-and-swap, then the agent's operation.
        db.instance_update(self.context, inst['uuid'],
                           {'task_state': states.POWERING_OFF},
                           expected_task_state=None)
        self.manager.stop_instance(self.context, inst['uuid'])
        return [d['nova_object.data']['state_update']['nova_object.data']
                for e, _p, _pub, d in self.sent() if e == 'instance.update']

    def test_vm_and_task_state(self):
        updates = self._stop_and_updates()
        self.assertEqual(
            [{'old_state': 'active', 'state': 'active',
              'old_task_state': None, 'new_task_state': 'powering-off'},
             {'old_state': 'active', 'state': 'stopped',
              'old_task_state': 'powering-off', 'new_task_state': None}],
            updates)
        self.assertEqual(
            ['instance.update', 'instance.power_off.start',
             'instance.update', 'instance.power_off.end'],
            self.event_types())

    def test_vm_state_only(self):
        self.flags(notify_on_state_change='vm_state', group='notifications')
        updates = self._stop_and_updates()
        self.assertEqual(['stopped'], [u['state'] for u in updates])

    def test_none(self):
        self.flags(notify_on_state_change=None, group='notifications')
        self.assertEqual([], self._stop_and_updates())
        self.assertEqual(['instance.power_off.start',
                          'instance.power_off.end'], self.event_types())


class TestErrors(_Base):

    def test_failed_build_sends_create_error_with_the_exception(self):
        inst = self.create_instance()
        with mock.patch.object(self.driver, 'spawn',
                               side_effect=OSError('disk on fire')):
            self.manager.build_and_run_instance(self.context, inst['uuid'])
        self.assertEqual(
            ['instance.update', 'instance.create.start',
             'instance.create.error', 'instance.update'],
            self.event_types())
        event, priority, publisher, payload = self.sent()[2]
        self.assertEqual('ERROR', priority)
        data = payload['nova_object.data']
        self.assertEqual('building', data['state'])
        fault = data['fault']
        self.assertEqual(('ExceptionPayload', 'nova', '1.1'),
                         (fault['nova_object.name'],
                          fault['nova_object.namespace'],
                          fault['nova_object.version']))
        self.assertEqual('OSError', fault['nova_object.data']['exception'])
        self.assertEqual('disk on fire',
                         fault['nova_object.data']['exception_message'])
        self.assertEqual(
            {'module_name', 'function_name', 'exception',
             'exception_message', 'traceback'},
            set(fault['nova_object.data']))
        self.assertIn('Traceback', fault['nova_object.data']['traceback'])
        # The last update: to ERROR.
        update = self.sent()[3][3]['nova_object.data']['state_update']
        self.assertEqual('error', update['nova_object.data']['state'])

    def test_failed_stop_sends_no_error_as_nova(self):
        inst = self.create_instance(vm_state=states.ACTIVE,
                                    task_state=states.POWERING_OFF)
        with mock.patch.object(self.driver, 'power_off',
                               side_effect=OSError('stuck')):
            self.manager.stop_instance(self.context, inst['uuid'])
        self.assertEqual(['instance.power_off.start', 'instance.update'],
                         self.event_types())


class TestLocalDelete(_Base):

    def test_api_deletes_a_server_without_host_and_notifies(self):
        self.flags(host='api-host')
        inst = self.create_instance(vm_state=states.ERROR, task_state=None,
                                    host=None, node=None)
        compute_api.API().delete(self.context, inst)
        sent = self.sent()
        self.assertEqual(
            ['instance.update', 'instance.delete.start', 'instance.update',
             'instance.delete.end'], [s[0] for s in sent])
        self.assertEqual(['nova-api:api-host'] * 2,
                         [s[2] for s in sent if s[0].startswith(
                             'instance.delete')])
        end = sent[-1][3]['nova_object.data']
        self.assertEqual(('deleted', None, 'pending'),
                         (end['state'], end['task_state'],
                          end['power_state']))
        self.assertIsNotNone(end['deleted_at'])


class TestActionPayloads(_Base):

    STATE_CHANGE = None

    def test_pause_unpause_rescue_unrescue(self):
        inst = self.create_instance()
        self.manager.build_and_run_instance(self.context, inst['uuid'])
        for action, task in (('pause', states.PAUSING),
                             ('unpause', states.UNPAUSING),
                             ('rescue', states.RESCUING),
                             ('unrescue', states.UNRESCUING)):
            db.instance_update(self.admin_context, inst['uuid'],
                               {'task_state': task})
            getattr(self.manager, '%s_instance' % action)(
                self.context, inst['uuid'])
        sent = self.sent()[2:]
        self.assertEqual(
            ['instance.%s.%s' % (a, p) for a in
             ('pause', 'unpause', 'rescue', 'unrescue')
             for p in ('start', 'end')], [s[0] for s in sent])
        self.assertEqual(
            ['InstanceActionPayload'] * 4
            + ['InstanceActionRescuePayload'] * 2
            + ['InstanceActionPayload'] * 2,
            [s[3]['nova_object.name'] for s in sent])
        self.assertEqual(
            ('paused', 'paused', None),
            tuple(sent[1][3]['nova_object.data'][k] for k in
                  ('state', 'power_state', 'task_state')))
        self.assertIn('rescue_image_ref', sent[4][3]['nova_object.data'])
