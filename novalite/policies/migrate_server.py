"""os-migrate-server (Nova's ``nova/policies/migrate_server.py``): the
cold migration, and from 2.56 to a named host. Nova's default is an
admin's (Nova 2025.1 opened it to project managers, a persona novalite
has not).
"""

from oslo_policy import policy

from novalite.policies import base

POLICY_ROOT = 'os_compute_api:os-migrate-server:%s'

rules = [
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'migrate', check_str=base.ADMIN,
        description='Cold migrate a server without specifying a host',
        operations=[{'method': 'POST',
                     'path': '/servers/{server_id}/action (migrate)'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'migrate:host', check_str=base.ADMIN,
        description='Cold migrate a server to a specified host',
        operations=[{'method': 'POST',
                     'path': '/servers/{server_id}/action (migrate)'}],
        scope_types=['project']),
]


def list_rules():
    return rules
