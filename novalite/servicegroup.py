"""Whether a compute agent is alive, from its heartbeat row."""

import datetime

from oslo_config import cfg

from novalite.db import api as db

CONF = cfg.CONF


def is_up(service, now=None):
    if service.get('forced_down'):
        return False
    last = service.get('last_seen_up')
    if last is None:
        return False
    now = now or db.utcnow()
    return (now - last) <= datetime.timedelta(seconds=CONF.service_down_time)


def host_status(service, now=None):
    """Nova's host_status: UP, DOWN, MAINTENANCE, UNKNOWN.

    NOTE: in Nova's order: forced down (an operator's word) is DOWN, then
    disabled is MAINTENANCE whether it reports or not; a host that merely
    stopped reporting is UNKNOWN, never DOWN.
    """
    if service is None:
        return 'UNKNOWN'
    if service.get('forced_down'):
        return 'DOWN'
    if service.get('disabled'):
        return 'MAINTENANCE'
    if not is_up(service, now):
        return 'UNKNOWN'
    return 'UP'
