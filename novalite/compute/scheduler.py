"""Pick compute hosts for new servers.

Candidates are agents that reported in within ``service_down_time``, are
not disabled or forced down, are in the requested availability zone, and
have the flavor's vCPU, RAM and disk free after allocation ratios. Among
them the one with the most free RAM wins (spreading, like Nova's default
weigher).

The choice is made inside the transaction that inserts the servers, with
the candidates' service rows locked (``db.instance_create_claimed``):
``place`` chooses from what was read under the lock.
"""

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


def _usable(services, availability_zone, force_host):
    now = db.utcnow()
    return [service for service in services
            if not service['disabled'] and servicegroup.is_up(service, now)
            and (not availability_zone
                 or service['availability_zone'] == availability_zone)
            and (not force_host or service['host'] == force_host)]


def place(services, usage, flavor, count,
          availability_zone=None, force_host=None):
    """The service of each of ``count`` new servers (a host may repeat).

    ``services``: the candidates' service rows; ``usage``: {host: (vcpus,
    memory_mb, disk_gb)} their servers take. ``count`` is what the quota
    allowed; as in Nova's scheduler all must fit, each on the host with
    the most free RAM at that point, else NoValidHost. Its ``servers``
    says how many of the request's servers to record in ERROR: ``count``,
    but never more than the hosts could hold if they were empty (and at
    least one), so that a huge count with an unlimited quota costs nothing.
    """
    need = _need(flavor)
    free, by_host, most = {}, {}, 0
    for service in _usable(services, availability_zone, force_host):
        host = service['host']
        by_host[host] = service
        free[host] = list(_free(service, usage.get(host, (0, 0, 0))))
        most += max(0, min((int(room // n) for room, n in
                            zip(_free(service, (0, 0, 0)), need) if n > 0),
                           default=0))
    chosen = []
    while len(chosen) < count:
        fits = [host for host, room in free.items() if _fits(room, need)]
        if not fits:
            break
        host = max(fits, key=lambda h: (free[h][1], h))
        free[host] = [r - n for r, n in zip(free[host], need)]
        chosen.append(by_host[host])
    if len(chosen) < count:
        raise exception.NoValidHost(
            reason='There are not enough hosts available.',
            servers=max(1, min(count, most)))
    return chosen
