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

# 2.53: one value each; a hostname pattern and the servers instead of the
# search and servers routes; any other parameter is a 400.
index_query_v253 = {
    'type': 'object',
    'properties': {
        'limit': types.single_param(types.non_negative_integer),
        'marker': types.single_param({'type': 'string'}),
        'hypervisor_hostname_pattern': types.single_param(types.fqdn),
        'with_servers': types.single_param(types.boolean),
    },
    'additionalProperties': False,
}

show_query = index_query

show_query_v253 = {
    'type': 'object',
    'properties': {
        'with_servers': types.single_param(types.boolean),
    },
    'additionalProperties': False,
}
