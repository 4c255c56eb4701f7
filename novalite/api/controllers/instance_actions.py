"""``/servers/{id}/os-instance-actions[/{request_id}]``: what users did
to a server (``openstack server event list``), and what the agents did
for each action (its events)."""

from pecan import rest

from novalite.api import common
from novalite.api.controllers import base
from novalite.api import links
from novalite.api.schemas import instance_actions as schema
from novalite.api import validation
from novalite.api import wsgi
from novalite import exception
from novalite import policy
from novalite import utils

POLICY = 'os_compute_api:os-instance-actions:%s'

_ACTION_KEYS = ('action', 'instance_uuid', 'request_id', 'user_id',
                'project_id', 'start_time', 'message')
# 2.58: when the action last changed (an event started or finished).
_ACTION_KEYS_V258 = _ACTION_KEYS + ('updated_at',)
_EVENT_KEYS = ('event', 'start_time', 'finish_time', 'result')
_TIMES = ('start_time', 'finish_time', 'updated_at')


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
    @validation.query_schema(schema.index_query, '2.1', '2.57')
    @validation.query_schema(schema.index_query_v258, '2.58', '2.65')
    @validation.query_schema(schema.index_query_v266, '2.66')
    def get_all(self, req, server_id):
        instance = _server(req, server_id, POLICY % 'list')
        if not req.is_version('2.58'):
            return {'instanceActions': [
                _view(action, _ACTION_KEYS) for action in
                base.compute_api.actions_get(req.context, instance)]}
        limit, marker = common.limit_and_marker(req)
        window = common.changes_window(dict(req.GET))
        try:
            found = base.compute_api.actions_get(
                req.context, instance, limit=limit, marker=marker,
                changes_since=window.get('changes-since'),
                changes_before=window.get('changes-before'))
        except exception.MarkerNotFound:
            # NOTE: Nova's words, its DB layer having lost the marker.
            raise exception.Invalid('Marker None could not be found.')
        actions = [_view(action, _ACTION_KEYS_V258) for action in found]
        result = {'instanceActions': actions}
        next_link = links.collection_next(
            req, 'servers/%s/os-instance-actions' % server_id, actions,
            limit, id_key='request_id')
        if next_link:
            result['links'] = next_link
        return result

    @wsgi.expose()
    @validation.takes_no_query
    def get_one(self, req, server_id, request_id):
        instance = _server(req, server_id, POLICY % 'show')
        # NOTE: whom the events rule allows sees the events with their
        # tracebacks at every version; from 2.51 everyone else who may
        # see the action sees its events without tracebacks.
        privileged = policy.authorize(
            req.context, POLICY % 'events', common.policy_target(instance),
            fatal=False)
        show_events = privileged or req.is_version('2.51')
        action = base.compute_api.action_get(
            req.context, instance, request_id, with_events=show_events)
        view = _view(action, _ACTION_KEYS_V258 if req.is_version('2.58')
                     else _ACTION_KEYS)
        if show_events:
            v2_62 = req.is_version('2.62')
            # From 2.62 where each event ran: named (host) to whom the
            # events rule allows, for everyone hidden per project (hostId).
            keys = _EVENT_KEYS + (('traceback',) if privileged else ()) + (
                ('host',) if privileged and v2_62 else ())
            if req.is_version('2.84') and policy.authorize(
                    req.context, POLICY % 'events:details',
                    common.policy_target(instance), fatal=False):
                keys += ('details',)
            project_id = action['project_id'] or instance['project_id']
            view['events'] = []
            for event in action['events']:
                shown = _view(event, keys)
                if v2_62:
                    shown['hostId'] = utils.generate_hostid(event['host'],
                                                            project_id)
                view['events'].append(shown)
        return {'instanceAction': view}
