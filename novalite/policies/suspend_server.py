from oslo_policy import policy

from novalite.policies import base

BASE = 'os_compute_api:os-suspend-server:%s'

rules = [
    policy.DocumentedRuleDefault(
        name=BASE % 'resume', check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Resume suspended server',
        operations=[{'method': 'POST',
                     'path': '/servers/{server_id}/action (resume)'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'suspend', check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Suspend server',
        operations=[{'method': 'POST',
                     'path': '/servers/{server_id}/action (suspend)'}],
        scope_types=['project']),
]


def list_rules():
    return rules
