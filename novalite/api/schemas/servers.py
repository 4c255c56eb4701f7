"""Request schemas of /servers, per microversion (Nova's)."""

import copy

from novalite.api.validation import parameter_types as types
from novalite.compute import api as compute_api

_networks = {
    'type': 'array',
    'items': {
        'type': 'object',
        'properties': {
            'fixed_ip': {'type': 'string',
                         'oneOf': [{'format': 'ipv4'}, {'format': 'ipv6'}]},
            'port': {'oneOf': [{'type': 'string', 'format': 'uuid'},
                               {'type': 'null'}]},
            'uuid': {'type': 'string'},
        },
        'additionalProperties': False,
    },
}

_bdm_v2 = {
    'type': 'array',
    'items': {
        'type': 'object',
        'properties': {
            'source_type': {'type': 'string', 'enum': [
                'volume', 'image', 'snapshot', 'blank']},
            'destination_type': {'type': 'string',
                                 'enum': ['local', 'volume']},
            'uuid': {'type': 'string', 'minLength': 1, 'maxLength': 255,
                     'pattern': '^[a-zA-Z0-9._-]*$'},
            'boot_index': {'type': ['integer', 'string', 'null'],
                           'pattern': '^-?[0-9]+$'},
            'volume_size': types.positive_integer,
            'delete_on_termination': types.boolean,
            'device_name': {'type': 'string', 'minLength': 1,
                            'maxLength': 255,
                            'pattern': '^[a-zA-Z0-9._/-]*$'},
            'guest_format': {'type': 'string', 'maxLength': 255},
            'device_type': {'type': 'string', 'maxLength': 255},
            'disk_bus': {'type': 'string', 'maxLength': 255},
            'no_device': {},
        },
        'additionalProperties': False,
    },
}

_bdm_legacy = {
    'type': 'array',
    'items': {
        'type': 'object',
        'properties': {
            'volume_id': types.uuid, 'snapshot_id': types.uuid,
            'volume_size': types.positive_integer,
            'device_name': {'type': 'string', 'minLength': 1,
                            'maxLength': 255},
            'delete_on_termination': types.boolean,
            'virtual_name': {'type': 'string', 'maxLength': 255},
            'no_device': {}, 'connection_info': {'type': 'string'},
        },
        'additionalProperties': False,
    },
}

_server_create_v21 = {
    'type': 'object',
    'properties': {
        'name': types.name,
        'imageRef': types.image_id_or_empty_string,
        'flavorRef': types.flavor_ref,
        'adminPass': {'type': 'string'},
        'metadata': types.metadata,
        'networks': _networks,
        'OS-DCF:diskConfig': {'type': 'string', 'enum': ['AUTO', 'MANUAL']},
        'accessIPv4': types.accessIPv4,
        'accessIPv6': types.accessIPv6,
        'personality': {
            'type': 'array',
            'items': {
                'type': 'object',
                'properties': {
                    'path': {'type': 'string'},
                    'contents': types.base64_text,
                },
                'additionalProperties': False,
            },
        },
        'availability_zone': {'type': 'string', 'minLength': 1,
                              'maxLength': 255, 'format': 'name'},
        'block_device_mapping': _bdm_legacy,
        'block_device_mapping_v2': _bdm_v2,
        'config_drive': types.boolean,
        'key_name': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'min_count': types.positive_integer,
        'max_count': types.positive_integer,
        'return_reservation_id': types.boolean,
        'security_groups': {
            'type': 'array',
            'items': {
                'type': 'object',
                'properties': {'name': {'type': 'string', 'minLength': 1,
                                        'maxLength': 255}},
                'additionalProperties': False,
            },
        },
        'user_data': {'type': 'string', 'format': 'base64',
                      'maxLength': 65535},
    },
    'required': ['name', 'flavorRef'],
    'additionalProperties': False,
}

# Nova's scheduler hints: the known ones checked for form, any other
# taken (and ignored). novalite acts on ``group`` only: same_host and
# different_host are for filters Nova does not enable by default.
_hints = {
    'type': 'object',
    'properties': {
        'group': {
            'oneOf': [
                {'type': 'array', 'items': types.uuid},
                types.uuid,
            ],
        },
        'different_host': {
            'oneOf': [types.uuid,
                      {'type': 'array', 'items': types.uuid}],
        },
        'same_host': {'type': ['string', 'array'], 'items': types.uuid},
        'query': {'type': ['string', 'object']},
        'target_cell': types.name,
        'different_cell': {'type': ['string', 'array'],
                           'items': {'type': 'string'}},
        'build_near_host_ip': {'type': 'string',
                               'oneOf': [{'format': 'ipv4'},
                                         {'format': 'ipv6'}]},
        'cidr': {'type': 'string', 'pattern': '^/[0-9a-f.:]+$'},
    },
    'additionalProperties': True,
}


def _create(server_schema):
    return {
        'type': 'object',
        'properties': {
            'server': server_schema,
            'os:scheduler_hints': _hints,
            'OS-SCH-HNT:scheduler_hints': _hints,
        },
        'required': ['server'],
        'additionalProperties': False,
    }


create_v21 = _create(_server_create_v21)

_server_create_v219 = copy.deepcopy(_server_create_v21)
_server_create_v219['properties']['description'] = types.description
create_v219 = _create(_server_create_v219)

# Device tags: on networks and block device mappings at 2.32, then (by a
# bug in Nova that its microversions keep) on networks only until 2.36.
_server_create_v232 = copy.deepcopy(_server_create_v219)
_server_create_v232['properties']['networks']['items']['properties'][
    'tag'] = types.tag
_server_create_v232['properties']['block_device_mapping_v2']['items'][
    'properties']['tag'] = types.tag
create_v232 = _create(_server_create_v232)

_server_create_v233 = copy.deepcopy(_server_create_v219)
_server_create_v233['properties']['networks']['items']['properties'][
    'tag'] = types.tag
create_v233 = _create(_server_create_v233)


def _networks_v237(tagged):
    """2.37: ``networks`` is a list (network ids now UUIDs; tags again
    from 2.42) or "auto" or "none"."""
    item = {
        'type': 'object',
        'properties': {
            'fixed_ip': _networks['items']['properties']['fixed_ip'],
            'port': {'type': ['string', 'null'], 'format': 'uuid'},
            'uuid': {'type': 'string', 'format': 'uuid'},
        },
        'additionalProperties': False,
    }
    if tagged:
        item['properties']['tag'] = types.tag
    return {'oneOf': [{'type': 'array', 'items': item},
                      {'type': 'string', 'enum': ['none', 'auto']}]}


# 2.37: ``networks`` required.
_server_create_v237 = copy.deepcopy(_server_create_v219)
_server_create_v237['required'] = ['name', 'flavorRef', 'networks']
_server_create_v237['properties']['networks'] = _networks_v237(False)
create_v237 = _create(_server_create_v237)

# 2.42: the device tags back, on networks and block device mappings.
_server_create_v242 = copy.deepcopy(_server_create_v237)
_server_create_v242['properties']['networks'] = _networks_v237(True)
_server_create_v242['properties']['block_device_mapping_v2']['items'][
    'properties']['tag'] = types.tag
create_v242 = _create(_server_create_v242)

# 2.52: tags at create, as many as a server may have.
_server_create_v252 = copy.deepcopy(_server_create_v242)
_server_create_v252['properties']['tags'] = {
    'type': 'array', 'items': types.tag, 'maxItems': compute_api.MAX_TAGS}
create_v252 = _create(_server_create_v252)

# 2.57: no more personality (files for the config drive).
_server_create_v257 = copy.deepcopy(_server_create_v252)
del _server_create_v257['properties']['personality']
create_v257 = _create(_server_create_v257)

# 2.63: trusted image certificates.
_server_create_v263 = copy.deepcopy(_server_create_v257)
_server_create_v263['properties'][
    'trusted_image_certificates'] = types.trusted_certs
create_v263 = _create(_server_create_v263)

# 2.67: a block device mapping's volume type (novalite has no volumes:
# checked by the handler like the rest of a volume mapping).
_server_create_v267 = copy.deepcopy(_server_create_v263)
_server_create_v267['properties']['block_device_mapping_v2']['items'][
    'properties']['volume_type'] = {'type': ['string', 'null'],
                                    'minLength': 0, 'maxLength': 255}
create_v267 = _create(_server_create_v267)

# 2.74: a requested destination, host and/or hypervisor hostname.
_server_create_v274 = copy.deepcopy(_server_create_v267)
_server_create_v274['properties'].update(
    host=types.fqdn, hypervisor_hostname=types.fqdn)
create_v274 = _create(_server_create_v274)

# 2.90: the guest's hostname (one DNS label), 2.94: a fully qualified one.
_server_create_v290 = copy.deepcopy(_server_create_v274)
_server_create_v290['properties']['hostname'] = types.hostname
create_v290 = _create(_server_create_v290)
_server_create_v294 = copy.deepcopy(_server_create_v274)
_server_create_v294['properties']['hostname'] = types.fqdn
create_v294 = _create(_server_create_v294)

_server_update_v21 = {
    'type': 'object',
    'properties': {
        'name': types.name,
        'OS-DCF:diskConfig': {'type': 'string', 'enum': ['AUTO', 'MANUAL']},
        'accessIPv4': types.accessIPv4,
        'accessIPv6': types.accessIPv6,
    },
    'additionalProperties': False,
}

update_v21 = {
    'type': 'object',
    'properties': {'server': _server_update_v21},
    'required': ['server'],
    'additionalProperties': False,
}

_server_update_v219 = copy.deepcopy(_server_update_v21)
_server_update_v219['properties']['description'] = types.description
update_v219 = copy.deepcopy(update_v21)
update_v219['properties']['server'] = _server_update_v219

update_v290 = copy.deepcopy(update_v219)
update_v290['properties']['server']['properties'][
    'hostname'] = types.hostname
update_v294 = copy.deepcopy(update_v219)
update_v294['properties']['server']['properties']['hostname'] = types.fqdn

# 2.104: pin the server to its zone, or unpin it (null).
update_v2104 = copy.deepcopy(update_v294)
update_v2104['properties']['server']['properties'][
    'pinned_availability_zone'] = {'oneOf': [
        {'type': 'string', 'minLength': 1, 'maxLength': 255},
        {'type': 'null'}]}

# Sort keys Nova accepts, and the legacy ones it silently ignores (< 2.75).
VALID_SORT_KEYS = [
    'access_ip_v4', 'access_ip_v6', 'auto_disk_config', 'availability_zone',
    'config_drive', 'created_at', 'display_description', 'display_name',
    'host', 'hostname', 'image_ref', 'instance_type_id', 'kernel_id',
    'key_name', 'launch_index', 'launched_at', 'locked_by', 'node',
    'power_state', 'progress', 'project_id', 'ramdisk_id',
    'root_device_name', 'task_state', 'terminated_at', 'updated_at',
    'user_id', 'uuid', 'vm_state']
IGNORED_SORT_KEYS = [
    'architecture', 'cell_name', 'cleaned', 'default_ephemeral_device',
    'default_swap_device', 'deleted', 'deleted_at', 'disable_terminate',
    'ephemeral_gb', 'ephemeral_key_uuid', 'id', 'key_data', 'launched_on',
    'locked', 'memory_mb', 'os_type', 'reservation_id', 'root_gb',
    'shutdown_terminate', 'user_data', 'vcpus', 'vm_mode']

_string = types.multi_params({'type': 'string'})

# Filters on the tables Nova joins: a 400 from the handler, even for
# admins.
JOINED_TABLE_FILTERS = ('block_device_mapping', 'services', 'metadata',
                        'system_metadata', 'info_cache', 'security_groups',
                        'pci_devices')

# Filters Nova matches as regular expressions ('format': 'regex': a
# pattern that does not compile, or an empty one, is a 400 as in Nova).
_regex = types.multi_params({'type': 'string', 'format': 'regex'})

index_query_v21 = {
    'type': 'object',
    'properties': {
        'user_id': _string, 'project_id': _string, 'tenant_id': _string,
        'launch_index': _string, 'image_ref': _string, 'image': _string,
        'kernel_id': _regex, 'ramdisk_id': _regex, 'hostname': _regex,
        'key_name': _regex, 'power_state': _regex, 'vm_state': _string,
        'task_state': _string, 'host': _string, 'node': _regex,
        'flavor': _regex, 'reservation_id': _regex,
        'launched_at': _regex, 'terminated_at': _regex,
        'availability_zone': _regex, 'name': _regex,
        'display_name': _regex, 'description': _regex,
        'display_description': _regex, 'locked_by': _regex,
        'uuid': _string, 'root_device_name': _regex,
        'config_drive': _regex, 'access_ip_v4': _regex,
        'access_ip_v6': _regex, 'auto_disk_config': _regex,
        'progress': _regex, 'sort_key': types.multi_params(
            {'type': 'string',
             'enum': VALID_SORT_KEYS + IGNORED_SORT_KEYS}),
        'sort_dir': types.multi_params({'type': 'string',
                                        'enum': ['asc', 'desc']}),
        'all_tenants': _string,
        'soft_deleted': _string,
        'deleted': _string,
        'status': _string,
        'changes-since': types.multi_params({'type': 'string',
                                             'format': 'date-time'}),
        'ip': _regex, 'ip6': _regex, 'created_at': _regex,
        'limit': types.multi_params(types.non_negative_integer),
        'marker': _string,
    },
    # Unknown parameters are ignored below 2.75.
    'additionalProperties': True,
}

index_query_v226 = copy.deepcopy(index_query_v21)
index_query_v226['properties'].update({
    'tags': _regex, 'tags-any': _regex, 'not-tags': _regex,
    'not-tags-any': _regex,
})

index_query_v266 = copy.deepcopy(index_query_v226)
index_query_v266['properties']['changes-before'] = types.multi_params(
    {'type': 'string', 'format': 'date-time'})

# 2.73: the locked filter (and sort key: no longer ignored).
index_query_v273 = copy.deepcopy(index_query_v266)
index_query_v273['properties']['locked'] = _string

# 2.75: strict. Any other parameter is a 400, and so is a sort key that
# was ignored; the joined-table names and those starting with "_" still
# pass the schema for the handler's own 400.
index_query_v275 = copy.deepcopy(index_query_v273)
index_query_v275['properties']['sort_key'] = types.multi_params(
    {'type': 'string', 'enum': ['locked'] + VALID_SORT_KEYS})
index_query_v275['properties'].update(
    {name: _string for name in JOINED_TABLE_FILTERS})
index_query_v275['patternProperties'] = {'^_': _string}
index_query_v275['additionalProperties'] = False

# --- actions

# 2.73: a lock may say why (below it, any value is taken).
lock_v273 = {
    'type': 'object',
    'properties': {
        'lock': {
            'type': ['object', 'null'],
            'properties': {
                'locked_reason': {'type': 'string', 'minLength': 1,
                                  'maxLength': 255},
            },
            'additionalProperties': False,
        },
    },
    'required': ['lock'],
    'additionalProperties': False,
}

reboot = {
    'type': 'object',
    'properties': {
        'reboot': {
            'type': 'object',
            'properties': {'type': {'type': 'string', 'enum': [
                'HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']}},
            'required': ['type'],
            'additionalProperties': False,
        },
    },
    'required': ['reboot'],
    'additionalProperties': False,
}

change_password = {
    'type': 'object',
    'properties': {
        'changePassword': {
            'type': 'object',
            'properties': {'adminPass': {'type': 'string'}},
            'required': ['adminPass'],
            'additionalProperties': False,
        },
    },
    'required': ['changePassword'],
    'additionalProperties': False,
}

get_console_output = {
    'type': 'object',
    'properties': {
        'os-getConsoleOutput': {
            'type': 'object',
            'properties': {
                'length': {
                    'type': ['integer', 'string', 'null'],
                    'pattern': '^-?[0-9]+$',
                    # NOTE: -1 means "everything", as in Nova.
                    'minimum': -1,
                },
            },
            'additionalProperties': False,
        },
    },
    'required': ['os-getConsoleOutput'],
    'additionalProperties': False,
}

trigger_crash_dump = {
    'type': 'object',
    'properties': {'trigger_crash_dump': {'type': 'null'}},
    'required': ['trigger_crash_dump'],
    'additionalProperties': False,
}

# --- tags (2.26)

update_all_tags = {
    'type': 'object',
    'properties': {
        'tags': {'type': 'array', 'items': types.tag,
                 'maxItems': compute_api.MAX_TAGS},
    },
    'required': ['tags'],
    'additionalProperties': False,
}
