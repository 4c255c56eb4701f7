"""``novalite-manage``: database, images, flavors and services.

    novalite-manage db sync
    novalite-manage db version
    novalite-manage image create --name NAME --file PATH
                                 [--disk-format qcow2|raw] [--id UUID]
    novalite-manage image list
    novalite-manage flavor create --name NAME --ram MB --vcpus N --disk GB
                                  [--id ID] [--ephemeral GB] [--swap MB]
                                  [--private]
    novalite-manage flavor list
    novalite-manage service list
"""

import hashlib
import os
import sys

from oslo_config import cfg
from oslo_utils import uuidutils

from novalite import config
from novalite import context as nl_context
from novalite.db import api as db
from novalite.db import migration
from novalite import exception
from novalite import servicegroup

CONF = cfg.CONF


def _db_sync(args):
    migration.db_sync()
    print('Database at revision %s' % migration.db_version())


def _db_version(args):
    print(migration.db_version())


def _image_create(args):
    if not os.path.isfile(args.file):
        raise SystemExit('No such file: %s' % args.file)
    image_id = args.id or uuidutils.generate_uuid()
    os.makedirs(CONF.image_store.path, exist_ok=True)
    location = os.path.join(CONF.image_store.path, image_id)
    digest = hashlib.sha256()
    with open(args.file, 'rb') as source, open(location + '.part',
                                               'wb') as target:
        for chunk in iter(lambda: source.read(1 << 20), b''):
            digest.update(chunk)
            target.write(chunk)
    ctxt = nl_context.get_admin_context()
    try:
        db.image_create(ctxt, {
            'id': image_id, 'name': args.display_name, 'status': 'active',
            'disk_format': args.disk_format, 'container_format': 'bare',
            'size': os.path.getsize(location + '.part'),
            'checksum': digest.hexdigest(), 'min_disk': args.min_disk,
            'min_ram': args.min_ram, 'location': location,
        })
    except exception.NovaliteException as e:
        os.unlink(location + '.part')
        raise SystemExit(e.message)
    os.rename(location + '.part', location)
    print(image_id)


def _image_list(args):
    for image in db.image_get_all(nl_context.get_admin_context()):
        print('%s  %-10s %-6s %s' % (image['id'], image['disk_format'],
                                     image['status'], image['name']))


def _flavor_create(args):
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
                        choices=['qcow2', 'raw'])
    create.add_argument('--id')
    create.add_argument('--min-disk', type=int, default=0)
    create.add_argument('--min-ram', type=int, default=0)
    create.set_defaults(func=_image_create)
    image.add_parser('list').set_defaults(func=_image_list)

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

    service = subparsers.add_parser('service').add_subparsers(dest='action')
    service.required = True
    service.add_parser('list').set_defaults(func=_service_list)


CONF.register_cli_opt(cfg.SubCommandOpt('category', title='Commands',
                                        handler=_add_commands))


def main(argv=None):
    config.parse_args(argv or sys.argv)
    db.configure()
    CONF.category.func(CONF.category)
