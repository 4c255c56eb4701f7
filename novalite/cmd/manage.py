"""``novalite-manage``: database, images, flavors and services.

    novalite-manage db sync
    novalite-manage db version
    novalite-manage image create --name NAME --file PATH
                                 [--disk-format qcow2|raw] [--id UUID]
    novalite-manage image list
    novalite-manage image delete ID
    novalite-manage image build-tiny [--name NAME] [--cache-dir DIR]
    novalite-manage flavor create --name NAME --ram MB --vcpus N --disk GB
                                  [--id ID] [--ephemeral GB] [--swap MB]
                                  [--private]
    novalite-manage flavor list
    novalite-manage flavor delete ID
    novalite-manage network create --name NAME --cidr CIDR [--project P]
                                   [--id UUID]
    novalite-manage network list
    novalite-manage network delete NAME_OR_ID
    novalite-manage service list
"""

import os
import subprocess
import sys

from oslo_config import cfg
from oslo_utils import uuidutils

from novalite.api.validation import parameter_types
from novalite.compute import images
from novalite import config
from novalite import context as nl_context
from novalite.db import api as db
from novalite.db import migration
from novalite import exception
from novalite import servicegroup
from novalite import tinyimage

CONF = cfg.CONF


def _db_sync(args):
    migration.db_sync()
    print('Database at revision %s' % migration.db_version())


def _db_version(args):
    print(migration.db_version())


def _store_image(ctxt, name, path, disk_format, image_id=None,
                 properties=None, min_disk=0, min_ram=0):
    """Copy ``path`` into the image store and register it (public, no
    owner); its id."""
    image_id = image_id or uuidutils.generate_uuid()
    location = images.location(image_id)
    with open(path, 'rb') as source:
        stored = images.write_file(iter(lambda: source.read(1 << 20), b''),
                                   location)
    try:
        db.image_create(ctxt, dict(
            stored, id=image_id, name=name, status='active',
            disk_format=disk_format, container_format='bare',
            min_disk=min_disk, min_ram=min_ram, location=location,
            visibility='public', properties=properties or {}))
    except exception.NovaliteException as e:
        images.remove_file(location)
        raise SystemExit(e.message)
    return image_id


def _check_image_file(path, disk_format):
    """The file's real format must be the one declared: qemu would
    otherwise fail only at boot (or boot garbage)."""
    if not os.path.isfile(path):
        raise SystemExit('No such file: %s' % path)
    try:
        images.check_format(path, disk_format)
    except exception.ImageFormatUnknown as e:
        raise SystemExit('qemu-img cannot read %s: %s' % (path, e.message))
    except exception.ImageFormatMismatch as e:
        raise SystemExit('%s is a %s image, not %s: give --disk-format %s'
                         % (path, e.kwargs['actual'], disk_format,
                            e.kwargs['actual']))


def _image_create(args):
    _check_image_file(args.file, args.disk_format)
    properties = {}
    for item in args.property or ():
        key, sep, value = item.partition('=')
        if not sep or not key:
            raise SystemExit('--property takes KEY=VALUE, not %r' % item)
        properties[key] = value
    print(_store_image(nl_context.get_admin_context(), args.display_name,
                       args.file, args.disk_format, image_id=args.id,
                       properties=properties, min_disk=args.min_disk,
                       min_ram=args.min_ram))


def _image_build_tiny(args):
    """Build the tiny guest (tinyimage) and register it: a kernel (aki),
    a ramdisk (ari) and a blank qcow2 root disk whose properties boot
    them. Progress goes to stderr, the root image's id to stdout.

    Running it again returns the image already registered for the same
    build.
    """
    def progress(message):
        print(message, file=sys.stderr, flush=True)

    cache_dir = args.cache_dir or os.path.join(CONF.state_path,
                                               'tiny-image')
    try:
        built = tinyimage.build(cache_dir, progress=progress)
    except (OSError, subprocess.CalledProcessError,
            tinyimage.TinyImageError) as e:
        raise SystemExit('Could not build the tiny image: %s' % e)
    build_id = os.path.basename(built['initrd'])
    ctxt = nl_context.get_admin_context()
    for image in db.image_get_all(ctxt):
        if (image['name'] == args.display_name and
                image['properties'].get('novalite_tiny_build') == build_id
                and os.path.exists(image['location'])):
            progress('image %s is registered already' % image['id'])
            print(image['id'])
            return
    kernel_id = _store_image(ctxt, args.display_name + '-kernel',
                             built['kernel'], 'aki')
    ramdisk_id = _store_image(ctxt, args.display_name + '-ramdisk',
                              built['initrd'], 'ari')
    blank = os.path.join(cache_dir, 'blank.qcow2')
    if not os.path.exists(blank):
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2',
                        blank + '.part', '64M'], check=True)
        os.rename(blank + '.part', blank)
    image_id = _store_image(ctxt, args.display_name, blank, 'qcow2',
                            properties={
                                'kernel_id': kernel_id,
                                'ramdisk_id': ramdisk_id,
                                'os_command_line': built['cmdline'],
                                'novalite_tiny_build': build_id})
    progress('registered %s (kernel %s, %s)' % (
        image_id, built['kernel_version'], build_id))
    print(image_id)


def _image_list(args):
    for image in db.image_get_all(nl_context.get_admin_context()):
        print('%s  %-10s %-6s %s' % (image['id'], image['disk_format'],
                                     image['status'], image['name']))


def _flavor_create(args):
    for option, value, low in (('--ram', args.ram, 1),
                               ('--vcpus', args.vcpus, 1),
                               ('--disk', args.disk, 0),
                               ('--ephemeral', args.ephemeral, 0),
                               ('--swap', args.swap, 0)):
        if not low <= value <= parameter_types.MAX_INT:
            raise SystemExit('%s must be an integer from %d to %d, not %d'
                             % (option, low, parameter_types.MAX_INT, value))
    ctxt = nl_context.get_admin_context()
    try:
        flavor = db.flavor_create(ctxt, {
            'flavorid': args.id or uuidutils.generate_uuid(),
            'name': args.display_name, 'memory_mb': args.ram,
            'vcpus': args.vcpus,
            'root_gb': args.disk, 'ephemeral_gb': args.ephemeral,
            'swap': args.swap, 'is_public': not args.private})
    except exception.NovaliteException as e:
        raise SystemExit(e.message)
    print(flavor['flavorid'])


def _flavor_list(args):
    for flavor in db.flavor_get_all(nl_context.get_admin_context()):
        print('%-36s %-16s vcpus=%d ram=%d disk=%d' % (
            flavor['flavorid'], flavor['name'], flavor['vcpus'],
            flavor['memory_mb'], flavor['root_gb']))


def _flavor_delete(args):
    try:
        db.flavor_destroy(nl_context.get_admin_context(), args.flavor)
    except exception.NovaliteException as e:
        raise SystemExit(e.message)


def _image_delete(args):
    try:
        image = db.image_destroy(nl_context.get_admin_context(), args.image)
    except exception.NovaliteException as e:
        raise SystemExit(e.message)
    try:
        os.unlink(image['location'])
    except FileNotFoundError:
        pass


def _network_create(args):
    ctxt = nl_context.get_admin_context()
    try:
        network = db.network_create(ctxt, {
            'name': args.display_name, 'cidr': args.cidr,
            'project_id': args.project or None, 'uuid': args.id})
    except exception.NovaliteException as e:
        raise SystemExit(e.message)
    print(network['uuid'])


def _network_list(args):
    print('%-36s %-16s %-18s %-15s %-15s %s' % (
        'ID', 'Name', 'CIDR', 'Gateway', 'Bridge', 'Project'))
    for network in db.network_get_all(nl_context.get_admin_context()):
        print('%-36s %-16s %-18s %-15s %-15s %s' % (
            network['uuid'], network['name'], network['cidr'],
            network['gateway'], network['bridge'],
            network['project_id'] or '(shared)'))


def _network_delete(args):
    ctxt = nl_context.get_admin_context()
    try:
        try:
            network = db.network_get(ctxt, args.network)
        except exception.NetworkNotFound:
            network = db.network_get_by_name(ctxt, args.network)
        db.network_delete(ctxt, network['uuid'])
    except exception.NovaliteException as e:
        raise SystemExit(e.message)


def _service_list(args):
    print('%-24s %-18s %-8s %-8s %-6s %s' % ('Host', 'Binary', 'Zone',
                                             'Status', 'State',
                                             'Updated At'))
    for service in db.service_get_all(nl_context.get_admin_context()):
        print('%-24s %-18s %-8s %-8s %-6s %s' % (
            service['host'], service['binary'],
            service['availability_zone'],
            'disabled' if service['disabled'] else 'enabled',
            'up' if servicegroup.is_up(service) else 'down',
            service['last_seen_up']))


def _add_commands(subparsers):
    dbp = subparsers.add_parser('db').add_subparsers(dest='action')
    dbp.required = True
    dbp.add_parser('sync').set_defaults(func=_db_sync)
    dbp.add_parser('version').set_defaults(func=_db_version)

    image = subparsers.add_parser('image').add_subparsers(dest='action')
    image.required = True
    create = image.add_parser('create')
    # NOTE: dest must not be "name": oslo.config's sub-command namespace
    # uses that attribute for the command's own name.
    create.add_argument('--name', dest='display_name', required=True)
    create.add_argument('--file', required=True)
    create.add_argument('--disk-format', default='qcow2',
                        choices=['qcow2', 'raw', 'aki', 'ari'])
    create.add_argument('--id')
    create.add_argument('--min-disk', type=int, default=0)
    create.add_argument('--min-ram', type=int, default=0)
    create.add_argument('--property', action='append', metavar='KEY=VALUE',
                        help='an image property, e.g. kernel_id=ID, '
                             'ramdisk_id=ID, os_command_line=...')
    create.set_defaults(func=_image_create)
    image.add_parser('list').set_defaults(func=_image_list)
    delete = image.add_parser('delete')
    delete.add_argument('image', metavar='ID')
    delete.set_defaults(func=_image_delete)
    tiny = image.add_parser('build-tiny')
    tiny.add_argument('--name', dest='display_name', default='tiny')
    tiny.add_argument('--cache-dir',
                      help='where the build is kept (default: '
                           '$state_path/tiny-image)')
    tiny.set_defaults(func=_image_build_tiny)

    flavor = subparsers.add_parser('flavor').add_subparsers(dest='action')
    flavor.required = True
    create = flavor.add_parser('create')
    create.add_argument('--name', dest='display_name', required=True)
    create.add_argument('--ram', type=int, required=True)
    create.add_argument('--vcpus', type=int, required=True)
    create.add_argument('--disk', type=int, required=True)
    create.add_argument('--id')
    create.add_argument('--ephemeral', type=int, default=0)
    create.add_argument('--swap', type=int, default=0)
    create.add_argument('--private', action='store_true')
    create.set_defaults(func=_flavor_create)
    flavor.add_parser('list').set_defaults(func=_flavor_list)
    delete = flavor.add_parser('delete')
    delete.add_argument('flavor', metavar='ID')
    delete.set_defaults(func=_flavor_delete)

    network = subparsers.add_parser('network').add_subparsers(dest='action')
    network.required = True
    create = network.add_parser('create')
    create.add_argument('--name', dest='display_name', required=True)
    create.add_argument('--cidr', required=True,
                        help='IPv4, /16 to /29, e.g. 10.0.0.0/24')
    create.add_argument('--project',
                        help='owning project; shared by all if omitted')
    create.add_argument('--id')
    create.set_defaults(func=_network_create)
    network.add_parser('list').set_defaults(func=_network_list)
    delete = network.add_parser('delete')
    delete.add_argument('network', metavar='NAME_OR_ID')
    delete.set_defaults(func=_network_delete)

    service = subparsers.add_parser('service').add_subparsers(dest='action')
    service.required = True
    service.add_parser('list').set_defaults(func=_service_list)


CATEGORY_OPT = cfg.SubCommandOpt('category', title='Commands',
                                 handler=_add_commands)
CONF.register_cli_opt(CATEGORY_OPT)


def main(argv=None):
    try:
        config.parse_args(argv or sys.argv)
    except cfg.ConfigFilesNotFoundError as e:
        raise SystemExit(str(e))
    except cfg.Error as e:
        raise SystemExit('Bad configuration: %s' % e)
    db.configure()
    CONF.category.func(CONF.category)
