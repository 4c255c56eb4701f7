"""Counted quotas: usage is counted from the servers table when needed.

As in Nova, there are no reservations: the create path checks, writes the
servers, then checks again and undoes its own writes if a concurrent
request took the room meanwhile.

A project's limits are its ``os-quota-sets`` rows (the ``quotas`` table)
over the ``[quota]`` defaults; what is enforced is what the API shows.
"""

from oslo_config import cfg

from novalite.db import api as db
from novalite import exception

CONF = cfg.CONF

_RESOURCE_ORDER = ('instances', 'cores', 'ram')

# Nova's quota resources (their API names, sorted as Nova shows them) and
# the ``[quota]`` option of each default. None: no option, unlimited: the
# nova-network resources Nova still shows (and stores) up to 2.35 but
# enforces nowhere.
RESOURCES = {
    'cores': 'cores',
    'fixed_ips': None,
    'floating_ips': None,
    'injected_file_content_bytes': 'injected_file_content_bytes',
    'injected_file_path_bytes': 'injected_file_path_length',
    'injected_files': 'injected_files',
    'instances': 'instances',
    'key_pairs': 'key_pairs',
    'metadata_items': 'metadata_items',
    'ram': 'ram',
    'security_group_rules': None,
    'security_groups': None,
    'server_group_members': 'server_group_members',
    'server_groups': 'server_groups',
}

UNLIMITED = -1


def defaults():
    """{resource: limit} of the ``[quota]`` options (Nova's defaults)."""
    return {resource: (getattr(CONF.quota, option) if option else UNLIMITED)
            for resource, option in RESOURCES.items()}


def limits(context=None, project_id=None):
    """{resource: limit} of a project: its own limits (os-quota-sets) over
    the defaults; the defaults alone without a project."""
    values = defaults()
    if context is not None and project_id is not None:
        for resource, limit in db.quota_get_all_by_project(
                context, project_id).items():
            if resource in values:
                values[resource] = limit
    return values


def usage(context, project_id):
    instances, cores, ram = db.instance_usage_by_project(context, project_id)
    return {'instances': instances, 'cores': cores, 'ram': ram}


def in_use(context, project_id):
    """{resource: usage} as Nova's quota detail counts it: servers, cores,
    RAM and server groups of the project; key pairs and server group
    members (counted per user, per group) and the resources nothing
    counts show 0."""
    used = usage(context, project_id)
    used['server_groups'] = db.quota_count_server_groups(context,
                                                         project_id)
    return {resource: used.get(resource, 0) for resource in RESOURCES}


def update(context, project_id, values, force=False):
    """Set a project's limits ({resource: limit}, checked in the given
    order) and return all of them.

    Unless ``force``, a limit below what the project uses is refused
    (QuotaLimitTooLow for the first one), as Nova's os-quota-sets; -1 is
    unlimited.
    """
    if len(project_id) > 255:
        raise exception.InvalidInput(
            reason='project_id must be at most 255 characters')
    if not force:
        used = in_use(context, project_id)
        for resource, limit in values.items():
            if limit != UNLIMITED and limit < used[resource]:
                raise exception.QuotaLimitTooLow(
                    limit=limit, resource=resource, minimum=used[resource])
    if values:
        try:
            db.quota_set(context, project_id, values)
        except exception.QuotaExists:
            # A concurrent update created a row first: now it is there.
            db.quota_set(context, project_id, values)
    return limits(context, project_id)


def revert_to_defaults(context, project_id):
    """Forget a project's own limits."""
    db.quota_destroy_all_by_project(context, project_id)


def check_instances(context, project_id, flavor, min_count, max_count,
                    recheck=False):
    """How many servers (≤ max_count) fit the project's quota.

    Raises TooManyInstances when fewer than ``min_count`` fit. With
    ``recheck`` the servers are already counted in the usage, so only an
    overrun is checked.
    """
    allowed = limits(context, project_id)
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


def check_upsize(context, project_id, old_flavor, new_flavor):
    """A resize from ``old_flavor`` to ``new_flavor`` (or the revert of
    one, the other way round) must fit the project's cores and RAM quota
    with what it adds; a downsize adds nothing (Nova's
    ``_check_quota_for_upsize``). TooManyInstances (403) otherwise."""
    deltas = {}
    for resource, key in (('cores', 'vcpus'), ('ram', 'memory_mb')):
        delta = int(new_flavor[key]) - int(old_flavor[key])
        if delta > 0:
            deltas[resource] = delta
    if not deltas:
        return
    allowed = limits(context, project_id)
    if all(allowed[r] < 0 for r in deltas):
        return
    used = usage(context, project_id)
    overs = [r for r in deltas
             if allowed[r] >= 0 and used[r] + deltas[r] > allowed[r]]
    if overs:
        raise _too_many(overs, deltas, used, allowed)


def _too_many(overs, requested, used, allowed):
    """Nova's message: every resource over quota, sorted by name."""
    overs = sorted(overs)

    def join(values):
        return ', '.join(str(values[r]) for r in overs)

    return exception.TooManyInstances(
        overs=', '.join(overs), req=join(requested), used=join(used),
        allowed=join(allowed))


def check_metadata(metadata, context=None, project_id=None):
    """The metadata items limit of the server's project (pass its
    ``context`` and ``project_id``; without them, the default)."""
    if not metadata:
        return  # nothing can exceed a limit: no query for it
    allowed = limits(context, project_id)['metadata_items']
    if allowed >= 0 and len(metadata or {}) > allowed:
        raise exception.MetadataLimitExceeded(allowed=allowed)


def check_injected_files(files, context=None, project_id=None):
    """Nova's limits on personality files (lengths of the base64 text),
    the project's as ``check_metadata``."""
    if not files:
        return  # nothing can exceed a limit: no query for it
    allowed = limits(context, project_id)
    count = allowed['injected_files']
    path_length = allowed['injected_file_path_bytes']
    content_bytes = allowed['injected_file_content_bytes']
    if count >= 0 and len(files) > count:
        raise exception.OnsetFileLimitExceeded()
    for path, contents in files:
        if path_length >= 0 and len(path) > path_length:
            raise exception.OnsetFilePathLimitExceeded(allowed=path_length)
        if content_bytes >= 0 and len(contents) > content_bytes:
            raise exception.OnsetFileContentLimitExceeded(
                allowed=content_bytes)
