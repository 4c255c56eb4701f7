from oslo_policy import policy

from novalite.policies import base

rules = [
    policy.DocumentedRuleDefault(
        name='os_compute_api:os-console-output',
        check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Show the console output of a server',
        operations=[{'method': 'POST', 'path':
                     '/servers/{server_id}/action (os-getConsoleOutput)'}],
        scope_types=['project']),
]


def list_rules():
    return rules
