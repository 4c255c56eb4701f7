from oslo_policy import policy

from novalite.policies import base

BASE = 'os_compute_api:os-networks:%s'

rules = [
    policy.DocumentedRuleDefault(
        name=BASE % 'list', check_str=base.PROJECT_READER_OR_ADMIN,
        description='List the networks the project may use (the shared '
                    'ones and its own; all for admins)',
        operations=[{'method': 'GET', 'path': '/os-networks'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'show', check_str=base.PROJECT_READER_OR_ADMIN,
        description='Show a network',
        operations=[{'method': 'GET', 'path': '/os-networks/{network_id}'}],
        scope_types=['project']),
]


def list_rules():
    return rules
