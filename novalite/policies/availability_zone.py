from oslo_policy import policy

from novalite.policies import base

POLICY_ROOT = 'os_compute_api:os-availability-zone:%s'

rules = [
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'list', check_str=base.ANYONE,
        description='List availability zone information without host '
                    'information',
        operations=[{'method': 'GET', 'path': '/os-availability-zone'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'detail', check_str=base.ADMIN,
        description='List detailed availability zone information with '
                    'host information',
        operations=[{'method': 'GET',
                     'path': '/os-availability-zone/detail'}],
        scope_types=['project']),
]


def list_rules():
    return rules
