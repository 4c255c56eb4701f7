"""The Networking API v2.0 subset's rules: Neutron's names and
secure-RBAC defaults.

Who may *see* a network, port or group (shared networks, the project's
own) is decided in code (compute/networking.py); these rules are then
checked on each item, as Neutron filters its lists by them.
``%(project_id)s`` is the item's project; a shared network (no project
in novalite) and its subnet are checked against the caller's project.
"""

from oslo_policy import policy

from novalite.policies import base

_READER = '%s or (role:reader and project_id:%%(project_id)s)' % base.ADMIN
_MEMBER = '%s or (role:member and project_id:%%(project_id)s)' % base.ADMIN


def _rule(name, check_str, description, operations):
    return policy.DocumentedRuleDefault(
        name=name, check_str=check_str, description=description,
        operations=[{'method': method, 'path': '/network/v2.0' + path}
                    for method, path in operations],
        scope_types=['project'])


rules = [
    _rule('get_network', _READER, 'Show a network, or list it.',
          [('GET', '/networks'), ('GET', '/networks/{network_id}')]),
    _rule('get_subnet', _READER, 'Show a subnet, or list it.',
          [('GET', '/subnets'), ('GET', '/subnets/{subnet_id}')]),
    _rule('get_port', _READER, 'Show a port, or list it.',
          [('GET', '/ports'), ('GET', '/ports/{port_id}')]),
    _rule('get_security_group', _READER,
          'Show a security group, or list it.',
          [('GET', '/security-groups'),
           ('GET', '/security-groups/{security_group_id}')]),
    _rule('delete_security_group', _MEMBER, 'Delete a security group.',
          [('DELETE', '/security-groups/{security_group_id}')]),
]


def list_rules():
    return rules
