"""``/os-quota-sets`` bodies and query strings (Nova's)."""

import copy

from novalite.api.validation import parameter_types

_quota = {
    'type': ['integer', 'string'],
    'pattern': '^-?[0-9]+$',
    # -1 is unlimited.
    'minimum': -1,
    'maximum': parameter_types.MAX_INT,
}

# Every resource Nova shows up to 2.35 may be set.
update = {
    'type': 'object',
    'properties': {
        'quota_set': {
            'type': 'object',
            'properties': dict(
                {resource: _quota for resource in (
                    'instances', 'cores', 'ram', 'floating_ips',
                    'fixed_ips', 'metadata_items', 'key_pairs',
                    'security_groups', 'security_group_rules',
                    'injected_files', 'injected_file_content_bytes',
                    'injected_file_path_bytes', 'server_groups',
                    'server_group_members')},
                force=parameter_types.boolean),
            'additionalProperties': False,
        },
    },
    'required': ['quota_set'],
    'additionalProperties': False,
}

# 2.36: the proxy APIs' resources may no longer be set.
update_v236 = copy.deepcopy(update)
for _resource in ('fixed_ips', 'floating_ips', 'security_groups',
                  'security_group_rules'):
    del update_v236['properties']['quota_set']['properties'][_resource]

# 2.57: nor the personality ones.
update_v257 = copy.deepcopy(update_v236)
for _resource in ('injected_files', 'injected_file_content_bytes',
                  'injected_file_path_bytes'):
    del update_v257['properties']['quota_set']['properties'][_resource]

# ``user_id`` (per-user quotas) is read but not supported; Nova ignores
# other parameters before 2.75.
query = {
    'type': 'object',
    'properties': {
        'user_id': parameter_types.multi_params({'type': 'string'}),
    },
    'additionalProperties': True,
}
query_v275 = parameter_types.strict(query)
