from oslo_policy import policy

# Persona check strings, as in Nova's nova/policies/base.py.
ADMIN = 'rule:context_is_admin'
PROJECT_MEMBER = 'rule:project_member_api'
PROJECT_READER = 'rule:project_reader_api'
PROJECT_MEMBER_OR_ADMIN = 'rule:project_member_or_admin'
PROJECT_READER_OR_ADMIN = 'rule:project_reader_or_admin'
ANYONE = '@'
NOBODY = '!'

rules = [
    policy.RuleDefault(
        'context_is_admin', 'role:admin',
        'Decides who is an administrator: may see and act on every '
        'project, and bypasses server locks.'),
    policy.RuleDefault(
        'project_member_api', 'role:member and project_id:%(project_id)s',
        'Default rule for project-level non-admin APIs.'),
    policy.RuleDefault(
        'project_reader_api', 'role:reader and project_id:%(project_id)s',
        'Default rule for project-level read-only APIs.'),
    policy.RuleDefault(
        'project_member_or_admin',
        'rule:project_member_api or rule:context_is_admin',
        'Default rule for project member or admin APIs.'),
    policy.RuleDefault(
        'project_reader_or_admin',
        'rule:project_reader_api or rule:context_is_admin',
        'Default rule for project reader or admin APIs.'),
]


def list_rules():
    return rules
