"""Query strings of /servers/{id}/os-instance-actions (Nova's)."""

import copy

from novalite.api.validation import parameter_types as types

# Unknown parameters are ignored before 2.58, as in Nova.
index_query = {
    'type': 'object',
    'properties': {},
    'additionalProperties': True,
}

# 2.58: paging (newest first, the marker a request id) and the actions
# changed since a time; nothing else.
index_query_v258 = {
    'type': 'object',
    'properties': {
        'limit': types.single_param(types.non_negative_integer),
        'marker': types.single_param({'type': 'string'}),
        'changes-since': types.single_param({'type': 'string',
                                             'format': 'date-time'}),
    },
    'additionalProperties': False,
}

# 2.66: and changed before a time.
index_query_v266 = copy.deepcopy(index_query_v258)
index_query_v266['properties']['changes-before'] = types.single_param(
    {'type': 'string', 'format': 'date-time'})
