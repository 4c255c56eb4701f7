from oslo_policy import policy

from novalite.policies import base

BASE = 'os_compute_api:os-server-password:%s'
_PATH = '/servers/{server_id}/os-server-password'

rules = [
    policy.DocumentedRuleDefault(
        name=BASE % 'show', check_str=base.PROJECT_READER_OR_ADMIN,
        description='Show the encrypted administrative password of a '
                    'server',
        operations=[{'method': 'GET', 'path': _PATH}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'clear', check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Clear the encrypted administrative password of a '
                    'server',
        operations=[{'method': 'DELETE', 'path': _PATH}],
        scope_types=['project']),
]


def list_rules():
    return rules
