def build(limits, usage):
    """Nova's absolute limits and usage, in Nova's order.

    Every key is shown up to 2.35; later microversions drop some (2.36
    the network ones, 2.39 maxImageMeta, 2.57 the personality ones).
    """
    return {'limits': {'rate': [], 'absolute': {
        'maxTotalCores': limits['cores'],
        'maxPersonality': limits['injected_files'],
        'maxPersonalitySize': limits['injected_file_content_bytes'],
        'maxTotalInstances': limits['instances'],
        'maxTotalKeypairs': limits['key_pairs'],
        'maxServerMeta': limits['metadata_items'],
        'maxImageMeta': limits['metadata_items'],
        'maxTotalRAMSize': limits['ram'],
        'maxServerGroups': limits['server_groups'],
        'maxServerGroupMembers': limits['server_group_members'],
        # No Neutron to ask: unlimited and unused, as Nova shows them.
        'maxTotalFloatingIps': -1,
        'maxSecurityGroups': -1,
        'maxSecurityGroupRules': -1,
        'totalRAMUsed': usage['ram'],
        'totalCoresUsed': usage['cores'],
        'totalInstancesUsed': usage['instances'],
        'totalFloatingIpsUsed': 0,
        'totalSecurityGroupsUsed': 0,
        'totalServerGroupsUsed': usage['server_groups'],
    }}}
