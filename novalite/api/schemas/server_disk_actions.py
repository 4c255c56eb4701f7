"""Request schemas of createImage, createBackup, rebuild, resize,
confirmResize, revertResize, shelve, shelveOffload and unshelve
(Nova's).

migrate has none below 2.56: Nova takes any ``{"migrate": ...}``.
"""

import copy

from novalite.api.validation import parameter_types as types

_personality = {
    'type': 'array',
    'items': {
        'type': 'object',
        'properties': {
            'path': {'type': 'string'},
            'contents': types.base64_text,
        },
        'additionalProperties': False,
    },
}

_disk_config = {'type': 'string', 'enum': ['AUTO', 'MANUAL']}

rebuild = {
    'type': 'object',
    'properties': {
        'rebuild': {
            'type': 'object',
            'properties': {
                'name': types.name,
                'imageRef': types.image_id,
                'adminPass': {'type': 'string'},
                'metadata': types.metadata,
                'preserve_ephemeral': types.boolean,
                'OS-DCF:diskConfig': _disk_config,
                'accessIPv4': types.accessIPv4,
                'accessIPv6': types.accessIPv6,
                'personality': _personality,
            },
            'required': ['imageRef'],
            'additionalProperties': False,
        },
    },
    'required': ['rebuild'],
    'additionalProperties': False,
}

rebuild_v219 = copy.deepcopy(rebuild)
rebuild_v219['properties']['rebuild']['properties'][
    'description'] = types.description

# 2.54: key_name (null: no key pair).
rebuild_v254 = copy.deepcopy(rebuild_v219)
rebuild_v254['properties']['rebuild']['properties']['key_name'] = {
    'oneOf': [{'type': 'string', 'minLength': 1, 'maxLength': 255},
              {'type': 'null'}]}

# 2.56: migrate may name its destination.
migrate_v256 = {
    'type': 'object',
    'properties': {
        'migrate': {
            'type': ['object', 'null'],
            'properties': {
                'host': dict(types.fqdn, type=['string', 'null']),
            },
            'additionalProperties': False,
        },
    },
    'required': ['migrate'],
    'additionalProperties': False,
}

# 2.57: no personality; user_data (null: none; absent: kept).
rebuild_v257 = copy.deepcopy(rebuild_v254)
del rebuild_v257['properties']['rebuild']['properties']['personality']
rebuild_v257['properties']['rebuild']['properties']['user_data'] = {
    'type': ['string', 'null'], 'format': 'base64', 'maxLength': 65535}

# 2.63: trusted image certificates (null: none).
rebuild_v263 = copy.deepcopy(rebuild_v257)
rebuild_v263['properties']['rebuild']['properties'][
    'trusted_image_certificates'] = types.trusted_certs

# 2.90: the guest's hostname (one DNS label), 2.94: a fully qualified one.
rebuild_v290 = copy.deepcopy(rebuild_v263)
rebuild_v290['properties']['rebuild']['properties'][
    'hostname'] = types.hostname
rebuild_v294 = copy.deepcopy(rebuild_v263)
rebuild_v294['properties']['rebuild']['properties']['hostname'] = types.fqdn

resize = {
    'type': 'object',
    'properties': {
        'resize': {
            'type': 'object',
            'properties': {
                'flavorRef': types.flavor_ref,
                'OS-DCF:diskConfig': _disk_config,
            },
            'required': ['flavorRef'],
            'additionalProperties': False,
        },
    },
    'required': ['resize'],
    'additionalProperties': False,
}

create_image = {
    'type': 'object',
    'properties': {
        'createImage': {
            'type': 'object',
            'properties': {
                'name': types.name,
                'metadata': types.metadata,
            },
            'required': ['name'],
            'additionalProperties': False,
        },
    },
    'required': ['createImage'],
    'additionalProperties': False,
}

create_backup = {
    'type': 'object',
    'properties': {
        'createBackup': {
            'type': 'object',
            'properties': {
                'name': types.name,
                'backup_type': {'type': 'string'},
                'rotation': types.non_negative_integer,
                'metadata': types.metadata,
            },
            'required': ['name', 'backup_type', 'rotation'],
            'additionalProperties': False,
        },
    },
    'required': ['createBackup'],
    'additionalProperties': False,
}


def _any_value(action):
    """Nova's schema of an action whose value it ignores (any value)."""
    return {
        'type': 'object',
        'properties': {action: {}},
        'required': [action],
        'additionalProperties': False,
    }


confirm_resize = _any_value('confirmResize')
revert_resize = _any_value('revertResize')
shelve = _any_value('shelve')
shelve_offload = _any_value('shelveOffload')
unshelve = _any_value('unshelve')

# 2.77: the zone of an offloaded server's new host.
unshelve_v277 = {
    'type': 'object',
    'properties': {
        'unshelve': {
            'type': ['object', 'null'],
            'properties': {'availability_zone': types.name},
            'required': ['availability_zone'],
            'additionalProperties': False,
        },
    },
    'required': ['unshelve'],
    'additionalProperties': False,
}

# 2.91: the zone (null: unpin) and/or a host; an empty object changes
# nothing.
unshelve_v291 = {
    'type': 'object',
    'properties': {
        'unshelve': {
            'type': ['object', 'null'],
            'properties': {
                'availability_zone': {'type': ['string', 'null']},
                'host': {'type': 'string'},
            },
            'additionalProperties': False,
        },
    },
    'required': ['unshelve'],
    'additionalProperties': False,
}
