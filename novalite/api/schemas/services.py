"""``/os-services`` bodies and query strings (Nova's, 2.1-2.52 forms)."""

import copy

from novalite.api.validation import parameter_types

# A host name as the services table holds it (underscores allowed).
fqdn = {
    'type': 'string', 'pattern': '^[a-zA-Z0-9-._]*$',
    'minLength': 1, 'maxLength': 255,
}

# The body of every PUT /os-services/<action> (enable, disable,
# disable-log-reason; force-down from 2.11).
update = {
    'type': 'object',
    'properties': {
        'host': fqdn,
        'binary': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'disabled_reason': {'type': 'string', 'minLength': 1,
                            'maxLength': 255},
    },
    'required': ['host', 'binary'],
    'additionalProperties': False,
}

update_v211 = copy.deepcopy(update)
update_v211['properties']['forced_down'] = parameter_types.boolean

index_query = {
    'type': 'object',
    'properties': {
        'host': parameter_types.multi_params({'type': 'string'}),
        'binary': parameter_types.multi_params({'type': 'string'}),
    },
    # Nova ignores other parameters before 2.75.
    'additionalProperties': True,
}
