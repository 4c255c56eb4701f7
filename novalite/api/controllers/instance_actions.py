"""``/servers/{id}/os-instance-actions[/{request_id}]``: what users did
to a server (``openstack server event list``), and what the agents did
for each action (its events)."""

from pecan import rest

from novalite.api import common
from novalite.api.controllers import base
from novalite.api import wsgi
from novalite import policy

POLICY = 'os_compute_api:os-instance-actions:%s'

_ACTION_KEYS = ('action', 'instance_uuid', 'request_id', 'user_id',
                'project_id', 'start_time', 'message')
_EVENT_KEYS = ('event', 'start_time', 'finish_time', 'result')
_TIMES = ('start_time', 'finish_time')


def _view(row, keys):
    return {key: common.usage_time(row[key]) if key in _TIMES
            else row[key] for key in keys}


def _server(req, server_id, rule):
    """From 2.21 a deleted server's actions may be read, as in Nova."""
    if req.is_version('2.21'):
        instance = base.compute_api.get_with_deleted(req.context, server_id)
    else:
        instance = base.compute_api.get(req.context, server_id, extras=())
    base.authorize(req, rule, instance)
    return instance


class InstanceActionsController(rest.RestController):

    @wsgi.expose()
    def get_all(self, req, server_id):
        instance = _server(req, server_id, POLICY % 'list')
        return {'instanceActions': [
            _view(action, _ACTION_KEYS) for action in
            base.compute_api.actions_get(req.context, instance)]}

    @wsgi.expose()
    def get_one(self, req, server_id, request_id):
        instance = _server(req, server_id, POLICY % 'show')
        # NOTE: whom the events rule allows sees the events with their
        # tracebacks at every version; from 2.51 everyone else who may
        # see the action sees its events without tracebacks.
        show_traceback = policy.authorize(
            req.context, POLICY % 'events', common.policy_target(instance),
            fatal=False)
        show_events = show_traceback or req.is_version('2.51')
        action = base.compute_api.action_get(
            req.context, instance, request_id, with_events=show_events)
        view = _view(action, _ACTION_KEYS)
        if show_events:
            keys = _EVENT_KEYS + (('traceback',) if show_traceback else ())
            view['events'] = [_view(event, keys)
                              for event in action['events']]
        return {'instanceAction': view}
