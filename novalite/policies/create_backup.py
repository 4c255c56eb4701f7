from oslo_policy import policy

from novalite.policies import base

BASE_POLICY_NAME = 'os_compute_api:os-create-backup'

rules = [
    policy.DocumentedRuleDefault(
        name=BASE_POLICY_NAME, check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Create a back up of a server',
        operations=[{'method': 'POST',
                     'path': '/servers/{server_id}/action (createBackup)'}],
        scope_types=['project']),
]


def list_rules():
    return rules
