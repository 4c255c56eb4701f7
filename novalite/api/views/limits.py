"""The ``/limits`` body; the quota resources each microversion shows."""

from novalite.api import common

# (name shown, quota resource), in Nova's order.
_ABSOLUTE = (
    ('maxTotalCores', 'cores'),
    ('maxPersonality', 'injected_files'),
    ('maxPersonalitySize', 'injected_file_content_bytes'),
    ('maxTotalInstances', 'instances'),
    ('maxTotalKeypairs', 'key_pairs'),
    ('maxServerMeta', 'metadata_items'),
    ('maxImageMeta', 'metadata_items'),
    ('maxTotalRAMSize', 'ram'),
    ('maxServerGroups', 'server_groups'),
    ('maxServerGroupMembers', 'server_group_members'),
    ('maxTotalFloatingIps', 'floating_ips'),
    ('maxSecurityGroups', 'security_groups'),
    ('maxSecurityGroupRules', 'security_group_rules'),
)
_USED = (
    ('totalRAMUsed', 'ram'),
    ('totalCoresUsed', 'cores'),
    ('totalInstancesUsed', 'instances'),
    ('totalFloatingIpsUsed', 'floating_ips'),
    ('totalSecurityGroupsUsed', 'security_groups'),
    ('totalServerGroupsUsed', 'server_groups'),
)
# No Neutron to ask: unlimited and unused, as Nova shows them.
_NO_NEUTRON_LIMIT = {'floating_ips': -1, 'security_groups': -1,
                     'security_group_rules': -1}
_NO_NEUTRON_USAGE = {'floating_ips': 0, 'security_groups': 0}


def build(req, limits, usage):
    """Nova's absolute limits and usage, in Nova's order, without those
    the request's microversion no longer shows."""
    hidden = common.hidden_quotas(req)
    absolute = {}
    for name, resource in _ABSOLUTE:
        if name == 'maxImageMeta' and req.is_version('2.39'):
            continue  # the image-metadata proxy API is gone
        if resource not in hidden:
            absolute[name] = _NO_NEUTRON_LIMIT.get(resource,
                                                   limits[resource])
    for name, resource in _USED:
        if resource not in hidden:
            absolute[name] = _NO_NEUTRON_USAGE.get(resource,
                                                   usage[resource])
    return {'limits': {'rate': [], 'absolute': absolute}}
