"""Pick compute hosts for new servers.

Candidates are agents that reported in within ``service_down_time``, are
not disabled or forced down, are in the requested availability zone, and
have the flavor's vCPU, RAM and disk free after allocation ratios (a
forced host need not be up: see ``_usable``). Among
them the one with the most free RAM wins (spreading, like Nova's default
weigher). The servers of a server group follow its policy: affinity (one
host), anti-affinity (never a host with a member), or their soft forms
(preferences).

The choice is made inside the transaction that inserts the servers, with
the candidates' service rows locked (``db.instance_create_claimed``):
``place`` chooses from what was read under the lock.
"""

import collections

from oslo_config import cfg

from novalite.db import api as db
from novalite import exception
from novalite import servicegroup

CONF = cfg.CONF


def _free(service, used):
    vcpus, ram, disk = used
    return (
        service['vcpus'] * CONF.cpu_allocation_ratio - vcpus,
        (service['memory_mb'] - CONF.reserved_host_memory_mb)
        * CONF.ram_allocation_ratio - ram,
        service['local_gb'] * CONF.disk_allocation_ratio - disk,
    )


def _need(flavor):
    """(vcpus, memory_mb, disk_gb) a server of ``flavor`` takes."""
    return (flavor['vcpus'], flavor['memory_mb'],
            flavor['root_gb'] + flavor['ephemeral_gb']
            + (flavor['swap'] + 1023) // 1024)


def _fits(room, need):
    return all(r >= n for r, n in zip(room, need))


def _usable(services, availability_zone, force_host,
            destination=(None, None)):
    """The candidates a request may use.

    NOTE: a forced host skips Nova's filters, ComputeFilter's "is it up"
    among them: a host that stopped reporting, or was forced down, still
    gets the server (its build waits in the host's queue). What Nova
    checks in placement stays: the host exists, is not disabled (the
    COMPUTE_STATUS_DISABLED trait), has room, and is in the zone (the
    zone's aggregate; the caller drops the zone when it is the default
    one, which has none).

    ``destination``: (host, hypervisor hostname), either may be None: a
    requested destination (2.74), which unlike a forced host still has
    to pass the filters.
    """
    now = db.utcnow()
    host, node = destination
    return [service for service in services
            if not service['disabled']
            and (force_host or servicegroup.is_up(service, now))
            and (not availability_zone
                 or service['availability_zone'] == availability_zone)
            and (not force_host or service['host'] == force_host)
            and (not host or service['host'] == host)
            and (not node or node_of(service) == node)]


def node_of(service):
    return service['hypervisor_hostname'] or service['host']


def _place_together(free, by_host, members, need, count):
    """affinity: every server on one host, the members' if they have one
    (Nova's ServerGroupAffinityFilter), else the one with the most free
    RAM of those with room for all of them. [] if there is none."""
    total = [n * count for n in need]
    fits = [host for host, room in free.items() if _fits(room, total)
            and (not members or members[host])]
    if not fits:
        return []
    host = max(fits, key=lambda h: (free[h][1], h))
    return [by_host[host]] * count


def _place_each(free, by_host, members, need, count, policy,
                per_host=1):
    """One server after the other on the best host for it at that point
    (fewer than ``count`` if they do not all fit). ``per_host``: how many
    members an anti-affinity group may have on a host (its
    max_server_per_host rule, 2.64)."""
    weigh = _GROUP_POLICIES.get(policy, _most_ram)
    chosen = []
    while len(chosen) < count:
        fits = [host for host, room in free.items() if _fits(room, need)
                and (policy != 'anti-affinity'
                     or members[host] < per_host)]
        if not fits:
            break
        host = max(fits, key=weigh(free, members))
        free[host] = [r - n for r, n in zip(free[host], need)]
        members[host] += 1
        chosen.append(by_host[host])
    return chosen


def _most_ram(free, members):
    return lambda h: (free[h][1], h)


def _most_members(free, members):
    return lambda h: (members[h], free[h][1], h)


def _fewest_members(free, members):
    return lambda h: (-members[h], free[h][1], h)


# The weigher of each group policy: a function of (free room, {host:
# members}) giving the sort key of a host (the largest wins).
# NOTE: Nova's soft policies are weighers (ServerGroupSoftAffinityWeigher
# and ...SoftAntiAffinityWeigher, multiplier 1.0) normalised and added to
# its resource weighers; here the members count comes first and free RAM
# breaks ties: "prefer, never refuse", as both are documented. The hard
# policies are filters: anti-affinity drops the hosts of members (in the
# loop), affinity keeps the members' one (_place_together). A forced host
# is no exception: Nova's late check on the compute host refuses it too.
_GROUP_POLICIES = {
    None: _most_ram,
    'affinity': _most_ram,
    'anti-affinity': _most_ram,
    'soft-affinity': _most_members,
    'soft-anti-affinity': _fewest_members,
}


def place(services, usage, flavor, count,
          availability_zone=None, force_host=None, group=None,
          destination=(None, None)):
    """The service of each of ``count`` new servers (a host may repeat).

    ``services``: the candidates' service rows; ``usage``: {host: (vcpus,
    memory_mb, disk_gb)} their servers take. ``count`` is what the quota
    allowed; as in Nova's scheduler all must fit, each on the host with
    the most free RAM at that point, else NoValidHost. Its ``servers``
    says how many of the request's servers to record in ERROR: ``count``,
    but never more than the hosts could hold if they were empty (and at
    least one), so that a huge count with an unlimited quota costs nothing.

    ``group``: the server group the servers join ({'policy', 'hosts':
    {host: its members there}}), whose policy is honoured as Nova's
    filters and weighers do (see ``_GROUP_POLICIES``).
    """
    need = _need(flavor)
    free, by_host, most = {}, {}, 0
    for service in _usable(services, availability_zone, force_host,
                           destination):
        host = service['host']
        by_host[host] = service
        free[host] = list(_free(service, usage.get(host, (0, 0, 0))))
        most += max(0, min((int(room // n) for room, n in
                            zip(_free(service, (0, 0, 0)), need) if n > 0),
                           default=0))
    policy = group['policy'] if group else None
    members = collections.Counter(group['hosts'] if group else {})
    if policy == 'affinity':
        chosen = _place_together(free, by_host, members, need, count)
    else:
        chosen = _place_each(
            free, by_host, members, need, count, policy,
            per_host=(group.get('rules', {}).get('max_server_per_host', 1)
                      if group else 1))
    if len(chosen) < count:
        raise exception.NoValidHost(
            reason='There are not enough hosts available.',
            servers=max(1, min(count, most)))
    return chosen
