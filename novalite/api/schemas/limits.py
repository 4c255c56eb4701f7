"""``/limits`` query string (Nova's)."""

from novalite.api.validation import parameter_types

# tenant_id (other parameters: ignored below 2.75, a 400 from it).
index_query = {
    'type': 'object',
    'properties': {
        'tenant_id': parameter_types.multi_params({'type': 'string'}),
    },
    'additionalProperties': True,
}

index_query_v275 = parameter_types.strict(index_query)
