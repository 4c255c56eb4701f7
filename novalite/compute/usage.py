"""Server usage over a period, per project, as Nova's
``os-simple-tenant-usage`` computes it (``openstack usage list/show``).

A server counts for the hours it existed within the period: from its
launch (or the period's start) to its termination (or the period's end).
Deleted servers count for the time they ran.
"""

import collections
import datetime

from oslo_config import cfg

from novalite.db import api as db
from novalite import exception

CONF = cfg.CONF

# The formats Nova parses ``start`` and ``end`` with (no time zone).
_FORMATS = ('%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M:%S.%f',
            '%Y-%m-%d %H:%M:%S.%f')


def parse_time(text):
    """A ``start``/``end`` query value as a naive UTC time; now if empty;
    InvalidStrTime (Nova's 400) if no format fits."""
    if not text:
        return db.utcnow()
    for fmt in _FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt)
        except ValueError:
            pass
    raise exception.InvalidStrTime(reason='Datetime is in invalid format')


def period(start, end):
    """(start, stop) of a request: Nova's 400 unless start < end; the
    stop no later than now."""
    period_start, period_stop = parse_time(start), parse_time(end)
    if not period_start < period_stop:
        raise exception.Invalid(
            'Invalid start time. The start time cannot occur after the end '
            'time.')
    return period_start, min(period_stop, db.utcnow())


def _hours(instance, start, stop):
    launched, terminated = instance['launched_at'], instance['terminated_at']
    if launched is None or launched > stop or (
            terminated is not None and terminated < start):
        return 0
    end = min(stop, terminated) if terminated is not None else stop
    return (end - max(launched, start)).total_seconds() / 3600.0


def _server_usage(instance, start, stop, now):
    hours = _hours(instance, start, stop)
    ended = instance['terminated_at']
    began = instance['launched_at']
    return {
        'hours': hours,
        'flavor': instance['flavor_name'] or '',
        'instance_id': instance['uuid'],
        'name': instance['display_name'],
        'tenant_id': instance['project_id'],
        'memory_mb': instance['memory_mb'],
        'local_gb': instance['root_gb'] + instance['ephemeral_gb'],
        'vcpus': instance['vcpus'],
        'started_at': began,
        'ended_at': ended,
        'state': 'terminated' if ended else instance['vm_state'],
        'uptime': int(((ended or now) - began).total_seconds()),
    }


def tenant_usages(context, start, stop, project_id=None, detailed=True,
                  limit=None, marker=None):
    """([summary of each project], [usage of each server]): the servers
    in the period (of ``project_id`` only, if given), ``limit`` of them
    (``[api] max_limit`` by default, as Nova) after the one whose uuid is
    ``marker``, summed per project in Nova's order (by project), each
    summary with ``server_usages`` when ``detailed``."""
    instances = db.instance_get_active_by_window(
        context, start, stop, project_id=project_id,
        limit=CONF.api.max_limit if limit is None else limit, marker=marker)
    now = db.utcnow()
    summaries = collections.OrderedDict()
    usages = []
    for instance in instances:
        usage = _server_usage(instance, start, stop, now)
        usages.append(usage)
        summary = summaries.get(usage['tenant_id'])
        if summary is None:
            summary = summaries[usage['tenant_id']] = {
                'tenant_id': usage['tenant_id'],
                'total_local_gb_usage': 0,
                'total_vcpus_usage': 0,
                'total_memory_mb_usage': 0,
                'total_hours': 0,
                'start': start,
                'stop': stop,
            }
            if detailed:
                summary['server_usages'] = []
        summary['total_local_gb_usage'] += usage['local_gb'] * usage['hours']
        summary['total_vcpus_usage'] += usage['vcpus'] * usage['hours']
        summary['total_memory_mb_usage'] += (usage['memory_mb']
                                             * usage['hours'])
        summary['total_hours'] += usage['hours']
        if detailed:
            summary['server_usages'].append(usage)
    return list(summaries.values()), usages
