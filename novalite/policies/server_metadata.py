from oslo_policy import policy

from novalite.policies import base

BASE = 'os_compute_api:server-metadata:%s'
_PATH = '/servers/{server_id}/metadata'

rules = [
    policy.DocumentedRuleDefault(
        name=BASE % name, check_str=check, description=description,
        operations=[{'method': method, 'path': path}],
        scope_types=['project'])
    for name, check, description, method, path in [
        ('index', base.PROJECT_READER_OR_ADMIN,
         'List all metadata of a server', 'GET', _PATH),
        ('show', base.PROJECT_READER_OR_ADMIN,
         'Show one metadata item of a server', 'GET', _PATH + '/{key}'),
        ('create', base.PROJECT_MEMBER_OR_ADMIN,
         'Create or update metadata items of a server', 'POST', _PATH),
        ('update_all', base.PROJECT_MEMBER_OR_ADMIN,
         'Replace all metadata of a server', 'PUT', _PATH),
        ('update', base.PROJECT_MEMBER_OR_ADMIN,
         'Set one metadata item of a server', 'PUT', _PATH + '/{key}'),
        ('delete', base.PROJECT_MEMBER_OR_ADMIN,
         'Delete one metadata item of a server', 'DELETE',
         _PATH + '/{key}'),
    ]
]


def list_rules():
    return rules
