"""Config drive: an ISO 9660 image labelled ``config-2`` (cloud-init's
OpenStack data source) holding the server's metadata."""

import base64
import io
import json

import pycdlib

from novalite import exception

VERSION_DIR = 'openstack/latest'


def build_contents(instance, admin_password, injected_files, network_info,
                   devices=None):
    """{path in the drive: bytes}: meta_data.json, user_data, ...

    ``devices``: the tagged devices (Nova's device metadata), if any.
    """
    files = {}
    meta = {
        'uuid': instance['uuid'],
        'name': instance['display_name'],
        'hostname': instance['hostname'],
        'launch_index': instance.get('launch_index') or 0,
        'availability_zone': instance.get('availability_zone') or '',
        'project_id': instance['project_id'],
        'meta': dict(instance.get('metadata') or {}),
        'devices': list(devices or ()),
    }
    if instance.get('key_data'):
        meta['public_keys'] = {instance['key_name']: instance['key_data']}
        meta['keys'] = [{'name': instance['key_name'], 'type': 'ssh',
                         'data': instance['key_data']}]
    if admin_password:
        meta['admin_pass'] = admin_password
    meta['files'] = []
    for index, (path, contents) in enumerate(injected_files or ()):
        content_path = '/content/%04d' % index
        meta['files'].append({'path': path, 'content_path': content_path})
        files['openstack' + content_path] = contents
    files[VERSION_DIR + '/meta_data.json'] = json.dumps(meta).encode()
    files[VERSION_DIR + '/network_data.json'] = json.dumps(
        network_info or {'links': [], 'networks': [], 'services': []}
    ).encode()
    files[VERSION_DIR + '/vendor_data.json'] = b'{}'
    files[VERSION_DIR + '/vendor_data2.json'] = b'{}'
    if instance.get('user_data'):
        files[VERSION_DIR + '/user_data'] = base64.b64decode(
            instance['user_data'])
    return files


def write_iso(path, files):
    """Write ``files`` ({relative path: bytes}) as a config-2 ISO."""
    try:
        iso = pycdlib.PyCdlib()
        iso.new(interchange_level=4, joliet=3, rock_ridge='1.09',
                vol_ident='config-2')
        made = set()
        for rel_path in sorted(files):
            parts = rel_path.split('/')
            for depth in range(1, len(parts)):
                directory = '/'.join(parts[:depth])
                if directory not in made:
                    iso.add_directory(
                        _iso_name(directory, True),
                        rr_name=parts[depth - 1],
                        joliet_path='/' + directory)
                    made.add(directory)
            data = files[rel_path]
            iso.add_fp(io.BytesIO(data), len(data), _iso_name(rel_path),
                       rr_name=parts[-1], joliet_path='/' + rel_path)
        iso.write(path)
        iso.close()
    except (pycdlib.pycdlibexception.PyCdlibException, OSError) as e:
        raise exception.ConfigDriveError(reason=str(e))


def _iso_name(rel_path, directory=False):
    # ISO 9660 names are upper case, digits and underscores; Rock Ridge and
    # Joliet carry the real names that guests see.
    names = []
    for part in rel_path.split('/'):
        name = ''.join(c if c.isalnum() else '_' for c in part.upper())
        names.append(name[:30] or '_')
    path = '/' + '/'.join(names)
    return path if directory else path + ';1'


def read_iso(path):
    """{relative path: bytes} of a config drive (for checks and tests)."""
    iso = pycdlib.PyCdlib()
    iso.open(path)
    found = {}
    try:
        for dirname, _dirs, filenames in iso.walk(rr_path='/'):
            for filename in filenames:
                full = (dirname.rstrip('/') + '/' + filename)
                out = io.BytesIO()
                iso.get_file_from_iso_fp(out, rr_path=full)
                found[full.lstrip('/')] = out.getvalue()
    finally:
        iso.close()
    return found
