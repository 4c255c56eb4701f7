from novalite.api.validation import parameter_types

index_query = {
    'type': 'object',
    'properties': {
        # Nova passes the filters to Glance unchecked; only the paging
        # parameters are validated.
        'limit': parameter_types.multi_params(
            parameter_types.positive_integer),
        'page_size': parameter_types.multi_params(
            parameter_types.positive_integer),
        'offset': parameter_types.multi_params(
            parameter_types.positive_integer),
    },
    'additionalProperties': True,
}
