"""``/os-simple-tenant-usage``: server hours per project over a period
(``openstack usage list/show``), in Nova's forms before 2.40 (no
paging)."""

from pecan import rest

from novalite.api import common
from novalite.api.schemas import simple_tenant_usage as schema
from novalite.api import validation
from novalite.api import wsgi
from novalite.compute import usage
from novalite.policies import simple_tenant_usage as stu_policies
from novalite import policy


def _first(req, name):
    """The first value of a query parameter (Nova reads ``parse_qs``'s
    first)."""
    values = req.GET.getall(name)
    return values[0] if values else None


def _period(req):
    return usage.period(_first(req, 'start'), _first(req, 'end'))


def _server_usage(server):
    return {
        'hours': server['hours'],
        'flavor': server['flavor'],
        'instance_id': server['instance_id'],
        'name': server['name'],
        'tenant_id': server['tenant_id'],
        'memory_mb': server['memory_mb'],
        'local_gb': server['local_gb'],
        'vcpus': server['vcpus'],
        'started_at': common.usage_time(server['started_at']),
        'ended_at': common.usage_time(server['ended_at']),
        'state': server['state'],
        'uptime': server['uptime'],
    }


def _tenant_usage(summary):
    view = {'tenant_id': summary['tenant_id']}
    if 'server_usages' in summary:
        view['server_usages'] = [_server_usage(s)
                                 for s in summary['server_usages']]
    for field in ('total_local_gb_usage', 'total_vcpus_usage',
                  'total_memory_mb_usage', 'total_hours'):
        view[field] = summary[field]
    view['start'] = common.usage_time(summary['start'])
    view['stop'] = common.usage_time(summary['stop'])
    return view


class SimpleTenantUsageController(rest.RestController):

    @wsgi.expose()
    @validation.query_schema(schema.index_query)
    def get_all(self, req):
        policy.authorize(req.context, stu_policies.POLICY_ROOT % 'list', {})
        start, stop = _period(req)
        detailed = _first(req, 'detailed') == '1'
        summaries = usage.tenant_usages(req.context, start, stop,
                                        detailed=detailed)
        return {'tenant_usages': [_tenant_usage(s) for s in summaries]}

    @wsgi.expose()
    @validation.query_schema(schema.show_query)
    def get_one(self, req, tenant_id):
        policy.authorize(req.context, stu_policies.POLICY_ROOT % 'show',
                         {'project_id': tenant_id})
        start, stop = _period(req)
        summaries = usage.tenant_usages(req.context, start, stop,
                                        project_id=tenant_id)
        # As Nova: an empty object for a project without usage.
        return {'tenant_usage':
                _tenant_usage(summaries[0]) if summaries else {}}
