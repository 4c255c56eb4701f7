import copy

from novalite.api.validation import parameter_types

# Nova's db constant: the largest single-precision float.
SQL_SP_FLOAT_MAX = 3.40282e+38

index_query = {
    'type': 'object',
    'properties': {
        'limit': parameter_types.multi_params(
            parameter_types.non_negative_integer),
        'marker': parameter_types.multi_params({'type': 'string'}),
        'is_public': parameter_types.multi_params({'type': 'string'}),
        'minRam': parameter_types.multi_params(
            dict(parameter_types.non_negative_integer,
                 maximum=parameter_types.MAX_INT)),
        'minDisk': parameter_types.multi_params(
            dict(parameter_types.non_negative_integer,
                 maximum=parameter_types.MAX_INT)),
        'sort_key': parameter_types.multi_params({
            'type': 'string',
            'enum': ['created_at', 'description', 'disabled',
                     'ephemeral_gb', 'flavorid', 'id', 'is_public',
                     'memory_mb', 'name', 'root_gb', 'rxtx_factor', 'swap',
                     'updated_at', 'vcpu_weight', 'vcpus']}),
        'sort_dir': parameter_types.multi_params({
            'type': 'string', 'enum': ['asc', 'desc']}),
    },
    # Unknown query parameters are ignored below 2.75, as in Nova.
    'additionalProperties': True,
}
index_query_v275 = parameter_types.strict(index_query)

# 2.102: a name filter (a regular expression, as Nova's; one that does
# not compile is a 400 here, where Nova fails with a 500; an empty one
# matches all), and no more rxtx_factor to sort by.
index_query_v2102 = copy.deepcopy(index_query_v275)
index_query_v2102['properties']['name'] = parameter_types.multi_params(
    {'type': 'string', 'format': 'regex_or_empty'})
index_query_v2102['properties']['sort_key']['items']['enum'].remove(
    'rxtx_factor')


def _size(minimum, repeat):
    # Nova's flavor_param_positive/_non_negative: up to the DB's MAX_INT.
    return {'type': ['integer', 'string'], 'pattern': '^[0-9]%s$' % repeat,
            'minimum': minimum, 'maximum': parameter_types.MAX_INT}


create = {
    'type': 'object',
    'properties': {
        'flavor': {
            'type': 'object',
            'properties': {
                'name': parameter_types.flavor_name,
                # As Nova: a number is taken too (tempest sends one), as
                # its text.
                'id': {'type': ['string', 'number', 'null'], 'minLength': 1,
                       'maxLength': 255,
                       'pattern': r'^(?! )[a-zA-Z0-9. _-]+(?<! )$'},
                'ram': _size(1, '+'),
                'vcpus': _size(1, '+'),
                'disk': _size(0, '+'),
                'OS-FLV-EXT-DATA:ephemeral': _size(0, '*'),
                'swap': _size(0, '*'),
                'rxtx_factor': {'type': ['number', 'string'],
                                'pattern': r'^[0-9]+(\.[0-9]+)?$',
                                'minimum': 0, 'exclusiveMinimum': True,
                                # As Nova: a single-precision float
                                # column's largest value (MySQL's FLOAT).
                                'maximum': SQL_SP_FLOAT_MAX},
                'os-flavor-access:is_public': parameter_types.boolean,
            },
            'required': ['name', 'ram', 'vcpus', 'disk'],
            'additionalProperties': False,
        },
    },
    'required': ['flavor'],
    'additionalProperties': False,
}

# 2.55: a description (up to 64 KiB, a TEXT column), on create and on
# PUT /flavors/{flavor_id}, which changes nothing else.
_description = dict(parameter_types.description, maxLength=65535)

create_v255 = copy.deepcopy(create)
create_v255['properties']['flavor']['properties'][
    'description'] = _description

# 2.102: rxtx_factor is gone.
create_v2102 = copy.deepcopy(create_v255)
del create_v2102['properties']['flavor']['properties']['rxtx_factor']

update = {
    'type': 'object',
    'properties': {
        'flavor': {
            'type': 'object',
            'properties': {'description': _description},
            'required': ['description'],
            'additionalProperties': False,
        },
    },
    'required': ['flavor'],
    'additionalProperties': False,
}
