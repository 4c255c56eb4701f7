"""``/flavors/{flavor_id}/os-extra_specs[/{key}]``: a flavor's extra
specs. Everyone who may see the flavor reads them; admins write them.

As Nova: create and update answer 200 with the body as sent (numbers
stay numbers there, and are text when read back); delete answers 200
with no body. From 2.86 the specs Nova knows must have valid values
(``validation.extra_specs``), checked before the flavor is looked up.
"""

from pecan import rest

from novalite.api.controllers import base
from novalite.api.schemas import flavor_extra_specs as schema
from novalite.api import validation
from novalite.api.validation import extra_specs
from novalite.api import wsgi
from novalite.compute import flavors
from novalite import policy

POLICY = 'os_compute_api:os-flavor-extra-specs:%s'


def _check_known_specs(req, specs):
    if req.is_version('2.86'):
        for name, value in specs.items():
            extra_specs.validate(name, flavors.spec_value(value))


class FlavorExtraSpecsController(rest.RestController):

    @wsgi.expose()
    @validation.takes_no_query
    def get_all(self, req, flavor_id):
        policy.authorize(req.context, POLICY % 'index',
                         base.project_target(req))
        return {'extra_specs': flavors.extra_specs_get(req.context,
                                                       flavor_id)}

    @wsgi.expose()
    @validation.takes_no_query
    def get_one(self, req, flavor_id, key):
        policy.authorize(req.context, POLICY % 'show',
                         base.project_target(req))
        return {key: flavors.extra_spec_get(req.context, flavor_id, key)}

    @wsgi.expose()
    @validation.schema(schema.create)
    def post(self, req, flavor_id):
        policy.authorize(req.context, POLICY % 'create', {})
        _check_known_specs(req, req.body['extra_specs'])
        flavors.extra_specs_update(req.context, flavor_id,
                                   req.body['extra_specs'])
        return req.body

    @wsgi.expose()
    @validation.schema(schema.update)
    def put(self, req, flavor_id, key):
        policy.authorize(req.context, POLICY % 'update', {})
        _check_known_specs(req, req.body)
        flavors.extra_specs_update(req.context, flavor_id, req.body, key=key)
        return req.body

    @wsgi.expose()
    def delete(self, req, flavor_id, key):
        policy.authorize(req.context, POLICY % 'delete', {})
        flavors.extra_spec_delete(req.context, flavor_id, key)
        return wsgi.empty_ok()
