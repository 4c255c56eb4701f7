from oslo_policy import policy

from novalite.policies import base

BASE = 'os_compute_api:ips:%s'

rules = [
    policy.DocumentedRuleDefault(
        name=BASE % 'index', check_str=base.PROJECT_READER_OR_ADMIN,
        description='List the addresses of a server, by network',
        operations=[{'method': 'GET', 'path': '/servers/{server_id}/ips'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'show', check_str=base.PROJECT_READER_OR_ADMIN,
        description='List the addresses of a server on one network',
        operations=[{'method': 'GET',
                     'path': '/servers/{server_id}/ips/{network_label}'}],
        scope_types=['project']),
]


def list_rules():
    return rules
