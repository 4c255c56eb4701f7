"""``/os-server-groups``: server groups of a project, each with one
policy (affinity, anti-affinity; from 2.15 soft-affinity and
soft-anti-affinity) that the scheduler applies to the servers created
with the ``group`` scheduler hint.

Another project's group is not found (404) before any policy runs, as
in Nova, whose lookup is scoped to the caller's project.
"""

from oslo_config import cfg
from pecan import rest

from novalite.api import common
from novalite.api.controllers import base
from novalite.api.schemas import server_groups as schema
from novalite.api import validation
from novalite.api.validation import parameter_types
from novalite.api.views import server_groups as views
from novalite.api import wsgi
from novalite.compute import server_groups
from novalite import exception
from novalite import policy

CONF = cfg.CONF

POLICY = 'os_compute_api:os-server-groups:%s'


def _page(req):
    """(limit, offset) as Nova's common.limited: limit 0 or none means
    [api] max_limit, which also caps it. (An offset beyond any count of
    groups is cut to one the database takes: the page is empty either
    way.)"""
    max_limit = CONF.api.max_limit
    limit = int(common.last(req, 'limit') or 0)
    offset = int(common.last(req, 'offset') or 0)
    return (min(max_limit, limit or max_limit),
            min(offset, parameter_types.MAX_INT))


def _authorize(req, rule, group):
    policy.authorize(req.context, POLICY % rule,
                     {'project_id': group['project_id']})


class ServerGroupsController(rest.RestController):

    @wsgi.expose()
    @validation.query_schema(schema.index_query, '2.1', '2.74')
    @validation.query_schema(schema.index_query_v275, '2.75')
    def get_all(self, req):
        context = req.context
        policy.authorize(context, POLICY % 'index', base.project_target(req))
        # NOTE: as Nova, all_projects (with any value) counts for admins
        # only; anyone else gets their own project's groups.
        all_projects = 'all_projects' in req.GET and context.is_admin
        if all_projects:
            policy.authorize(context, POLICY % 'index:all_projects',
                             base.project_target(req))
        limit, offset = _page(req)
        groups = server_groups.get_all(context, all_projects=all_projects,
                                       limit=limit, offset=offset)
        return {'server_groups': [views.show(req, g) for g in groups]}

    @wsgi.expose()
    @validation.takes_no_query
    def get_one(self, req, group_id):
        group = server_groups.get(req.context, group_id)
        _authorize(req, 'show', group)
        return {'server_group': views.show(req, group)}

    @wsgi.expose()
    @validation.schema(schema.create, '2.1', '2.14')
    @validation.schema(schema.create_v215, '2.15', '2.63')
    @validation.schema(schema.create_v264, '2.64')
    def post(self, req):
        context = req.context
        policy.authorize(context, POLICY % 'create', base.project_target(req))
        body = req.body['server_group']
        rules = {}
        if req.is_version('2.64'):
            group_policy = body['policy']
            if body.get('rules'):
                if group_policy != 'anti-affinity':
                    raise exception.Invalid(
                        'Only anti-affinity policy supports rules.')
                rules = {key: int(value)
                         for key, value in body['rules'].items()}
        else:
            group_policy = body['policies'][0]
        group = server_groups.create(context, body['name'], group_policy,
                                     rules)
        return {'server_group': views.show(req, group)}

    @wsgi.expose(status=204)
    def delete(self, req, group_id):
        group = server_groups.get(req.context, group_id)
        _authorize(req, 'delete', group)
        server_groups.delete(req.context, group)
