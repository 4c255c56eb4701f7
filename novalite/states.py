"""The one place that owns server state.

vm_state is the stable state of a server, task_state the operation under
way (or None), power_state what the hypervisor last reported. This module
holds their values, which actions may start from which states
(``TRANSITIONS``), what status the API shows for each pair (``status``),
and the reverse mapping used by the ``status`` list filter.

Every task_state change goes through ``db.instance_update`` with
``expected_task_state``/``expected_vm_state``: a compare-and-swap in the
database, so two requests racing for one server cannot both start.
"""

import collections

# vm_states (wire values of OS-EXT-STS:vm_state)
ACTIVE = 'active'
BUILDING = 'building'
PAUSED = 'paused'
SUSPENDED = 'suspended'
STOPPED = 'stopped'
RESCUED = 'rescued'
RESIZED = 'resized'
SOFT_DELETED = 'soft-delete'
DELETED = 'deleted'
ERROR = 'error'
SHELVED = 'shelved'
SHELVED_OFFLOADED = 'shelved_offloaded'

# task_states
SCHEDULING = 'scheduling'
NETWORKING = 'networking'
BLOCK_DEVICE_MAPPING = 'block_device_mapping'
SPAWNING = 'spawning'
REBOOTING = 'rebooting'
REBOOT_PENDING = 'reboot_pending'
REBOOT_STARTED = 'reboot_started'
REBOOTING_HARD = 'rebooting_hard'
REBOOT_PENDING_HARD = 'reboot_pending_hard'
REBOOT_STARTED_HARD = 'reboot_started_hard'
UPDATING_PASSWORD = 'updating_password'
POWERING_OFF = 'powering-off'
POWERING_ON = 'powering-on'
DELETING = 'deleting'
REBUILDING = 'rebuilding'
REBUILD_BLOCK_DEVICE_MAPPING = 'rebuild_block_device_mapping'
REBUILD_SPAWNING = 'rebuild_spawning'
MIGRATING = 'migrating'
RESIZE_PREP = 'resize_prep'
RESIZE_MIGRATING = 'resize_migrating'
RESIZE_MIGRATED = 'resize_migrated'
RESIZE_FINISH = 'resize_finish'
RESIZE_REVERTING = 'resize_reverting'
PAUSING = 'pausing'
UNPAUSING = 'unpausing'
SUSPENDING = 'suspending'
RESUMING = 'resuming'
RESCUING = 'rescuing'
UNRESCUING = 'unrescuing'
SOFT_DELETING = 'soft-deleting'
RESTORING = 'restoring'
# rebuild, resize, migrate, shelve, snapshot (Nova's task_states):
IMAGE_SNAPSHOT = 'image_snapshot'
IMAGE_SNAPSHOT_PENDING = 'image_snapshot_pending'
IMAGE_BACKUP = 'image_backup'
IMAGE_PENDING_UPLOAD = 'image_pending_upload'
IMAGE_UPLOADING = 'image_uploading'
SHELVING = 'shelving'
SHELVING_IMAGE_PENDING_UPLOAD = 'shelving_image_pending_upload'
SHELVING_IMAGE_UPLOADING = 'shelving_image_uploading'
SHELVING_OFFLOADING = 'shelving_offloading'
UNSHELVING = 'unshelving'

# power_states (integers on the wire)
NOSTATE = 0
RUNNING = 1
PAUSED_POWER = 3
SHUTDOWN = 4
CRASHED = 6
SUSPENDED_POWER = 7

POWER_STATES = (NOSTATE, RUNNING, PAUSED_POWER, SHUTDOWN, CRASHED,
                SUSPENDED_POWER)

_REBOOT_SOFT = (REBOOTING, REBOOT_PENDING, REBOOT_STARTED)
_REBOOT_HARD = (REBOOTING_HARD, REBOOT_PENDING_HARD, REBOOT_STARTED_HARD)
_REBUILD = (REBUILDING, REBUILD_BLOCK_DEVICE_MAPPING, REBUILD_SPAWNING)
_RESIZE = (RESIZE_PREP, RESIZE_MIGRATING, RESIZE_MIGRATED, RESIZE_FINISH)

# vm_state -> {task_state or 'default': status}; Nova's _STATE_MAP.
_STATE_MAP = {
    ACTIVE: dict(
        {'default': 'ACTIVE', UPDATING_PASSWORD: 'PASSWORD',
         MIGRATING: 'MIGRATING'},
        **{t: 'REBOOT' for t in _REBOOT_SOFT},
        **{t: 'HARD_REBOOT' for t in _REBOOT_HARD},
        **{t: 'REBUILD' for t in _REBUILD},
        **{t: 'RESIZE' for t in _RESIZE}),
    BUILDING: {'default': 'BUILD'},
    STOPPED: dict({'default': 'SHUTOFF'},
                  **{t: 'RESIZE' for t in _RESIZE},
                  **{t: 'REBUILD' for t in _REBUILD}),
    RESIZED: {'default': 'VERIFY_RESIZE', RESIZE_REVERTING: 'REVERT_RESIZE'},
    PAUSED: {'default': 'PAUSED', MIGRATING: 'MIGRATING'},
    SUSPENDED: {'default': 'SUSPENDED'},
    RESCUED: {'default': 'RESCUE'},
    ERROR: dict({'default': 'ERROR'}, **{t: 'REBUILD' for t in _REBUILD}),
    DELETED: {'default': 'DELETED'},
    SOFT_DELETED: {'default': 'SOFT_DELETED'},
    SHELVED: {'default': 'SHELVED'},
    SHELVED_OFFLOADED: {'default': 'SHELVED_OFFLOADED'},
}

STATUSES = frozenset(
    ['UNKNOWN'] + [s for m in _STATE_MAP.values() for s in m.values()])

# Statuses whose servers report a progress value.
PROGRESS_STATUSES = frozenset(
    ['ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE', 'MIGRATING'])


def status(vm_state, task_state, deleted=False):
    """The API ``status`` for a server's states."""
    if deleted:
        return 'DELETED'
    by_task = _STATE_MAP.get(vm_state)
    if by_task is None:
        return 'UNKNOWN'
    return by_task.get(task_state, by_task['default'])


def states_from_status(status_name):
    """(vm_states, task_states) matching a ``status`` filter value.

    task_states is None when any task state matches (a default status),
    otherwise the task states that map to that status. Returns None for an
    unknown status.
    """
    status_name = status_name.upper()
    vm_states, task_states = set(), set()
    default_match = False
    for vm_state, by_task in _STATE_MAP.items():
        for task, name in by_task.items():
            if name != status_name:
                continue
            vm_states.add(vm_state)
            if task == 'default':
                default_match = True
            else:
                task_states.add(task)
    if not vm_states:
        return None
    return sorted(vm_states), (None if default_match else sorted(task_states))


# The actions a user may start, with what they need and what they set.
# vm_states: the server must be in one of these; task_states: its current
# task must be one of these (None = no task in progress).
Transition = collections.namedtuple(
    'Transition', ['vm_states', 'task_states', 'new_task_state'])

TRANSITIONS = {
    'reboot_soft': Transition((ACTIVE,), (None,), REBOOTING),
    'reboot_hard': Transition(
        (ACTIVE, STOPPED, PAUSED, SUSPENDED, ERROR),
        (None, REBOOTING, REBOOT_PENDING, REBOOT_STARTED, REBOOTING_HARD,
         RESUMING, UNPAUSING, PAUSING, SUSPENDING),
        REBOOTING_HARD),
    'start': Transition((STOPPED,), (None,), POWERING_ON),
    'stop': Transition((ACTIVE, ERROR), (None,), POWERING_OFF),
    'change_password': Transition((ACTIVE,), (None,), UPDATING_PASSWORD),
    # Delete is allowed from any state and any task but deleting itself.
    'delete': Transition(None, None, DELETING),
    # An NMI to the guest; no task of its own (2.17).
    'trigger_crash_dump': Transition(
        (ACTIVE, PAUSED, RESCUED, RESIZED, ERROR), (None,), None),
    # Metadata changes start no task; they need a settled server.
    'update_metadata': Transition(
        (ACTIVE, PAUSED, SUSPENDED, STOPPED, SHELVED, SHELVED_OFFLOADED),
        (None,), None),
    'delete_metadata': Transition(
        (ACTIVE, PAUSED, SUSPENDED, STOPPED, SHELVED, SHELVED_OFFLOADED),
        (None,), None),
    # pause, suspend, rescue, soft delete:
    'pause': Transition((ACTIVE,), (None,), PAUSING),
    'unpause': Transition((PAUSED,), (None,), UNPAUSING),
    'suspend': Transition((ACTIVE,), (None,), SUSPENDING),
    'resume': Transition((SUSPENDED,), (None,), RESUMING),
    'rescue': Transition((ACTIVE, STOPPED, ERROR), (None,), RESCUING),
    'unrescue': Transition((RESCUED,), (None,), UNRESCUING),
    # DELETE with reclaim_instance_interval > 0, from any state and task
    # (a delete under way takes precedence; see compute.API.soft_delete).
    'soft_delete': Transition(None, None, SOFT_DELETING),
    'restore': Transition((SOFT_DELETED,), (None,), RESTORING),
    # A delete at once, from any state and task, soft-deleted or not.
    'force_delete': Transition(None, None, DELETING),
    # rebuild, resize, migrate, shelve, snapshot:
    # (Nova's @check_instance_state of compute.API snapshot, rebuild,
    # resize, confirm_resize, revert_resize, shelve, shelve_offload and
    # unshelve; a migrate is a resize to the same flavor.)
    'create_image': Transition((ACTIVE, STOPPED, PAUSED, SUSPENDED),
                               (None,), IMAGE_SNAPSHOT_PENDING),
    # createBackup (Nova's compute.API backup).
    'backup': Transition((ACTIVE, STOPPED, PAUSED, SUSPENDED), (None,),
                         IMAGE_BACKUP),
    'rebuild': Transition((ACTIVE, STOPPED, ERROR), (None,), REBUILDING),
    'resize': Transition((ACTIVE, STOPPED), (None,), RESIZE_PREP),
    'migrate': Transition((ACTIVE, STOPPED), (None,), RESIZE_PREP),
    # Nova sets no task for a confirm: the migration record's status
    # ('finished' -> 'confirming') is what two confirms race for.
    'confirm_resize': Transition((RESIZED,), (None,), None),
    'revert_resize': Transition((RESIZED,), (None,), RESIZE_REVERTING),
    'shelve': Transition((ACTIVE, STOPPED, PAUSED, SUSPENDED), (None,),
                         SHELVING),
    'shelve_offload': Transition((SHELVED,), (None,), SHELVING_OFFLOADING),
    'unshelve': Transition((SHELVED, SHELVED_OFFLOADED), (None,),
                           UNSHELVING),
}

# Actions that ignore the server's lock (Nova: a snapshot or a backup
# changes nothing of the server).
LOCK_EXEMPT = frozenset(['create_image', 'backup'])
# Actions that need a server launched once at least (Nova's
# check_instance_state(must_have_launched=True)), and the ones that need
# no host (a shelved-offloaded server has none).
MUST_HAVE_LAUNCHED = frozenset([
    'create_image', 'backup', 'rebuild', 'resize', 'migrate',
    'confirm_resize', 'revert_resize', 'shelve', 'shelve_offload',
    'unshelve',
    # pause, suspend, rescue, soft delete:
    'pause', 'unpause', 'suspend', 'resume', 'rescue', 'unrescue',
    'restore'])
NO_HOST_NEEDED = frozenset(['unshelve'])

# Where each operation ends when it succeeds on the compute host:
# (vm_state, power_state); task_state always goes back to None.
RESULTS = {
    'build': (ACTIVE, RUNNING),
    'reboot_soft': (ACTIVE, RUNNING),
    'reboot_hard': (ACTIVE, RUNNING),
    'start': (ACTIVE, RUNNING),
    'stop': (STOPPED, SHUTDOWN),
    'change_password': (ACTIVE, None),
    'delete': (DELETED, NOSTATE),
    # pause, suspend, rescue, soft delete:
    'pause': (PAUSED, PAUSED_POWER),
    'unpause': (ACTIVE, RUNNING),
    # The hypervisor's word: libvirt's saved guest is off (SHUTDOWN, as
    # Nova shows it), the fake driver's SUSPENDED.
    'suspend': (SUSPENDED, None),
    'resume': (ACTIVE, RUNNING),
    'rescue': (RESCUED, RUNNING),
    'unrescue': (ACTIVE, RUNNING),
    'soft_delete': (SOFT_DELETED, SHUTDOWN),
    'restore': (ACTIVE, RUNNING),
    'force_delete': (DELETED, NOSTATE),
    # rebuild, resize, migrate, shelve, snapshot:
    # None: left as it was (a snapshot changes no state).
    'create_image': (None, None),
    'backup': (None, None),
    # A server rebuilt from STOPPED is stopped again, as in Nova.
    'rebuild': (ACTIVE, RUNNING),
    # finish_resize on the destination (a stopped server stays off).
    'resize': (RESIZED, RUNNING),
    'migrate': (RESIZED, RUNNING),
    # ACTIVE, or STOPPED when the guest is off (Nova's confirm).
    'confirm_resize': (ACTIVE, None),
    'revert_resize': (ACTIVE, RUNNING),
    # SHELVED_OFFLOADED at once with shelved_offload_time = 0.
    'shelve': (SHELVED, SHUTDOWN),
    'shelve_offload': (SHELVED_OFFLOADED, SHUTDOWN),
    'unshelve': (ACTIVE, RUNNING),
}


def check_transition(action, instance):
    """Raise InstanceInvalidState unless ``action`` may start now.

    Returns the Transition, whose states the caller passes on as the
    compare-and-swap expectations of its database update.
    """
    from novalite import exception

    transition = TRANSITIONS[action]
    if (transition.vm_states is not None
            and instance['vm_state'] not in transition.vm_states):
        raise exception.InstanceInvalidState(
            action=api_action_name(action),
            instance_uuid=instance['uuid'],
            attr='vm_state', state=instance['vm_state'])
    if (transition.task_states is not None
            and instance['task_state'] not in transition.task_states):
        raise exception.InstanceInvalidState(
            action=api_action_name(action),
            instance_uuid=instance['uuid'],
            attr='task_state', state=instance['task_state'])
    return transition


# Names Nova uses in its state-conflict messages.
_API_ACTION_NAMES = {
    'reboot_soft': 'reboot', 'reboot_hard': 'reboot',
    'change_password': 'changePassword',
    # rebuild, resize, migrate, shelve, snapshot:
    'create_image': 'createImage', 'backup': 'createBackup',
    'confirm_resize': 'confirmResize',
    'revert_resize': 'revertResize', 'shelve_offload': 'shelveOffload',
    # Nova records a soft delete and a forceDelete as 'delete'.
    'soft_delete': 'delete', 'force_delete': 'delete',
    'update_metadata': 'update metadata',
    'delete_metadata': 'delete metadata',
}


def api_action_name(action):
    """The name Nova's conflict messages give ``action``."""
    return _API_ACTION_NAMES.get(action, action)


def power_state_for_vm_state(vm_state):
    """The power state a settled server in ``vm_state`` should report."""
    return {ACTIVE: RUNNING, STOPPED: SHUTDOWN, PAUSED: PAUSED_POWER,
            SUSPENDED: SUSPENDED_POWER}.get(vm_state)
