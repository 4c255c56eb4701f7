"""The state machine against the servers API contract (§3.1, §8.4).

The expected tables below are copied from the contract, not derived from
``novalite.states``, so a wrong entry in the module fails here.
"""

import itertools

import testtools

from novalite import exception
from novalite import states

_REBOOT_SOFT = ('rebooting', 'reboot_pending', 'reboot_started')
_REBOOT_HARD = ('rebooting_hard', 'reboot_pending_hard',
                'reboot_started_hard')
_REBUILD = ('rebuilding', 'rebuild_block_device_mapping',
            'rebuild_spawning')
_RESIZE = ('resize_prep', 'resize_migrating', 'resize_migrated',
           'resize_finish')

# Contract §3.1: vm_state -> (default status, {task_state: status}).
CONTRACT_STATUS = {
    'active': ('ACTIVE', dict(
        [(t, 'REBOOT') for t in _REBOOT_SOFT]
        + [(t, 'HARD_REBOOT') for t in _REBOOT_HARD]
        + [('updating_password', 'PASSWORD'), ('migrating', 'MIGRATING')]
        + [(t, 'REBUILD') for t in _REBUILD]
        + [(t, 'RESIZE') for t in _RESIZE])),
    'building': ('BUILD', {}),
    'stopped': ('SHUTOFF', dict([(t, 'RESIZE') for t in _RESIZE]
                                + [(t, 'REBUILD') for t in _REBUILD])),
    'resized': ('VERIFY_RESIZE', {'resize_reverting': 'REVERT_RESIZE'}),
    'paused': ('PAUSED', {'migrating': 'MIGRATING'}),
    'suspended': ('SUSPENDED', {}),
    'rescued': ('RESCUE', {}),
    'error': ('ERROR', dict((t, 'REBUILD') for t in _REBUILD)),
    'deleted': ('DELETED', {}),
    'soft-delete': ('SOFT_DELETED', {}),
    'shelved': ('SHELVED', {}),
    'shelved_offloaded': ('SHELVED_OFFLOADED', {}),
}

# Every task_state wire value the contract names (§3.1), and no task.
ALL_TASK_STATES = (None,) + _REBOOT_SOFT + _REBOOT_HARD + _REBUILD + \
    _RESIZE + (
        'updating_password', 'migrating', 'resize_reverting', 'scheduling',
        'block_device_mapping', 'networking', 'spawning', 'image_snapshot',
        'image_snapshot_pending', 'image_pending_upload', 'image_uploading',
        'image_backup', 'resize_confirming', 'pausing', 'unpausing',
        'suspending', 'resuming', 'powering-off', 'powering-on',
        'rescuing', 'unrescuing', 'deleting', 'soft-deleting', 'restoring',
        'shelving', 'shelving_image_pending_upload',
        'shelving_image_uploading', 'shelving_offloading', 'unshelving')

ALL_STATUSES = {
    'ACTIVE', 'BUILD', 'DELETED', 'ERROR', 'HARD_REBOOT', 'MIGRATING',
    'PASSWORD', 'PAUSED', 'REBOOT', 'REBUILD', 'RESCUE', 'RESIZE',
    'REVERT_RESIZE', 'SHELVED', 'SHELVED_OFFLOADED', 'SHUTOFF',
    'SOFT_DELETED', 'SUSPENDED', 'UNKNOWN', 'VERIFY_RESIZE'}


def expected_status(vm_state, task_state):
    default, overrides = CONTRACT_STATUS[vm_state]
    return overrides.get(task_state, default)


class StatusTest(testtools.TestCase):

    def test_every_pair(self):
        for vm_state, task_state in itertools.product(CONTRACT_STATUS,
                                                      ALL_TASK_STATES):
            self.assertEqual(expected_status(vm_state, task_state),
                             states.status(vm_state, task_state),
                             '%s/%s' % (vm_state, task_state))

    def test_deleted_row_is_deleted_whatever_the_states(self):
        self.assertEqual('DELETED', states.status('active', None,
                                                  deleted=True))
        self.assertEqual('DELETED', states.status('error', 'rebuilding',
                                                  deleted=True))

    def test_unknown_vm_state(self):
        self.assertEqual('UNKNOWN', states.status('bogus', None))
        self.assertEqual('UNKNOWN', states.status('bogus', 'rebooting'))

    def test_contract_consequences(self):
        # A server being deleted shows its previous status; a stop in
        # progress shows ACTIVE.
        self.assertEqual('ACTIVE', states.status('active', 'deleting'))
        self.assertEqual('SHUTOFF', states.status('stopped', 'deleting'))
        self.assertEqual('ACTIVE', states.status('active', 'powering-off'))

    def test_status_enum(self):
        self.assertEqual(ALL_STATUSES, set(states.STATUSES))

    def test_vm_state_constants_cover_the_contract(self):
        self.assertEqual(set(CONTRACT_STATUS), {
            states.ACTIVE, states.BUILDING, states.PAUSED,
            states.SUSPENDED, states.STOPPED, states.RESCUED,
            states.RESIZED, states.SOFT_DELETED, states.DELETED,
            states.ERROR, states.SHELVED, states.SHELVED_OFFLOADED})

    def test_power_states(self):
        self.assertEqual((0, 1, 3, 4, 6, 7), states.POWER_STATES)
        self.assertEqual(states.RUNNING,
                         states.power_state_for_vm_state('active'))
        self.assertEqual(states.SHUTDOWN,
                         states.power_state_for_vm_state('stopped'))
        self.assertIsNone(states.power_state_for_vm_state('error'))


class StatesFromStatusTest(testtools.TestCase):

    def _pairs_with_status(self, status_name):
        """(vm_state, task_state) pairs the contract shows as status."""
        return {(vm, task)
                for vm, task in itertools.product(CONTRACT_STATUS,
                                                  ALL_TASK_STATES)
                if expected_status(vm, task) == status_name}

    def _matches(self, result, vm_state, task_state):
        vm_states, task_states = result
        return vm_state in vm_states and (task_states is None
                                          or task_state in task_states)

    def test_task_specific_statuses_match_exactly(self):
        # Statuses that only a task state gives: the filter matches exactly
        # the pairs that show that status.
        for status_name in ('REBOOT', 'HARD_REBOOT', 'PASSWORD', 'REBUILD',
                            'RESIZE', 'MIGRATING', 'REVERT_RESIZE'):
            result = states.states_from_status(status_name)
            self.assertIsNotNone(result, status_name)
            matched = {(vm, task)
                       for vm, task in itertools.product(CONTRACT_STATUS,
                                                         ALL_TASK_STATES)
                       if self._matches(result, vm, task)}
            self.assertEqual(self._pairs_with_status(status_name), matched,
                             status_name)

    def test_explicit_values(self):
        self.assertEqual((['active'], sorted(_REBOOT_SOFT)),
                         states.states_from_status('REBOOT'))
        self.assertEqual((['active', 'error', 'stopped'], sorted(_REBUILD)),
                         states.states_from_status('REBUILD'))
        self.assertEqual((['active', 'paused'], ['migrating']),
                         states.states_from_status('MIGRATING'))
        self.assertEqual((['resized'], ['resize_reverting']),
                         states.states_from_status('REVERT_RESIZE'))

    def test_default_statuses_match_any_task(self):
        # As Nova: filtering on a vm_state's default status matches that
        # vm_state whatever its task (e.g. ACTIVE includes rebooting).
        for status_name, vm_state in (
                ('ACTIVE', 'active'), ('BUILD', 'building'),
                ('SHUTOFF', 'stopped'), ('ERROR', 'error'),
                ('VERIFY_RESIZE', 'resized'), ('PAUSED', 'paused'),
                ('SUSPENDED', 'suspended'), ('RESCUE', 'rescued'),
                ('DELETED', 'deleted'), ('SOFT_DELETED', 'soft-delete'),
                ('SHELVED', 'shelved'),
                ('SHELVED_OFFLOADED', 'shelved_offloaded')):
            self.assertEqual(([vm_state], None),
                             states.states_from_status(status_name),
                             status_name)
            # Every pair that shows this status is matched.
            for vm, task in self._pairs_with_status(status_name):
                self.assertTrue(self._matches(
                    states.states_from_status(status_name), vm, task))

    def test_case_insensitive(self):
        self.assertEqual(states.states_from_status('ACTIVE'),
                         states.states_from_status('active'))
        self.assertEqual(states.states_from_status('HARD_REBOOT'),
                         states.states_from_status('hard_reboot'))

    def test_unknown_status(self):
        self.assertIsNone(states.states_from_status('BOGUS'))
        self.assertIsNone(states.states_from_status('UNKNOWN'))
        self.assertIsNone(states.states_from_status(''))


# Contract §8.4: action -> (allowed vm_states, allowed task_states, task
# set when the action starts).
CONTRACT_ACTIONS = {
    'reboot_soft': ({'active'}, {None}, 'rebooting'),
    'reboot_hard': ({'active', 'stopped', 'paused', 'suspended', 'error'},
                    {None, 'rebooting', 'reboot_pending', 'reboot_started',
                     'resuming', 'rebooting_hard', 'unpausing', 'pausing',
                     'suspending'},
                    'rebooting_hard'),
    'start': ({'stopped'}, {None}, 'powering-on'),
    'stop': ({'active', 'error'}, {None}, 'powering-off'),
    'change_password': ({'active'}, {None}, 'updating_password'),
    # pause, suspend, rescue, soft delete (Nova's compute.API decorators):
    'pause': ({'active'}, {None}, 'pausing'),
    'unpause': ({'paused'}, {None}, 'unpausing'),
    'suspend': ({'active'}, {None}, 'suspending'),
    'resume': ({'suspended'}, {None}, 'resuming'),
    'rescue': ({'active', 'stopped', 'error'}, {None}, 'rescuing'),
    'unrescue': ({'rescued'}, {None}, 'unrescuing'),
    'restore': ({'soft-delete'}, {None}, 'restoring'),
}

API_ACTION_NAMES = {'reboot_soft': 'reboot', 'reboot_hard': 'reboot',
                    'start': 'start', 'stop': 'stop',
                    'change_password': 'changePassword'}


class CheckTransitionTest(testtools.TestCase):

    def _instance(self, vm_state, task_state):
        return {'uuid': 'b5e5ba5c-3c54-4c2f-a0a4-2c8d2b2a7d1e',
                'vm_state': vm_state, 'task_state': task_state}

    def test_allow_and_deny_every_pair(self):
        wrong = []
        for action, (vm_ok, task_ok, new_task) in CONTRACT_ACTIONS.items():
            for vm_state, task_state in itertools.product(CONTRACT_STATUS,
                                                          ALL_TASK_STATES):
                instance = self._instance(vm_state, task_state)
                allowed = vm_state in vm_ok and task_state in task_ok
                try:
                    transition = states.check_transition(action, instance)
                except exception.InstanceInvalidState:
                    if allowed:
                        wrong.append((action, vm_state, task_state,
                                      'denied'))
                else:
                    if not allowed:
                        wrong.append((action, vm_state, task_state,
                                      'allowed'))
                    elif transition.new_task_state != new_task:
                        wrong.append((action, vm_state, task_state,
                                      transition.new_task_state))
        self.assertEqual([], wrong)

    def test_transition_carries_cas_expectations(self):
        for action, (vm_ok, task_ok, _new) in CONTRACT_ACTIONS.items():
            transition = states.check_transition(
                action, self._instance(sorted(vm_ok)[0], None))
            self.assertEqual(vm_ok, set(transition.vm_states), action)
            self.assertEqual(task_ok, set(transition.task_states), action)

    def test_vm_state_conflict_message(self):
        instance = self._instance('stopped', None)
        for action in ('reboot_soft', 'stop', 'change_password'):
            e = self.assertRaises(exception.InstanceInvalidState,
                                  states.check_transition, action, instance)
            self.assertEqual(
                "Cannot '%s' instance %s while it is in vm_state stopped"
                % (API_ACTION_NAMES[action], instance['uuid']), e.message)
            self.assertEqual(409, e.code)

    def test_task_state_conflict_message(self):
        instance = self._instance('active', 'powering-off')
        e = self.assertRaises(exception.InstanceInvalidState,
                              states.check_transition, 'reboot_hard',
                              instance)
        self.assertEqual(
            "Cannot 'reboot' instance %s while it is in task_state "
            "powering-off" % instance['uuid'], e.message)

    def test_results(self):
        self.assertEqual(('active', 1), states.RESULTS['build'])
        self.assertEqual(('stopped', 4), states.RESULTS['stop'])
        self.assertEqual(('active', 1), states.RESULTS['start'])
        self.assertEqual(('active', 1), states.RESULTS['reboot_soft'])
        self.assertEqual(('active', 1), states.RESULTS['reboot_hard'])
