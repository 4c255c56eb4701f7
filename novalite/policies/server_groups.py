from oslo_policy import policy

from novalite.policies import base

BASE = 'os_compute_api:os-server-groups:%s'

rules = [
    policy.DocumentedRuleDefault(
        name=BASE % 'create', check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Create a new server group',
        operations=[{'method': 'POST', 'path': '/os-server-groups'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'delete', check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Delete a server group',
        operations=[{'method': 'DELETE',
                     'path': '/os-server-groups/{server_group_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'index', check_str=base.PROJECT_READER_OR_ADMIN,
        description='List all server groups',
        operations=[{'method': 'GET', 'path': '/os-server-groups'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'index:all_projects', check_str=base.ADMIN,
        description='List all server groups for all projects',
        operations=[{'method': 'GET', 'path': '/os-server-groups'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'show', check_str=base.PROJECT_READER_OR_ADMIN,
        description='Show details of a server group',
        operations=[{'method': 'GET',
                     'path': '/os-server-groups/{server_group_id}'}],
        scope_types=['project']),
]


def list_rules():
    return rules
