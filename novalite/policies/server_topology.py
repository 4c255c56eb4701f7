"""/servers/{server_id}/topology (Nova's
``nova/policies/server_topology.py``)."""

from oslo_policy import policy

from novalite.policies import base

BASE = 'compute:server:topology:%s'
_PATH = '/servers/{server_id}/topology'

rules = [
    policy.DocumentedRuleDefault(
        name=BASE % 'index', check_str=base.PROJECT_READER_OR_ADMIN,
        description='Show the NUMA topology data for a server',
        operations=[{'method': 'GET', 'path': _PATH}],
        scope_types=['project']),
    # NOTE: the host's NUMA node and CPU pinning of each cell; novalite's
    # servers have no cells, so nothing is shown under it yet.
    policy.DocumentedRuleDefault(
        name=BASE % 'host:index', check_str=base.ADMIN,
        description='Show the NUMA topology data for a server with host '
                    'NUMA ID and CPU pinning information',
        operations=[{'method': 'GET', 'path': _PATH}],
        scope_types=['project']),
]


def list_rules():
    return rules
