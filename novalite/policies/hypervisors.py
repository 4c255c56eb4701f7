from oslo_policy import policy

from novalite.policies import base

POLICY_ROOT = 'os_compute_api:os-hypervisors:%s'

rules = [
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % name, check_str=base.ADMIN,
        description=description,
        operations=[{'method': 'GET', 'path': path}],
        scope_types=['project'])
    for name, description, path in [
        ('list', 'List all hypervisors.', '/os-hypervisors'),
        ('list-detail', 'List all hypervisors with details',
         '/os-hypervisors/detail'),
        ('statistics', 'Show summary statistics for all hypervisors over '
         'all compute nodes.', '/os-hypervisors/statistics'),
        ('show', 'Show details for a hypervisor.',
         '/os-hypervisors/{hypervisor_id}'),
        ('uptime', 'Show the uptime of a hypervisor.',
         '/os-hypervisors/{hypervisor_id}/uptime'),
        ('search', 'Search hypervisor by hypervisor_hostname pattern.',
         '/os-hypervisors/{hypervisor_hostname_pattern}/search'),
        ('servers', 'List all servers on hypervisors that can match the '
         'provided hypervisor_hostname pattern.',
         '/os-hypervisors/{hypervisor_hostname_pattern}/servers'),
    ]
]


def list_rules():
    return rules
