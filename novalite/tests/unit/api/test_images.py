"""``/images``: Nova's read-only image proxy over the local catalogue."""

import datetime
import urllib.parse

import jsonschema
from tempest.lib.api_schema.response.compute.v2_1 import images as schemas
from tempest.lib.common import jsonschema_validator

from novalite.db import api as db
from novalite.tests import base

IMAGE_ID = base.IMAGE_ID
SERVER_ID = '3c5d3d8b-8d4b-4f4e-9c4a-3d2a1f0e9b7c'


def _links(image_id, project=''):
    return [
        {'rel': 'self',
         'href': 'http://localhost/v2.1%s/images/%s' % (project, image_id)},
        {'rel': 'bookmark',
         'href': 'http://localhost%s/images/%s' % (project, image_id)},
        {'rel': 'alternate', 'type': 'application/vnd.openstack.image',
         'href': 'http://localhost/images/%s' % image_id},
    ]


class ImagesTestCase(base.APITestCase):

    USE_AGENT = False

    def assertSchema(self, schema, resp):
        self.assertIn(resp.status_int, schema['status_code'])
        jsonschema.validate(
            resp.json, schema['response_body'],
            cls=jsonschema_validator.JSONSCHEMA_VALIDATOR,
            format_checker=jsonschema_validator.FORMAT_CHECKER)

    def assertFault(self, resp, code, name, message):
        self.assertEqual(code, resp.status_int, resp.text)
        self.assertEqual({name: {'code': code, 'message': message}},
                         resp.json)

    def add_image(self, image_id, minutes, **kwargs):
        """An image created ``minutes`` after the seeded one."""
        created = self.image['created_at'] + datetime.timedelta(
            minutes=minutes)
        return self.create_image(image_id, name='img-%s' % minutes,
                                 created_at=created, **kwargs)

    def test_list(self):
        resp = self.api.get('images', status=200)
        self.assertSchema(schemas.list_images, resp)
        self.assertEqual({'images': [
            {'id': IMAGE_ID, 'name': 'cirros', 'links': _links(IMAGE_ID)}]},
            resp.json)

    def test_gone_from_2_36(self):
        v236 = self.api.as_user('demo', version='2.36')
        for path in ('images', 'images/detail', 'images/' + base.IMAGE_ID):
            self.api.as_user('demo', version='2.35').get(path, status=200)
            resp = v236.get(path, status=404)
            self.assertEqual('The resource could not be found.',
                             resp.json['itemNotFound']['message'])

    def test_detail_and_show(self):
        created = datetime.datetime(2011, 1, 1, 1, 2, 3, 456789)
        image = self.create_image(
            'a2459075-d96c-40d5-893e-577ff92e721c', name='fedora',
            min_ram=512, min_disk=10, size=25165824, created_at=created,
            updated_at=created + datetime.timedelta(hours=1),
            properties={'architecture': 'x86_64', 'kernel_id': 'nokernel'})
        expected = {
            'id': image['id'], 'name': 'fedora', 'minRam': 512,
            'minDisk': 10,
            'metadata': {'architecture': 'x86_64', 'kernel_id': 'nokernel'},
            'created': '2011-01-01T01:02:03Z',
            'updated': '2011-01-01T02:02:03Z',
            'status': 'ACTIVE', 'progress': 100,
            'OS-EXT-IMG-SIZE:size': 25165824,
            'links': _links(image['id'])}
        resp = self.api.get('images/%s' % image['id'], status=200)
        self.assertSchema(schemas.get_image, resp)
        self.assertEqual({'image': expected}, resp.json)
        resp = self.api.get('images/detail', status=200)
        self.assertSchema(schemas.list_images_details, resp)
        # Newest first.
        self.assertEqual([IMAGE_ID, image['id']],
                         [i['id'] for i in resp.json['images']])
        self.assertEqual(expected, resp.json['images'][1])
        self.assertNotIn('images_links', resp.json)

    def test_seeded_image(self):
        # Never updated: Glance reports the creation time.
        image = self.api.get('images/' + IMAGE_ID).json['image']
        self.assertEqual(image['created'], image['updated'])
        self.assertRegex(image['created'],
                         r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')
        self.assertEqual((0, 0, {}, 0),
                         (image['minRam'], image['minDisk'],
                          image['metadata'], image['OS-EXT-IMG-SIZE:size']))

    def test_status_and_progress(self):
        for n, (status, shown, progress) in enumerate([
                ('queued', 'SAVING', 25), ('saving', 'SAVING', 50),
                ('killed', 'ERROR', 0), ('deleted', 'DELETED', 0),
                ('pending_delete', 'DELETED', 0),
                ('strange', 'UNKNOWN', 0)]):
            image_id = '00000000-0000-0000-0000-00000000000%d' % n
            self.create_image(image_id, status=status)
            resp = self.api.get('images/' + image_id, status=200)
            self.assertSchema(schemas.get_image, resp)
            self.assertEqual((shown, progress),
                             (resp.json['image']['status'],
                              resp.json['image']['progress']))

    def test_snapshot_server_and_disk_config(self):
        image_id = '00000000-0000-0000-0000-000000000001'
        self.create_image(image_id, properties={
            'instance_uuid': SERVER_ID, 'auto_disk_config': 'True'})
        resp = self.api.get('images/' + image_id, status=200)
        self.assertSchema(schemas.get_image, resp)
        image = resp.json['image']
        self.assertEqual({'id': SERVER_ID, 'links': [
            {'rel': 'self',
             'href': 'http://localhost/v2.1/servers/' + SERVER_ID},
            {'rel': 'bookmark',
             'href': 'http://localhost/servers/' + SERVER_ID}]},
            image['server'])
        self.assertEqual('AUTO', image['OS-DCF:diskConfig'])
        self.create_image(SERVER_ID, properties={'auto_disk_config': 'no'})
        image = self.api.get('images/' + SERVER_ID).json['image']
        self.assertEqual('MANUAL', image['OS-DCF:diskConfig'])
        self.assertNotIn('server', image)
        self.assertNotIn('OS-DCF:diskConfig', self.api.get(
            'images/' + IMAGE_ID).json['image'])

    def test_show_unknown(self):
        for image_id in ('3c5d3d8b-0000-4f4e-9c4a-3d2a1f0e9b7c', 'nope'):
            self.assertFault(self.api.get('images/' + image_id), 404,
                             'itemNotFound', 'Image not found.')

    def test_any_user_reads(self):
        other = self.api.as_user('bob', 'proj2')
        self.assertEqual(1, len(other.get('images', status=200)
                                .json['images']))
        other.get('images/detail', status=200)
        other.get('images/' + IMAGE_ID, status=200)
        self.admin_api.get('images/' + IMAGE_ID, status=200)

    def test_project_id_in_url(self):
        api = self.api.as_user('demo', 'abc123')
        resp = api.get('/v2.1/abc123/images', status=200)
        self.assertEqual(_links(IMAGE_ID, '/abc123'),
                         resp.json['images'][0]['links'])
        resp = api.get('/v2.1/abc123/images/' + IMAGE_ID, status=200)
        self.assertEqual(_links(IMAGE_ID, '/abc123'),
                         resp.json['image']['links'])

    def _next(self, resp):
        links = resp.json.get('images_links')
        if not links:
            return None
        self.assertEqual(1, len(links))
        self.assertEqual('next', links[0]['rel'])
        return links[0]['href']

    def _pages(self, path):
        """[[ids of page 1], ...] following the next links."""
        pages = []
        schema = (schemas.list_images_details if 'detail' in path
                  else schemas.list_images)
        while path:
            resp = self.api.get(path, status=200)
            self.assertSchema(schema, resp)
            pages.append([image['id'] for image in resp.json['images']])
            href = self._next(resp)
            path = href and href[len('http://localhost'):]
        return pages

    def test_pagination(self):
        ids = ['00000000-0000-0000-0000-00000000000%d' % n
               for n in range(1, 5)]
        for minutes, image_id in enumerate(ids, 1):
            self.add_image(image_id, minutes)
        newest_first = list(reversed(ids)) + [IMAGE_ID]
        for collection in ('images', 'images/detail'):
            resp = self.api.get(collection + '?limit=2', status=200)
            self.assertEqual(newest_first[:2],
                             [i['id'] for i in resp.json['images']])
            self.assertEqual(
                [{'rel': 'next',
                  'href': 'http://localhost/v2.1/%s?limit=2&marker=%s'
                          % (collection, newest_first[1])}],
                resp.json['images_links'])
            self.assertEqual(
                [newest_first[:2], newest_first[2:4], newest_first[4:]],
                self._pages(collection + '?limit=2'))
            self.assertEqual(
                [newest_first[:3], newest_first[3:]],
                self._pages(collection + '?limit=3'))
            self.assertEqual([newest_first[2:]], self._pages(
                '%s?marker=%s' % (collection, newest_first[1])))
            self.assertEqual([newest_first], self._pages(collection))

    def test_pagination_full_last_page(self):
        # As in Nova, a full last page links to an empty one.
        self.add_image('00000000-0000-0000-0000-000000000001', 1)
        self.assertEqual([['00000000-0000-0000-0000-000000000001'],
                          [IMAGE_ID], []],
                         self._pages('images?limit=1'))

    def test_next_link_keeps_query(self):
        self.add_image('00000000-0000-0000-0000-000000000001', 1)
        resp = self.api.get('images?name=x&limit=1', status=200)
        href = self._next(resp)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)
        self.assertEqual({'limit': ['1'], 'name': ['x'],
                          'marker': ['00000000-0000-0000-0000-000000000001']},
                         query)

    def test_max_limit(self):
        self.flags(max_limit=2, group='api')
        for minutes in (1, 2):
            self.add_image('00000000-0000-0000-0000-00000000000%d' % minutes,
                           minutes)
        for query in ('', '?limit=5'):
            resp = self.api.get('images' + query, status=200)
            self.assertEqual(2, len(resp.json['images']))
            self.assertIn('marker=00000000-0000-0000-0000-000000000001',
                          self._next(resp))

    def test_bad_marker(self):
        self.assertFault(self.api.get('images?marker=nope'), 400,
                         'badRequest', 'marker [nope] not found')
        self.api.get('images/detail?marker=nope', status=400)

    def test_bad_limit(self):
        for value in ('abc', '-1'):
            resp = self.api.get('images?limit=' + value, status=400)
            self.assertTrue(resp.json['badRequest']['message'].endswith(
                "Value: %s. '%s' does not match '^[0-9]*$'" % (value, value)),
                resp.text)
            # Nova names the parameter, not the index of its value.
            self.assertEqual(
                "Invalid input for query parameters limit. Value: %s. '%s' "
                "does not match '^[0-9]*$'" % (value, value),
                resp.json['badRequest']['message'])

    def test_limit_zero(self):
        resp = self.api.get('images?limit=0', status=400)
        # 'minimum' applies to digit strings too, as in Nova.
        self.assertEqual('Invalid input for query parameters limit. Value: '
                         '0. 0 is less than the minimum of 1',
                         resp.json['badRequest']['message'])

    def test_read_only(self):
        # Nova answers 404 to these but would delete the image from Glance;
        # the catalogue is read-only through this API.
        for method in ('delete', 'put', 'post'):
            getattr(self.api, method)('images/' + IMAGE_ID, status=404)
        self.api.post('images', {}, status=404)
        self.assertEqual('cirros',
                         db.image_get(self.admin_context, IMAGE_ID)['name'])
