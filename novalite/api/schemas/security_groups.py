"""Request schemas of /os-security-groups and /os-security-group-rules
(Nova's: extra keys are allowed, as Nova keeps them for compatibility)."""

from novalite.api.validation import parameter_types

_text = {'type': 'string', 'minLength': 0, 'maxLength': 255}

create = {
    'type': 'object',
    'properties': {
        'security_group': {
            'type': 'object',
            'properties': {'name': _text, 'description': _text},
            'required': ['name', 'description'],
            'additionalProperties': True,
        },
    },
    'required': ['security_group'],
    'additionalProperties': True,
}

update = create

create_rule = {
    'type': 'object',
    'properties': {
        'security_group_rule': {
            'type': 'object',
            'properties': {
                'group_id': {'type': ['string', 'null'], 'format': 'uuid'},
                'parent_group_id': {'type': 'string', 'format': 'uuid'},
                # Nova never validated these four here (its code does).
                'to_port': {},
                'from_port': {},
                'ip_protocol': {},
                'cidr': {},
            },
            'required': ['parent_group_id'],
            'additionalProperties': True,
        },
    },
    'required': ['security_group_rule'],
    'additionalProperties': True,
}

index_query = {
    'type': 'object',
    'properties': {
        'limit': parameter_types.multi_params(
            parameter_types.non_negative_integer),
        'offset': parameter_types.multi_params(
            parameter_types.non_negative_integer),
        'all_tenants': parameter_types.multi_params({'type': 'string'}),
    },
    # Unknown query parameters are ignored, as in Nova.
    'additionalProperties': True,
}
