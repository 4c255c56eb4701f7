from oslo_policy import policy

from novalite.policies import base

BASE = 'os_compute_api:os-deferred-delete:%s'

rules = [
    policy.DocumentedRuleDefault(
        name=BASE % 'restore', check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Restore a soft deleted server',
        operations=[{'method': 'POST',
                     'path': '/servers/{server_id}/action (restore)'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'force', check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Force delete a server before deferred cleanup',
        operations=[{'method': 'POST',
                     'path': '/servers/{server_id}/action (forceDelete)'}],
        scope_types=['project']),
]


def list_rules():
    return rules
