"""``/flavors``: list, detail and show for everyone; create and delete
for admins."""

from oslo_utils import strutils
from oslo_utils import uuidutils
from pecan import rest

from novalite.api import common
from novalite.api import links
from novalite.api.schemas import flavors as schema
from novalite.api import validation
from novalite.api.views import flavors as views
from novalite.api import wsgi
from novalite.compute import flavors
from novalite import policy


def _filters(req):
    filters = {}
    context = req.context
    is_public = common.last(req, 'is_public')
    if not context.is_admin or is_public is None:
        # Everyone but an admin asking otherwise sees public flavors.
        filters['is_public'] = True
    elif is_public.lower() != 'none':
        filters['is_public'] = strutils.bool_from_string(is_public)
    for param, key in (('minRam', 'min_memory_mb'),
                       ('minDisk', 'min_root_gb')):
        value = common.last(req, param)
        if value is not None:
            filters[key] = int(value)
    return filters


def _list(req):
    limit, marker = common.limit_and_marker(req)
    sort_key = common.last(req, 'sort_key', 'flavorid')
    sort_dir = common.last(req, 'sort_dir', 'asc')
    return limit, flavors.get_all(req.context, _filters(req),
                                  sort_key=sort_key, sort_dir=sort_dir,
                                  limit=limit, marker=marker)


class FlavorsController(rest.RestController):

    _custom_actions = {'detail': ['GET']}

    @wsgi.expose()
    @validation.query_schema(schema.index_query)
    def get_all(self, req):
        limit, found = _list(req)
        return links.paged(req, 'flavors', 'flavors',
                           [views.basic(req, f) for f in found], limit)

    @wsgi.expose()
    @validation.query_schema(schema.index_query)
    def detail(self, req):
        limit, found = _list(req)
        return links.paged(req, 'flavors', 'flavors/detail',
                           [views.detail(req, f) for f in found], limit)

    @wsgi.expose()
    def get_one(self, req, flavor_id):
        return {'flavor': views.detail(
            req, flavors.get_by_flavor_id(req.context, flavor_id))}

    @wsgi.expose()
    @validation.schema(schema.create)
    def post(self, req):
        policy.authorize(req.context, 'os_compute_api:os-flavor-manage:create')
        body = req.body['flavor']
        values = {
            'name': body['name'],
            'flavorid': str(body.get('id') or uuidutils.generate_uuid()),
            'memory_mb': int(body['ram']),
            'vcpus': int(body['vcpus']),
            'root_gb': int(body['disk']),
            'ephemeral_gb': int(body.get('OS-FLV-EXT-DATA:ephemeral') or 0),
            'swap': int(body.get('swap') or 0),
            'rxtx_factor': float(body.get('rxtx_factor', 1.0)),
            'is_public': common.is_true(
                body.get('os-flavor-access:is_public', True)),
        }
        return {'flavor': views.detail(req, flavors.create(req.context,
                                                           values))}

    @wsgi.expose(status=202)
    def delete(self, req, flavor_id):
        policy.authorize(req.context, 'os_compute_api:os-flavor-manage:delete')
        flavors.destroy(req.context, flavor_id)
