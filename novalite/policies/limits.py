from oslo_policy import policy

from novalite.policies import base

rules = [
    policy.DocumentedRuleDefault(
        name='os_compute_api:limits', check_str=base.ANYONE,
        description='Show rate and absolute limits for the project',
        operations=[{'method': 'GET', 'path': '/limits'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='os_compute_api:limits:other_project', check_str=base.ADMIN,
        description='Show the limits of another project (?tenant_id=)',
        operations=[{'method': 'GET', 'path': '/limits'}],
        scope_types=['project']),
]


def list_rules():
    return rules
