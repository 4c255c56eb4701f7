"""Version documents and the /v2.1 controller tree."""

import pecan

from novalite.api import api_version
from novalite.api.controllers import availability_zones
from novalite.api.controllers import flavors
from novalite.api.controllers import hypervisors
from novalite.api.controllers import image_v2
from novalite.api.controllers import images
from novalite.api.controllers import keypairs
from novalite.api.controllers import limits
from novalite.api.controllers import network_v2
from novalite.api.controllers import networks
from novalite.api.controllers import noauth_identity
from novalite.api.controllers import quota_sets
from novalite.api.controllers import security_groups
# NOTE: imported for its server actions, which it registers.
from novalite.api.controllers import server_actions  # noqa: F401
from novalite.api.controllers import server_disk_actions  # noqa: F401
from novalite.api.controllers import server_groups
from novalite.api.controllers import servers
from novalite.api.controllers import services
from novalite.api.controllers import simple_tenant_usage
from novalite.api import wsgi
from novalite import exception

_URL_PART = {'v2.0': 'v2', 'v2.1': 'v2.1'}
_V21_UPDATED = '2013-07-23T11:33:21Z'
_V20_UPDATED = '2025-07-04T12:00:00Z'


def _base(req):
    return req.application_url


def _versions(req):
    base = _base(req)
    return [
        {'id': 'v2.0', 'status': 'DEPRECATED', 'version': '',
         'min_version': '', 'updated': _V20_UPDATED,
         'links': [{'rel': 'self', 'href': base + '/v2/'}]},
        {'id': 'v2.1', 'status': 'CURRENT',
         'version': api_version.MAX_API_VERSION,
         'min_version': api_version.MIN_API_VERSION,
         'updated': _V21_UPDATED,
         'links': [{'rel': 'self', 'href': base + '/v2.1/'}]},
    ]


class V21Controller:
    """``/v2.1``: the version document and the resource collections."""

    servers = servers.ServersController()
    flavors = flavors.FlavorsController()
    images = images.ImagesController()
    limits = limits.LimitsController()

    @wsgi.expose()
    def index(self, req):
        v21 = _versions(req)[1]
        v21['links'] = [
            {'rel': 'self', 'href': _base(req) + '/v2.1/'},
            {'rel': 'describedby', 'type': 'text/html',
             'href': 'http://docs.openstack.org/'}]
        v21['media-types'] = [{
            'base': 'application/json',
            'type': 'application/vnd.openstack.compute+json;version=2.1'}]
        return {'version': v21}

    @wsgi.expose()
    def _default(self, req, *remainder):
        # Without this, pecan would fall back to the root's 300 choices.
        raise exception.ResourceNotFound()


pecan.route(V21Controller, 'os-keypairs', keypairs.KeypairsController())
pecan.route(V21Controller, 'os-server-groups',
            server_groups.ServerGroupsController())
pecan.route(V21Controller, 'os-networks', networks.NetworksController())
pecan.route(V21Controller, 'os-availability-zone',
            availability_zones.AvailabilityZoneController())
pecan.route(V21Controller, 'os-services', services.ServicesController())
pecan.route(V21Controller, 'os-hypervisors',
            hypervisors.HypervisorsController())
pecan.route(V21Controller, 'os-simple-tenant-usage',
            simple_tenant_usage.SimpleTenantUsageController())
pecan.route(V21Controller, 'os-quota-sets', quota_sets.QuotaSetsController())
pecan.route(V21Controller, 'os-security-groups',
            security_groups.SecurityGroupsController())
pecan.route(V21Controller, 'os-security-group-rules',
            security_groups.SecurityGroupRulesController())


class RootController:

    @wsgi.expose()
    def index(self, req):
        return {'versions': _versions(req)}

    @wsgi.expose(status=300)
    def _default(self, req, *remainder):
        """Any other path outside /v2.1: Nova's 300 Multiple Choices."""
        choices = []
        for version in _versions(req):
            path = '/'.join(remainder)
            choices.append({
                'id': version['id'], 'status': version['status'],
                'links': [{'rel': 'self', 'href': '%s/%s/%s' % (
                    _base(req), _URL_PART[version['id']], path)}],
                'media-types': [{
                    'base': 'application/json',
                    'type': 'application/vnd.openstack.compute+json;'
                            'version=%s' % version['id'][1:]}]})
        return {'choices': choices}


pecan.route(RootController, 'v2.1', V21Controller())
pecan.route(RootController, 'image', image_v2.ImageController())
pecan.route(RootController, 'identity',
            noauth_identity.IdentityController())
pecan.route(RootController, 'network', network_v2.NetworkController())
