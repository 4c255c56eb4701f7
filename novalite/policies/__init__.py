"""Default policy rules, in code, one module per resource.

Rule names are Nova's (``os_compute_api:...``) so that a Nova operator's
policy file carries over unchanged.
"""

import itertools

from novalite.policies import admin_password
from novalite.policies import availability_zone
from novalite.policies import base
from novalite.policies import console_output
from novalite.policies import create_backup
from novalite.policies import deferred_delete
from novalite.policies import extended_server_attributes
from novalite.policies import flavor_access
from novalite.policies import flavor_extra_specs
from novalite.policies import flavor_manage
from novalite.policies import hypervisors
from novalite.policies import images
from novalite.policies import instance_actions
from novalite.policies import ips
from novalite.policies import keypairs
from novalite.policies import limits
from novalite.policies import lock_server
from novalite.policies import migrate_server
from novalite.policies import network_v2
from novalite.policies import networks
from novalite.policies import pause_server
from novalite.policies import quota_sets
from novalite.policies import rescue
from novalite.policies import security_groups
from novalite.policies import server_groups
from novalite.policies import server_metadata
from novalite.policies import server_password
from novalite.policies import server_tags
from novalite.policies import server_topology
from novalite.policies import servers
from novalite.policies import services
from novalite.policies import shelve
from novalite.policies import simple_tenant_usage
from novalite.policies import suspend_server


def list_rules():
    return list(itertools.chain(
        base.list_rules(),
        servers.list_rules(),
        lock_server.list_rules(),
        admin_password.list_rules(),
        availability_zone.list_rules(),
        console_output.list_rules(),
        extended_server_attributes.list_rules(),
        server_tags.list_rules(),
        ips.list_rules(),
        flavor_manage.list_rules(),
        flavor_extra_specs.list_rules(),
        flavor_access.list_rules(),
        server_groups.list_rules(),
        keypairs.list_rules(),
        limits.list_rules(),
        networks.list_rules(),
        # rebuild, resize, migrate, shelve, snapshot:
        shelve.list_rules(),
        migrate_server.list_rules(),
        create_backup.list_rules(),
        # pause, suspend, rescue, soft delete, security groups:
        pause_server.list_rules(),
        suspend_server.list_rules(),
        rescue.list_rules(),
        deferred_delete.list_rules(),
        security_groups.list_rules(),
        services.list_rules(),
        hypervisors.list_rules(),
        simple_tenant_usage.list_rules(),
        quota_sets.list_rules(),
        server_metadata.list_rules(),
        server_password.list_rules(),
        server_topology.list_rules(),
        instance_actions.list_rules(),
        images.list_rules(),
        network_v2.list_rules(),
    ))
