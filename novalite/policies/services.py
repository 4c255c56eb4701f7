from oslo_policy import policy

from novalite.policies import base

POLICY_ROOT = 'os_compute_api:os-services:%s'

rules = [
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'list', check_str=base.ADMIN,
        description='List all running Compute services in a region.',
        operations=[{'method': 'GET', 'path': '/os-services'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'update', check_str=base.ADMIN,
        description='Update a Compute service.',
        operations=[
            {'method': 'PUT', 'path': '/os-services/enable'},
            {'method': 'PUT', 'path': '/os-services/disable'},
            {'method': 'PUT', 'path': '/os-services/disable-log-reason'},
            {'method': 'PUT', 'path': '/os-services/force-down'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'delete', check_str=base.ADMIN,
        description='Delete a Compute service.',
        operations=[{'method': 'DELETE', 'path': '/os-services/{service_id}'}],
        scope_types=['project']),
]


def list_rules():
    return rules
