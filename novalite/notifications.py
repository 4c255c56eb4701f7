"""Nova's versioned notifications: instance.<action>.<phase> and
instance.update, as Nova sends them (``nova/notifications``,
``nova/compute/utils.py``).

Payloads are the primitives of Nova's versioned objects, built here from
plain dicts: ``{"nova_object.name", "nova_object.namespace": "nova",
"nova_object.version", "nova_object.data"}`` with Nova's field names and
current versions, so that a consumer of Nova's notifications reads
novalite's unchanged. Fields novalite has no data for get the value Nova
gives them when it has none (see the NOTEs).

Sending never breaks an operation: a failure is logged, as oslo.messaging
does with a driver's failure.
"""

import datetime
import inspect
import traceback

from oslo_config import cfg
from oslo_log import log as logging

from novalite.compute import utils as compute_utils
from novalite import context as nl_context
from novalite.db import api as db
from novalite import exception
from novalite import rpc
from novalite import states
from novalite import utils

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

# The publishers' service names: Nova's binaries, not novalite's.
# NOTE: consumers of Nova's notifications (Searchlight, Watcher, ...)
# filter on the publisher_id ``nova-compute:<host>`` / ``nova-api:<host>``;
# novalite speaks Nova's notifications to them, so it keeps Nova's names
# there (as its API keeps ``nova-compute`` for the os-services binary).
SOURCE_COMPUTE = 'nova-compute'
SOURCE_API = 'nova-api'

# Nova's current payload versions (nova/notifications/objects/*.py).
_VERSIONS = {
    'InstanceActionPayload': '1.9',
    'InstanceCreatePayload': '1.13',
    'InstanceUpdatePayload': '2.1',
    'InstanceActionRescuePayload': '1.4',
    'InstanceActionRebuildPayload': '1.10',
    'InstanceActionSnapshotPayload': '1.10',
    'InstanceActionResizePrepPayload': '1.4',
    'InstanceStateUpdatePayload': '1.0',
    'AuditPeriodPayload': '1.0',
    'FlavorPayload': '1.4',
    'IpPayload': '1.0',
    'KeypairPayload': '1.0',
    'ExceptionPayload': '1.1',
}

# Nova's InstancePowerState enum: the wire value of each power state.
_POWER_STATES = ('pending', 'running', '_unused', 'paused', 'shutdown',
                 '_unused', 'crashed', 'suspended')


def _primitive(name, data):
    return {'nova_object.name': name, 'nova_object.namespace': 'nova',
            'nova_object.version': _VERSIONS[name],
            'nova_object.data': data}


def _time(value):
    """Nova's DateTimeField on the wire: ISO 8601, whole seconds, Z."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value.strftime('%Y-%m-%dT%H:%M:%SZ')


def enabled():
    """Whether versioned notifications are sent at all (Nova's
    ``if_notifications_enabled``): an oslo.messaging driver is set and
    the format is ``versioned`` or ``both``."""
    if CONF.notifications.notification_format not in ('versioned', 'both'):
        return False
    return rpc.get_versioned_notifier(SOURCE_COMPUTE).is_enabled()


# -------------------------------------------------------------- payloads

def _flavor_payload(ctxt, instance, flavor=None):
    """FlavorPayload of the server's flavor (its own columns), or of
    ``flavor`` (a flavors row)."""
    if flavor is None:
        flavor = compute_utils.flavor_of(instance)
    row, extra_specs = None, None
    try:
        row = db.flavor_get_by_flavor_id(ctxt, flavor['flavorid'])
        if row['id'] != flavor['id']:
            row = None  # deleted, and its flavorid reused since
        else:
            extra_specs = db.flavor_extra_specs_get(ctxt, flavor['flavorid'])
    except exception.NotFound:
        pass
    row = row or {}
    return _primitive('FlavorPayload', {
        'flavorid': flavor['flavorid'], 'name': flavor['name'],
        'vcpus': flavor['vcpus'], 'memory_mb': flavor['memory_mb'],
        'root_gb': flavor['root_gb'],
        'ephemeral_gb': flavor['ephemeral_gb'], 'swap': flavor['swap'],
        # NOTE: from the flavors row while it exists; else what Nova
        # sends when it does not know: null, and its defaults for the
        # booleans. vcpu_weight: novalite has none (null); projects: null
        # (Nova does not load it for a server's flavor).
        'rxtx_factor': row.get('rxtx_factor'),
        'is_public': row.get('is_public', True),
        'disabled': row.get('disabled', False),
        'description': row.get('description'),
        'extra_specs': extra_specs,
        'vcpu_weight': None, 'projects': None})


def _ip_payloads(instance):
    return [_primitive('IpPayload', {
        'label': vif['network_name'], 'mac': vif['mac_address'],
        'meta': {}, 'port_uuid': vif.get('port_id'),
        'version': vif['version'], 'address': vif['address'],
        # NOTE: libvirt names the tap devices; novalite does not keep
        # their names (Nova's null).
        'device_name': None}) for vif in instance.get('addresses') or ()]


def exception_payload(error):
    """ExceptionPayload of ``error``, where it was raised (its innermost
    frame), as Nova's ``ExceptionPayload.from_exception``."""
    tb = error.__traceback__
    frame = None
    while tb is not None:
        frame, tb = tb.tb_frame, tb.tb_next
    module = inspect.getmodule(frame) if frame is not None else None
    return _primitive('ExceptionPayload', {
        'module_name': module.__name__ if module else 'unknown',
        'function_name': frame.f_code.co_name if frame else 'unknown',
        'exception': error.__class__.__name__,
        'exception_message': str(error),
        'traceback': ','.join(traceback.format_exception(
            type(error), error, error.__traceback__))})


def _instance_data(context, ctxt, instance):
    """InstancePayload's fields (nova_object.data) for ``instance``."""
    power = instance['power_state']
    data = {
        'uuid': instance['uuid'], 'user_id': instance['user_id'],
        'tenant_id': instance['project_id'],
        'reservation_id': instance['reservation_id'],
        'display_name': instance['display_name'],
        'display_description': instance['display_description'],
        'host_name': instance['hostname'],
        'host': instance['host'], 'node': instance['node'],
        'availability_zone': instance['availability_zone'],
        'flavor': _flavor_payload(ctxt, instance),
        'image_uuid': instance['image_ref'],
        'key_name': instance['key_name'],
        # NOTE: Nova's empty string for no kernel or ramdisk.
        'kernel_id': instance['kernel_id'] or '',
        'ramdisk_id': instance['ramdisk_id'] or '',
        'created_at': _time(instance['created_at']),
        'launched_at': _time(instance['launched_at']),
        'terminated_at': _time(instance['terminated_at']),
        'deleted_at': _time(instance['deleted_at']),
        'updated_at': _time(instance['updated_at']),
        'state': instance['vm_state'],
        'power_state': (_POWER_STATES[power]
                        if power in states.POWER_STATES else None),
        'task_state': instance['task_state'],
        'progress': instance['progress'],
        'ip_addresses': _ip_payloads(instance),
        'metadata': instance.get('metadata') or {},
        'locked': bool(instance['locked']),
        'locked_reason': instance['locked_reason'],
        'auto_disk_config': 'AUTO' if instance['auto_disk_config']
        else 'MANUAL',
        # NOTE: what Nova sends for what novalite does not have: os_type
        # and architecture null (no image properties kept on the
        # server), block_devices null (Nova's default
        # bdms_in_notifications = False), shares null (no Manila).
        'os_type': None, 'architecture': None, 'block_devices': None,
        'shares': None,
        # Nova: no request_id for a periodic task's context.
        'request_id': (context.request_id
                       if context.project_id and context.user_id else None),
        'action_initiator_user': context.user_id,
        'action_initiator_project': context.project_id,
    }
    return data


def _load(ctxt, instance_uuid):
    instance = db.instance_get_by_uuid(
        ctxt, instance_uuid, project_only=False, read_deleted='yes',
        extras=('metadata', 'tags', 'addresses'))
    instance['name'] = utils.instance_name(instance)
    return instance


def _keypairs(ctxt, instance):
    if not instance['key_name']:
        return []
    try:
        key = db.key_pair_get(ctxt, instance['user_id'], instance['key_name'])
    except exception.NotFound:
        return []  # deleted since; Nova keeps a copy, novalite does not
    return [_primitive('KeypairPayload', {
        'user_id': key['user_id'], 'name': key['name'],
        'fingerprint': key['fingerprint'], 'public_key': key['public_key'],
        'type': key.get('type') or 'ssh'})]


def _emit(context, publisher, event_type, priority, payload):
    notifier = rpc.get_versioned_notifier(publisher)
    getattr(notifier, priority.lower())(context, event_type, payload)


def _safe(function):
    """A notification's failure is logged, never raised."""
    def wrapper(*args, **kwargs):
        try:
            if enabled():
                function(*args, **kwargs)
        except Exception:
            LOG.exception('Could not send a notification (%s)',
                          function.__name__)
    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper


@_safe
def notify_about_instance_action(context, instance_uuid, host, action,
                                 phase, error=None, source=SOURCE_COMPUTE,
                                 **extra):
    """instance.<action>.<phase> (Nova's ``notify_about_instance_action``
    and its variants): INFO, or ERROR with the error's ExceptionPayload as
    ``fault`` for ``error``. ``extra``: the fields of the action's own
    payload (``rescue_image_ref``, ``snapshot_image_id``, ``new_flavor``
    as a flavors row)."""
    admin = nl_context.get_admin_context()
    context = context or admin
    instance = _load(admin, instance_uuid)
    data = _instance_data(context, admin, instance)
    data['fault'] = exception_payload(error) if error is not None else None
    name = 'InstanceActionPayload'
    if action == 'create':
        name = 'InstanceCreatePayload'
        data.update(keypairs=_keypairs(admin, instance),
                    tags=instance.get('tags') or [],
                    trusted_image_certificates=None,
                    instance_name=instance['name'])
    elif action == 'rebuild':
        name = 'InstanceActionRebuildPayload'
        data['trusted_image_certificates'] = None
    elif action == 'rescue':
        name = 'InstanceActionRescuePayload'
        data['rescue_image_ref'] = extra.get('rescue_image_ref')
    elif action == 'snapshot':
        name = 'InstanceActionSnapshotPayload'
        data['snapshot_image_id'] = extra.get('snapshot_image_id')
    elif action == 'resize_prep':
        name = 'InstanceActionResizePrepPayload'
        new_flavor = extra.get('new_flavor')
        data['new_flavor'] = (_flavor_payload(admin, instance, new_flavor)
                              if new_flavor else None)
    _emit(context, '%s:%s' % (source, host),
          'instance.%s.%s' % (action, phase),
          'ERROR' if error is not None else 'INFO',
          _primitive(name, data))


def _audit_period():
    """Nova's current audit period (``audit_period_bounds(True)``, with
    its default monthly period): from the start of this month to now."""
    now = db.utcnow()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0), now


def _state_change_wanted():
    return bool(CONF.notifications.notify_on_state_change) and enabled()


def _state_changed(context, old, new):
    """instance.update for a committed state change (the database's
    state watcher; see db.watch_state_changes). As Nova's
    ``send_update``: a vm_state change always, a task_state change only
    with ``notify_on_state_change = vm_and_task_state``. The publisher is
    ``nova-compute:<host>`` whichever service made the change, as in
    Nova (its Instance.save sends for the service "compute")."""
    if old['vm_state'] == new['vm_state'] and \
            CONF.notifications.notify_on_state_change != 'vm_and_task_state':
        return
    try:
        admin = nl_context.get_admin_context()
        instance = _load(admin, new['uuid'])
        # NOTE: the columns as this change left them (a later change may
        # already be in the database).
        instance.update(new)
        data = _instance_data(context, admin, instance)
        begin, end = _audit_period()
        data.update(
            state_update=_primitive('InstanceStateUpdatePayload', {
                'old_state': old['vm_state'], 'state': new['vm_state'],
                'old_task_state': old['task_state'],
                'new_task_state': new['task_state']}),
            audit_period=_primitive('AuditPeriodPayload', {
                'audit_period_beginning': _time(begin),
                'audit_period_ending': _time(end)}),
            # NOTE: sent for state changes only: no rename to tell of.
            old_display_name=None,
            tags=instance.get('tags') or [])
        _emit(context, '%s:%s' % (SOURCE_COMPUTE, CONF.host),
              'instance.update', 'INFO',
              _primitive('InstanceUpdatePayload', data))
    except Exception:
        LOG.exception('Could not send instance.update for server %s',
                      new.get('uuid'))


def _wanted_safely():
    try:
        return _state_change_wanted()
    except Exception:
        LOG.exception('Could not tell whether to send instance.update')
        return False


db.watch_state_changes(_wanted_safely, _state_changed)
