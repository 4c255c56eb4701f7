"""Counted quotas: usage is counted from the servers table when needed.

As in Nova, there are no reservations: the create path checks, writes the
servers, then checks again and undoes its own writes if a concurrent
request took the room meanwhile.
"""

from oslo_config import cfg

from novalite.db import api as db
from novalite import exception

CONF = cfg.CONF

_RESOURCE_ORDER = ('instances', 'cores', 'ram')


def limits():
    """Absolute per-project limits from configuration."""
    q = CONF.quota
    return {name: getattr(q, name) for name in (
        'instances', 'cores', 'ram', 'metadata_items', 'injected_files',
        'injected_file_content_bytes', 'injected_file_path_length',
        'key_pairs', 'server_groups', 'server_group_members')}


def usage(context, project_id):
    instances, cores, ram = db.instance_usage_by_project(context, project_id)
    return {'instances': instances, 'cores': cores, 'ram': ram}


def check_instances(context, project_id, flavor, min_count, max_count,
                    recheck=False):
    """How many servers (≤ max_count) fit the project's quota.

    Raises TooManyInstances when fewer than ``min_count`` fit. With
    ``recheck`` the servers are already counted in the usage, so only an
    overrun is checked.
    """
    allowed = limits()
    if all(allowed[r] < 0 for r in _RESOURCE_ORDER):
        return max_count  # unlimited: nothing to count
    used = usage(context, project_id)
    per_server = {'instances': 1, 'cores': flavor['vcpus'],
                  'ram': flavor['memory_mb']}
    if recheck:
        overs = [r for r in _RESOURCE_ORDER
                 if allowed[r] >= 0 and used[r] > allowed[r]]
        if overs:
            # NOTE: as Nova's recheck, "used" is the limit itself.
            requested = {r: per_server[r] * max_count
                         for r in _RESOURCE_ORDER}
            raise _too_many(overs, requested, allowed, allowed)
        return max_count
    fit = max_count
    for resource in _RESOURCE_ORDER:
        if allowed[resource] < 0 or per_server[resource] == 0:
            continue
        room = allowed[resource] - used[resource]
        fit = min(fit, max(0, room // per_server[resource]))
    if fit < min_count:
        # NOTE: as Nova, what is over is judged for max_count, and a range
        # of servers is reported as "min-max".
        overs = [r for r in _RESOURCE_ORDER if allowed[r] >= 0
                 and used[r] + per_server[r] * max_count > allowed[r]]
        requested = {r: per_server[r] * max_count for r in _RESOURCE_ORDER}
        requested['instances'] = (
            str(min_count) if min_count == max_count
            else '%d-%d' % (min_count, max_count))
        raise _too_many(overs, requested, used, allowed)
    return fit


def _too_many(overs, requested, used, allowed):
    """Nova's message: every resource over quota, sorted by name."""
    overs = sorted(overs)

    def join(values):
        return ', '.join(str(values[r]) for r in overs)

    return exception.TooManyInstances(
        overs=', '.join(overs), req=join(requested), used=join(used),
        allowed=join(allowed))


def check_metadata(metadata):
    allowed = CONF.quota.metadata_items
    if allowed >= 0 and len(metadata or {}) > allowed:
        raise exception.MetadataLimitExceeded(allowed=allowed)


def check_injected_files(files):
    """Nova's limits on personality files (lengths of the base64 text)."""
    q = CONF.quota
    if q.injected_files >= 0 and len(files) > q.injected_files:
        raise exception.OnsetFileLimitExceeded()
    for path, contents in files:
        if (q.injected_file_path_length >= 0
                and len(path) > q.injected_file_path_length):
            raise exception.OnsetFilePathLimitExceeded(
                allowed=q.injected_file_path_length)
        if (q.injected_file_content_bytes >= 0
                and len(contents) > q.injected_file_content_bytes):
            raise exception.OnsetFileContentLimitExceeded(
                allowed=q.injected_file_content_bytes)
