"""``/os-security-groups``, ``/os-security-group-rules`` (Nova's proxy
APIs, to 2.35) and ``/servers/{id}/os-security-groups``.

Nova checks each rule against the caller's own project, whatever the
group (Neutron then decides what the caller may see: another project's
group is not found). The groups are novalite's own records: no packet
is filtered (see ``novalite/compute/security_groups.py``).
"""

import ipaddress

from oslo_config import cfg
from pecan import rest

from novalite.api import api_version
from novalite.api import common
from novalite.api.controllers import base
from novalite.api.schemas import security_groups as schema
from novalite.api import validation
from novalite.api.validation import parameter_types
from novalite.api.views import security_groups as views
from novalite.api import wsgi
from novalite.compute import security_groups
from novalite import exception
from novalite import policy

CONF = cfg.CONF

POLICY = 'os_compute_api:os-security-groups:%s'


def _authorize(req, rule):
    policy.authorize(req.context, POLICY % rule, base.project_target(req))


def _page(req):
    """(limit, offset) as Nova's common.limited: limit 0 or none means
    [api] max_limit, which also caps it."""
    max_limit = CONF.api.max_limit
    limit = int(common.last(req, 'limit') or 0)
    offset = int(common.last(req, 'offset') or 0)
    return (min(max_limit, limit or max_limit),
            min(offset, parameter_types.MAX_INT))


def _show(req, group):
    remotes = security_groups.remote_groups(req.context, [group])
    return {'security_group': views.group(group, remotes)}


class SecurityGroupsController(rest.RestController):

    @wsgi.expose(max_version=api_version.MAX_PROXY_API_VERSION)
    @validation.query_schema(schema.index_query)
    def get_all(self, req):
        _authorize(req, 'get')
        limit, offset = _page(req)
        found = security_groups.get_all(
            req.context, all_tenants='all_tenants' in req.GET,
            limit=limit, offset=offset)
        remotes = security_groups.remote_groups(req.context, found)
        return {'security_groups': views.groups(found, remotes)}

    @wsgi.expose(max_version=api_version.MAX_PROXY_API_VERSION)
    def get_one(self, req, group_id):
        _authorize(req, 'show')
        return _show(req, security_groups.get(req.context, group_id))

    @wsgi.expose(max_version=api_version.MAX_PROXY_API_VERSION)
    @validation.schema(schema.create)
    def post(self, req):
        _authorize(req, 'create')
        body = req.body['security_group']
        group = security_groups.create(req.context, body['name'],
                                       body['description'])
        return _show(req, group)

    @wsgi.expose(max_version=api_version.MAX_PROXY_API_VERSION)
    @validation.schema(schema.update)
    def put(self, req, group_id):
        _authorize(req, 'update')
        group = security_groups.get(req.context, group_id)
        body = req.body['security_group']
        group = security_groups.update(req.context, group, body['name'],
                                       body['description'])
        return _show(req, group)

    @wsgi.expose(status=202, max_version=api_version.MAX_PROXY_API_VERSION)
    def delete(self, req, group_id):
        _authorize(req, 'delete')
        group = security_groups.get(req.context, group_id)
        security_groups.delete(req.context, group)


def _bad_prefix(cidr):
    """Nova's check: a /0 prefix only for 0.0.0.0 or ::."""
    network = ipaddress.ip_network(cidr, strict=False)
    address = cidr.split('/')[0]
    return (network.prefixlen == 0 and
            str(ipaddress.ip_address(address)) not in ('0.0.0.0', '::'))


class SecurityGroupRulesController(rest.RestController):

    @wsgi.expose(max_version=api_version.MAX_PROXY_API_VERSION)
    @validation.schema(schema.create_rule)
    def post(self, req):
        context = req.context
        _authorize(req, 'rule:create')
        body = req.body['security_group_rule']
        group_id = body.get('group_id')
        # NOTE: Nova's order: the group, the remote group, the fields.
        group = security_groups.get(context, body['parent_group_id'])
        remote = None
        if group_id is not None:
            remote = security_groups.get(context, group_id)
            cidr = None
        else:
            cidr = security_groups.parse_cidr(body.get('cidr'))
        new_rule = security_groups.new_ingress_rule(
            body.get('ip_protocol'), body.get('from_port'),
            body.get('to_port'), group_id=group_id, cidr=cidr)
        if new_rule is None:
            raise exception.ValidationError(
                detail='Not enough parameters to build a valid rule.')
        new_rule['parent_group_id'] = group['id']
        if 'cidr' in new_rule and _bad_prefix(new_rule['cidr']):
            raise exception.ValidationError(
                detail='Bad prefix for network in cidr %s'
                       % new_rule['cidr'])
        rule = security_groups.create_rule(context, group, new_rule)
        remotes = {remote['id']: remote} if remote else {}
        return {'security_group_rule': views.rule(rule, remotes)}

    @wsgi.expose(status=202, max_version=api_version.MAX_PROXY_API_VERSION)
    def delete(self, req, rule_id):
        context = req.context
        _authorize(req, 'rule:delete')
        rule = security_groups.get_rule(context, rule_id)
        # A rule of a group the caller may not see is not found (Neutron).
        try:
            security_groups.get(context, rule['parent_group_id'])
        except exception.SecurityGroupNotFound:
            raise exception.SecurityGroupNotFound(
                'Security group rule %s does not exist' % rule_id)
        security_groups.delete_rule(context, rule)


class ServerSecurityGroupsController(rest.RestController):
    """``GET /servers/{id}/os-security-groups`` (every microversion)."""

    @wsgi.expose()
    @validation.takes_no_query
    def get_all(self, req, server_id):
        instance = base.server(req, server_id, POLICY % 'list')
        found = security_groups.for_instance(req.context, instance)
        remotes = security_groups.remote_groups(req.context, found)
        return {'security_groups': views.groups(found, remotes)}
