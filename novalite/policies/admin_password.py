from oslo_policy import policy

from novalite.policies import base

rules = [
    policy.DocumentedRuleDefault(
        name='os_compute_api:os-admin-password',
        check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Change the administrative password of a server',
        operations=[{'method': 'POST',
                     'path': '/servers/{server_id}/action (changePassword)'}],
        scope_types=['project']),
]


def list_rules():
    return rules
