"""``/os-availability-zone[/detail]``: the zones of the compute hosts."""

from pecan import rest

from novalite.api import validation
from novalite.api import wsgi
from novalite.compute import availability_zones
from novalite.policies import availability_zone as az_policies
from novalite import policy


def _zone(name, available, hosts=None):
    return {'zoneName': name, 'zoneState': {'available': available},
            'hosts': hosts}


class AvailabilityZoneController(rest.RestController):

    _custom_actions = {'detail': ['GET']}

    @wsgi.expose()
    @validation.takes_no_query
    def get_all(self, req):
        policy.authorize(req.context, az_policies.POLICY_ROOT % 'list', {})
        available, unavailable, _ = availability_zones.get_availability_zones(
            req.context)
        return {'availabilityZoneInfo':
                [_zone(z, True) for z in available]
                + [_zone(z, False) for z in unavailable]}

    @wsgi.expose()
    @validation.takes_no_query
    def detail(self, req):
        policy.authorize(req.context, az_policies.POLICY_ROOT % 'detail',
                         {})
        available, unavailable, services = (
            availability_zones.get_availability_zones(req.context))
        hosts = availability_zones.hosts_by_zone(services)
        return {'availabilityZoneInfo':
                [_zone(z, True, hosts.get(z, {})) for z in available]
                + [_zone(z, False) for z in unavailable]}
