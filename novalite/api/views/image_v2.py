"""Images as the Image API v2 shows them (Glance's image entity)."""

import urllib.parse

from novalite.api import common


def image(image):
    view = {
        'id': image['id'],
        'name': image['name'],
        'status': image['status'],
        'visibility': image['visibility'],
        'protected': bool(image['protected']),
        'os_hidden': False,
        'checksum': image['checksum'],
        'os_hash_algo': image['os_hash_algo'],
        'os_hash_value': image['os_hash_value'],
        'owner': image['owner'],
        'size': image['size'],
        'virtual_size': None,
        'min_ram': int(image['min_ram'] or 0),
        'min_disk': int(image['min_disk'] or 0),
        'disk_format': image['disk_format'],
        'container_format': image['container_format'],
        'created_at': common.isotime(image['created_at']),
        # Glance sets updated_at on creation too.
        'updated_at': common.isotime(image['updated_at'] or
                                     image['created_at']),
        'tags': [],
        'self': '/v2/images/%s' % image['id'],
        'file': '/v2/images/%s/file' % image['id'],
        'schema': '/v2/schemas/image',
    }
    # Additional properties sit beside the attributes, as in Glance.
    for key, value in (image['properties'] or {}).items():
        view.setdefault(key, value)
    return view


def index(found, params, limit):
    """The list; ``next`` (the same query from the last image on) when
    the page is full, as Glance gives it."""
    body = {'images': [image(i) for i in found],
            'first': '/v2/images', 'schema': '/v2/schemas/images'}
    if found and len(found) == limit:
        query = [(k, v) for k, v in params if k != 'marker']
        query.append(('marker', found[-1]['id']))
        body['next'] = '/v2/images?' + urllib.parse.urlencode(query)
    return body
