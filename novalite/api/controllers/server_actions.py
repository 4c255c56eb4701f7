"""Server actions: pause/unpause, suspend/resume, rescue/unrescue,
restore/forceDelete (soft delete) and add/removeSecurityGroup.

Each handler gets the server the caller may see (see ``api/actions.py``),
authorises against it with Nova's rule and hands over to ``compute.api``;
all but rescue answer 202 with no body.
"""

from oslo_config import cfg

from novalite.api import actions
from novalite.api.controllers import base
from novalite.api.schemas import server_actions as schema
from novalite.api import wsgi
from novalite.compute import api as compute
from novalite.compute import security_groups
from novalite import exception

CONF = cfg.CONF

PAUSE = 'os_compute_api:os-pause-server:%s'
SUSPEND = 'os_compute_api:os-suspend-server:%s'
RESCUE = 'os_compute_api:os-rescue'
UNRESCUE = 'os_compute_api:os-unrescue'
DEFERRED_DELETE = 'os_compute_api:os-deferred-delete:%s'
SECURITY_GROUPS = 'os_compute_api:os-security-groups:%s'

_api = base.compute_api


@actions.action('pause', schema.pause)
def _pause(req, instance, body):
    base.authorize(req, PAUSE % 'pause', instance)
    _api.pause(req.context, instance)


@actions.action('unpause', schema.unpause)
def _unpause(req, instance, body):
    base.authorize(req, PAUSE % 'unpause', instance)
    _api.unpause(req.context, instance)


@actions.action('suspend', schema.suspend)
def _suspend(req, instance, body):
    base.authorize(req, SUSPEND % 'suspend', instance)
    _api.suspend(req.context, instance)


@actions.action('resume', schema.resume)
def _resume(req, instance, body):
    base.authorize(req, SUSPEND % 'resume', instance)
    _api.resume(req.context, instance)


@actions.action('rescue', schema.rescue)
def _rescue(req, instance, body):
    """200 (not 202, kept by Nova for compatibility) with the rescue
    guest's password: the one asked for (even empty), else a new one."""
    body = body or {}
    password = body.get('adminPass')
    if password is None:
        password = compute.generate_password()
    base.authorize(req, RESCUE, instance)
    _api.rescue(req.context, instance, password,
                rescue_image_ref=body.get('rescue_image_ref'))
    view = ({'adminPass': password} if CONF.api.enable_instance_password
            else {})
    return wsgi.response(view, status=200)


@actions.action('unrescue', schema.unrescue)
def _unrescue(req, instance, body):
    base.authorize(req, UNRESCUE, instance)
    _api.unrescue(req.context, instance)


@actions.action('restore', schema.restore)
def _restore(req, instance, body):
    base.authorize(req, DEFERRED_DELETE % 'restore', instance)
    try:
        _api.restore(req.context, instance)
    except exception.InstanceIsLocked:
        # NOTE: Nova's wording: its restore handler reports a lock (an
        # InstanceInvalidState there) as a state naming no attribute.
        raise exception.InstanceInvalidStateForAction(
            action='restore', instance_uuid=instance['uuid'])


@actions.action('forceDelete', schema.force_delete)
def _force_delete(req, instance, body):
    base.authorize(req, DEFERRED_DELETE % 'force', instance)
    _api.force_delete(req.context, instance)


def _group_name(body):
    """Nova's check after the schema's: a name of blanks is refused."""
    name = body['name']
    if not name.strip():
        raise exception.ValidationError(
            detail='Security group name cannot be empty')
    return name


@actions.action('addSecurityGroup', schema.add_security_group)
def _add_security_group(req, instance, body):
    base.authorize(req, SECURITY_GROUPS % 'add', instance)
    security_groups.add_to_instance(req.context, instance, _group_name(body))


@actions.action('removeSecurityGroup', schema.remove_security_group)
def _remove_security_group(req, instance, body):
    base.authorize(req, SECURITY_GROUPS % 'remove', instance)
    security_groups.remove_from_instance(req.context, instance,
                                         _group_name(body))
