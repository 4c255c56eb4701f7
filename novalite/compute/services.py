"""Compute services and the hypervisors they run, as Nova's HostAPI
shows and changes them (``os-services``, ``os-hypervisors``).

A compute agent's row in ``services`` is both: the service, and (with the
capacity it reports) its one hypervisor, whose id is the service's id.

The agent records itself as ``novalite-compute`` (``compute.utils.BINARY``);
the API shows and takes the name clients know, ``nova-compute``: tempest
and ``openstack compute service set`` name that binary, and Nova refuses
to update any other.
"""

from concurrent import futures
import functools
import re

from oslo_config import cfg
import oslo_messaging as messaging
from oslo_utils import uuidutils

from novalite.compute import rpcapi as compute_rpcapi
from novalite.compute import utils as compute_utils
from novalite.db import api as db
from novalite import exception
from novalite import servicegroup
from novalite import utils

CONF = cfg.CONF

API_BINARY = compute_utils.API_BINARY

# What the agent does not report: the CPU's model and features.
CPU_INFO = '{}'

_RPC = compute_rpcapi.ComputeAPI()
# Agents asked for their uptime at once by a hypervisor list.
_UPTIME_WORKERS = 8

# Largest id a path may name (an Integer column).
_MAX_ID = 0x7FFFFFFF


def _shown(service, now):
    """The row as the API shows it: Nova's binary, and whether it is up."""
    service = dict(service)
    service['binary'] = API_BINARY
    service['is_up'] = servicegroup.is_up(service, now)
    return service


def _parse_id(value):
    """A path id as a row id, or None if it cannot name a row."""
    if not re.fullmatch(r'\s*[+-]?[0-9]+\s*', value):
        return None
    number = int(value)
    return number if 0 < number <= _MAX_ID else None


# ---------------------------------------------------------------- services

def get_all(context, host=None, binary=None):
    """Every compute service, with Nova's filters (exact host, binary)."""
    now = db.utcnow()
    services = [_shown(s, now) for s in db.service_get_all(
        context, binary=compute_utils.BINARY)]
    if host:
        services = [s for s in services if s['host'] == host]
    if binary:
        services = [s for s in services if s['binary'] == binary]
    return services


def update(context, host, binary, values):
    """Set ``values`` (disabled, disabled_reason, forced_down) on the
    compute service of ``host``; Nova's 400 for any other binary, 404 for
    a host without one."""
    if binary != API_BINARY:
        raise exception.ServiceUpdateNotSupported(binary=binary)
    service = db.service_update_by_host(context, host, compute_utils.BINARY,
                                        values)
    if service is None:
        raise exception.HostMappingNotFound(name=host)
    return _shown(service, db.utcnow())


def check_uuid(value):
    """Nova's 400 for an id that is not a UUID (microversion 2.53)."""
    if not uuidutils.is_uuid_like(value):
        raise exception.InvalidUUID(uuid=value)


def update_by_uuid(context, service_uuid, values):
    """Set ``values`` on the compute service of that UUID (2.53);
    ServiceToUpdateNotFound."""
    service = db.service_update_by_host(context, None, compute_utils.BINARY,
                                        values, uuid=service_uuid)
    if service is None:
        raise exception.ServiceToUpdateNotFound(service_id=service_uuid)
    return _shown(service, db.utcnow())


def delete(context, service_id, by_uuid=False):
    """Delete a service by id, or from 2.53 by UUID (Nova's 400 for an id
    that is not an integer, or not a UUID). A compute service with
    servers or unfinished migrations on its host stays (409).

    NOTE: an agent that still runs records itself again at its next
    heartbeat, under new ids (Nova's agent logs an error instead until it
    is restarted).
    """
    if by_uuid:
        check_uuid(service_id)
        found = db.service_get_all(context, binary=compute_utils.BINARY,
                                   uuid=service_id)
        number = found[0]['id'] if found else None
    else:
        if not re.fullmatch(r'\s*[+-]?[0-9]+\s*', service_id):
            raise exception.InvalidInput(reason='id must be an integer')
        number = _parse_id(service_id)
    if number is None:
        raise exception.ServiceNotFound(service_id=service_id)
    db.service_destroy(context, number, compute_utils.BINARY)


# ------------------------------------------------------------- hypervisors

def _like(pattern):
    """SQL LIKE (Nova's ``%pattern%`` search) as a regular expression:
    ``%`` any text, ``_`` any character; case-insensitive, as on
    MySQL."""
    parts = []
    for char in pattern:
        parts.append('.*' if char == '%' else '.' if char == '_'
                     else re.escape(char))
    return re.compile('.*%s.*' % ''.join(parts), re.I | re.S)


def _hypervisor(service, used, counts):
    vcpus_used, ram_used, disk_used = used.get(service['host'], (0, 0, 0))
    running, working = counts.get(service['host'], (0, 0))
    # NOTE: as Nova's resource tracker, the RAM kept for the host counts
    # as used.
    ram_used += CONF.reserved_host_memory_mb
    free_disk = service['local_gb'] - disk_used
    return dict(
        service,
        hypervisor_hostname=service['hypervisor_hostname'] or service['host'],
        # NOTE: an agent older than these columns reported none.
        hypervisor_type=service['hypervisor_type'] or 'QEMU',
        hypervisor_version=service['hypervisor_version'] or 0,
        cpu_info=CPU_INFO,
        vcpus_used=vcpus_used,
        memory_mb_used=ram_used,
        local_gb_used=disk_used,
        free_ram_mb=service['memory_mb'] - ram_used,
        free_disk_gb=free_disk,
        disk_available_least=free_disk,
        current_workload=working,
        running_vms=running,
    )


def hypervisors(context, pattern=None, limit=None, marker=None):
    """The hypervisors (compute services with their capacity and what
    their servers use), those whose hostname matches ``pattern`` (Nova's
    LIKE ``%pattern%``) if given; ``limit`` of them after the one whose
    id or UUID is ``marker`` (400 if there is none), in the order of
    their ids."""
    if limit is None and marker is None:
        services = get_all(context)
    else:
        services = _page(context, limit, marker)
    if pattern is not None:
        match = _like(pattern)
        services = [s for s in services if match.fullmatch(
            s['hypervisor_hostname'] or s['host'])]
    return _with_usage(context, services)


def _with_usage(context, services):
    """The hypervisors of ``services``, with what the servers on their
    hosts use (two queries for them all)."""
    hosts = [s['host'] for s in services]
    used = db.instance_usage_by_host(context, hosts=hosts)
    counts = db.instance_counts_by_host(context, hosts=hosts)
    return [_hypervisor(s, used, counts) for s in services]


def _rows_named(context, hypervisor_id, by_uuid):
    """The service rows of the hypervisor ``hypervisor_id`` names: its
    UUID (``by_uuid``) or its integer id; [] for none."""
    if by_uuid:
        return db.service_get_all(context, binary=compute_utils.BINARY,
                                  compute_node_uuid=hypervisor_id)
    number = _parse_id(hypervisor_id)
    if number is None:
        return []
    return db.service_get_all(context, binary=compute_utils.BINARY,
                              ids=[number])


def _page(context, limit, marker):
    after = None
    if marker is not None:
        # NOTE: as Nova's HostAPI, a UUID names a hypervisor by its UUID
        # and anything else by its integer id, at every microversion.
        found = _rows_named(context, marker, uuidutils.is_uuid_like(marker))
        if not found:
            raise exception.MarkerNotFound(marker=marker)
        after = found[0]['id']
    now = db.utcnow()
    return [_shown(s, now) for s in db.service_get_all(
        context, binary=compute_utils.BINARY, after_id=after, limit=limit)]


def search(context, pattern):
    """``hypervisors(pattern)``; HypervisorPatternNotFound if none."""
    found = hypervisors(context, pattern)
    if not found:
        raise exception.HypervisorPatternNotFound(pattern=pattern)
    return found


def servers_by_host(context, hypervisors):
    """{host: [{name, uuid}]} of the live servers on the hypervisors'
    hosts (the name being the hypervisor's, ``instance_name_template``),
    in one query."""
    found = {h['host']: [] for h in hypervisors}
    for inst in db.instance_get_all_by_hosts(context, list(found)):
        found[inst['host']].append({'name': utils.instance_name(inst),
                                    'uuid': inst['uuid']})
    return found


def get(context, hypervisor_id, by_uuid=False):
    """One hypervisor by its integer id, or from 2.53 (``by_uuid``) its
    UUID (400 if it is not one); HypervisorNotFound. Only its own host's
    usage is read."""
    if by_uuid:
        check_uuid(hypervisor_id)
    found = _rows_named(context, hypervisor_id, by_uuid)
    if not found:
        raise exception.HypervisorNotFound(hypervisor_id=hypervisor_id)
    [hypervisor] = _with_usage(context, [_shown(found[0], db.utcnow())])
    return hypervisor


def uptime(context, hypervisor):
    """The ``uptime`` line of the hypervisor's host, asked of its agent.

    As Nova: ComputeServiceUnavailable (400) for an agent that is down,
    FeatureNotSupported (501) where the agent cannot tell (older than RPC
    1.3, or capped below it), ServiceUnavailable (503) when it does not
    answer.
    """
    if not hypervisor['is_up']:
        raise exception.ComputeServiceUnavailable(host=hypervisor['host'])
    if not _RPC.can_send('1.3'):
        raise exception.FeatureNotSupported()
    try:
        return _RPC.get_host_uptime(context, hypervisor['host'])
    except NotImplementedError:
        raise exception.FeatureNotSupported()
    except messaging.MessagingTimeout:
        raise exception.ServiceUnavailable()
    except messaging.MessagingException:
        raise exception.ComputeUnreachable()


def uptime_or_none(context, hypervisor):
    """The uptime shown with a hypervisor from 2.88: null where there is
    none to tell (as Nova, a host that is down; also one whose agent does
    not answer, where Nova fails the whole request)."""
    try:
        return uptime(context, hypervisor)
    except (exception.ComputeServiceUnavailable,
            exception.FeatureNotSupported, exception.ServiceUnavailable):
        return None


def uptimes(context, hypervisors):
    """{host: uptime_or_none} of the hypervisors, their agents asked at
    once: a list waits for its slowest agent (at most
    ``rpcapi.UPTIME_TIMEOUT``), not for each agent in turn."""
    hosts = {h['host']: h for h in hypervisors}
    # NOTE: in this thread first: it builds the RPC client (and the
    # process' transport) the pool's threads then share.
    if len(hosts) < 2 or not _RPC.can_send('1.3'):
        return {host: uptime_or_none(context, hypervisor)
                for host, hypervisor in hosts.items()}
    with futures.ThreadPoolExecutor(
            min(len(hosts), _UPTIME_WORKERS)) as pool:
        return dict(zip(hosts, pool.map(
            functools.partial(uptime_or_none, context), hosts.values())))


_STATISTICS = ('vcpus', 'memory_mb', 'local_gb', 'vcpus_used',
               'memory_mb_used', 'local_gb_used', 'free_ram_mb',
               'free_disk_gb', 'current_workload', 'running_vms',
               'disk_available_least')


def statistics(context):
    """Sums over the hypervisors of enabled services (up or not), with
    their ``count``, as Nova's compute_node_statistics."""
    enabled = [h for h in hypervisors(context) if not h['disabled']]
    totals = {'count': len(enabled)}
    for field in sorted(_STATISTICS):  # Nova's order
        totals[field] = sum(h[field] for h in enabled)
    return totals
