from oslo_policy import policy

from novalite.policies import base

BASE = 'os_compute_api:os-lock-server:%s'

rules = [
    policy.DocumentedRuleDefault(
        name=BASE % 'lock', check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Lock a server',
        operations=[{'method': 'POST',
                     'path': '/servers/{server_id}/action (lock)'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'unlock', check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Unlock a server',
        operations=[{'method': 'POST',
                     'path': '/servers/{server_id}/action (unlock)'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'unlock:unlock_override', check_str=base.ADMIN,
        description='Unlock a server locked by someone else (an owner '
                    'lock by an admin, or an admin lock by the owner). '
                    'Deleting a locked server is only for admins: it is '
                    'decided by context_is_admin, not by this rule.',
        operations=[{'method': 'POST',
                     'path': '/servers/{server_id}/action (unlock)'}],
        scope_types=['project']),
]


def list_rules():
    return rules
