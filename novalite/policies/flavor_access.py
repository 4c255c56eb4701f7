from oslo_policy import policy

from novalite.policies import base

BASE = 'os_compute_api:os-flavor-access'
ROOT = BASE + ':%s'

rules = [
    policy.DocumentedRuleDefault(
        name=ROOT % 'add_tenant_access', check_str=base.ADMIN,
        description='Add flavor access to a tenant',
        operations=[{'method': 'POST',
                     'path': '/flavors/{flavor_id}/action '
                             '(addTenantAccess)'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=ROOT % 'remove_tenant_access', check_str=base.ADMIN,
        description='Remove flavor access from a tenant',
        operations=[{'method': 'POST',
                     'path': '/flavors/{flavor_id}/action '
                             '(removeTenantAccess)'}],
        scope_types=['project']),
    # NOTE: Nova keeps its old default (admin or owner) as a deprecated
    # rule, OR'ed in only when [oslo_policy] enforce_new_defaults is
    # False; novalite enforces the new defaults, as Nova does by default.
    policy.DocumentedRuleDefault(
        name=BASE, check_str=base.ADMIN,
        description='List flavor access information\n\nAllows access to '
                    'the full list of tenants that have access to a '
                    'flavor via an os-flavor-access API.',
        operations=[{'method': 'GET',
                     'path': '/flavors/{flavor_id}/os-flavor-access'}],
        scope_types=['project']),
]


def list_rules():
    return rules
