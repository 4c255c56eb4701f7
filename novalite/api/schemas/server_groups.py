"""Request schemas of /os-server-groups (Nova's)."""

import copy

from novalite.api.validation import parameter_types

# Exactly one policy (2.64 made it a string).
create = {
    'type': 'object',
    'properties': {
        'server_group': {
            'type': 'object',
            'properties': {
                'name': parameter_types.name,
                'policies': {
                    'type': 'array',
                    'items': [{'type': 'string',
                               'enum': ['anti-affinity', 'affinity']}],
                    'uniqueItems': True,
                    'minItems': 1,
                    'maxItems': 1,
                    'additionalItems': False,
                },
            },
            'required': ['name', 'policies'],
            'additionalProperties': False,
        },
    },
    'required': ['server_group'],
    'additionalProperties': False,
}

create_v215 = copy.deepcopy(create)
create_v215['properties']['server_group']['properties']['policies'][
    'items'][0]['enum'].extend(['soft-anti-affinity', 'soft-affinity'])

# 2.64: one policy, a string, and rules (max_server_per_host, for
# anti-affinity only: checked by the handler).
create_v264 = {
    'type': 'object',
    'properties': {
        'server_group': {
            'type': 'object',
            'properties': {
                'name': parameter_types.name,
                'policy': {'type': 'string',
                           'enum': ['anti-affinity', 'affinity',
                                    'soft-anti-affinity', 'soft-affinity']},
                'rules': {
                    'type': 'object',
                    'properties': {
                        'max_server_per_host':
                            parameter_types.positive_integer,
                    },
                    'additionalProperties': False,
                },
            },
            'required': ['name', 'policy'],
            'additionalProperties': False,
        },
    },
    'required': ['server_group'],
    'additionalProperties': False,
}

index_query = {
    'type': 'object',
    'properties': {
        'all_projects': parameter_types.multi_params({'type': 'string'}),
        'limit': parameter_types.multi_params(
            parameter_types.non_negative_integer),
        'offset': parameter_types.multi_params(
            parameter_types.non_negative_integer),
    },
    # Unknown query parameters are ignored below 2.75, as in Nova.
    'additionalProperties': True,
}

index_query_v275 = parameter_types.strict(index_query)
