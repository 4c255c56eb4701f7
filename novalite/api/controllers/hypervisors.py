"""``/os-hypervisors``: the compute hosts' hypervisors, for admins."""

from oslo_serialization import jsonutils
from pecan import rest

from novalite.api import common
from novalite.api import links
from novalite.api.schemas import hypervisors as schema
from novalite.api import validation
from novalite.api import wsgi
from novalite.compute import services
from novalite import exception
from novalite.policies import hypervisors as hv_policies
from novalite import policy


def _authorize(req, action):
    policy.authorize(req.context, hv_policies.POLICY_ROOT % action, {})


def _summary(req, hypervisor):
    return {
        'id': (hypervisor['compute_node_uuid'] if req.is_version('2.53')
               else hypervisor['id']),
        'hypervisor_hostname': hypervisor['hypervisor_hostname'],
        'state': 'up' if hypervisor['is_up'] else 'down',
        'status': 'disabled' if hypervisor['disabled'] else 'enabled',
    }


def _summaries(req, hypervisors):
    return [_summary(req, h) for h in hypervisors]


def _detail(req, hypervisor, uptime=None):
    view = _summary(req, hypervisor)
    view.update({
        'hypervisor_type': hypervisor['hypervisor_type'],
        'hypervisor_version': hypervisor['hypervisor_version'],
        'host_ip': hypervisor['host_ip'],
        'service': {'id': (hypervisor['uuid'] if req.is_version('2.53')
                           else hypervisor['id']),
                    'host': hypervisor['host'],
                    'disabled_reason': hypervisor['disabled_reason']},
    })
    if req.is_version('2.88'):
        # 2.88: the capacity figures are placement's to tell; the host's
        # uptime (asked of its agent) comes instead.
        view['uptime'] = uptime
        return view
    for field in ('vcpus', 'memory_mb', 'local_gb', 'vcpus_used',
                  'memory_mb_used', 'local_gb_used', 'free_ram_mb',
                  'free_disk_gb', 'current_workload', 'running_vms',
                  'disk_available_least', 'cpu_info'):
        view[field] = hypervisor[field]
    if req.is_version('2.28'):
        # A JSON object from 2.28, the JSON text before.
        view['cpu_info'] = jsonutils.loads(view['cpu_info'])
    return view


def _details(req, hypervisors):
    """The detail views; from 2.88 with each host's uptime, all the
    agents asked at once."""
    found = (services.uptimes(req.context, hypervisors)
             if req.is_version('2.88') else {})
    return [_detail(req, h, found.get(h['host'])) for h in hypervisors]


def _add_servers(req, views, hypervisors):
    """The views, each with its hypervisor's servers (all read in one
    query): below 2.75, only where there are some (no key without
    servers, as Nova)."""
    by_host = services.servers_by_host(req.context, hypervisors)
    for view, hypervisor in zip(views, hypervisors):
        servers = by_host[hypervisor['host']]
        if servers or req.is_version('2.75'):
            view['servers'] = servers
    return views


def _with_servers(req, views_of, hypervisors):
    """The views (``views_of``) of the hypervisors, with their servers if
    asked (from 2.53)."""
    views = views_of(req, hypervisors)
    if req.is_version('2.53') and common.is_true(
            common.last(req, 'with_servers') or False):
        return _add_servers(req, views, hypervisors)
    return views


def _list(req, views_of, path='os-hypervisors'):
    """The hypervisors: a page of them with a next link from 2.33, or
    from 2.53 those matching ``hypervisor_hostname_pattern``."""
    if not req.is_version('2.33'):
        return {'hypervisors': views_of(
            req, services.hypervisors(req.context))}
    pattern = common.last(req, 'hypervisor_hostname_pattern')
    if pattern is not None and req.is_version('2.53'):
        if 'limit' in req.GET or common.last(req, 'marker'):
            # NOTE: Nova means to say that paging with a pattern is not
            # supported, but its answer has webob's default text.
            raise exception.Invalid('The server could not comply with the '
                                    'request since it is either malformed '
                                    'or otherwise incorrect.')
        return {'hypervisors': _with_servers(
            req, views_of, services.search(req.context, pattern))}
    limit, marker = common.limit_and_marker(req)
    found = services.hypervisors(req.context, limit=limit, marker=marker)
    return links.paged(req, 'hypervisors', path,
                       _with_servers(req, views_of, found),
                       limit)


class HypervisorSearchController(rest.RestController):
    """``GET /os-hypervisors/{hypervisor_hostname_pattern}/search``
    (until 2.52)."""

    @wsgi.expose(max_version='2.52')
    def get_all(self, req, pattern):
        _authorize(req, 'search')
        return {'hypervisors': _summaries(
            req, services.search(req.context, pattern))}


class HypervisorServersController(rest.RestController):
    """``GET /os-hypervisors/{hypervisor_hostname_pattern}/servers``
    (until 2.52)."""

    @wsgi.expose(max_version='2.52')
    def get_all(self, req, pattern):
        _authorize(req, 'servers')
        found = services.search(req.context, pattern)
        return {'hypervisors': _add_servers(
            req, _summaries(req, found), found)}


class HypervisorUptimeController(rest.RestController):
    """``GET /os-hypervisors/{hypervisor_id}/uptime`` (until 2.87; then
    the detail views show it)."""

    @wsgi.expose(max_version='2.87')
    def get_all(self, req, hypervisor_id):
        _authorize(req, 'uptime')
        hypervisor = services.get(req.context, hypervisor_id,
                                  by_uuid=req.is_version('2.53'))
        view = _summary(req, hypervisor)
        view['uptime'] = services.uptime(req.context, hypervisor)
        return {'hypervisor': view}


class HypervisorsController(rest.RestController):

    _custom_actions = {'detail': ['GET'], 'statistics': ['GET']}

    search = HypervisorSearchController()
    servers = HypervisorServersController()
    uptime = HypervisorUptimeController()

    @wsgi.expose()
    @validation.query_schema(schema.index_query, '2.1', '2.32')
    @validation.query_schema(schema.index_query_v233, '2.33', '2.52')
    @validation.query_schema(schema.index_query_v253, '2.53')
    def get_all(self, req):
        _authorize(req, 'list')
        return _list(req, _summaries)

    @wsgi.expose()
    @validation.query_schema(schema.index_query, '2.1', '2.32')
    @validation.query_schema(schema.index_query_v233, '2.33', '2.52')
    @validation.query_schema(schema.index_query_v253, '2.53')
    def detail(self, req):
        _authorize(req, 'list-detail')
        return _list(req, _details, 'os-hypervisors/detail')

    @wsgi.expose(max_version='2.87')
    def statistics(self, req):
        _authorize(req, 'statistics')
        return {'hypervisor_statistics': services.statistics(req.context)}

    @wsgi.expose()
    @validation.query_schema(schema.show_query, '2.1', '2.52')
    @validation.query_schema(schema.show_query_v253, '2.53')
    def get_one(self, req, hypervisor_id):
        _authorize(req, 'show')
        hypervisor = services.get(req.context, hypervisor_id,
                                  by_uuid=req.is_version('2.53'))
        [view] = _with_servers(req, _details, [hypervisor])
        return {'hypervisor': view}
