from oslo_policy import policy

BASE = 'os_compute_api:os-keypairs:%s'
# Key pairs belong to a user, not a project.
ADMIN_OR_OWNER = '(rule:context_is_admin) or user_id:%(user_id)s'

rules = [
    policy.DocumentedRuleDefault(
        name=BASE % name, check_str=ADMIN_OR_OWNER, description=description,
        operations=[{'method': method, 'path': path}],
        scope_types=['project'])
    for name, description, method, path in [
        ('index', 'List all key pairs', 'GET', '/os-keypairs'),
        ('create', 'Create or import a key pair', 'POST', '/os-keypairs'),
        ('show', 'Show a key pair', 'GET', '/os-keypairs/{keypair_name}'),
        ('delete', 'Delete a key pair', 'DELETE',
         '/os-keypairs/{keypair_name}'),
    ]
]


def list_rules():
    return rules
