"""``/os-services``: the compute services, for admins.

Below microversion 2.53 a service is named by host and binary in the body
of ``PUT /os-services/<action>``; from 2.53 by its UUID in the path of
``PUT /os-services/{service_id}``, which the action names then hit too
(and fail, not being UUIDs), as in Nova."""

from pecan import rest

from novalite.api import common
from novalite.api.schemas import services as schema
from novalite.api import validation
from novalite.api import wsgi
from novalite.compute import services
from novalite import exception
from novalite.policies import services as services_policies
from novalite import policy


def _authorize(req, action):
    policy.authorize(req.context, services_policies.POLICY_ROOT % action, {})


def _service(req, service):
    view = {
        'binary': service['binary'],
        'host': service['host'],
        'id': service['uuid'] if req.is_version('2.53') else service['id'],
        'zone': service['availability_zone'],
        'status': 'disabled' if service['disabled'] else 'enabled',
        'state': 'up' if service['is_up'] else 'down',
        'updated_at': common.usage_time(service['updated_at']),
        'disabled_reason': service['disabled_reason'],
    }
    if req.is_version('2.11'):
        view['forced_down'] = service['forced_down']
    return view


def _update(req, values):
    """Set ``values`` on the service the body names."""
    body = req.body
    services.update(req.context, body['host'], body['binary'], values)
    return {'host': body['host'], 'binary': body['binary']}


def _enable_disable(req, disabled, reason=None):
    result = _update(req, {'disabled': disabled, 'disabled_reason': reason})
    result['status'] = 'disabled' if disabled else 'enabled'
    if reason:
        result['disabled_reason'] = reason
    return {'service': result}


def _update_v253(req, service_id):
    """Nova's PUT /os-services/{service_id}: status (with an optional
    disabled_reason when disabling) and forced_down; the whole service
    back."""
    services.check_uuid(service_id)
    _authorize(req, 'update')
    body = req.body
    values = {}
    if body.get('status') == 'enabled':
        if body.get('disabled_reason'):
            raise exception.Invalid("Specifying 'disabled_reason' with "
                                    "status 'enabled' is invalid.")
        values.update(disabled=False, disabled_reason=None)
    elif body.get('status') == 'disabled':
        values.update(disabled=True,
                      disabled_reason=body.get('disabled_reason'))
    if 'forced_down' in body:
        values['forced_down'] = common.is_true(body['forced_down'])
    if not values:
        raise exception.Invalid("No updates were requested. Fields "
                                "'status' or 'forced_down' should be "
                                "specified.")
    return {'service': _service(req, services.update_by_uuid(
        req.context, service_id, values))}


def _update_v21(req, action):
    _authorize(req, 'update')
    if action == 'enable':
        return _enable_disable(req, False)
    if action == 'disable':
        # NOTE: as Nova, a disabled_reason in this body is ignored.
        return _enable_disable(req, True)
    if action == 'disable-log-reason':
        if 'disabled_reason' not in req.body:
            raise exception.Invalid('Missing disabled reason field')
        return _enable_disable(req, True, req.body['disabled_reason'])
    if action == 'force-down' and req.is_version('2.11'):
        if 'forced_down' not in req.body:
            raise exception.Invalid('Missing forced_down field')
        forced_down = common.is_true(req.body['forced_down'])
        result = _update(req, {'forced_down': forced_down})
        result['forced_down'] = forced_down
        return {'service': result}
    raise exception.NotFound('Unknown action')


def _put(req, service_id):
    """Below 2.53 ``service_id`` names an action, from 2.53 a service."""
    if req.is_version('2.53'):
        return _update_v253(req, service_id)
    return _update_v21(req, service_id)


def _put_handler(func):
    """Every PUT handler: Nova's body schema for the version comes
    first, then the path (an action, or a UUID)."""
    func = validation.schema(schema.update_v253, '2.53')(func)
    func = validation.schema(schema.update_v211, '2.11', '2.52')(func)
    func = validation.schema(schema.update, '2.1', '2.10')(func)
    return wsgi.expose()(func)


class ServicesController(rest.RestController):

    # NOTE: pecan tries the custom actions before put().
    _custom_actions = {'enable': ['PUT'], 'disable': ['PUT'],
                       'disable-log-reason': ['PUT'],
                       'force-down': ['PUT']}

    @wsgi.expose()
    @validation.query_schema(schema.index_query, '2.1', '2.74')
    @validation.query_schema(schema.index_query_v275, '2.75')
    def get_all(self, req):
        _authorize(req, 'list')
        found = services.get_all(req.context, host=common.last(req, 'host'),
                                 binary=common.last(req, 'binary'))
        return {'services': [_service(req, s) for s in found]}

    @_put_handler
    def put(self, req, service_id):
        return _put(req, service_id)

    @_put_handler
    def enable(self, req):
        return _put(req, 'enable')

    @_put_handler
    def disable(self, req):
        return _put(req, 'disable')

    @_put_handler
    def disable_log_reason(self, req):
        return _put(req, 'disable-log-reason')

    @_put_handler
    def force_down(self, req):
        return _put(req, 'force-down')

    @wsgi.expose(status=204)
    def delete(self, req, service_id):
        _authorize(req, 'delete')
        services.delete(req.context, service_id,
                        by_uuid=req.is_version('2.53'))


# The actions' path segments have dashes (pecan finds a custom action by
# attribute name).
setattr(ServicesController, 'disable-log-reason',
        ServicesController.disable_log_reason)
setattr(ServicesController, 'force-down', ServicesController.force_down)
