"""``/os-simple-tenant-usage`` query strings (Nova's)."""

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

# 2.40: paging over the servers (marker: a server's uuid).
_paging = {
    'limit': parameter_types.multi_params(
        parameter_types.non_negative_integer),
    'marker': parameter_types.multi_params({'type': 'string'}),
}
show_query_v240 = copy.deepcopy(show_query)
show_query_v240['properties'].update(_paging)
index_query_v240 = copy.deepcopy(index_query)
index_query_v240['properties'].update(_paging)

show_query_v275 = parameter_types.strict(show_query_v240)
index_query_v275 = parameter_types.strict(index_query_v240)
