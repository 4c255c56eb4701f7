"""Request schemas of /servers/{id}/metadata (Nova's)."""

import copy

from novalite.api.validation import parameter_types as types

create = {
    'type': 'object',
    'properties': {'metadata': types.metadata},
    'required': ['metadata'],
    'additionalProperties': False,
}

update_all = copy.deepcopy(create)

_one_item = copy.deepcopy(types.metadata)
_one_item.update({'minProperties': 1, 'maxProperties': 1})

update = {
    'type': 'object',
    'properties': {'meta': _one_item},
    'required': ['meta'],
    'additionalProperties': False,
}
