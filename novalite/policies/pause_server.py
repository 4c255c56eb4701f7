from oslo_policy import policy

from novalite.policies import base

BASE = 'os_compute_api:os-pause-server:%s'

rules = [
    policy.DocumentedRuleDefault(
        name=BASE % 'pause', check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Pause a server',
        operations=[{'method': 'POST',
                     'path': '/servers/{server_id}/action (pause)'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'unpause', check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Unpause a paused server',
        operations=[{'method': 'POST',
                     'path': '/servers/{server_id}/action (unpause)'}],
        scope_types=['project']),
]


def list_rules():
    return rules
