"""Reusable JSON-schema fragments, with Nova's limits and formats."""

import copy

from novalite.api.validation import formats  # noqa: F401 (registers)


boolean = {
    'type': ['boolean', 'string'],
    'enum': [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on',
             'YES', 'Yes', 'yes',
             False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off',
             'NO', 'No', 'no'],
}

none = {'type': 'null'}

# Largest value of an Integer column on every backend (PostgreSQL's and
# MySQL's INTEGER are 32-bit), as Nova's db constants MAX_INT.
MAX_INT = 0x7FFFFFFF
MIN_INT = -MAX_INT - 1

positive_integer = {
    'type': ['integer', 'string'],
    'pattern': '^[0-9]*$', 'minimum': 1, 'minLength': 1,
}

non_negative_integer = {
    'type': ['integer', 'string'],
    'pattern': '^[0-9]*$', 'minimum': 0, 'minLength': 1,
}

# A display name: printable characters, no leading/trailing whitespace
# (checked by the 'name' format, which gives Nova's message).
name = {
    'type': 'string', 'minLength': 1, 'maxLength': 255,
    'format': 'name',
}

description = {
    'type': ['string', 'null'], 'minLength': 0, 'maxLength': 255,
    'format': 'printable',
}

uuid = {'type': 'string', 'format': 'uuid'}

image_id = {'type': 'string', 'format': 'uuid'}

image_id_or_empty_string = {
    'oneOf': [{'type': 'string', 'format': 'uuid'},
              {'type': 'string', 'maxLength': 0}],
}

flavor_ref = {'type': ['string', 'integer'], 'minLength': 1}

metadata = {
    'type': 'object',
    'patternProperties': {
        '^[a-zA-Z0-9-_:. ]{1,255}$': {'type': 'string', 'maxLength': 255},
    },
    'additionalProperties': False,
}

accessIPv4 = {'type': 'string', 'format': 'ipv4'}
accessIPv6 = {'type': 'string', 'format': 'ipv6'}

tag = {
    'type': 'string', 'minLength': 1, 'maxLength': 60,
    'pattern': '^[^,/]*$',
}

base64_text = {'type': 'string', 'format': 'base64'}

keypair_name = {
    'type': 'string', 'minLength': 1, 'maxLength': 255,
    'pattern': r'^[_\- a-zA-Z0-9]+$',
}

flavor_name = {
    'type': 'string', 'minLength': 1, 'maxLength': 255,
    'format': 'name',
}


def multi_params(schema):
    """A query parameter that may repeat: validated as a list."""
    return {'type': 'array', 'items': copy.deepcopy(schema)}


def strict(query_schema):
    """The query schema as microversion 2.75 made most of Nova's: any
    parameter it does not name is a 400."""
    return dict(copy.deepcopy(query_schema), additionalProperties=False)


def single_param(schema):
    """A query parameter that may be given once (Nova's: a repeat is a
    400, "is too long")."""
    return dict(multi_params(schema), maxItems=1)


# Trusted image certificate ids (2.63): null, or 1 to 50 distinct ids.
trusted_certs = {
    'type': ['array', 'null'], 'minItems': 1, 'maxItems': 50,
    'uniqueItems': True, 'items': {'type': 'string', 'minLength': 1},
}

# A guest's hostname as 2.90 takes it (a single DNS label); 2.94 takes an
# ``fqdn``.
hostname = {
    'type': 'string', 'pattern': '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$',
    'minLength': 2, 'maxLength': 63,
}

# A host name as the services table holds it (underscores allowed).
fqdn = {
    'type': 'string', 'pattern': '^[a-zA-Z0-9-._]*$',
    'minLength': 1, 'maxLength': 255,
}
