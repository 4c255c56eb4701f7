"""Images of novalite's local catalogue, as the API reads them (Nova reads
Glance through ``nova/image/glance.py``), and the snapshots servers write
into it.

Who sees an image is Glance's rule, on the ``owner`` and ``visibility``
columns: ``public`` and ``community`` images are seen (and booted) by
everyone, ``private`` and ``shared`` ones by their owner's project only
(novalite has no image members). Images registered with
``novalite-manage`` are public and have no owner. A snapshot (createImage,
shelve) is private to its server's project, as Glance makes Nova's
snapshots; its ``owner_id`` property names that project too (Nova's
libvirt driver sets it).

Users add images through the Image API v2 subset (api/controllers/
image_v2.py): create a record (``queued``), upload its data once
(``saving``, then ``active``), delete it. The data's format is checked
against the declared ``disk_format`` before the image becomes active, as
Glance's format inspection does.

Image files live in ``[image_store] path``, which every compute host must
see at the same path, read-write (a local directory for a single host, a
shared mount otherwise): an agent writes a snapshot's file there and any
agent boots from it. Resizes and cold migrations pass a server's disks
from one agent to another through the same store (see ``transfer_dir``).
"""

import hashlib
import json
import os
import shutil
import subprocess

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


# Glance's choices.
DISK_FORMATS = ('ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2',
                'vdi', 'iso', 'ploop')
CONTAINER_FORMATS = ('ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker',
                     'compressed')
VISIBILITIES = ('public', 'community', 'shared', 'private')
# The formats qemu-img tells apart; others (kernels, ramdisks, ISOs ...)
# are stored as given.
INSPECTED_FORMATS = ('qcow2', 'raw', 'vmdk', 'vdi', 'vhdx')
# The digest of os_hash_value (Glance's default hashing_algorithm).
HASH_ALGO = 'sha512'


def visible(context, image):
    """Whether the caller may see and boot ``image``."""
    return (context.is_admin
            or image.get('visibility') in ('public', 'community')
            or image.get('owner') == context.project_id)


def get(context, image_id):
    """An image the caller may see; ImageNotFound otherwise."""
    image = db.image_get(context, image_id)
    if not visible(context, image):
        raise exception.ImageNotFound(image_id=image_id)
    return image


def get_all(context, filters=None, limit=None, marker=None,
            sort_key='created_at', sort_dir='desc'):
    """What an image list shows the caller (an admin: every image)."""
    return db.image_get_all(
        context, filters=filters, limit=limit, marker=marker,
        sort_key=sort_key, sort_dir=sort_dir,
        visible_to=None if context.is_admin else context.project_id)


def create(context, values, properties, owner):
    """A new image record of ``owner``, ``queued`` until its data is
    uploaded. ``values`` are the Image API's own attributes (validated),
    ``properties`` the additional ones."""
    values = dict(values)
    image_id = values.pop('id', None) or uuidutils.generate_uuid()
    values.setdefault('visibility', 'shared')
    values.setdefault('disk_format', None)
    values.setdefault('container_format', None)
    return db.image_create(context, dict(
        values, id=image_id, status='queued', size=None, owner=owner,
        location=location(image_id), properties=properties))


class _Digests:
    """The size and Glance's two digests of data written in chunks."""

    def __init__(self):
        self.size = 0
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.hash = hashlib.new(HASH_ALGO)

    def update(self, chunk):
        self.size += len(chunk)
        self.md5.update(chunk)
        self.hash.update(chunk)

    def values(self):
        return {'size': self.size, 'checksum': self.md5.hexdigest(),
                'os_hash_algo': HASH_ALGO,
                'os_hash_value': self.hash.hexdigest()}


def write_file(chunks, target, size_cap=None):
    """Write ``chunks`` (an iterable of bytes) to ``target`` through
    ``target.part``; the values an image record keeps of it (size and
    digests). ImageSizeLimitExceeded past ``size_cap`` bytes, nothing
    left behind."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    digests = _Digests()
    partial = target + '.part'
    try:
        with open(partial, 'wb') as f:
            for chunk in chunks:
                digests.update(chunk)
                if size_cap is not None and digests.size > size_cap:
                    raise exception.ImageSizeLimitExceeded()
                f.write(chunk)
        os.rename(partial, target)
    except BaseException:
        remove_file(partial)
        raise
    return digests.values()


def file_values(path):
    """What an image record keeps of a finished file (size, digests)."""
    with open(path, 'rb') as f:
        digests = _Digests()
        for chunk in iter(lambda: f.read(1 << 20), b''):
            digests.update(chunk)
    return digests.values()


def inspect_format(path):
    """The format qemu-img finds in ``path``.

    ImageFormatUnknown when qemu-img is missing or cannot read it.
    """
    try:
        result = subprocess.run(
            ['qemu-img', 'info', '--output=json', path],
            capture_output=True, text=True, check=True)
    except FileNotFoundError:
        raise exception.ImageFormatUnknown(
            reason='qemu-img is not installed (Debian package qemu-utils)')
    except subprocess.CalledProcessError as e:
        raise exception.ImageFormatUnknown(
            reason=(e.stderr.strip().splitlines() or ['?'])[-1])
    return json.loads(result.stdout).get('format')


def check_format(path, disk_format):
    """ImageFormatMismatch unless the data is what ``disk_format`` says.

    NOTE: qemu would otherwise fail only at boot, or boot a qcow2 file as
    a raw disk: the guest would see the host's file as its disk.
    """
    if disk_format not in INSPECTED_FORMATS:
        return
    actual = inspect_format(path)
    if actual != disk_format:
        raise exception.ImageFormatMismatch(actual=actual,
                                            declared=disk_format)


def upload(context, image, chunks):
    """Store an image's data, once: queued -> saving -> active.

    A second upload, or one while another runs, is ImageNotQueued. A
    failed upload (too large, not the declared format, a broken stream)
    leaves the image queued again with no file, as Glance does.
    """
    db.image_update(context, image['id'], {'status': 'saving'},
                    expected_status='queued')
    target = image['location']
    try:
        values = write_file(chunks, target,
                            size_cap=CONF.image_store.image_size_cap)
        check_format(target, image['disk_format'])
    except BaseException:
        remove_file(target)
        db.image_update(context, image['id'], {'status': 'queued'},
                        expected_status='saving')
        raise
    return db.image_update(context, image['id'],
                           dict(values, status='active'),
                           expected_status='saving')


def user_delete(context, image):
    """The Image API's delete: refused while ``protected``."""
    if image['protected']:
        raise exception.ImageProtected(image_id=image['id'])
    destroyed = db.image_destroy(context, image['id'])
    remove_file(destroyed['location'])
    remove_file(destroyed['location'] + '.part')


def location(image_id):
    """The file of an image written by novalite (a snapshot)."""
    return os.path.join(CONF.image_store.path, image_id)


def transfer_dir(migration_uuid):
    """The directory a resize or cold migration passes disks through."""
    return os.path.join(CONF.image_store.path, TRANSFER_DIR, migration_uuid)


# The image properties Nova shows in a server's ``image`` from 2.98: the
# fields of its ImageMetaProps and their legacy names (Nova 34).
SHOWN_PROPERTIES = frozenset("""
    hw_architecture hw_emulation_architecture hw_auto_disk_config
    hw_boot_menu hw_cdrom_bus hw_cpu_cores hw_cpu_sockets hw_cpu_max_cores
    hw_cpu_max_sockets hw_cpu_max_threads hw_cpu_policy hw_cpu_thread_policy
    hw_cpu_realtime_mask hw_cpu_threads hw_device_id hw_disk_bus
    hw_disk_type hw_floppy_bus hw_firmware_type hw_firmware_stateless
    hw_input_bus hw_ipxe_boot hw_locked_memory hw_machine_type
    hw_mem_encryption hw_mem_encryption_model hw_mem_page_size
    hw_numa_nodes hw_numa_cpus hw_numa_mem hw_pci_numa_affinity_policy
    hw_pointer_model hw_pmu hw_qemu_guest_agent hw_rescue_bus
    hw_rescue_device hw_rng_model hw_time_hpet hw_serial_port_count
    hw_scsi_model hw_video_model hw_video_ram hw_vif_model hw_viommu_model
    hw_vm_mode hw_watchdog_action hw_vif_multiqueue_enabled hw_tpm_model
    hw_tpm_version hw_ephemeral_encryption hw_ephemeral_encryption_format
    hw_ephemeral_encryption_secret_uuid hw_virtio_packed_ring
    hw_maxphysaddr_mode hw_maxphysaddr_bits hw_sound_model hw_usb_model
    hw_redirected_usb_ports img_bittorrent img_bdm_v2
    img_cache_in_nova img_compression_level
    img_hv_requested_version img_hv_type img_config_drive img_linked_clone
    img_owner_id img_root_device_name img_use_agent img_version
    img_signature img_signature_hash_method img_signature_certificate_uuid
    img_signature_key_type img_hide_hypervisor_id os_admin_user
    os_command_line os_distro os_require_quiesce os_secure_boot
    os_skip_agent_inject_files_at_boot os_skip_agent_inject_ssh os_type
    traits_required
    architecture owner_id vmware_disktype vmware_image_version
    vmware_ostype auto_disk_config ipxe_boot xenapi_device_id
    xenapi_image_compression_level vmware_linked_clone xenapi_use_agent
    xenapi_skip_agent_inject_ssh xenapi_skip_agent_inject_files_at_boot
    cache_in_nova vm_mode bittorrent bdm_v2 root_device_name
    hypervisor_version_requires hypervisor_type
""".split())


def server_properties(image):
    """JSON of the properties of ``image`` a server built from it shows
    from 2.98: those Nova knows (``SHOWN_PROPERTIES``; not the block
    device mappings, which Nova never keeps), as text of at most 255
    bytes, as Nova's ``image_*`` system metadata holds them."""
    kept = {}
    for key, value in (image.get('properties') or {}).items():
        if key in SHOWN_PROPERTIES and value is not None:
            kept[key] = str(value).encode()[:255].decode(errors='ignore')
    return json.dumps(kept, sort_keys=True)


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
        # Nova names the server's project when an admin of another
        # project takes the snapshot (which that project then owns).
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
        'owner': instance['project_id'], 'visibility': 'private',
        'location': location(image_id),
        'properties': snapshot_properties(context, instance, base,
                                          image_type, extra_properties)})


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
