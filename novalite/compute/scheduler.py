"""Pick a compute host for a new server.

Candidates are agents that reported in within ``service_down_time``, are
not disabled or forced down, are in the requested availability zone, and
have the flavor's vCPU, RAM and disk free after allocation ratios. Among
them the one with the most free RAM wins (spreading, like Nova's default
weigher).
"""

from oslo_config import cfg

from novalite.compute import manager as compute_manager
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


def select_hosts(context, flavor, count, availability_zone=None,
                 force_host=None):
    """Hosts for ``count`` servers of ``flavor`` (may repeat a host).

    Raises NoValidHost if not all fit.
    """
    services = db.service_get_all(context, binary=compute_manager.BINARY)
    usage = db.instance_usage_by_host(context)
    now = db.utcnow()
    free = {}
    for service in services:
        if service['disabled'] or not servicegroup.is_up(service, now):
            continue
        if availability_zone and \
                service['availability_zone'] != availability_zone:
            continue
        if force_host and service['host'] != force_host:
            continue
        free[service['host']] = list(
            _free(service, usage.get(service['host'], (0, 0, 0))))
    need = (flavor['vcpus'], flavor['memory_mb'],
            flavor['root_gb'] + flavor['ephemeral_gb']
            + (flavor['swap'] + 1023) // 1024)
    chosen = []
    for _ in range(count):
        fits = [host for host, room in free.items()
                if all(r >= n for r, n in zip(room, need))]
        if not fits:
            raise exception.NoValidHost(
                reason='There are not enough hosts available.')
        host = max(fits, key=lambda h: (free[h][1], h))
        free[host] = [r - n for r, n in zip(free[host], need)]
        chosen.append(host)
    return chosen
