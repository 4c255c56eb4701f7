from oslo_policy import policy

from novalite.policies import base

BASE = 'os_compute_api:os-server-tags:%s'
_PATH = '/servers/{server_id}/tags'

rules = [
    policy.DocumentedRuleDefault(
        name=BASE % name, check_str=check, description=description,
        operations=[{'method': method, 'path': path}],
        scope_types=['project'])
    for name, check, description, method, path in [
        ('index', base.PROJECT_READER_OR_ADMIN, 'List all tags of a server',
         'GET', _PATH),
        ('show', base.PROJECT_READER_OR_ADMIN, 'Check a tag on a server',
         'GET', _PATH + '/{tag}'),
        ('update', base.PROJECT_MEMBER_OR_ADMIN, 'Add one tag to a server',
         'PUT', _PATH + '/{tag}'),
        ('update_all', base.PROJECT_MEMBER_OR_ADMIN,
         'Replace all tags of a server', 'PUT', _PATH),
        ('delete', base.PROJECT_MEMBER_OR_ADMIN,
         'Delete one tag from a server', 'DELETE', _PATH + '/{tag}'),
        ('delete_all', base.PROJECT_MEMBER_OR_ADMIN,
         'Delete all tags of a server', 'DELETE', _PATH),
    ]
]


def list_rules():
    return rules
