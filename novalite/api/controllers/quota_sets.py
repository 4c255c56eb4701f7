"""``/os-quota-sets/{tenant_id}``: a project's limits, which are what
creates are held to (``novalite.quota``). From 2.36 the proxy APIs'
resources are neither shown nor set.

Per-user quotas (``?user_id=``) are not kept: shows ignore it, changes
refuse it.
"""

from oslo_utils import strutils
from pecan import rest

from novalite.api import common
from novalite.api.schemas import quota_sets as schema
from novalite.api import validation
from novalite.api import wsgi
from novalite import exception
from novalite.policies import quota_sets as qs_policies
from novalite import policy
from novalite import quota


def _authorize(req, action, project_id):
    policy.authorize(req.context, qs_policies.POLICY_ROOT % action,
                     {'project_id': project_id})


def _quota_set(req, values, project_id=None):
    """Nova's body: ``id`` (unless None) then the resources by name, those
    the microversion shows."""
    result = {'id': project_id} if project_id is not None else {}
    hidden = common.hidden_quotas(req)
    for resource in sorted(quota.RESOURCES):
        if resource not in hidden:
            result[resource] = values[resource]
    return {'quota_set': result}


def _no_user(req):
    if 'user_id' in req.GET:
        raise exception.Invalid('Per-user quotas are not supported.')


class QuotaDefaultsController(rest.RestController):
    """``GET /os-quota-sets/{tenant_id}/defaults``."""

    @wsgi.expose()
    def get_all(self, req, tenant_id):
        _authorize(req, 'defaults', tenant_id)
        return _quota_set(req, quota.defaults(), tenant_id)


class QuotaDetailController(rest.RestController):
    """``GET /os-quota-sets/{tenant_id}/detail``: limits and usage."""

    @wsgi.expose()
    @validation.query_schema(schema.query, '2.1', '2.74')
    @validation.query_schema(schema.query_v275, '2.75')
    def get_all(self, req, tenant_id):
        _authorize(req, 'detail', tenant_id)
        limits = quota.limits(req.context, tenant_id)
        used = quota.in_use(req.context, tenant_id)
        return _quota_set(req, {
            resource: {'limit': limits[resource], 'in_use': used[resource],
                       'reserved': 0}
            for resource in quota.RESOURCES}, tenant_id)


class QuotaSetsController(rest.RestController):

    defaults = QuotaDefaultsController()
    detail = QuotaDetailController()

    @wsgi.expose()
    @validation.query_schema(schema.query, '2.1', '2.74')
    @validation.query_schema(schema.query_v275, '2.75')
    def get_one(self, req, tenant_id):
        _authorize(req, 'show', tenant_id)
        return _quota_set(req, quota.limits(req.context, tenant_id),
                          tenant_id)

    @wsgi.expose()
    @validation.schema(schema.update, '2.1', '2.35')
    @validation.schema(schema.update_v236, '2.36', '2.56')
    @validation.schema(schema.update_v257, '2.57')
    @validation.query_schema(schema.query, '2.1', '2.74')
    @validation.query_schema(schema.query_v275, '2.75')
    def put(self, req, tenant_id):
        _authorize(req, 'update', tenant_id)
        _no_user(req)
        body = req.body['quota_set']
        force = strutils.bool_from_string(body.get('force', False))
        values = {resource: int(limit) for resource, limit in body.items()
                  if resource != 'force'}
        return _quota_set(req, quota.update(req.context, tenant_id, values,
                                            force=force))

    @wsgi.expose(status=202)
    @validation.query_schema(schema.query, '2.1', '2.74')
    @validation.query_schema(schema.query_v275, '2.75')
    def delete(self, req, tenant_id):
        _authorize(req, 'delete', tenant_id)
        _no_user(req)
        quota.revert_to_defaults(req.context, tenant_id)
