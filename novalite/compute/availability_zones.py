"""Availability zones, as Nova derives them: the zones of the compute
services. A zone with an enabled service is available; one whose services
are all disabled is not."""

from novalite.compute import utils as compute_utils
from novalite.db import api as db
from novalite import servicegroup


def get_availability_zones(context):
    """(available zones, unavailable zones, compute services), the zones
    sorted by name (Nova's ``get_availability_zones``)."""
    services = db.service_get_all(context.elevated(),
                                  binary=compute_utils.BINARY)
    available = sorted({s['availability_zone'] for s in services
                        if not s['disabled']})
    unavailable = sorted({s['availability_zone'] for s in services
                          if s['disabled']} - set(available))
    return available, unavailable, services


def hosts_by_zone(services):
    """{zone: {host: {binary: {available, active, updated_at}}}} of the
    enabled services, as Nova's detail: ``available`` is whether the
    service is up, ``active`` whether it is enabled, ``updated_at`` its
    last report (Nova's row is updated by each report; novalite's keeps
    the time in ``last_seen_up``), in Nova's ISO form without zone."""
    now = db.utcnow()
    zones = {}
    for service in services:
        if service['disabled']:
            continue
        host = zones.setdefault(service['availability_zone'], {}) \
            .setdefault(service['host'], {})
        last = service['last_seen_up']
        # NOTE: shown as Nova's name, as os-services shows it.
        host[compute_utils.API_BINARY] = {
            'available': servicegroup.is_up(service, now),
            'active': True,
            'updated_at': last.isoformat() if last else None,
        }
    return zones
