"""Request schemas of the Image API v2 subset (Glance's image schema)."""

from novalite.compute import images

_INT32 = {'type': 'integer', 'minimum': 0, 'maximum': 2 ** 31 - 1}

# Glance's attributes no request may set; reserved ones neither. They
# are in the schema (any value) so that the handler answers Glance's 403
# for them, not a 400 for their type.
READ_ONLY = ('checksum', 'created_at', 'direct_url', 'file', 'locations',
             'os_hash_algo', 'os_hash_value', 'schema', 'self', 'size',
             'status', 'updated_at', 'virtual_size')
RESERVED = ('deleted', 'deleted_at', 'location')
# What an image record keeps in its own columns.
ATTRIBUTES = ('id', 'name', 'visibility', 'protected', 'disk_format',
              'container_format', 'min_ram', 'min_disk')

_create_properties = {
    'id': {'type': 'string', 'format': 'uuid'},
    'name': {'type': ['string', 'null'], 'maxLength': 255},
    'visibility': {'type': 'string', 'enum': list(images.VISIBILITIES)},
    'protected': {'type': 'boolean'},
    'os_hidden': {'type': 'boolean', 'enum': [False]},
    'disk_format': {'enum': list(images.DISK_FORMATS) + [None]},
    'container_format': {'enum': list(images.CONTAINER_FORMATS) + [None]},
    'min_ram': _INT32,
    'min_disk': _INT32,
    # novalite keeps no image tags: an empty list only.
    'tags': {'type': 'array', 'maxItems': 0},
    'owner': {'type': ['string', 'null'], 'maxLength': 255},
}
_create_properties.update({name: {} for name in READ_ONLY + RESERVED})

create = {
    'type': 'object',
    'properties': _create_properties,
    # Additional properties: strings, as Glance stores them.
    'additionalProperties': {'type': 'string', 'maxLength': 65535},
}

_SORT_KEYS = '|'.join(('created_at', 'updated_at', 'name', 'id', 'status',
                       'size', 'disk_format', 'container_format',
                       'min_disk', 'min_ram', 'visibility', 'owner'))

index_query = {
    'type': 'object',
    'properties': {
        'limit': {'type': 'array', 'items': {
            'type': 'string', 'pattern': '^[0-9]{1,9}$'}},
        'marker': {'type': 'array', 'items': {'type': 'string',
                                              'maxLength': 255}},
        'visibility': {'type': 'array', 'items': {
            'enum': list(images.VISIBILITIES) + ['all']}},
        'protected': {'type': 'array', 'items': {
            'enum': ['true', 'false', 'True', 'False']}},
        'os_hidden': {'type': 'array', 'items': {
            'enum': ['true', 'false', 'True', 'False']}},
        'sort_key': {'type': 'array', 'items': {
            'type': 'string', 'pattern': '^(%s)$' % _SORT_KEYS}},
        'sort_dir': {'type': 'array', 'items': {'enum': ['asc', 'desc']}},
        'sort': {'type': 'array', 'items': {
            'type': 'string',
            'pattern': '^(%s)(:(asc|desc))?$' % _SORT_KEYS}},
    },
    # Other parameters filter, as in Glance: the image's own attributes
    # exactly, anything else as an additional property.
    'additionalProperties': {'type': 'array', 'items': {
        'type': 'string', 'maxLength': 65535}},
}
