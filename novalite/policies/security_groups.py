from oslo_policy import policy

from novalite.policies import base

BASE = 'os_compute_api:os-security-groups:%s'

rules = [
    policy.DocumentedRuleDefault(
        name=BASE % 'add', check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Add security groups to server.',
        operations=[{'method': 'POST', 'path':
                     '/servers/{server_id}/action (addSecurityGroup)'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'remove', check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Remove security groups from server.',
        operations=[{'method': 'POST', 'path':
                     '/servers/{server_id}/action (removeSecurityGroup)'}],
        scope_types=['project']),
]


def list_rules():
    return rules
