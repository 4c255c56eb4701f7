"""``/flavors``: list, detail and show for everyone; create and delete
for admins. A private flavor is seen by admins and by the projects of
its access list (``os-flavor-access``); its extra specs are under
``os-extra_specs``."""

from oslo_utils import strutils
from oslo_utils import uuidutils
import pecan
from pecan import rest

from novalite.api import common
from novalite.api.controllers import flavor_access
from novalite.api.controllers import flavor_extra_specs
from novalite.api import links
from novalite.api.schemas import flavors as schema
from novalite.api import validation
from novalite.api.views import flavors as views
from novalite.api import wsgi
from novalite.compute import flavors
from novalite import exception
from novalite import policy


def _is_public(value):
    """Nova's is_public filter: True by default, None for "none", else
    a strict boolean."""
    if value is None:
        return True
    if value.lower() == 'none':
        return None
    try:
        return strutils.bool_from_string(value, strict=True)
    except ValueError:
        raise exception.ValidationError(
            detail='Invalid is_public filter [%s]' % value)


def _filters(req):
    filters = {}
    context = req.context
    if context.is_admin:
        # Only an admin chooses; True also lists the private flavors of
        # the admin's project's access list, as in Nova.
        filters['is_public'] = _is_public(common.last(req, 'is_public'))
    else:
        # The public flavors and those of the project's access list,
        # not disabled ones.
        filters['is_public'] = True
        filters['disabled'] = False
    for param, key in (('minRam', 'min_memory_mb'),
                       ('minDisk', 'min_root_gb')):
        value = common.last(req, param)
        if value is not None:
            filters[key] = int(value)
    if req.is_version('2.102') and 'name' in req.GET:
        # A regular expression, matched anywhere in the name.
        filters['name'] = common.last(req, 'name')
    return filters


def _list(req):
    limit, marker = common.limit_and_marker(req)
    sort_key = common.last(req, 'sort_key', 'flavorid')
    sort_dir = common.last(req, 'sort_dir', 'asc')
    return limit, flavors.get_all(req.context, _filters(req),
                                  sort_key=sort_key, sort_dir=sort_dir,
                                  limit=limit, marker=marker)


def _full_view(req, flavor):
    if views.extra_specs_shown(req):
        [flavor] = flavors.with_extra_specs(req.context, [flavor])
    return views.detail(req, flavor)


class FlavorsController(rest.RestController):

    _custom_actions = {'detail': ['GET']}

    @wsgi.expose()
    @validation.query_schema(schema.index_query, '2.1', '2.74')
    @validation.query_schema(schema.index_query_v275, '2.75', '2.101')
    @validation.query_schema(schema.index_query_v2102, '2.102')
    def get_all(self, req):
        limit, found = _list(req)
        return links.paged(req, 'flavors', 'flavors',
                           [views.basic(req, f) for f in found], limit)

    @wsgi.expose()
    @validation.query_schema(schema.index_query, '2.1', '2.74')
    @validation.query_schema(schema.index_query_v275, '2.75', '2.101')
    @validation.query_schema(schema.index_query_v2102, '2.102')
    def detail(self, req):
        limit, found = _list(req)
        if views.extra_specs_shown(req):
            found = flavors.with_extra_specs(req.context, found)
        return links.paged(req, 'flavors', 'flavors/detail',
                           [views.detail(req, f) for f in found], limit)

    @wsgi.expose()
    @validation.takes_no_query
    def get_one(self, req, flavor_id):
        return {'flavor': _full_view(req, flavors.get_by_flavor_id(
            req.context, flavor_id))}

    @wsgi.expose()
    @validation.schema(schema.create, '2.1', '2.54')
    @validation.schema(schema.create_v255, '2.55', '2.101')
    @validation.schema(schema.create_v2102, '2.102')
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
            'description': body.get('description'),
        }
        return {'flavor': _full_view(req, flavors.create(req.context,
                                                         values))}

    @wsgi.expose(min_version='2.55')
    @validation.schema(schema.update)
    def put(self, req, flavor_id):
        """2.55: the description, the one thing of a flavor that
        changes."""
        policy.authorize(req.context, 'os_compute_api:os-flavor-manage:update')
        return {'flavor': _full_view(req, flavors.update_description(
            req.context, flavor_id, req.body['flavor']['description']))}

    @wsgi.expose(status=202)
    def delete(self, req, flavor_id):
        policy.authorize(req.context, 'os_compute_api:os-flavor-manage:delete')
        flavors.destroy(req.context, flavor_id)

    action = flavor_access.FlavorActionController()


pecan.route(FlavorsController, 'os-extra_specs',
            flavor_extra_specs.FlavorExtraSpecsController())
pecan.route(FlavorsController, 'os-flavor-access',
            flavor_access.FlavorAccessController())
