from oslo_policy import policy

from novalite.policies import base

BASE = 'os_compute_api:os-rescue'
UNRESCUE = 'os_compute_api:os-unrescue'

rules = [
    policy.DocumentedRuleDefault(
        name=BASE, check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Rescue a server',
        operations=[{'method': 'POST',
                     'path': '/servers/{server_id}/action (rescue)'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=UNRESCUE, check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Unrescue a server',
        operations=[{'method': 'POST',
                     'path': '/servers/{server_id}/action (unrescue)'}],
        scope_types=['project']),
]


def list_rules():
    return rules
