"""``/os-services``: the compute services, for admins (Nova's 2.1-2.52
forms: a service is named by host and binary in the body of
``PUT /os-services/<action>``)."""

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
        'id': service['id'],
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


class ServicesController(rest.RestController):

    _custom_actions = {'enable': ['PUT'], 'disable': ['PUT'],
                       'disable-log-reason': ['PUT'],
                       'force-down': ['PUT']}

    @wsgi.expose()
    @validation.query_schema(schema.index_query)
    def get_all(self, req):
        _authorize(req, 'list')
        found = services.get_all(req.context, host=common.last(req, 'host'),
                                 binary=common.last(req, 'binary'))
        return {'services': [_service(req, s) for s in found]}

    @wsgi.expose()
    @validation.schema(schema.update, '2.1', '2.10')
    @validation.schema(schema.update_v211, '2.11')
    def enable(self, req):
        _authorize(req, 'update')
        return _enable_disable(req, False)

    @wsgi.expose()
    @validation.schema(schema.update, '2.1', '2.10')
    @validation.schema(schema.update_v211, '2.11')
    def disable(self, req):
        _authorize(req, 'update')
        # NOTE: as Nova, a disabled_reason in this body is ignored.
        return _enable_disable(req, True)

    @wsgi.expose()
    @validation.schema(schema.update, '2.1', '2.10')
    @validation.schema(schema.update_v211, '2.11')
    def disable_log_reason(self, req):
        _authorize(req, 'update')
        if 'disabled_reason' not in req.body:
            raise exception.Invalid('Missing disabled reason field')
        return _enable_disable(req, True, req.body['disabled_reason'])

    @wsgi.expose()
    @validation.schema(schema.update, '2.1', '2.10')
    @validation.schema(schema.update_v211, '2.11')
    def force_down(self, req):
        _authorize(req, 'update')
        if not req.is_version('2.11'):
            # Nova: an action this version does not have.
            raise exception.NotFound('Unknown action')
        if 'forced_down' not in req.body:
            raise exception.Invalid('Missing forced_down field')
        forced_down = common.is_true(req.body['forced_down'])
        result = _update(req, {'forced_down': forced_down})
        result['forced_down'] = forced_down
        return {'service': result}

    @wsgi.expose(status=204)
    def delete(self, req, service_id):
        _authorize(req, 'delete')
        services.delete(req.context, service_id)


# The actions' path segments have dashes (pecan finds a custom action by
# attribute name).
setattr(ServicesController, 'disable-log-reason',
        ServicesController.disable_log_reason)
setattr(ServicesController, 'force-down', ServicesController.force_down)
