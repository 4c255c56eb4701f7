"""Default policy rules, in code, one module per resource.

Rule names are Nova's (``os_compute_api:...``) so that a Nova operator's
policy file carries over unchanged.
"""

import itertools

from novalite.policies import admin_password
from novalite.policies import availability_zone
from novalite.policies import base
from novalite.policies import console_output
from novalite.policies import extended_server_attributes
from novalite.policies import flavor_manage
from novalite.policies import ips
from novalite.policies import keypairs
from novalite.policies import limits
from novalite.policies import lock_server
from novalite.policies import networks
from novalite.policies import server_tags
from novalite.policies import servers


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
        keypairs.list_rules(),
        limits.list_rules(),
        networks.list_rules(),
    ))
