"""``/os-simple-tenant-usage``: server hours per project over a period
(``openstack usage list/show``); from 2.40 the servers are paged (a
project's usage may span pages)."""

from pecan import rest

from novalite.api import common
from novalite.api import links
from novalite.api.schemas import simple_tenant_usage as schema
from novalite.api import validation
from novalite.api import wsgi
from novalite.compute import usage
from novalite import exception
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


def _usages(req, key, path, **kwargs):
    """(summaries, {key + '_links': ...} from 2.40 on a full page)."""
    start, stop = _period(req)
    if not req.is_version('2.40'):
        summaries, _servers = usage.tenant_usages(req.context, start, stop,
                                                  **kwargs)
        return summaries, {}
    limit, marker = common.limit_and_marker(req)
    try:
        summaries, servers = usage.tenant_usages(
            req.context, start, stop, limit=limit, marker=marker, **kwargs)
    except exception.MarkerNotFound:
        raise exception.ValidationError(
            detail='Marker %s could not be found.' % marker)
    next_link = links.collection_next(req, path, servers, limit,
                                      id_key='instance_id')
    return summaries, {key + '_links': next_link} if next_link else {}


class SimpleTenantUsageController(rest.RestController):

    @wsgi.expose()
    @validation.query_schema(schema.index_query, '2.1', '2.39')
    @validation.query_schema(schema.index_query_v240, '2.40', '2.74')
    @validation.query_schema(schema.index_query_v275, '2.75')
    def get_all(self, req):
        policy.authorize(req.context, stu_policies.POLICY_ROOT % 'list', {})
        summaries, next_link = _usages(
            req, 'tenant_usages', 'os-simple-tenant-usage',
            detailed=_first(req, 'detailed') == '1')
        return dict({'tenant_usages': [_tenant_usage(s) for s in summaries]},
                    **next_link)

    @wsgi.expose()
    @validation.query_schema(schema.show_query, '2.1', '2.39')
    @validation.query_schema(schema.show_query_v240, '2.40', '2.74')
    @validation.query_schema(schema.show_query_v275, '2.75')
    def get_one(self, req, tenant_id):
        policy.authorize(req.context, stu_policies.POLICY_ROOT % 'show',
                         {'project_id': tenant_id})
        summaries, next_link = _usages(
            req, 'tenant_usage', 'os-simple-tenant-usage/' + tenant_id,
            project_id=tenant_id)
        # As Nova: an empty object for a project without usage.
        return dict({'tenant_usage':
                     _tenant_usage(summaries[0]) if summaries else {}},
                    **next_link)
