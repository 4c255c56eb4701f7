"""``/os-simple-tenant-usage`` query strings (Nova's, before 2.40)."""

import copy

from novalite.api.validation import parameter_types

show_query = {
    'type': 'object',
    'properties': {
        'start': parameter_types.multi_params({'type': 'string'}),
        'end': parameter_types.multi_params({'type': 'string'}),
    },
    # Nova ignores other parameters before 2.75.
    'additionalProperties': True,
}

index_query = copy.deepcopy(show_query)
index_query['properties']['detailed'] = parameter_types.multi_params(
    {'type': 'string'})
