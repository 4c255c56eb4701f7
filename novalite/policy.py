"""The policy enforcer: one per process, defaults from novalite.policies."""

import threading

from oslo_config import cfg
from oslo_policy import opts as policy_opts
from oslo_policy import policy

from novalite import exception
from novalite import policies

CONF = cfg.CONF
# Nova enforces the new persona defaults and token scope; so do we.
policy_opts.set_defaults(CONF, policy_file='policy.yaml',
                         enforce_scope=True, enforce_new_defaults=True)

_ENFORCER = None
_LOCK = threading.Lock()


def reset():
    global _ENFORCER
    if _ENFORCER:
        _ENFORCER.clear()
    _ENFORCER = None


def get_enforcer():
    """The process' enforcer (also the oslo.policy.enforcer entry point)."""
    global _ENFORCER
    if _ENFORCER is None:
        with _LOCK:
            if _ENFORCER is None:
                enforcer = policy.Enforcer(CONF)
                enforcer.register_defaults(policies.list_rules())
                enforcer.load_rules()
                _ENFORCER = enforcer
    return _ENFORCER


def authorize(context, action, target=None, fatal=True):
    """Check ``action`` for ``context`` against ``target``.

    ``target`` should describe the loaded resource (its project_id and
    user_id), never the caller: a rule like ``project_id:%(project_id)s``
    compares the caller's project with the resource's.
    """
    if target is None:
        target = {'project_id': context.project_id,
                  'user_id': context.user_id}
    try:
        return get_enforcer().authorize(
            action, target, context, do_raise=fatal,
            exc=exception.PolicyNotAuthorized, action=action)
    except policy.InvalidScope:
        if not fatal:
            return False
        raise exception.PolicyNotAuthorized(action=action)


def check_is_admin(context):
    """Whether ``context`` passes ``context_is_admin`` (roles only)."""
    credentials = context.to_policy_values()
    return get_enforcer().authorize('context_is_admin', credentials,
                                    credentials)
