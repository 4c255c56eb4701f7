from oslo_utils import strutils

from novalite.api import common
from novalite.api import links

_STATUS = {'active': 'ACTIVE', 'queued': 'SAVING', 'saving': 'SAVING',
           'deleted': 'DELETED', 'pending_delete': 'DELETED',
           'killed': 'ERROR'}
_PROGRESS = {'queued': 25, 'saving': 50, 'active': 100}


def _links(req, image_id):
    # No Glance: the alternate link points at this API's image.
    return links.resource_links(req, 'images', image_id) + [
        {'rel': 'alternate', 'type': 'application/vnd.openstack.image',
         'href': '%s/images/%s' % (req.application_url, image_id)}]


def basic(req, image):
    return {'id': image['id'], 'name': image['name'],
            'links': _links(req, image['id'])}


def detail(req, image):
    metadata = image['properties'] or {}
    view = {
        'id': image['id'],
        'name': image['name'],
        'minRam': int(image['min_ram'] or 0),
        'minDisk': int(image['min_disk'] or 0),
        'metadata': metadata,
        'created': common.isotime(image['created_at']),
        # Glance sets updated_at on creation too.
        'updated': common.isotime(image['updated_at'] or
                                  image['created_at']),
        'status': _STATUS.get(image['status'], 'UNKNOWN'),
        'progress': _PROGRESS.get(image['status'], 0),
        'OS-EXT-IMG-SIZE:size': image['size'],
        'links': _links(req, image['id']),
    }
    server_id = metadata.get('instance_uuid')
    if server_id is not None:
        view['server'] = {'id': server_id,
                          'links': links.resource_links(req, 'servers',
                                                        server_id)}
    if metadata.get('auto_disk_config') is not None:
        auto = strutils.bool_from_string(metadata['auto_disk_config'])
        view['OS-DCF:diskConfig'] = 'AUTO' if auto else 'MANUAL'
    return view
