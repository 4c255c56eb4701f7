"""``/os-hypervisors``: the compute hosts' hypervisors, for admins."""

from oslo_serialization import jsonutils
from pecan import rest

from novalite.api import common
from novalite.api import links
from novalite.api.schemas import hypervisors as schema
from novalite.api import validation
from novalite.api import wsgi
from novalite.compute import services
from novalite.policies import hypervisors as hv_policies
from novalite import policy


def _authorize(req, action):
    policy.authorize(req.context, hv_policies.POLICY_ROOT % action, {})


def _summary(hypervisor):
    return {
        'id': hypervisor['id'],
        'hypervisor_hostname': hypervisor['hypervisor_hostname'],
        'state': 'up' if hypervisor['is_up'] else 'down',
        'status': 'disabled' if hypervisor['disabled'] else 'enabled',
    }


def _detail(req, hypervisor):
    view = _summary(hypervisor)
    view.update({
        'hypervisor_type': hypervisor['hypervisor_type'],
        'hypervisor_version': hypervisor['hypervisor_version'],
        'host_ip': hypervisor['host_ip'],
        'service': {'id': hypervisor['id'], 'host': hypervisor['host'],
                    'disabled_reason': hypervisor['disabled_reason']},
    })
    for field in ('vcpus', 'memory_mb', 'local_gb', 'vcpus_used',
                  'memory_mb_used', 'local_gb_used', 'free_ram_mb',
                  'free_disk_gb', 'current_workload', 'running_vms',
                  'disk_available_least', 'cpu_info'):
        view[field] = hypervisor[field]
    if req.is_version('2.28'):
        # A JSON object from 2.28, the JSON text before.
        view['cpu_info'] = jsonutils.loads(view['cpu_info'])
    return view


def _list(req, view, path='os-hypervisors'):
    """The hypervisors, a page of them with a next link from 2.33."""
    if not req.is_version('2.33'):
        return {'hypervisors': [
            view(h) for h in services.hypervisors(req.context)]}
    limit, marker = common.limit_and_marker(req)
    found = services.hypervisors(req.context, limit=limit, marker=marker)
    return links.paged(req, 'hypervisors', path, [view(h) for h in found],
                       limit)


class HypervisorSearchController(rest.RestController):
    """``GET /os-hypervisors/{hypervisor_hostname_pattern}/search``."""

    @wsgi.expose()
    def get_all(self, req, pattern):
        _authorize(req, 'search')
        return {'hypervisors': [
            _summary(h) for h in services.search(req.context, pattern)]}


class HypervisorServersController(rest.RestController):
    """``GET /os-hypervisors/{hypervisor_hostname_pattern}/servers``."""

    @wsgi.expose()
    def get_all(self, req, pattern):
        _authorize(req, 'servers')
        found = []
        for hypervisor in services.search(req.context, pattern):
            view = _summary(hypervisor)
            servers = services.servers_of(req.context, hypervisor)
            if servers:
                # As Nova before 2.75: no key when there is no server.
                view['servers'] = servers
            found.append(view)
        return {'hypervisors': found}


class HypervisorUptimeController(rest.RestController):
    """``GET /os-hypervisors/{hypervisor_id}/uptime``."""

    @wsgi.expose()
    def get_all(self, req, hypervisor_id):
        _authorize(req, 'uptime')
        hypervisor = services.get(req.context, hypervisor_id)
        view = _summary(hypervisor)
        view['uptime'] = services.uptime(req.context, hypervisor)
        return {'hypervisor': view}


class HypervisorsController(rest.RestController):

    _custom_actions = {'detail': ['GET'], 'statistics': ['GET']}

    search = HypervisorSearchController()
    servers = HypervisorServersController()
    uptime = HypervisorUptimeController()

    @wsgi.expose()
    @validation.query_schema(schema.index_query, '2.1', '2.32')
    @validation.query_schema(schema.index_query_v233, '2.33')
    def get_all(self, req):
        _authorize(req, 'list')
        return _list(req, _summary)

    @wsgi.expose()
    @validation.query_schema(schema.index_query, '2.1', '2.32')
    @validation.query_schema(schema.index_query_v233, '2.33')
    def detail(self, req):
        _authorize(req, 'list-detail')
        return _list(req, lambda h: _detail(req, h), 'os-hypervisors/detail')

    @wsgi.expose()
    def statistics(self, req):
        _authorize(req, 'statistics')
        return {'hypervisor_statistics': services.statistics(req.context)}

    @wsgi.expose()
    def get_one(self, req, hypervisor_id):
        _authorize(req, 'show')
        hypervisor = services.get(req.context, hypervisor_id)
        return {'hypervisor': _detail(req, hypervisor)}
