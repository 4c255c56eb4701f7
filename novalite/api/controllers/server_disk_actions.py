"""The server actions that change a server's disk or its host, as Nova's
(``nova/api/openstack/compute/servers.py``, ``create_backup.py``,
``shelve.py``, ``migrate_server.py``): createImage, createBackup,
rebuild, resize, confirmResize, revertResize, migrate, shelve,
shelveOffload and unshelve.

Each handler authorises against the loaded server, hands over to
``compute.api`` (state checks, quota, claims, casts) and renders.
"""

import json

import netaddr
from oslo_config import cfg
from oslo_utils import strutils

from novalite.api import actions
from novalite.api.controllers import base
from novalite.api import links
from novalite.api.schemas import server_disk_actions as schema
from novalite.api import validation
from novalite.api.views import servers as views
from novalite.api import wsgi
from novalite.compute import api as compute

CONF = cfg.CONF

SERVERS = 'os_compute_api:servers:%s'
SHELVE = 'os_compute_api:os-shelve:%s'
MIGRATE = 'os_compute_api:os-migrate-server:%s'
CREATE_BACKUP = 'os_compute_api:os-create-backup'


@actions.action('createImage', schema.create_image)
def _create_image(req, instance, body):
    """202 with the new image's URL in ``Location`` (below 2.45), its
    ``{"image_id"}`` (from 2.45)."""
    base.authorize(req, SERVERS % 'create_image', instance)
    image = base.compute_api.create_image(
        req.context, instance, body['name'].strip(),
        metadata=body.get('metadata') or {},
        check_metadata_quota=not req.is_version('2.39'))
    if req.is_version('2.45'):
        return wsgi.response({'image_id': image['id']}, status=202)
    location = links.resource_links(req, 'images', image['id'])[0]['href']
    return wsgi.response(None, status=202, headers={'Location': location})


@actions.action('createBackup', schema.create_backup)
def _create_backup(req, instance, body):
    """202 with the new image's URL in ``Location`` (below 2.45; none
    with ``rotation`` 0: the rotation deletes that image too, Nova), its
    ``{"image_id"}`` (from 2.45, whatever the rotation)."""
    base.authorize(req, CREATE_BACKUP, instance)
    rotation = int(body['rotation'])
    image = base.compute_api.backup(
        req.context, instance, body['name'].strip(), body['backup_type'],
        rotation, metadata=body.get('metadata') or {},
        check_metadata_quota=not req.is_version('2.39'))
    if req.is_version('2.45'):
        return wsgi.response({'image_id': image['id']}, status=202)
    headers = {}
    if rotation > 0:
        headers['Location'] = links.resource_links(
            req, 'images', image['id'])[0]['href']
    return wsgi.response(None, status=202, headers=headers)


def _canonical_ipv6(address):
    return str(netaddr.IPAddress(address, 6)) if address else address


@actions.action('rebuild')
@validation.schema(schema.rebuild, '2.1', '2.18')
@validation.schema(schema.rebuild_v219, '2.19', '2.53')
@validation.schema(schema.rebuild_v254, '2.54', '2.56')
@validation.schema(schema.rebuild_v257, '2.57', '2.62')
@validation.schema(schema.rebuild_v263, '2.63', '2.89')
@validation.schema(schema.rebuild_v290, '2.90', '2.93')
@validation.schema(schema.rebuild_v294, '2.94')
def _rebuild(req, instance, body):
    """202 with the server (status REBUILD) and its new ``adminPass``
    (and from 2.57 its ``user_data``)."""
    base.authorize(req, SERVERS % 'rebuild', instance)
    values = {}
    for key, column in (('name', 'display_name'),
                        ('description', 'display_description'),
                        ('accessIPv4', 'access_ip_v4')):
        if key in body:
            values[column] = (body[key].strip() if key == 'name'
                              else body[key])
    if 'accessIPv6' in body:
        values['access_ip_v6'] = _canonical_ipv6(body['accessIPv6'])
    if 'OS-DCF:diskConfig' in body:
        values['auto_disk_config'] = body['OS-DCF:diskConfig'] == 'AUTO'
    if req.is_version('2.54') and 'key_name' in body:
        # The caller's key pair (not the owner's), as Nova; null: none.
        values['key_name'] = body['key_name']
    if req.is_version('2.57') and 'user_data' in body:
        values['user_data'] = body['user_data']
    if req.is_version('2.90') and 'hostname' in body:
        values['hostname'] = body['hostname']
    if req.is_version('2.63') and 'trusted_image_certificates' in body:
        # NOTE: even null (which unsets them) asks the policy, as Nova.
        base.authorize(req, SERVERS % 'rebuild:trusted_certs', instance)
        certs = body['trusted_image_certificates']
        values['trusted_certs'] = json.dumps(certs) if certs else None
    password = body.get('adminPass') or compute.generate_password()
    base.compute_api.rebuild(
        req.context, instance, body['imageRef'], password, values=values,
        metadata=body.get('metadata'),
        injected_files=[(f['path'], f['contents'])
                        for f in body.get('personality') or ()],
        preserve_ephemeral=strutils.bool_from_string(
            body.get('preserve_ephemeral', False)))
    rebuilt = base.compute_api.get(req.context, instance['uuid'])
    view = views.Builder(req).rebuild_view(rebuilt)
    if req.is_version('2.57'):
        view['user_data'] = rebuilt['user_data']
    if CONF.api.enable_instance_password:
        view['adminPass'] = password
    return wsgi.response({'server': view}, status=202,
                         headers={'Location': view['links'][0]['href']})


@actions.action('resize', schema.resize)
def _resize(req, instance, body):
    base.authorize(req, SERVERS % 'resize', instance)
    disk_config = body.get('OS-DCF:diskConfig')
    base.compute_api.resize(
        req.context, instance, str(body['flavorRef']),
        auto_disk_config=(None if disk_config is None
                          else disk_config == 'AUTO'))


@actions.action('confirmResize', schema.confirm_resize)
def _confirm_resize(req, instance, body):
    """204, as Nova."""
    base.authorize(req, SERVERS % 'confirm_resize', instance)
    base.compute_api.confirm_resize(req.context, instance)
    return wsgi.response(None, status=204)


@actions.action('revertResize', schema.revert_resize)
def _revert_resize(req, instance, body):
    base.authorize(req, SERVERS % 'revert_resize', instance)
    base.compute_api.revert_resize(req.context, instance)


# NOTE: no schema below 2.56 (Nova's): any {"migrate": ...} is a cold
# migration to a host the scheduler picks. From 2.56 a host may be named.
@actions.action('migrate')
@validation.schema(None, '2.1', '2.55')
@validation.schema(schema.migrate_v256, '2.56')
def _migrate(req, instance, body):
    host_name = (body or {}).get('host') if req.is_version('2.56') else None
    base.authorize(req, MIGRATE % ('migrate:host' if host_name
                                   else 'migrate'), instance)
    base.compute_api.resize(req.context, instance, host_name=host_name)


@actions.action('shelve', schema.shelve)
def _shelve(req, instance, body):
    base.authorize(req, SHELVE % 'shelve', instance)
    base.compute_api.shelve(req.context, instance)


@actions.action('shelveOffload', schema.shelve_offload)
def _shelve_offload(req, instance, body):
    base.authorize(req, SHELVE % 'shelve_offload', instance)
    base.compute_api.shelve_offload(req.context, instance)


@actions.action('unshelve')
@validation.schema(schema.unshelve, '2.1', '2.76')
@validation.schema(schema.unshelve_v277, '2.77', '2.90')
@validation.schema(schema.unshelve_v291, '2.91')
def _unshelve(req, instance, body):
    base.authorize(req, SHELVE % 'unshelve', instance)
    args = {}
    if body and req.is_version('2.77') and 'availability_zone' in body:
        args['new_az'] = body['availability_zone']
    if body and req.is_version('2.91'):
        args['host'] = body.get('host')
    base.compute_api.unshelve(req.context, instance, **args)
