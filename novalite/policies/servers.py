from oslo_policy import policy

from novalite.policies import base

SERVERS = 'os_compute_api:servers:%s'
REQUESTED_DESTINATION = 'compute:servers:create:requested_destination'
NETWORK_ATTACH_EXTERNAL = 'network:attach_external_network'
ZERO_DISK_FLAVOR = SERVERS % 'create:zero_disk_flavor'


def _rule(name, check, description, operations):
    return policy.DocumentedRuleDefault(
        name=name, check_str=check, description=description,
        operations=[{'method': m, 'path': p} for m, p in operations],
        scope_types=['project'])


rules = [
    _rule(SERVERS % 'index', base.PROJECT_READER_OR_ADMIN,
          'List all servers', [('GET', '/servers')]),
    _rule(SERVERS % 'detail', base.PROJECT_READER_OR_ADMIN,
          'List all servers with detailed information',
          [('GET', '/servers/detail')]),
    _rule(SERVERS % 'index:get_all_tenants', base.ADMIN,
          'List all servers for all projects', [('GET', '/servers')]),
    _rule(SERVERS % 'detail:get_all_tenants', base.ADMIN,
          'List all servers with detailed information for all projects',
          [('GET', '/servers/detail')]),
    _rule(SERVERS % 'allow_all_filters', base.ADMIN,
          'Allow all filters when listing servers',
          [('GET', '/servers'), ('GET', '/servers/detail')]),
    _rule(SERVERS % 'show', base.PROJECT_READER_OR_ADMIN,
          'Show a server', [('GET', '/servers/{server_id}')]),
    _rule(SERVERS % 'show:flavor-extra-specs', base.PROJECT_READER_OR_ADMIN,
          'Show flavor extra specs in server views (2.47+)',
          [('GET', '/servers/{server_id}'), ('GET', '/servers/detail')]),
    _rule(SERVERS % 'show:host_status', base.ADMIN,
          'Show a server with host status (2.16+)',
          [('GET', '/servers/{server_id}'), ('GET', '/servers/detail')]),
    _rule(SERVERS % 'show:host_status:unknown-only', base.ADMIN,
          'Show a server\'s host status only when it is UNKNOWN',
          [('GET', '/servers/{server_id}'), ('GET', '/servers/detail')]),
    _rule(SERVERS % 'create', base.PROJECT_MEMBER_OR_ADMIN,
          'Create a server', [('POST', '/servers')]),
    _rule(SERVERS % 'create:forced_host', base.ADMIN,
          'Create a server on a given host or node through the '
          'availability_zone "az:host:node" form', [('POST', '/servers')]),
    _rule(REQUESTED_DESTINATION, base.ADMIN,
          'Create a server on a requested host or node',
          [('POST', '/servers')]),
    _rule(SERVERS % 'create:attach_volume', base.PROJECT_MEMBER_OR_ADMIN,
          'Create a server with block device mappings',
          [('POST', '/servers')]),
    _rule(SERVERS % 'create:attach_network', base.PROJECT_MEMBER_OR_ADMIN,
          'Create a server with requested networks',
          [('POST', '/servers')]),
    _rule(SERVERS % 'create:trusted_certs', base.PROJECT_MEMBER_OR_ADMIN,
          'Create a server with trusted image certificates',
          [('POST', '/servers')]),
    _rule(ZERO_DISK_FLAVOR, base.ADMIN,
          'Create an image-backed server with a zero-disk flavor',
          [('POST', '/servers')]),
    _rule(NETWORK_ATTACH_EXTERNAL, base.ADMIN,
          'Attach an unshared external network to a server',
          [('POST', '/servers')]),
    _rule(SERVERS % 'update', base.PROJECT_MEMBER_OR_ADMIN,
          'Update a server', [('PUT', '/servers/{server_id}')]),
    _rule(SERVERS % 'delete', base.PROJECT_MEMBER_OR_ADMIN,
          'Delete a server', [('DELETE', '/servers/{server_id}')]),
    _rule(SERVERS % 'reboot', base.PROJECT_MEMBER_OR_ADMIN,
          'Reboot a server',
          [('POST', '/servers/{server_id}/action (reboot)')]),
    _rule(SERVERS % 'start', base.PROJECT_MEMBER_OR_ADMIN,
          'Start a server',
          [('POST', '/servers/{server_id}/action (os-start)')]),
    _rule(SERVERS % 'trigger_crash_dump', base.PROJECT_MEMBER_OR_ADMIN,
          'Trigger a crash dump in a server (2.17)',
          [('POST', '/servers/{server_id}/action (trigger_crash_dump)')]),
    _rule(SERVERS % 'stop', base.PROJECT_MEMBER_OR_ADMIN,
          'Stop a server',
          [('POST', '/servers/{server_id}/action (os-stop)')]),
    # rebuild, resize, snapshot:
    _rule(SERVERS % 'rebuild', base.PROJECT_MEMBER_OR_ADMIN,
          'Rebuild a server',
          [('POST', '/servers/{server_id}/action (rebuild)')]),
    _rule(SERVERS % 'rebuild:trusted_certs', base.PROJECT_MEMBER_OR_ADMIN,
          'Rebuild a server with trusted image certificates',
          [('POST', '/servers/{server_id}/action (rebuild)')]),
    _rule(SERVERS % 'resize', base.PROJECT_MEMBER_OR_ADMIN,
          'Resize a server',
          [('POST', '/servers/{server_id}/action (resize)')]),
    _rule(SERVERS % 'confirm_resize', base.PROJECT_MEMBER_OR_ADMIN,
          'Confirm a server resize',
          [('POST', '/servers/{server_id}/action (confirmResize)')]),
    _rule(SERVERS % 'revert_resize', base.PROJECT_MEMBER_OR_ADMIN,
          'Revert a server resize',
          [('POST', '/servers/{server_id}/action (revertResize)')]),
    _rule(SERVERS % 'create_image', base.PROJECT_MEMBER_OR_ADMIN,
          'Create an image from a server',
          [('POST', '/servers/{server_id}/action (createImage)')]),
]


def list_rules():
    return rules
