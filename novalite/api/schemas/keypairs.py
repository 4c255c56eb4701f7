import copy

from novalite.api.validation import parameter_types

# Printable without leading/trailing whitespace (Nova's 'name' message),
# and only these characters.
_name = {'allOf': [parameter_types.name, parameter_types.keypair_name]}

create = {
    'type': 'object',
    'properties': {
        'keypair': {
            'type': 'object',
            'properties': {
                'name': _name,
                'public_key': {'type': 'string'},
            },
            'required': ['name'],
            'additionalProperties': False,
        },
    },
    'required': ['keypair'],
    'additionalProperties': False,
}

create_v22 = copy.deepcopy(create)
create_v22['properties']['keypair']['properties']['type'] = {
    'type': 'string', 'enum': ['ssh', 'x509']}

create_v210 = copy.deepcopy(create_v22)
create_v210['properties']['keypair']['properties']['user_id'] = {
    'type': 'string'}

# 2.92: no more generated keys (public_key required), and '@' and '.'
# allowed in names.
create_v292 = copy.deepcopy(create_v210)
create_v292['properties']['keypair']['properties']['name'] = {'allOf': [
    parameter_types.name,
    dict(parameter_types.keypair_name, pattern=r'^[_\-\@\. a-zA-Z0-9]+$')]}
create_v292['properties']['keypair']['required'] = ['name', 'public_key']

index_query_v210 = {
    'type': 'object',
    'properties': {
        'user_id': parameter_types.multi_params({'type': 'string'}),
    },
    'additionalProperties': True,
}

# 2.35: paging, by name.
index_query_v235 = copy.deepcopy(index_query_v210)
index_query_v235['properties'].update({
    'limit': parameter_types.multi_params(
        parameter_types.non_negative_integer),
    'marker': parameter_types.multi_params({'type': 'string'}),
})
index_query_v275 = parameter_types.strict(index_query_v235)

# GET and DELETE /os-keypairs/{keypair_name}.
show_query = copy.deepcopy(index_query_v210)
show_query_v275 = parameter_types.strict(show_query)
