"""``/flavors/{flavor_id}/os-flavor-access`` and the flavor actions
``addTenantAccess``/``removeTenantAccess`` (``POST
/flavors/{flavor_id}/action``): which projects may see and use a private
flavor. Admins only, by Nova's default policy.

NOTE: Nova first asks Keystone whether the project exists (400 if it
does not); novalite has no Keystone to ask and takes any project id, as
Nova does when Keystone cannot be reached.
"""

from pecan import rest

from novalite.api.schemas import flavor_access as schema
from novalite.api import validation
from novalite.api.validation import validators
from novalite.api import wsgi
from novalite.compute import flavors
from novalite import exception
from novalite import policy

POLICY = 'os_compute_api:os-flavor-access'


def _render(flavor_id, projects):
    return {'flavor_access': [{'flavor_id': flavor_id, 'tenant_id': p}
                              for p in projects]}


class FlavorAccessController(rest.RestController):

    @wsgi.expose()
    @validation.takes_no_query
    def get_all(self, req, flavor_id):
        policy.authorize(req.context, POLICY)
        return _render(flavor_id, flavors.access_list(req.context,
                                                      flavor_id))


def _add_tenant_access(req, flavor_id, body):
    policy.authorize(req.context, POLICY + ':add_tenant_access', {})
    return flavors.add_access(req.context, flavor_id, body['tenant'],
                              allow_public=not req.is_version('2.7'))


def _remove_tenant_access(req, flavor_id, body):
    policy.authorize(req.context, POLICY + ':remove_tenant_access', {})
    return flavors.remove_access(req.context, flavor_id, body['tenant'])


# The flavor actions: name -> (handler, body schema).
ACTIONS = {
    'addTenantAccess': (_add_tenant_access, schema.add_tenant_access),
    'removeTenantAccess': (_remove_tenant_access,
                           schema.remove_tenant_access),
}


class FlavorActionController(rest.RestController):
    """``POST /flavors/{flavor_id}/action``: one action per body."""

    @wsgi.expose()
    def post(self, req, flavor_id):
        body = req.body
        if not isinstance(body, dict) or len(body) != 1:
            raise exception.MalformedRequestBody()
        name = next(iter(body))
        if name not in ACTIONS:
            raise exception.ValidationError(
                detail='There is no such action: %s' % name)
        handler, action_schema = ACTIONS[name]
        validators.validate(action_schema, body)
        return _render(flavor_id, handler(req, flavor_id, body[name]))
