"""``/image/v2``: the Image API subset over the image catalogue, with real
files in the image store and qemu-img's format inspection."""

import datetime
import hashlib
import os
import subprocess

import fixtures

from novalite.db import api as db
from novalite.tests import base

V2 = '/image/v2/images'


def _qcow2(test, size='1M'):
    path = os.path.join(test.get_temp_file() + '.d')
    os.makedirs(path)
    path = os.path.join(path, 'disk.qcow2')
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', path, size],
                   check=True)
    with open(path, 'rb') as f:
        return f.read()


class ImageV2TestCase(base.APITestCase):

    USE_AGENT = False

    def setUp(self):
        super().setUp()
        self.flags(path=self.useFixture(fixtures.TempDir()).path,
                   group='image_store')
        self.other = self.api.as_user('other')

    def upload(self, image_id, data, api=None,
               content_type='application/octet-stream'):
        api = api or self.api
        return self.app.put(
            '%s/%s/file' % (V2, image_id), params=data,
            headers=api.headers({'Content-Type': content_type}),
            expect_errors=True)

    def new_image(self, api=None, **body):
        body = dict({'name': 'mine', 'disk_format': 'qcow2',
                     'container_format': 'bare'}, **body)
        return (api or self.api).post(V2, body, status=201).json

    def test_versions_document(self):
        resp = self.app.get('/image', expect_errors=True)
        self.assertEqual(300, resp.status_int)
        self.assertEqual({'versions': [{
            'id': 'v2.0', 'status': 'CURRENT',
            'links': [{'rel': 'self',
                       'href': 'http://localhost/image/v2/'}]}]},
            resp.json)
        # The rest of the Image API needs a token.
        self.assertEqual(401, self.app.get(V2, expect_errors=True).status_int)

    def test_create_upload_show_download_list_delete(self):
        resp = self.api.post(V2, {'name': 'mine', 'disk_format': 'qcow2',
                                  'container_format': 'bare',
                                  'os_distro': 'tiny', 'min_disk': 1},
                             status=201)
        image = resp.json
        self.assertEqual('http://localhost/image/v2/images/%s' % image['id'],
                         resp.headers['Location'])
        self.assertEqual(
            ('queued', 'shared', 'demo', None, None, False, 'tiny', 1, []),
            (image['status'], image['visibility'], image['owner'],
             image['size'], image['checksum'], image['protected'],
             image['os_distro'], image['min_disk'], image['tags']))
        self.assertEqual('/v2/images/%s/file' % image['id'], image['file'])
        # Nothing to download yet.
        self.assertEqual(204, self.app.get(
            '%s/%s/file' % (V2, image['id']),
            headers=self.api.headers()).status_int)

        data = _qcow2(self)
        resp = self.upload(image['id'], data)
        self.assertEqual(204, resp.status_int, resp.text)
        shown = self.api.get('%s/%s' % (V2, image['id']), status=200).json
        self.assertEqual(
            ('active', len(data), hashlib.md5(data).hexdigest(), 'sha512',
             hashlib.sha512(data).hexdigest()),
            (shown['status'], shown['size'], shown['checksum'],
             shown['os_hash_algo'], shown['os_hash_value']))
        record = db.image_get(self.admin_context, image['id'])
        with open(record['location'], 'rb') as f:
            self.assertEqual(data, f.read())

        resp = self.app.get('%s/%s/file' % (V2, image['id']),
                            headers=self.api.headers())
        self.assertEqual((200, data, shown['checksum'],
                          'application/octet-stream'),
                         (resp.status_int, resp.body,
                          resp.headers['Content-MD5'], resp.content_type))

        # The compute API sees it too, and the name finds it.
        self.assertEqual('mine', self.api.get(
            'images/%s' % image['id'], status=200).json['image']['name'])
        found = self.api.get(V2 + '?name=mine', status=200).json['images']
        self.assertEqual([image['id']], [i['id'] for i in found])
        # Shared (no members): another project neither lists nor sees it.
        self.assertEqual([], self.other.get(
            V2 + '?name=mine', status=200).json['images'])
        self.assertEqual(404, self.other.get(
            '%s/%s' % (V2, image['id'])).status_int)
        self.assertEqual(404, self.other.delete(
            '%s/%s' % (V2, image['id'])).status_int)

        self.api.delete('%s/%s' % (V2, image['id']), status=204)
        self.assertFalse(os.path.exists(record['location']))
        self.assertEqual(404, self.api.get(
            '%s/%s' % (V2, image['id'])).status_int)

    def test_upload_of_the_wrong_format_leaves_the_image_queued(self):
        image = self.new_image(disk_format='qcow2')
        resp = self.upload(image['id'], b'\1' * 4096)
        self.assertEqual(400, resp.status_int)
        self.assertIn('the data is raw, the image says qcow2',
                      resp.json['badRequest']['message'])
        record = db.image_get(self.admin_context, image['id'])
        self.assertEqual(('queued', None), (record['status'],
                                            record['size']))
        self.assertEqual([], os.listdir(os.path.dirname(
            record['location'])))
        # The right data is taken afterwards, once.
        self.assertEqual(204, self.upload(image['id'],
                                          _qcow2(self)).status_int)
        resp = self.upload(image['id'], _qcow2(self))
        self.assertEqual(409, resp.status_int)
        self.assertEqual('Image status transition from active to saving is '
                         'not allowed', resp.json['conflictingRequest'][
                             'message'])

    def test_upload_over_the_size_cap_is_413(self):
        self.flags(image_size_cap=1000, group='image_store')
        image = self.new_image(disk_format='raw')
        resp = self.upload(image['id'], b'\0' * 1001)
        self.assertEqual(413, resp.status_int, resp.text)
        self.assertEqual('queued', db.image_get(
            self.admin_context, image['id'])['status'])
        self.assertEqual(204, self.upload(image['id'],
                                          b'\0' * 1000).status_int)

    def test_upload_needs_formats_and_octet_stream(self):
        image = self.api.post(V2, {'name': 'x'}, status=201).json
        self.assertEqual((None, None), (image['disk_format'],
                                        image['container_format']))
        resp = self.upload(image['id'], b'\0' * 512)
        self.assertEqual(400, resp.status_int)
        self.assertEqual('Properties disk_format, container_format must be '
                         'set prior to saving data.',
                         resp.json['badRequest']['message'])
        image = self.new_image(disk_format='raw')
        self.assertEqual(415, self.upload(
            image['id'], b'{}', content_type='application/json').status_int)

    def test_create_refuses_what_glance_refuses(self):
        for key, value, code, message in (
                ('status', 'active', 403, "Attribute 'status' is read-only."),
                ('size', 5, 403, "Attribute 'size' is read-only."),
                ('location', 'file:///etc/passwd', 403,
                 "Attribute 'location' is reserved."),
                ('visibility', 'public', 403,
                 "Policy doesn't allow publicize_image to be performed."),
                ('owner', 'other', 403,
                 "You are not permitted to create images owned by "
                 "'other'.")):
            resp = self.api.post(V2, {'name': 'x', key: value})
            self.assertEqual(code, resp.status_int, key)
            self.assertEqual(message, list(resp.json.values())[0]['message'])
        for body in ({'disk_format': 'exe'}, {'min_ram': -1},
                     {'custom': 5}, {'tags': ['a']},
                     {'id': 'not-a-uuid'}):
            self.assertEqual(400, self.api.post(V2, body).status_int, body)
        self.assertEqual([], [i for i in db.image_get_all(self.admin_context)
                              if i['id'] != base.IMAGE_ID])

    def test_public_and_community_images(self):
        public = self.new_image(self.admin_api, name='pub',
                                visibility='public')
        community = self.new_image(name='com', visibility='community')
        self.assertEqual('admin', public['owner'])
        listed = [i['name'] for i in self.other.get(V2).json['images']]
        self.assertEqual(['cirros', 'pub'], sorted(listed))
        listed = [i['name'] for i in self.other.get(
            V2 + '?visibility=community').json['images']]
        self.assertEqual(['com'], listed)
        self.assertEqual(200, self.other.get(
            '%s/%s' % (V2, community['id'])).status_int)
        # Seen but not theirs: the owner's member or an admin deletes.
        self.assertEqual(403, self.other.delete(
            '%s/%s' % (V2, community['id'])).status_int)
        self.admin_api.delete('%s/%s' % (V2, community['id']), status=204)

    def test_protected_and_in_use_images_are_not_deleted(self):
        image = self.new_image(protected=True, disk_format='raw')
        resp = self.api.delete('%s/%s' % (V2, image['id']))
        self.assertEqual(403, resp.status_int)
        self.assertEqual('Image %s is protected and cannot be deleted.'
                         % image['id'], resp.json['forbidden']['message'])
        # The seeded public image has no owner: only an admin deletes it,
        # and not while a server boots from it.
        self.assertEqual(403, self.api.delete(
            '%s/%s' % (V2, base.IMAGE_ID)).status_int)
        self.create_server(wait=False)
        self.assertEqual(409, self.admin_api.delete(
            '%s/%s' % (V2, base.IMAGE_ID)).status_int)

    def test_list_pages_sorts_and_filters(self):
        ids = [self.new_image(name='n%d' % i, disk_format='raw',
                              os_distro='d%d' % (i % 2))['id']
               for i in range(3)]
        # A second apart: MySQL's DATETIME keeps whole seconds (ties go by
        # id, as in Glance).
        start = db.utcnow().replace(microsecond=0) - datetime.timedelta(
            hours=1)
        for seconds, image_id in enumerate([base.IMAGE_ID] + ids):
            db.image_update(self.admin_context, image_id, {
                'created_at': start + datetime.timedelta(seconds=seconds)})
        page = self.api.get(V2 + '?limit=2&sort=name:asc', status=200).json
        self.assertEqual(['cirros', 'n0'],
                         [i['name'] for i in page['images']])
        self.assertEqual('/v2/images?limit=2&sort=name%%3Aasc&marker=%s'
                         % page['images'][-1]['id'], page['next'])
        page = self.api.get('/image' + page['next'], status=200).json
        self.assertEqual(['n1', 'n2'], [i['name'] for i in page['images']])
        page = self.api.get('/image' + page['next'], status=200).json
        self.assertEqual(([], None), (page['images'], page.get('next')))
        # Newest first by default; additional properties filter.
        self.assertEqual(ids[::-1] + [base.IMAGE_ID], [
            i['id'] for i in self.api.get(V2).json['images']])
        self.assertEqual([ids[1]], [i['id'] for i in self.api.get(
            V2 + '?os_distro=d1').json['images']])
        self.assertEqual([], self.api.get(V2 + '?tag=x').json['images'])
        self.assertEqual(400, self.api.get(V2 + '?limit=x').status_int)
        self.assertEqual(400, self.api.get(
            V2 + '?visibility=everyone').status_int)
        self.assertEqual(400, self.api.get(V2 + '?marker=nope').status_int)

    def test_operator_filters(self):
        # ``openstack server list`` names its servers' images with one
        # ``id=in:...`` query; Glance's ``eq:``/``in:`` on five columns.
        first = self.new_image(name='a,b')['id']
        second = self.new_image(name='plain')['id']

        def names(query):
            return sorted(i['name'] for i in self.api.get(
                V2 + '?' + query, status=200).json['images'])

        self.assertEqual(['a,b', 'plain'], names(
            'id=in:%s,%s,%s' % (first, second, 'missing')))
        self.assertEqual(['a,b', 'cirros'], names('name=in:"a,b",cirros'))
        self.assertEqual(['plain'], names('name=eq:plain'))
        self.assertEqual([], names('id=in:'))
        self.assertEqual(['a,b', 'cirros', 'plain'], names(
            'disk_format=in:qcow2,raw'))
        for query in ('name=gt:a', 'name=in:a"b', 'name=in:"unclosed'):
            resp = self.api.get(V2 + '?' + query)
            self.assertEqual(400, resp.status_int, query)
            self.assertIn('filter', base.fault_message(resp))

    def test_an_uploaded_image_boots(self):
        image = self.new_image(disk_format='raw')
        self.assertEqual(204, self.upload(image['id'],
                                          b'\0' * 4096).status_int)
        body = {'server': {'name': 's', 'flavorRef': '1',
                           'imageRef': image['id']}}
        self.assertEqual(202, self.api.post('servers', body).status_int)
        # Not another project's.
        self.assertEqual(400, self.other.post('servers', body).status_int)

    def test_tasks_are_an_empty_list(self):
        image = self.new_image()
        self.assertEqual({'tasks': []}, self.api.get(
            '%s/%s/tasks' % (V2, image['id']), status=200).json)
        self.assertEqual(404, self.other.get(
            '%s/%s/tasks' % (V2, image['id'])).status_int)
