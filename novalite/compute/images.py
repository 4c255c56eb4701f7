"""Images of novalite's local catalogue, as the API reads them (Nova reads
Glance through ``nova/image/glance.py``), and the snapshots servers write
into it.

Images registered with ``novalite-manage`` are public. A snapshot
(createImage, shelve) is private to its server's project, as Glance makes
Nova's snapshots: its ``owner_id`` property names the project (Nova's
libvirt driver sets the same property), and ``instance_owner`` the
server's project when an admin of another project took it. Other projects
neither see nor boot it.

Image files live in ``[image_store] path``, which every compute host must
see at the same path, read-write (a local directory for a single host, a
shared mount otherwise): an agent writes a snapshot's file there and any
agent boots from it. Resizes and cold migrations pass a server's disks
from one agent to another through the same store (see ``transfer_dir``).
"""

import hashlib
import os
import shutil

from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import uuidutils

from novalite.db import api as db
from novalite import exception

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

# Properties a snapshot does not inherit from its server's image (Nova's
# NON_INHERITABLE_IMAGE_PROPERTIES and namespaces; novalite-manage's mark
# of the tiny image it built, which names that image only).
NON_INHERITABLE = frozenset([
    'cinder_encryption_key_id', 'cinder_encryption_key_deletion_policy',
    'img_signature', 'img_signature_hash_method', 'img_signature_key_type',
    'img_signature_certificate_uuid', 'novalite_tiny_build'])
NON_INHERITABLE_NAMESPACES = ('os_glance',)

# Where resizes and migrations pass disks between agents.
TRANSFER_DIR = '_transfers'


def visible(context, image):
    """Whether the caller may see and boot ``image``."""
    properties = image.get('properties') or {}
    owner = properties.get('owner_id')
    return (context.is_admin or owner is None
            or context.project_id in (owner,
                                      properties.get('instance_owner')))


def get(context, image_id):
    """An image the caller may see; ImageNotFound otherwise."""
    image = db.image_get(context, image_id)
    if not visible(context, image):
        raise exception.ImageNotFound(image_id=image_id)
    return image


def get_all(context, limit=None, marker=None):
    return db.image_get_all(
        context, limit=limit, marker=marker,
        visible_to=None if context.is_admin else context.project_id)


def location(image_id):
    """The file of an image written by novalite (a snapshot)."""
    return os.path.join(CONF.image_store.path, image_id)


def transfer_dir(migration_uuid):
    """The directory a resize or cold migration passes disks through."""
    return os.path.join(CONF.image_store.path, TRANSFER_DIR, migration_uuid)


def snapshot_properties(context, instance, base_image, image_type,
                        extra_properties=None):
    """The properties of a snapshot of ``instance``, as Nova's
    ``compute_utils.create_image`` and its libvirt driver give them: the
    server's image's own (what booting it needs: kernel_id, ramdisk_id,
    os_command_line ...), less the non-inheritable ones, then
    ``base_image_ref``, ``image_type``, ``instance_uuid``, ``user_id``,
    ``owner_id`` (the server's project), ``image_location``,
    ``image_state``, and last the request's ``extra_properties``.
    """
    properties = dict((base_image or {}).get('properties') or {})
    for key in list(properties):
        if key in NON_INHERITABLE or key.startswith(
                NON_INHERITABLE_NAMESPACES):
            del properties[key]
    properties.update({
        'base_image_ref': instance['image_ref'],
        'image_type': image_type,
        'instance_uuid': instance['uuid'],
        'user_id': str(context.user_id),
        'owner_id': instance['project_id'],
        'image_location': 'snapshot',
        'image_state': 'available',
    })
    if context.project_id != instance['project_id']:
        # Nova makes it "shared" with the server's project.
        properties['instance_owner'] = instance['project_id']
    properties.update(extra_properties or {})
    return properties


def create_snapshot(context, instance, name, image_type='snapshot',
                    extra_properties=None):
    """The record of a snapshot of ``instance`` to come: ``queued``, no
    file yet (the agent writes it). ``min_disk`` is the larger of the
    server's image's and its flavor's disk, ``min_ram`` its image's, as
    in Nova."""
    try:
        base = db.image_get(context, instance['image_ref'])
    except exception.ImageNotFound:
        base = None  # deleted since: the snapshot keeps what it knows
    image_id = uuidutils.generate_uuid()
    return db.image_create(context, {
        'id': image_id, 'name': name, 'status': 'queued',
        'disk_format': 'qcow2', 'container_format': 'bare', 'size': None,
        'min_disk': max(int((base or {}).get('min_disk') or 0),
                        int(instance['root_gb'] or 0)),
        'min_ram': int((base or {}).get('min_ram') or 0),
        'location': location(image_id),
        'properties': snapshot_properties(context, instance, base,
                                          image_type, extra_properties)})


def checksum(path):
    """sha256 of a file, as novalite-manage records it."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


def delete(context, image_id):
    """Remove an image novalite wrote, record and file; a missing one is
    fine. Errors are logged: a leftover image is no reason to fail the
    operation that drops it."""
    try:
        image = db.image_destroy(context, image_id)
    except exception.ImageNotFound:
        return
    except exception.NovaliteException as e:
        LOG.warning('Could not delete image %s: %s', image_id, e.message)
        return
    remove_file(image['location'])


def remove_file(path):
    try:
        if os.path.isdir(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as e:
        LOG.warning('Could not remove %s: %s', path, e)
