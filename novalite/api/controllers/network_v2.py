"""``/network``: the read-only subset of the Networking API v2.0
(Neutron's) that clients use to find networks and show a server's ports
and security groups, so that ``openstack network list``, ``server create
--network NAME``, openstacksdk's network reads and tempest's network
look-ups work through the catalog, over novalite's own networks.

Served: the version document (``/network``, no token), the resource
list (``/network/v2.0/``), ``GET /v2.0/networks[/{id}]``,
``/subnets[/{id}]``, ``/ports[/{id}]``, ``/security-groups[/{id}]``,
``/extensions[/{alias}]``, ``/availability_zones`` (none), and
``DELETE /v2.0/security-groups/{id}`` (Neutron's delete of novalite's
group: tempest deletes each test project's default group). Any other
write on these collections is 501 Not Implemented, as Neutron answers an
operation its plugin does not implement: networks are made with
``novalite-manage``, ports with servers, groups through the compute API.
Anything else is 404. Faults have Nova's JSON body, not Neutron's
(clients read ``message`` in both).
"""

import urllib.parse

import pecan
from pecan import rest

from novalite.api import common
from novalite.api.views import network_v2 as views
from novalite.api import wsgi
from novalite.compute import networking
from novalite import exception
from novalite import policy

VERSION = 'v2.0'

# Query parameters that are not attribute filters.
_NOT_FILTERS = ('fields', 'limit', 'marker', 'sort_key', 'sort_dir',
                'page_reverse')

# The extensions whose attributes the views show (Neutron's aliases).
_EXTENSIONS = [
    ('external-net', 'Neutron external network',
     'Adds external network attribute to network resource.'),
    ('net-mtu', 'Network MTU', 'Provides MTU attribute for a network '
     'resource.'),
    ('availability_zone', 'Availability Zone',
     'The availability zone extension.'),
    ('network_availability_zone', 'Network Availability Zone',
     'Availability zone support for network.'),
    ('binding', 'Port Binding', 'Expose port bindings of a virtual port to '
     'external application'),
    ('security-group', 'security-group', 'The security groups extension.'),
    ('project-id', 'project_id field enabled',
     'Extension that indicates that project_id field is enabled.'),
    ('standard-attr-description', 'standard-attr-description',
     'Extension to add descriptions to standard attributes'),
    ('standard-attr-revisions', 'Resource revision numbers',
     'This extension will display the revision number of neutron '
     'resources.'),
    ('standard-attr-timestamp', 'Resource timestamps',
     'Adds created_at and updated_at fields to all Neutron resources that '
     'have Neutron standard attributes.'),
    ('standard-attr-tag', 'Tag support for resources with standard '
     'attribute', 'Enables to set tag on resources with standard '
     'attribute.'),
]
_EXTENSIONS_UPDATED = '2026-12-04T00:00:00-00:00'


def _read_only(what):
    return exception.FeatureNotSupported(
        "novalite's Networking API is read-only: %s. Networks are made "
        "with novalite-manage network create, ports with servers, security "
        "groups through the compute API's os-security-groups." % what)


def _bool(value):
    return value.lower() in ('true', '1', 'yes', 'on')


def _matches(key, value, wanted):
    """Whether an attribute's value is one of the query's values (OR),
    Neutron's way: booleans from their strings, a list attribute when
    one of its items is wanted; ``fixed_ips=ip_address=X`` and
    ``fixed_ips=subnet_id=Y`` for ports."""
    if key == 'fixed_ips':
        pairs = [w.partition('=') for w in wanted]
        return any(ip.get(k) == v for ip in value for k, _, v in pairs)
    if isinstance(value, bool):
        return any(_bool(w) == value for w in wanted)
    if isinstance(value, list):
        return any(str(v) in wanted for v in value)
    if value is None:
        return False
    return str(value) in wanted


def _filter(req, views_):
    """The items the query's attribute filters keep; 400 for a filter on
    an attribute the resource does not have (Neutron's filter
    validation)."""
    sample = views_[0] if views_ else None
    for key in req.GET.keys():
        if key in _NOT_FILTERS:
            continue
        if sample is not None and key not in sample:
            raise exception.Invalid(
                '[%s] is invalid attribute for filtering' % key)
        wanted = req.GET.getall(key)
        views_ = [v for v in views_ if _matches(key, v[key], wanted)]
    return views_


def _fields(req, view):
    fields = [f for value in req.GET.getall('fields')
              for f in value.split(',') if f]
    if not fields:
        return view
    return {key: value for key, value in view.items() if key in fields}


def _limit(req):
    limit = common.last(req, 'limit')
    if not limit:
        return None
    try:
        return int(limit)
    except ValueError:
        raise exception.Invalid("Bad limit request: '%s' is not an "
                                "integer." % limit)


def _query_page(req, query_filters):
    """(limit + 1, marker) when the database can cut the page itself: a
    positive limit, no sort keys, and no filter but ``query_filters``
    (which the caller's query applies); else None, and the whole list is
    read and paged here."""
    limit = _limit(req)
    keys = set(req.GET.keys()) - {'limit', 'marker', 'fields'}
    if not limit or limit < 0 or not keys <= set(query_filters):
        return None
    # One more than the page: whether there is a next page.
    return limit + 1, common.last(req, 'marker')


def _collection(req, name, views_, paged=False):
    """The list body: filtered, sorted (``sort_key``/``sort_dir``), one
    page (``limit``/``marker``, with ``<name>_links`` next when the page
    is full), ``fields`` applied. ``paged``: the query already started
    after the marker (see _query_page)."""
    views_ = _filter(req, views_)
    sort_keys = req.GET.getall('sort_key')
    if sort_keys:
        directions = req.GET.getall('sort_dir')
        for i in reversed(range(len(sort_keys))):
            key = sort_keys[i]
            reverse = (directions[i] if i < len(directions)
                       else 'asc').lower() == 'desc'
            views_.sort(key=lambda v: (v.get(key) is not None,
                                       str(v.get(key))), reverse=reverse)
    marker = common.last(req, 'marker')
    if marker and not paged:
        ids = [v['id'] for v in views_]
        if marker not in ids:
            raise exception.NotFound('Marker %s could not be found.'
                                     % marker)
        views_ = views_[ids.index(marker) + 1:]
    body = {}
    limit = _limit(req)
    if limit:
        if limit > 0 and len(views_) > limit:
            views_ = views_[:limit]
            query = [(k, v) for k, v in req.GET.items() if k != 'marker']
            query.append(('marker', views_[-1]['id']))
            body[name + '_links'] = [{
                'rel': 'next',
                'href': '%s%s?%s' % (req.application_url,
                                     req.environ.get('PATH_INFO', ''),
                                     urllib.parse.urlencode(query))}]
    body[name] = [_fields(req, v) for v in views_]
    return body


def _visible(context, rule, targets_views):
    """The views whose item the caller passes ``rule`` for."""
    return [view for target, view in targets_views
            if policy.authorize(context, rule, target, fatal=False)]


def _network_target(context, net):
    return {'project_id': net['project_id'] or context.project_id or ''}


def _check(context, rule, target, not_found):
    """Neutron answers 404, not 403, for an item its policy hides."""
    if not policy.authorize(context, rule, target, fatal=False):
        raise not_found


class _Collection(rest.RestController):
    """Writes on a read-only collection: 501."""

    NAME = None

    @wsgi.expose()
    def post(self, req):
        raise _read_only('POST /%s' % self.NAME)

    @wsgi.expose()
    def put(self, req, item_id):
        raise _read_only('PUT /%s/{id}' % self.NAME)

    @wsgi.expose()
    def delete(self, req, item_id):
        raise _read_only('DELETE /%s/{id}' % self.NAME)


class NetworksController(_Collection):
    NAME = 'networks'

    @wsgi.expose()
    def get_all(self, req):
        context = req.context
        found = [(_network_target(context, net), views.network(net))
                 for net in networking.get_networks(context)]
        return _collection(req, 'networks',
                           _visible(context, 'get_network', found))

    @wsgi.expose()
    def get_one(self, req, network_id):
        context = req.context
        net = networking.get_network(context, network_id)
        _check(context, 'get_network', _network_target(context, net),
               exception.NetworkNotFound(network_id=network_id))
        return {'network': _fields(req, views.network(net))}


class SubnetsController(_Collection):
    NAME = 'subnets'

    @wsgi.expose()
    def get_all(self, req):
        context = req.context
        found = [(_network_target(context, net), views.subnet(net))
                 for net in networking.get_networks(context)]
        return _collection(req, 'subnets',
                           _visible(context, 'get_subnet', found))

    @wsgi.expose()
    def get_one(self, req, subnet_id):
        context = req.context
        net = networking.get_subnet(context, subnet_id)
        _check(context, 'get_subnet', _network_target(context, net),
               exception.NotFound('Subnet %s could not be found.'
                                  % subnet_id))
        return {'subnet': _fields(req, views.subnet(net))}


class PortsController(_Collection):
    NAME = 'ports'

    @wsgi.expose()
    def get_all(self, req):
        context = req.context
        # The common filters narrow the query; _collection applies all.
        # NOTE: a page the query cut is shorter when the policy hides
        # some of its ports (the default policy never does: the query
        # keeps to the caller's project).
        page = _query_page(req, ('device_id', 'network_id', 'id'))
        limit, marker = page or (None, None)
        found = [({'project_id': port['project_id']},
                  views.port(port, context.is_admin))
                 for port in networking.get_ports(
                     context, device_ids=req.GET.getall('device_id') or None,
                     network_ids=req.GET.getall('network_id') or None,
                     port_ids=req.GET.getall('id') or None,
                     limit=limit, marker=marker)]
        return _collection(req, 'ports',
                           _visible(context, 'get_port', found),
                           paged=page is not None)

    @wsgi.expose()
    def get_one(self, req, port_id):
        context = req.context
        port = networking.get_port(context, port_id)
        _check(context, 'get_port', {'project_id': port['project_id']},
               exception.NotFound('Port %s could not be found.' % port_id))
        return {'port': _fields(req, views.port(port, context.is_admin))}


class SecurityGroupsController(_Collection):
    NAME = 'security-groups'

    @wsgi.expose()
    def get_all(self, req):
        context = req.context
        project_ids = (req.GET.getall('project_id') or
                       req.GET.getall('tenant_id'))
        names = req.GET.getall('name')
        groups = networking.get_security_groups(
            context,
            project_id=project_ids[0] if len(project_ids) == 1 else None,
            name=names[0] if len(names) == 1 else None)
        found = [({'project_id': group['project_id']},
                  views.security_group(group)) for group in groups]
        return _collection(req, 'security_groups',
                           _visible(context, 'get_security_group', found))

    def _get(self, req, group_id):
        context = req.context
        group = networking.get_security_group(context, group_id)
        _check(context, 'get_security_group',
               {'project_id': group['project_id']},
               exception.SecurityGroupNotFound(
                   'Security group %s does not exist' % group_id))
        return group

    @wsgi.expose()
    def get_one(self, req, security_group_id):
        group = self._get(req, security_group_id)
        return {'security_group': _fields(req,
                                          views.security_group(group))}

    @wsgi.expose(status=204)
    def delete(self, req, security_group_id):
        group = self._get(req, security_group_id)
        policy.authorize(req.context, 'delete_security_group',
                         {'project_id': group['project_id']})
        networking.delete_security_group(req.context, group)


class ExtensionsController(rest.RestController):

    @staticmethod
    def _view(alias, name, description):
        return {'alias': alias, 'name': name, 'description': description,
                'updated': _EXTENSIONS_UPDATED, 'links': []}

    @wsgi.expose()
    def get_all(self, req):
        return {'extensions': [self._view(*e) for e in _EXTENSIONS]}

    @wsgi.expose()
    def get_one(self, req, alias):
        for extension in _EXTENSIONS:
            if extension[0] == alias:
                return {'extension': self._view(*extension)}
        raise exception.NotFound('Extension with alias %s does not exist'
                                 % alias)


class AvailabilityZonesController(rest.RestController):
    """Neutron's zones are those of its network agents: novalite runs
    none, so there are none (``openstack availability zone list`` asks
    once the ``availability_zone`` extension is listed)."""

    @wsgi.expose()
    def get_all(self, req):
        return _collection(req, 'availability_zones', [])


_RESOURCES = (('network', 'networks'), ('subnet', 'subnets'),
              ('port', 'ports'), ('security_group', 'security-groups'))


class V20Controller:
    """``/network/v2.0``: the resource list and the collections."""

    networks = NetworksController()
    subnets = SubnetsController()
    ports = PortsController()
    extensions = ExtensionsController()
    availability_zones = AvailabilityZonesController()

    @wsgi.expose()
    def index(self, req):
        base = '%s/network/%s/' % (req.application_url, VERSION)
        return {'resources': [
            {'name': name, 'collection': collection,
             'links': [{'rel': 'self', 'href': base + collection}]}
            for name, collection in _RESOURCES]}

    @wsgi.expose()
    def _default(self, req, *remainder):
        raise exception.ResourceNotFound()


class NetworkController:
    """``/network``: the version document and ``v2.0``."""

    @wsgi.expose()
    def index(self, req):
        """Neutron's version document (200)."""
        return {'versions': [{
            'id': VERSION, 'status': 'CURRENT',
            'links': [{'rel': 'self', 'href': '%s/network/%s/' % (
                req.application_url, VERSION)}]}]}

    @wsgi.expose()
    def _default(self, req, *remainder):
        raise exception.ResourceNotFound()


pecan.route(V20Controller, 'security-groups', SecurityGroupsController())
pecan.route(NetworkController, VERSION, V20Controller())
