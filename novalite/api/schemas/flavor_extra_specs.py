"""Request schemas of /flavors/{flavor_id}/os-extra_specs (Nova's)."""

import copy

from novalite.api.validation import parameter_types

# Keys as server metadata's; values strings or numbers (stored as text).
_specs = copy.deepcopy(parameter_types.metadata)
_specs['patternProperties']['^[a-zA-Z0-9-_:. ]{1,255}$']['type'] = [
    'string', 'number']

create = {
    'type': 'object',
    'properties': {'extra_specs': _specs},
    'required': ['extra_specs'],
    'additionalProperties': False,
}

# PUT /os-extra_specs/{key}: {key: value}, the one key of the path.
update = copy.deepcopy(_specs)
update.update({'minProperties': 1, 'maxProperties': 1})
