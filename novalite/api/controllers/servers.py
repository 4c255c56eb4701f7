"""``/servers``: list, detail, show, create, update, delete, actions and
tags. Handlers are short: load the server (404 if the caller may not see
it), authorise against the loaded server, hand over to compute.api."""

import urllib.parse

import netaddr
from oslo_config import cfg
from oslo_utils import strutils
import pecan
from pecan import rest

from novalite.api import actions
from novalite.api import common
from novalite.api.controllers import base
from novalite.api.controllers import instance_actions
from novalite.api.controllers import security_groups
from novalite.api.controllers import server_metadata
from novalite.api.controllers import server_password
from novalite.api.controllers import server_topology
from novalite.api import links
from novalite.api.schemas import servers as schema
from novalite.api import validation
from novalite.api.validation import parameter_types as types
from novalite.api.validation import validators
from novalite.api.views import servers as views
from novalite.api import wsgi
from novalite.compute import api as compute
from novalite.compute import flavors
from novalite import exception
from novalite.policies import servers as server_policies
from novalite import policy
from novalite import states

CONF = cfg.CONF

POLICY = 'os_compute_api:servers:%s'

# Filters anyone may use, by the microversion that allowed them.
_USER_FILTERS = (
    ('2.1', ('reservation_id', 'name', 'status', 'image', 'flavor', 'ip',
             'changes-since', 'all_tenants')),
    ('2.5', ('ip6',)),
    ('2.26', ('tags', 'tags-any', 'not-tags', 'not-tags-any')),
    ('2.66', ('changes-before',)),
    ('2.73', ('locked',)),
    ('2.83', ('availability_zone', 'config_drive', 'key_name', 'created_at',
              'launched_at', 'terminated_at', 'power_state', 'task_state',
              'vm_state', 'progress', 'user_id')),
    ('2.90', ('hostname',)),
)

_PAGING_KEYS = ('limit', 'marker', 'sort_key', 'sort_dir')

# Filters compared for equality; the others are regular expressions.
_EXACT = {'project_id', 'user_id', 'image_ref', 'vm_state', 'uuid', 'host',
          'task_state', 'locked'}

# API filter name -> instances column.
_COLUMNS = {
    'name': 'display_name', 'display_name': 'display_name',
    'description': 'display_description',
    'display_description': 'display_description',
    'image': 'image_ref', 'image_ref': 'image_ref',
    'reservation_id': 'reservation_id', 'user_id': 'user_id',
    'host': 'host', 'node': 'node', 'uuid': 'uuid',
    'kernel_id': 'kernel_id', 'ramdisk_id': 'ramdisk_id',
    'launch_index': 'launch_index', 'locked_by': 'locked_by',
    'root_device_name': 'root_device_name',
    'access_ip_v4': 'access_ip_v4', 'access_ip_v6': 'access_ip_v6',
    'auto_disk_config': 'auto_disk_config', 'hostname': 'hostname',
    'availability_zone': 'availability_zone',
    'config_drive': 'config_drive', 'key_name': 'key_name',
    'power_state': 'power_state', 'task_state': 'task_state',
    'vm_state': 'vm_state', 'progress': 'progress',
}

_INVALID_FILTERS = schema.JOINED_TABLE_FILTERS

_compute_api = base.compute_api


def _user_filters(req):
    allowed = set()
    for version, names in _USER_FILTERS:
        if req.is_version(version):
            allowed.update(names)
    return allowed


def _get_server(req, server_id, extras=compute.ALL_EXTRAS):
    return base.server(req, server_id, extras=extras)


_authorize = base.authorize


def _parse_all_tenants(value):
    if value == '':
        return True
    try:
        return strutils.bool_from_string(value, strict=True)
    except ValueError as e:
        raise exception.InvalidInput(reason=str(e))


def _build_filters(req, action):
    """Nova's list filter rules, turned into db filters."""
    context = req.context
    opts = {k: v for k, v in req.GET.items() if k not in _PAGING_KEYS}
    # NOTE: not parameters yet: ignored, as Nova's lax schema strips
    # what it does not know.
    for key, version in (('changes-before', '2.66'), ('locked', '2.73')):
        if not req.is_version(version):
            opts.pop(key, None)
    statuses = req.GET.getall('status')
    if not policy.authorize(context, POLICY % 'allow_all_filters',
                            fatal=False):
        allowed = _user_filters(req)
        opts = {k: v for k, v in opts.items() if k in allowed}
    for key in opts:
        if key in _INVALID_FILTERS or key.startswith('_'):
            raise exception.ValidationError(
                detail='Invalid filter field: %s.' % key)

    filters = {'exact': {}, 'regex': {}}
    all_tenants = ('all_tenants' in opts
                   and _parse_all_tenants(opts.pop('all_tenants')))
    if all_tenants:
        policy.authorize(context, POLICY % ('%s:get_all_tenants' % action),
                         {'project_id': context.project_id,
                          'user_id': context.user_id})
        project = opts.pop('project_id', None) or opts.pop('tenant_id', None)
        if project:
            filters['project_id'] = project
    else:
        opts.pop('project_id', None)
        opts.pop('tenant_id', None)
        filters['project_id'] = context.project_id

    deleted = False
    if 'deleted' in opts:
        deleted = opts.pop('deleted').lower() in common.TRUE_STRINGS
    if opts.pop('soft_deleted', None):
        filters['soft_deleted'] = True

    opts.pop('status', None)
    if 'status' in _user_filters(req) and statuses:
        filters['status'] = []
        # NOTE: as Nova, a status that names no state adds nothing; when
        # none does, the list is empty, and from 2.38 that is a 400.
        known = [found for found in map(states.states_from_status, statuses)
                 if found is not None]
        if not known:
            if req.is_version('2.38'):
                raise exception.ValidationError(detail='Invalid status value')
            filters['match_nothing'] = True
        for found in known:
            vm_states, _tasks = found
            if states.DELETED in vm_states:
                if not context.is_admin:
                    raise exception.NotAuthorized(
                        'Only administrators may list deleted instances')
                deleted = True
            filters['status'].append(found)

    window = common.changes_window(opts)
    for key in window:
        del opts[key]
        if 'deleted' not in req.GET:
            deleted = None  # deleted servers show up as DELETED
    filters.update(window)
    filters['deleted'] = deleted

    for key in ('tags', 'tags-any', 'not-tags', 'not-tags-any'):
        if key in opts:
            filters[key] = [t for t in opts.pop(key).split(',') if t]

    if 'flavor' in opts:
        try:
            flavor = flavors.get_by_flavor_id(context, opts.pop('flavor'))
            filters['exact']['instance_type_id'] = flavor['id']
        except exception.FlavorNotFound:
            filters['match_nothing'] = True
    for key in ('ip', 'ip6'):
        if key in opts:
            filters[key] = opts.pop(key)  # a regex on fixed addresses
    if 'locked' in opts:
        try:
            filters['exact']['locked'] = strutils.bool_from_string(
                opts.pop('locked'), strict=True)
        except ValueError as e:
            raise exception.ValidationError(detail=str(e))

    for key, value in opts.items():
        column = _COLUMNS.get(key)
        if column is None:
            continue  # unknown filters are ignored below 2.75
        if column in _EXACT or column in ('power_state', 'launch_index',
                                          'progress', 'auto_disk_config'):
            filters['exact'][column] = _coerce(column, value)
        else:
            filters['regex'][column] = value
    return filters


def _coerce(column, value):
    if column in ('power_state', 'launch_index', 'progress'):
        try:
            number = int(value)
        except ValueError:
            return -1  # matches nothing, as a non-numeric filter in Nova
        # Beyond the column's range nothing matches either (as in Nova,
        # but without handing the database a number it cannot take).
        return number if types.MIN_INT <= number <= types.MAX_INT else -1
    if column == 'auto_disk_config':
        return strutils.bool_from_string(value)
    return value


def _sort_params(req):
    keys = req.GET.getall('sort_key')
    dirs = req.GET.getall('sort_dir')
    if len(dirs) > len(keys) and keys:
        raise exception.ValidationError(
            detail='The number of sort_keys and sort_dirs must be same')
    if dirs and not keys:
        raise exception.ValidationError(
            detail='The number of sort_keys and sort_dirs must be same')
    pairs = []
    for index, key in enumerate(keys):
        direction = dirs[index] if index < len(dirs) else (
            dirs[0] if dirs else 'desc')
        if key in schema.IGNORED_SORT_KEYS and not (
                key == 'locked' and req.is_version('2.73')):
            continue
        if key in ('host', 'node') and not req.context.is_admin:
            raise exception.NotAuthorized(
                'Only administrators can sort servers by %s' % key)
        pairs.append((key, direction))
    if not pairs:
        return ['created_at'], ['desc']
    return [k for k, _ in pairs], [d for _, d in pairs]


def _list(req, action):
    context = req.context
    policy.authorize(context, POLICY % action,
                     {'project_id': context.project_id,
                      'user_id': context.user_id})
    filters = _build_filters(req, action)
    limit, marker = common.limit_and_marker(req)
    sort_keys, sort_dirs = _sort_params(req)
    extras = compute.ALL_EXTRAS if action == 'detail' else ()
    instances = _compute_api.get_all(
        context, filters, limit=limit, marker=marker, sort_keys=sort_keys,
        sort_dirs=sort_dirs, extras=extras)
    return limit, instances


def _parse_flavor_ref(ref):
    return str(ref).rstrip('/').rsplit('/', 1)[-1]


def _canonical_ipv6(address):
    """Nova stores an IPv6 access address in its canonical form
    (``::babe:dc0c:1602`` for ``0:0:0:0:0:babe:220.12.22.2``)."""
    if not address:
        return address
    return str(netaddr.IPAddress(address, 6))


PORTS_UNSUPPORTED = ('Port requests are not supported by novalite: use '
                     '"uuid" with an optional "fixed_ip".')


def _requested_networks(networks, max_count):
    """The create request's ``networks``, checked for form: None when
    omitted (compute.API picks), AUTO for "auto" (2.37: compute.API picks,
    and there must be one), else [{'uuid', 'fixed_ip', 'tag'}] ("none":
    [])."""
    if networks is None:
        return None
    if networks == 'auto':
        return compute.AUTO_NETWORKS
    if networks == 'none':
        return []
    requested = []
    for network in networks:
        if network.get('port'):
            raise exception.ValidationError(detail=PORTS_UNSUPPORTED)
        if 'uuid' not in network:
            raise exception.ValidationError(
                detail="Bad network format: missing 'uuid'")
        if not compute.uuidlib_like(network['uuid']):
            raise exception.ValidationError(
                detail='Bad networks format: network uuid is not in proper '
                       'format (%s)' % network['uuid'])
        if network.get('fixed_ip') and max_count > 1:
            raise exception.ValidationError(
                detail='max_count cannot be greater than 1 if an fixed_ip '
                       'is specified.')
        requested.append({'uuid': network['uuid'],
                          'fixed_ip': network.get('fixed_ip'),
                          'tag': network.get('tag')})
    return requested


class ServerActionController(rest.RestController):
    """``POST /servers/{id}/action``: exactly one action per body."""

    @wsgi.expose(status=202)
    def post(self, req, server_id):
        body = req.body
        if not isinstance(body, dict) or len(body) != 1:
            raise exception.MalformedRequestBody()
        name = next(iter(body))
        found = actions.get(name)
        if found is None:
            raise exception.ValidationError(
                detail='There is no such action: %s' % name)
        if not req.api_version.matches(found.min_version,
                                       found.max_version):
            # Nova: an action of another microversion is not found (404),
            # before any server is looked up.
            raise exception.ResourceNotFound()
        instance = _get_server(req, server_id, extras=())
        body_schema = actions.body_schema(found, req.api_version)
        if body_schema is not None:
            validators.validate(body_schema, body)
        return found.handler(req, instance, body[name])


@actions.action('lock')
@validation.schema(None, '2.1', '2.72')
@validation.schema(schema.lock_v273, '2.73')
def _lock(req, instance, body):
    _authorize(req, 'os_compute_api:os-lock-server:lock', instance)
    reason = (body or {}).get('locked_reason') if req.is_version(
        '2.73') else None
    _compute_api.lock(req.context, instance, reason=reason)


@actions.action('unlock')
def _unlock(req, instance, body):
    _authorize(req, 'os_compute_api:os-lock-server:unlock', instance)
    if not _compute_api.is_expected_locked_by(req.context, instance):
        _authorize(req, 'os_compute_api:os-lock-server:unlock:'
                        'unlock_override', instance)
    _compute_api.unlock(req.context, instance)


@actions.action('reboot', schema.reboot)
def _reboot(req, instance, body):
    _authorize(req, POLICY % 'reboot', instance)
    _compute_api.reboot(req.context, instance, body['type'].upper())


@actions.action('os-start')
def _start(req, instance, body):
    _authorize(req, POLICY % 'start', instance)
    _compute_api.start(req.context, instance)


@actions.action('os-stop')
def _stop(req, instance, body):
    _authorize(req, POLICY % 'stop', instance)
    _compute_api.stop(req.context, instance)


@actions.action('changePassword', schema.change_password)
def _change_password(req, instance, body):
    _authorize(req, 'os_compute_api:os-admin-password', instance)
    _compute_api.set_admin_password(req.context, instance,
                                    body['adminPass'])


@actions.action('os-getConsoleOutput', schema.get_console_output)
def _console_output(req, instance, body):
    _authorize(req, 'os_compute_api:os-console-output', instance)
    length = (body or {}).get('length')
    if length is not None:
        length = int(length)
        if length == -1:
            length = None
    output = _compute_api.get_console_output(req.context, instance,
                                             tail_length=length)
    # Nova strips characters that are not valid in JSON/XML.
    output = ''.join(c for c in output
                     if c in '\t\n\r' or ord(c) >= 0x20)
    return wsgi.response({'output': output}, status=200)


@actions.action('trigger_crash_dump', schema.trigger_crash_dump,
                min_version='2.17')
def _trigger_crash_dump(req, instance, body):
    _authorize(req, POLICY % 'trigger_crash_dump', instance)
    _compute_api.trigger_crash_dump(req.context, instance)


def _tagged_server(req, server_id, rule, extras=()):
    """The server of a tags route, once ``rule`` allows it.

    As in Nova, the policy is checked against the server's project before
    the server is loaded for the caller: another project's server (even a
    deleted one) is 403, a server that does not exist 404.
    """
    if not compute.uuidlib_like(server_id):
        raise exception.InstanceNotFound(instance_id=server_id)
    owner = _compute_api.get_owner(req.context, server_id)
    _authorize(req, rule, owner)
    return _get_server(req, server_id, extras=extras)


class ServerTagsController(rest.RestController):
    """``/servers/{id}/tags[/{tag}]`` (2.26)."""

    @wsgi.expose(min_version='2.26')
    def get_all(self, req, server_id):
        instance = _tagged_server(req, server_id,
                                  'os_compute_api:os-server-tags:index',
                                  extras=('tags',))
        return {'tags': instance['tags']}

    @wsgi.expose(status=204, min_version='2.26')
    def get_one(self, req, server_id, tag):
        instance = _tagged_server(req, server_id,
                                  'os_compute_api:os-server-tags:show',
                                  extras=('tags',))
        if tag not in instance['tags']:
            raise exception.InstanceTagNotFound(instance_id=server_id,
                                                tag=tag)

    @wsgi.expose(min_version='2.26')
    def put(self, req, server_id, tag=None):
        if tag is None:
            instance = _tagged_server(
                req, server_id, 'os_compute_api:os-server-tags:update_all')
            validators.validate(schema.update_all_tags, req.body)
            return {'tags': _compute_api.tag_set(req.context, instance,
                                                 req.body['tags'])}
        instance = _tagged_server(req, server_id,
                                  'os_compute_api:os-server-tags:update')
        try:
            validators.validate(schema.update_all_tags['properties']['tags']
                                ['items'], tag, is_body=False)
        except exception.ValidationError as e:
            raise exception.ValidationError(
                detail="Tag '%s' is invalid. %s" % (tag, e.message))
        added = _compute_api.tag_add(req.context, instance, tag)
        # NOTE: quoted: a header is latin-1, a tag any unicode.
        location = '%s/v2.1/servers/%s/tags/%s' % (
            req.application_url, server_id,
            urllib.parse.quote(tag, safe=''))
        return wsgi.response(None, status=201 if added else 204,
                             headers={'Location': location})

    @wsgi.expose(status=204, min_version='2.26')
    def delete(self, req, server_id, tag=None):
        if tag is None:
            instance = _tagged_server(
                req, server_id, 'os_compute_api:os-server-tags:delete_all')
            _compute_api.tag_set(req.context, instance, [])
            return
        instance = _tagged_server(req, server_id,
                                  'os_compute_api:os-server-tags:delete')
        _compute_api.tag_delete(req.context, instance, tag)


class ServerIPsController(rest.RestController):
    """``/servers/{id}/ips[/{network_label}]``: fixed addresses by
    network name (not hidden while building, as in Nova)."""

    @wsgi.expose()
    @validation.takes_no_query
    def get_all(self, req, server_id):
        instance = _get_server(req, server_id, extras=('addresses',))
        _authorize(req, 'os_compute_api:ips:index', instance)
        return {'addresses': views.addresses_by_network(instance,
                                                        detailed=False)}

    @wsgi.expose()
    @validation.takes_no_query
    def get_one(self, req, server_id, network_label):
        instance = _get_server(req, server_id, extras=('addresses',))
        _authorize(req, 'os_compute_api:ips:show', instance)
        addresses = views.addresses_by_network(instance, detailed=False)
        if network_label not in addresses:
            raise exception.NotFound(
                'Instance is not a member of specified network')
        return {network_label: addresses[network_label]}


class ServersController(rest.RestController):

    _custom_actions = {'detail': ['GET']}

    action = ServerActionController()
    tags = ServerTagsController()
    ips = ServerIPsController()
    metadata = server_metadata.ServerMetadataController()

    @wsgi.expose()
    @validation.query_schema(schema.index_query_v21, '2.1', '2.25')
    @validation.query_schema(schema.index_query_v226, '2.26', '2.65')
    @validation.query_schema(schema.index_query_v266, '2.66', '2.72')
    @validation.query_schema(schema.index_query_v273, '2.73', '2.74')
    @validation.query_schema(schema.index_query_v275, '2.75')
    def get_all(self, req):
        limit, instances = _list(req, 'index')
        builder = views.Builder(req)
        return links.paged(req, 'servers', 'servers',
                           [builder.basic(i) for i in instances], limit)

    @wsgi.expose()
    @validation.query_schema(schema.index_query_v21, '2.1', '2.25')
    @validation.query_schema(schema.index_query_v226, '2.26', '2.65')
    @validation.query_schema(schema.index_query_v266, '2.66', '2.72')
    @validation.query_schema(schema.index_query_v273, '2.73', '2.74')
    @validation.query_schema(schema.index_query_v275, '2.75')
    def detail(self, req):
        limit, instances = _list(req, 'detail')
        builder = views.Builder(req)
        return links.paged(req, 'servers', 'servers/detail',
                           builder.detail_list(instances), limit)

    @wsgi.expose()
    @validation.takes_no_query
    def get_one(self, req, server_id):
        instance = _get_server(req, server_id)
        _authorize(req, POLICY % 'show', instance)
        return {'server': views.Builder(req).show_one(instance)}

    @wsgi.expose(status=202)
    @validation.schema(schema.create_v21, '2.1', '2.18')
    @validation.schema(schema.create_v219, '2.19', '2.31')
    @validation.schema(schema.create_v232, '2.32', '2.32')
    @validation.schema(schema.create_v233, '2.33', '2.36')
    @validation.schema(schema.create_v237, '2.37', '2.41')
    @validation.schema(schema.create_v242, '2.42', '2.51')
    @validation.schema(schema.create_v252, '2.52', '2.56')
    @validation.schema(schema.create_v257, '2.57', '2.62')
    @validation.schema(schema.create_v263, '2.63', '2.66')
    @validation.schema(schema.create_v267, '2.67', '2.73')
    @validation.schema(schema.create_v274, '2.74', '2.89')
    @validation.schema(schema.create_v290, '2.90', '2.93')
    @validation.schema(schema.create_v294, '2.94')
    def post(self, req):
        context = req.context
        server = req.body['server']
        target = {'project_id': context.project_id,
                  'user_id': context.user_id}
        policy.authorize(context, POLICY % 'create', target)

        min_count = int(server.get('min_count', 1))
        max_count = int(server.get('max_count', min_count))
        if min_count > max_count:
            raise exception.ValidationError(
                detail='min_count must be <= max_count')
        if server.get('block_device_mapping') or \
                server.get('block_device_mapping_v2'):
            policy.authorize(context, POLICY % 'create:attach_volume',
                             target)
        networks = server.get('networks')
        if networks:
            policy.authorize(context, POLICY % 'create:attach_network',
                             target)
        requested_host = server.get('host')
        requested_node = server.get('hypervisor_hostname')
        if requested_host or requested_node:
            policy.authorize(context, server_policies.REQUESTED_DESTINATION,
                             target)
            if ':' in (server.get('availability_zone') or '') and any(
                    server['availability_zone'].split(':')[1:]):
                raise exception.ValidationError(
                    detail='One mechanism with host and/or '
                           'hypervisor_hostname and another mechanism with '
                           'zone:host:node are mutually exclusive.')
        trusted_certs = server.get('trusted_image_certificates')
        if trusted_certs:
            policy.authorize(context, POLICY % 'create:trusted_certs',
                             target)
        # NOTE: as Nova, entries without a name are ignored, and no name
        # at all means the default group.
        groups = []
        for group in server.get('security_groups') or ():
            if group.get('name') and group['name'] not in groups:
                groups.append(group['name'])
        groups = groups or ['default']

        spec = compute.RequestSpec(
            name=server['name'],
            flavor_id=_parse_flavor_ref(server['flavorRef']),
            image_ref=server.get('imageRef'),
            block_device_mapping=server.get('block_device_mapping'),
            block_device_mapping_v2=server.get('block_device_mapping_v2'),
            min_count=min_count, max_count=max_count,
            description=(server.get('description')
                         if req.is_version('2.19') else server['name']),
            metadata=server.get('metadata', {}),
            key_name=server.get('key_name'),
            user_data=server.get('user_data'),
            access_ip_v4=server.get('accessIPv4'),
            access_ip_v6=_canonical_ipv6(server.get('accessIPv6')),
            auto_disk_config=server.get('OS-DCF:diskConfig') == 'AUTO',
            config_drive=common.is_true(server.get('config_drive', False)),
            availability_zone=server.get('availability_zone'),
            security_groups=groups,
            admin_password=server.get('adminPass'),
            injected_files=[(f['path'], f['contents'])
                            for f in server.get('personality') or ()],
            requested_networks=_requested_networks(networks, max_count),
            tags=server.get('tags'),
            trusted_certs=trusted_certs,
            requested_host=requested_host, requested_node=requested_node,
            hostname=server.get('hostname'),
            # Nova's order: the hints under their new name if given.
            scheduler_hints=req.body.get(
                'os:scheduler_hints' if 'os:scheduler_hints' in req.body
                else 'OS-SCH-HNT:scheduler_hints') or {})
        instances, reservation_id = _compute_api.create(context, spec)

        if common.is_true(server.get('return_reservation_id', False)):
            return wsgi.response({'reservation_id': reservation_id},
                                 status=202)
        instance = instances[0]
        view = {
            'id': instance['uuid'],
            'links': links.resource_links(req, 'servers', instance['uuid']),
            'OS-DCF:diskConfig': server.get('OS-DCF:diskConfig', 'MANUAL'),
            'security_groups': [{'name': g} for g in groups],
        }
        if CONF.api.enable_instance_password:
            view['adminPass'] = spec.admin_password
        return wsgi.response({'server': view}, status=202,
                             headers={'Location': view['links'][0]['href']})

    @wsgi.expose()
    @validation.schema(schema.update_v21, '2.1', '2.18')
    @validation.schema(schema.update_v219, '2.19', '2.89')
    @validation.schema(schema.update_v290, '2.90', '2.93')
    @validation.schema(schema.update_v294, '2.94', '2.103')
    @validation.schema(schema.update_v2104, '2.104')
    def put(self, req, server_id):
        instance = _get_server(req, server_id)
        _authorize(req, POLICY % 'update', instance)
        body = req.body['server']
        values = {}
        if 'name' in body:
            values['display_name'] = body['name']
        if 'description' in body:
            values['display_description'] = body['description']
        if 'accessIPv4' in body:
            values['access_ip_v4'] = body['accessIPv4']
        if 'accessIPv6' in body:
            values['access_ip_v6'] = _canonical_ipv6(body['accessIPv6'])
        if 'OS-DCF:diskConfig' in body:
            values['auto_disk_config'] = body['OS-DCF:diskConfig'] == 'AUTO'
        if 'hostname' in body:
            values['hostname'] = body['hostname']
        if 'pinned_availability_zone' in body:
            values.update(compute.pinned_zone_values(
                instance, body['pinned_availability_zone']))
        if values:
            _compute_api.update(req.context, instance, values)
        return {'server': views.Builder(req).update_view(instance)}

    @wsgi.expose(status=204)
    def delete(self, req, server_id):
        instance = _get_server(req, server_id, extras=())
        _authorize(req, POLICY % 'delete', instance)
        if CONF.reclaim_instance_interval > 0:
            # Nova: a soft delete (see os-deferred-delete's actions).
            _compute_api.soft_delete(req.context, instance)
        else:
            _compute_api.delete(req.context, instance)


pecan.route(ServersController, 'os-instance-actions',
            instance_actions.InstanceActionsController())
pecan.route(ServersController, 'os-server-password',
            server_password.ServerPasswordController())
pecan.route(ServersController, 'topology',
            server_topology.ServerTopologyController())
pecan.route(ServersController, 'os-security-groups',
            security_groups.ServerSecurityGroupsController())
