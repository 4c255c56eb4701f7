"""``/os-services`` bodies and query strings (Nova's)."""

import copy

from novalite.api.validation import parameter_types

# The body of every PUT /os-services/<action> (enable, disable,
# disable-log-reason; force-down from 2.11).
update = {
    'type': 'object',
    'properties': {
        'host': parameter_types.fqdn,
        'binary': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'disabled_reason': {'type': 'string', 'minLength': 1,
                            'maxLength': 255},
    },
    'required': ['host', 'binary'],
    'additionalProperties': False,
}

update_v211 = copy.deepcopy(update)
update_v211['properties']['forced_down'] = parameter_types.boolean

# 2.53: the service is named by the path; status and forced_down (and a
# disabled_reason with status disabled) change it.
update_v253 = {
    'type': 'object',
    'properties': {
        'status': {'type': 'string', 'enum': ['enabled', 'disabled']},
        'disabled_reason': {'type': 'string', 'minLength': 1,
                            'maxLength': 255},
        'forced_down': parameter_types.boolean,
    },
    'additionalProperties': False,
}

index_query = {
    'type': 'object',
    'properties': {
        'host': parameter_types.multi_params({'type': 'string'}),
        'binary': parameter_types.multi_params({'type': 'string'}),
    },
    # Nova ignores other parameters before 2.75.
    'additionalProperties': True,
}

index_query_v275 = parameter_types.strict(index_query)
