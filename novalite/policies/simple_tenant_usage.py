from oslo_policy import policy

from novalite.policies import base

POLICY_ROOT = 'os_compute_api:os-simple-tenant-usage:%s'

rules = [
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'show', check_str=base.PROJECT_READER_OR_ADMIN,
        description='Show usage statistics for a specific tenant',
        operations=[{'method': 'GET',
                     'path': '/os-simple-tenant-usage/{tenant_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'list', check_str=base.ADMIN,
        description='List per tenant usage statistics for all tenants',
        operations=[{'method': 'GET', 'path': '/os-simple-tenant-usage'}],
        scope_types=['project']),
]


def list_rules():
    return rules
