from oslo_policy import policy

from novalite.policies import base

BASE = 'os_compute_api:os-flavor-extra-specs:%s'

_KEY = '/flavors/{flavor_id}/os-extra_specs/{flavor_extra_spec_key}'

rules = [
    policy.DocumentedRuleDefault(
        name=BASE % 'show', check_str=base.PROJECT_READER_OR_ADMIN,
        description='Show an extra spec for a flavor',
        operations=[{'method': 'GET', 'path': _KEY}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'create', check_str=base.ADMIN,
        description='Create extra specs for a flavor',
        operations=[{'method': 'POST',
                     'path': '/flavors/{flavor_id}/os-extra_specs/'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'update', check_str=base.ADMIN,
        description='Update an extra spec for a flavor',
        operations=[{'method': 'PUT', 'path': _KEY}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'delete', check_str=base.ADMIN,
        description='Delete an extra spec for a flavor',
        operations=[{'method': 'DELETE', 'path': _KEY}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'index', check_str=base.PROJECT_READER_OR_ADMIN,
        description='List extra specs for a flavor',
        operations=[{'method': 'GET',
                     'path': '/flavors/{flavor_id}/os-extra_specs/'}],
        scope_types=['project']),
]


def list_rules():
    return rules
