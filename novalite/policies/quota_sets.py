from oslo_policy import policy

from novalite.policies import base

POLICY_ROOT = 'os_compute_api:os-quota-sets:%s'

rules = [
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'update', check_str=base.ADMIN,
        description='Update the quotas',
        operations=[{'method': 'PUT', 'path': '/os-quota-sets/{tenant_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'defaults', check_str=base.ANYONE,
        description='List default quotas',
        operations=[{'method': 'GET',
                     'path': '/os-quota-sets/{tenant_id}/defaults'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'show', check_str=base.PROJECT_READER_OR_ADMIN,
        description='Show a quota',
        operations=[{'method': 'GET', 'path': '/os-quota-sets/{tenant_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'delete', check_str=base.ADMIN,
        description='Revert quotas to defaults',
        operations=[{'method': 'DELETE',
                     'path': '/os-quota-sets/{tenant_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'detail', check_str=base.PROJECT_READER_OR_ADMIN,
        description='Show the detail of quota',
        operations=[{'method': 'GET',
                     'path': '/os-quota-sets/{tenant_id}/detail'}],
        scope_types=['project']),
]


def list_rules():
    return rules
