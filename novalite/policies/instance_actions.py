from oslo_policy import policy

from novalite.policies import base

BASE = 'os_compute_api:os-instance-actions:%s'
_PATH = '/servers/{server_id}/os-instance-actions'

rules = [
    policy.DocumentedRuleDefault(
        name=BASE % 'list', check_str=base.PROJECT_READER_OR_ADMIN,
        description='List the actions of a server',
        operations=[{'method': 'GET', 'path': _PATH}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'show', check_str=base.PROJECT_READER_OR_ADMIN,
        description='Show one action of a server',
        operations=[{'method': 'GET', 'path': _PATH + '/{request_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'events', check_str=base.ADMIN,
        description='See the events of an action, with their tracebacks '
                    '(below microversion 2.51 nobody else sees events)',
        operations=[{'method': 'GET', 'path': _PATH + '/{request_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'events:details', check_str=base.ADMIN,
        description='See what failed each event of an action '
                    '(microversion 2.84)',
        operations=[{'method': 'GET', 'path': _PATH + '/{request_id}'}],
        scope_types=['project']),
]


def list_rules():
    return rules
