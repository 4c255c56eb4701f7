"""``/os-hypervisors`` query strings (Nova's)."""

from novalite.api.validation import parameter_types as types

index_query = {
    'type': 'object',
    'properties': {},
    'additionalProperties': True,
}

# 2.33: paging; other parameters are still ignored, as in Nova.
index_query_v233 = {
    'type': 'object',
    'properties': {
        'limit': types.multi_params(types.non_negative_integer),
        'marker': types.multi_params({'type': 'string'}),
    },
    'additionalProperties': True,
}
