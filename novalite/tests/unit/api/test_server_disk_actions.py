"""createImage, rebuild, resize/confirmResize/revertResize, migrate,
shelve/shelveOffload/unshelve through the API: real app, real SQLite,
fake-driver agents (two of them where a server moves between hosts).

Each action is checked for its end state, Nova's 4xx answers, the lock,
another project (404), a failure on the agent (a fault, ERROR or back to
the previous state as Nova), and the instance action with its events.
"""

import datetime
import itertools
import json
import os
import shutil
import subprocess
import threading
from unittest import mock
import uuid

import fixtures
from oslo_config import cfg
from oslo_policy import policy as oslo_policy
import sqlalchemy as sa
from tempest.lib.api_schema.response.compute.v2_1 import servers as s21
from tempest.lib.api_schema.response.compute.v2_19 import servers as s219
from tempest.lib.api_schema.response.compute.v2_26 import servers as s226
from tempest.lib.api_schema.response.compute.v2_45 import \
    images as images245
from tempest.lib.api_schema.response.compute.v2_45 import \
    servers as servers245
import testtools

from novalite.compute import api as compute_api
from novalite.compute import images as compute_images
from novalite.compute import utils as compute_utils
from novalite import context as nl_context
from novalite.db import api as db
from novalite.db import models
from novalite import exception
from novalite import policy
from novalite import states
from novalite.tests import base
from novalite.tests import fixtures as nl_fixtures
from novalite.tests.unit.api import test_servers
from novalite.tests.unit.db import test_migrations
from novalite.tests.unit import test_states
from novalite.virt import fake
from novalite.virt.libvirt import host as libvirt_host

CONF = cfg.CONF

validate = test_servers.validate


class _Base(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.flags(instances=-1, cores=-1, ram=-1, group='quota')
        self.create_flavor(flavorid='2', name='m1.small', vcpus=2,
                           memory_mb=1024, root_gb=2)
        self.member = self.api.as_user('demo', 'demo', roles=['member'])
        self.other = self.api.as_user('eve', 'evil')

    # ------------------------------------------------------------ helpers

    def action(self, server_id, body, status=202, api=None, version=None):
        api = api or self.api
        if version:
            api = api.as_user(api.user, api.project, roles=api.roles,
                              version=version)
        return api.post('servers/%s/action' % server_id, body,
                        status=status)

    def assertFault(self, resp, code, message):
        name = {400: 'badRequest', 403: 'forbidden', 404: 'itemNotFound',
                409: 'conflictingRequest'}[code]
        self.assertEqual(code, resp.status_int, resp.text)
        self.assertEqual({name: {'code': code, 'message': message}},
                         resp.json)

    def show(self, server_id, api=None):
        return (api or self.admin_api).get(
            'servers/%s' % server_id, status=200).json['server']

    def row(self, server_id):
        return db.instance_get_by_uuid(self.admin_context, server_id,
                                       project_only=False)

    def actions(self, server_id):
        """[(action, message, [(event, result)])], oldest first."""
        found = []
        for action in reversed(db.actions_get(self.admin_context,
                                              server_id)):
            events = db.action_events_get(self.admin_context, action['id'])
            found.append((action['action'], action['message'],
                          sorted((e['event'], e['result'])
                                 for e in events)))
        return found

    def last_action(self, server_id):
        return self.actions(server_id)[-1]

    def wait_action(self, server_id, name, events):
        """Wait until the last action is ``name`` with ``events``
        finished; returns it."""
        def done():
            action = self.last_action(server_id)
            return (action[0] == name and len(action[2]) == events
                    and all(result for _e, result in action[2]))
        self.wait_until(done)
        return self.last_action(server_id)

    def wait_image(self, image_id, status='ACTIVE'):
        def done():
            resp = self.admin_api.get('images/%s' % image_id)
            return resp.status_int == 200 and \
                resp.json['image']['status'] == status
        self.wait_until(done)
        return self.admin_api.get('images/%s' % image_id).json['image']

    def stopped_server(self, **extra):
        server = self.create_server(**extra)
        self.action(server['id'], {'os-stop': None})
        return self.wait_for_status(server['id'], 'SHUTOFF')

    def fault(self, server_id):
        """The newest fault, whatever the server's state (the API shows
        faults of servers in ERROR only)."""
        with self.db.engine.connect() as conn:
            row = conn.execute(
                sa.select(models.InstanceFault)
                .where(models.InstanceFault.instance_uuid == server_id)
                .order_by(models.InstanceFault.id.desc())).first()
        return row._asdict() if row else None

    def assertBadRequest(self, resp, message):
        self.assertEqual(400, resp.status_int, resp.text)
        self.assertIn(message, resp.json['badRequest']['message'])


class TestCreateImage(_Base):

    def test_snapshot_becomes_an_active_private_image(self):
        server = self.create_server(metadata={'a': 'b'})
        resp = self.action(server['id'], {'createImage': {
            'name': 'snap', 'metadata': {'purpose': 'backup'}}})
        self.assertEqual(b'', resp.body)
        location = resp.headers['Location']
        image_id = location.rsplit('/', 1)[-1]
        self.assertEqual('http://localhost/v2.1/images/%s' % image_id,
                         location)
        image = self.wait_image(image_id)
        self.wait_for_status(server['id'], 'ACTIVE')
        self.assertEqual('snap', image['name'])
        self.assertEqual(1, image['minDisk'])  # the flavor's disk
        meta = image['metadata']
        self.assertEqual({'purpose': 'backup', 'image_type': 'snapshot',
                          'instance_uuid': server['id'],
                          'base_image_ref': base.IMAGE_ID,
                          'user_id': 'demo', 'owner_id': 'demo',
                          'image_location': 'snapshot',
                          'image_state': 'available'}, meta)
        record = db.image_get(self.admin_context, image_id)
        self.assertEqual(('qcow2', record['size']),
                         (record['disk_format'],
                          os.path.getsize(record['location'])))
        stored = compute_images.file_values(record['location'])
        self.assertEqual(
            (stored['checksum'], 'sha512', stored['os_hash_value'],
             'demo', 'private'),
            (record['checksum'], record['os_hash_algo'],
             record['os_hash_value'], record['owner'],
             record['visibility']))
        # Private to the server's project, as Glance makes Nova's.
        self.assertEqual(200, self.api.get('images/%s' % image_id).status_int)
        self.assertEqual(404, self.other.get(
            'images/%s' % image_id).status_int)
        self.assertNotIn(image_id, [i['id'] for i in self.other.get(
            'images').json['images']])
        self.assertIn(image_id, [i['id'] for i in self.api.get(
            'images').json['images']])
        self.assertEqual(
            ('createImage', None, [('compute_snapshot_instance',
                                    'Success')]),
            self.wait_action(server['id'], 'createImage', 1))

    def test_a_new_server_boots_from_the_snapshot(self):
        server = self.create_server()
        resp = self.action(server['id'], {'createImage': {'name': 'snap'}})
        image_id = resp.headers['Location'].rsplit('/', 1)[-1]
        self.wait_image(image_id)
        second = self.create_server(name='second', imageRef=image_id)
        self.assertEqual(image_id, second['image']['id'])
        # Another project may not boot it.
        resp = self.other.post('servers', {'server': {
            'name': 'x', 'flavorRef': '1', 'imageRef': image_id}})
        self.assertFault(resp, 400, 'Can not find requested image')

    def test_image_statuses_and_task_states(self):
        server = self.create_server()
        seen = []
        real = fake.FakeDriver.snapshot

        def snapshot(driver, instance, target):
            row = self.row(instance['uuid'])
            image_id = os.path.basename(target)
            seen.append((row['task_state'], db.image_get(
                self.admin_context, image_id)['status']))
            return real(driver, instance, target)

        with mock.patch.object(fake.FakeDriver, 'snapshot', snapshot):
            resp = self.action(server['id'], {'createImage': {'name': 's'}})
            image_id = resp.headers['Location'].rsplit('/', 1)[-1]
            self.wait_image(image_id)
            self.wait_for_status(server['id'], 'ACTIVE')
        self.assertEqual([('image_pending_upload', 'saving')], seen)

    def test_of_stopped_and_locked_server(self):
        # Nova takes snapshots of locked servers too.
        server = self.stopped_server()
        self.action(server['id'], {'lock': None}, api=self.admin_api)
        resp = self.action(server['id'], {'createImage': {'name': 's'}})
        self.wait_image(resp.headers['Location'].rsplit('/', 1)[-1])
        self.wait_for_status(server['id'], 'SHUTOFF')

    def test_conflicts_and_errors(self):
        server = self.create_server()
        db.instance_update(self.admin_context, server['id'],
                           {'task_state': 'rebooting'})
        resp = self.action(server['id'], {'createImage': {'name': 's'}},
                           status=409)
        self.assertFault(resp, 409, "Cannot 'createImage' instance %s "
                         "while it is in task_state rebooting"
                         % server['id'])
        db.instance_update(self.admin_context, server['id'],
                           {'task_state': None, 'vm_state': 'error'})
        resp = self.action(server['id'], {'createImage': {'name': 's'}},
                           status=409)
        self.assertFault(resp, 409, "Cannot 'createImage' instance %s "
                         "while it is in vm_state error" % server['id'])
        # No image was left behind by the refusals.
        self.assertEqual([base.IMAGE_ID], [
            i['id'] for i in self.admin_api.get('images').json['images']])
        self.assertBadRequest(self.action(server['id'], {'createImage': {}},
                                          status=400),
                              "'name' is a required property")
        self.flags(metadata_items=1, group='quota')
        db.instance_update(self.admin_context, server['id'],
                           {'vm_state': 'active'})
        resp = self.action(server['id'], {'createImage': {
            'name': 's', 'metadata': {'a': '1', 'b': '2'}}}, status=403)
        self.assertFault(resp, 403, 'Image metadata limit exceeded')
        # 2.39: the image-metadata quota no longer applies (Nova).
        resp = self.action(server['id'], {'createImage': {
            'name': 's2', 'metadata': {'a': '1', 'b': '2'}}}, version='2.39')
        image_id = resp.headers['Location'].rsplit('/', 1)[1]
        self.assertEqual('1', self.admin_api.get(
            'images/' + image_id).json['image']['metadata']['a'])
        self.wait_for_status(server['id'], 'ACTIVE')
        # 2.45: the image's id in the body, no Location.
        resp = self.action(server['id'], {'createImage': {'name': 's3'}},
                           version='2.45')
        test_servers.validate(images245.create_image, resp)
        self.assertNotIn('Location', resp.headers)
        self.assertEqual('s3', self.admin_api.get(
            'images/' + resp.json['image_id']).json['image']['name'])
        self.wait_for_status(server['id'], 'ACTIVE')
        resp = self.action(server['id'], {'createImage': {'name': 's'}},
                           api=self.other, status=404)
        self.assertFault(resp, 404, 'Instance %s could not be found.'
                         % server['id'])

    def test_failure_deletes_the_image_and_keeps_the_server(self):
        server = self.create_server()
        with mock.patch.object(fake.FakeDriver, 'snapshot',
                               side_effect=exception.VirtDriverError(
                                   "Could not copy the guest's disk.")):
            resp = self.action(server['id'], {'createImage': {'name': 's'}})
            image_id = resp.headers['Location'].rsplit('/', 1)[-1]
            action = self.wait_action(server['id'], 'createImage', 1)
        self.assertEqual(('createImage', 'Error',
                          [('compute_snapshot_instance', 'Error')]), action)
        self.assertEqual(404, self.admin_api.get(
            'images/%s' % image_id).status_int)
        shown = self.wait_for_status(server['id'], 'ACTIVE')
        self.assertEqual(1, shown['OS-EXT-STS:power_state'])
        self.assertEqual("Could not copy the guest's disk.",
                         self.fault(server['id'])['message'])
        self.assertFalse(os.path.exists(compute_images.location(image_id)))


class TestCreateBackup(_Base):
    """createBackup: a snapshot of image_type backup, then the rotation
    of the server's backups of its backup_type (Nova's _rotate_backups).
    """

    def backup(self, server_id, name='b', backup_type='daily', rotation=2,
               wait=True, **extra):
        """The new image's id (None without a Location header); with
        ``wait``, once the agent finished (rotation included)."""
        resp = self.action(server_id, {'createBackup': dict(
            name=name, backup_type=backup_type, rotation=rotation,
            **extra)}, api=self.member)
        self.assertEqual(b'', resp.body)
        location = resp.headers.get('Location')
        image_id = location.rsplit('/', 1)[-1] if location else None
        if image_id:
            self._a_second_after_the_last(image_id)
        if wait:
            self.wait_action(server_id, 'createBackup', 1)
        return image_id

    def _a_second_after_the_last(self, image_id):
        """Backups a second apart, as a user's would be: MySQL's DATETIME
        keeps whole seconds, and backups of one second tie (the rotation
        then goes by id, as Glance's list does)."""
        self._clock = getattr(self, '_clock', db.utcnow().replace(
            microsecond=0) - datetime.timedelta(hours=1))
        self._clock += datetime.timedelta(seconds=1)
        with self.db.engine.begin() as conn:
            conn.execute(sa.update(models.Image).where(
                models.Image.id == image_id).values(created_at=self._clock))

    def backups(self, server_id, backup_type='daily'):
        """Names of the active backups of the server and type, oldest
        first."""
        return [image['name'] for image in compute_images.get_all(
            self.admin_context, filters={'status': 'active', 'properties': {
                'image_type': 'backup', 'backup_type': backup_type,
                'instance_uuid': server_id}},
            sort_key='created_at', sort_dir='asc')]

    def image_ids(self):
        return sorted(i['id'] for i in self.admin_api.get(
            'images').json['images'])

    def test_backup_is_an_active_private_image(self):
        server = self.create_server()
        resp = self.action(server['id'], {'createBackup': {
            'name': 'nightly', 'backup_type': 'daily', 'rotation': '1',
            'metadata': {'purpose': 'x', 'backup_type': 'ignored'}}},
            api=self.member)
        self.assertEqual(b'', resp.body)
        image_id = resp.headers['Location'].rsplit('/', 1)[-1]
        self.assertEqual('http://localhost/v2.1/images/%s' % image_id,
                         resp.headers['Location'])
        image = self.wait_image(image_id)
        self.assertEqual(
            ('createBackup', None, [('compute_backup_instance', 'Success')]),
            self.wait_action(server['id'], 'createBackup', 1))
        self.wait_for_status(server['id'], 'ACTIVE')
        self.assertEqual('nightly', image['name'])
        self.assertEqual({'purpose': 'x', 'image_type': 'backup',
                          'backup_type': 'daily',
                          'instance_uuid': server['id'],
                          'base_image_ref': base.IMAGE_ID,
                          'user_id': 'demo', 'owner_id': 'demo',
                          'image_location': 'snapshot',
                          'image_state': 'available'}, image['metadata'])
        record = db.image_get(self.admin_context, image_id)
        self.assertEqual(('demo', 'private', 'qcow2', record['size']),
                         (record['owner'], record['visibility'],
                          record['disk_format'],
                          os.path.getsize(record['location'])))
        self.assertEqual(404, self.other.get(
            'images/%s' % image_id).status_int)

    def test_task_states(self):
        server = self.create_server()
        seen = []
        real = fake.FakeDriver.snapshot

        def snapshot(driver, instance, target):
            seen.append(self.row(instance['uuid'])['task_state'])
            return real(driver, instance, target)

        with mock.patch.object(fake.FakeDriver, 'snapshot', snapshot), \
                mock.patch('novalite.compute.rpcapi.ComputeAPI.'
                           'backup_instance') as cast:
            self.backup(server['id'], wait=False)
            # The API's task, before the agent has it.
            self.assertEqual(('image_backup', 1),
                             (self.row(server['id'])['task_state'],
                              cast.call_count))
            self.assertEqual(
                'ACTIVE', self.show(server['id'])['status'])
            # (context, host, server, image, backup_type, rotation)
            args = cast.call_args[0]
            self.agent.manager.backup_instance(args[0], *args[2:])
        self.assertEqual(['image_pending_upload'], seen)
        self.assertEqual(('daily', 2), args[4:])
        self.assertIsNone(self.row(server['id'])['task_state'])
        self.assertEqual(
            ('createBackup', None, [('compute_backup_instance', 'Success')]),
            self.last_action(server['id']))

    def test_rotation_deletes_the_oldest_of_the_server_and_type(self):
        server = self.create_server()
        neighbour = self.create_server(name='neighbour')
        first = self.backup(server['id'], name='d1')
        self.backup(server['id'], name='w1', backup_type='weekly')
        self.backup(neighbour['id'], name='n1')
        snapshot = self.action(server['id'], {'createImage': {
            'name': 'snap', 'metadata': {'backup_type': 'daily'}}}
        ).headers['Location'].rsplit('/', 1)[-1]
        self.wait_image(snapshot)
        self.wait_for_status(server['id'], 'ACTIVE')
        self.backup(server['id'], name='d2')
        self.assertEqual(['d1', 'd2'], self.backups(server['id']))
        first_file = compute_images.location(first)
        self.assertTrue(os.path.exists(first_file))
        self.backup(server['id'], name='d3')
        self.assertEqual(['d2', 'd3'], self.backups(server['id']))
        self.assertEqual(404, self.admin_api.get(
            'images/%s' % first).status_int)
        self.assertFalse(os.path.exists(first_file))
        # Other types, other servers and snapshots are not counted.
        self.assertEqual(['w1'], self.backups(server['id'], 'weekly'))
        self.assertEqual(['n1'], self.backups(neighbour['id']))
        self.assertEqual(200, self.admin_api.get(
            'images/%s' % snapshot).status_int)
        # A smaller rotation deletes all the excess at once.
        self.backup(server['id'], name='d4', rotation=1)
        self.assertEqual(['d4'], self.backups(server['id']))
        self.assertEqual(['create', 'createBackup', 'createBackup',
                          'createImage', 'createBackup', 'createBackup',
                          'createBackup'],
                         [a[0] for a in self.actions(server['id'])])

    def test_the_new_backup_counts_as_the_newest(self):
        # Two backups within one second tie on MySQL's DATETIME: the one
        # just written is kept whatever the order of the others.
        server = self.create_server()
        old = self.backup(server['id'], name='old')
        later = db.utcnow().replace(year=db.utcnow().year + 1)
        with self.db.engine.begin() as conn:
            conn.execute(sa.update(models.Image).where(
                models.Image.id == old).values(created_at=later))
        new = self.backup(server['id'], name='new', rotation=1)
        self.assertEqual(['new'], self.backups(server['id']))
        self.assertEqual(404, self.admin_api.get(
            'images/%s' % old).status_int)
        self.assertEqual(200, self.admin_api.get(
            'images/%s' % new).status_int)

    def test_protected_and_busy_backups_are_skipped(self):
        # Glance refuses to delete them: Nova logs it and goes on.
        server = self.create_server()
        protected = self.backup(server['id'], name='p')
        db.image_update(self.admin_context, protected, {'protected': True})
        booted = self.backup(server['id'], name='booted')
        self.create_server(name='from-backup', imageRef=booted)
        self.backup(server['id'], name='third', rotation=1)
        self.assertEqual(['p', 'booted', 'third'],
                         self.backups(server['id']))
        self.assertEqual('Success', self.last_action(server['id'])[2][0][1])

    def test_rotation_zero_deletes_every_backup_of_the_type(self):
        server = self.create_server()
        self.backup(server['id'], name='d1', rotation=5)
        self.backup(server['id'], name='d2', rotation=5)
        self.backup(server['id'], name='w1', backup_type='weekly')
        before = set(self.image_ids())
        # Nova writes the backup, then rotates it out with the others; no
        # Location: there will be no image to point to.
        self.assertIsNone(self.backup(server['id'], name='d3', rotation=0))
        self.assertEqual([], self.backups(server['id']))
        self.assertEqual(['w1'], self.backups(server['id'], 'weekly'))
        self.assertEqual(len(before) - 2, len(self.image_ids()))
        self.assertEqual([], [name for name in os.listdir(
            CONF.image_store.path) if name not in before])
        self.assertEqual(
            ('createBackup', None, [('compute_backup_instance', 'Success')]),
            self.last_action(server['id']))
        self.wait_for_status(server['id'], 'ACTIVE')

    def test_validation(self):
        server = self.create_server()
        body = {'name': 'b', 'backup_type': 'daily', 'rotation': 1}
        for missing in ('name', 'backup_type', 'rotation'):
            resp = self.action(server['id'], {'createBackup': {
                k: v for k, v in body.items() if k != missing}}, status=400)
            self.assertBadRequest(resp, "'%s' is a required property"
                                  % missing)
        for rotation, message in (
                (-1, 'Invalid input for field/attribute rotation. Value: '
                     '-1. -1 is less than the minimum of 0'),
                ('-1', "Invalid input for field/attribute rotation. Value: "
                       "-1. '-1' does not match '^[0-9]*$'"),
                ('', 'Invalid input for field/attribute rotation.'),
                (1.5, "1.5 is not of type 'integer', 'string'"),
                (None, "None is not of type 'integer', 'string'")):
            resp = self.action(server['id'], {'createBackup': dict(
                body, rotation=rotation)}, status=400)
            self.assertBadRequest(resp, message)
        for extra, message in (
                ({'backup_type': 1}, "1 is not of type 'string'"),
                ({'name': ''}, 'Invalid input for field/attribute name.'),
                ({'metadata': {'a': 1}}, 'Invalid input for field/'
                                         'attribute a.'),
                ({'other': 1}, "Additional properties are not allowed "
                               "('other' was unexpected)")):
            resp = self.action(server['id'], {'createBackup': dict(
                body, **extra)}, status=400)
            self.assertBadRequest(resp, message)
        self.assertBadRequest(self.action(server['id'], {
            'createBackup': None}, status=400), "None is not of type "
            "'object'")
        self.flags(metadata_items=1, group='quota')
        resp = self.action(server['id'], {'createBackup': dict(
            body, metadata={'a': '1', 'b': '2'})}, status=403)
        self.assertFault(resp, 403, 'Image metadata limit exceeded')
        # Nothing was started by the refusals.
        self.assertEqual([base.IMAGE_ID], self.image_ids())
        self.assertEqual(['create'], [a[0] for a in self.actions(
            server['id'])])
        # 2.39: the image-metadata quota no longer applies (Nova).
        self.action(server['id'], {'createBackup': dict(
            body, metadata={'a': '1', 'b': '2'})}, version='2.39')
        self.assertEqual(2, len(self.image_ids()))
        self.wait_until(lambda: self.api.get('servers/%s' % server['id'])
                        .json['server']['OS-EXT-STS:task_state'] is None)
        # 2.45: the image's id in the body (rotation 0 too), no Location.
        resp = self.action(server['id'], {'createBackup': dict(
            body, rotation=0)}, version='2.45')
        test_servers.validate(servers245.create_backup, resp)
        self.assertNotIn('Location', resp.headers)

    def test_policy(self):
        server = self.create_server()
        body = {'createBackup': {'name': 'b', 'backup_type': 'daily',
                                 'rotation': 1}}
        reader = self.api.as_user('demo', 'demo', roles=['reader'])
        resp = self.action(server['id'], body, api=reader, status=403)
        self.assertFault(resp, 403, "Policy doesn't allow "
                         "os_compute_api:os-create-backup to be performed.")
        resp = self.action(server['id'], body, api=self.other, status=404)
        self.assertFault(resp, 404, 'Instance %s could not be found.'
                         % server['id'])
        policy.get_enforcer().set_rules(oslo_policy.Rules.from_dict({
            'os_compute_api:os-create-backup': 'rule:context_is_admin',
        }), overwrite=False, use_conf=False)
        self.action(server['id'], body, api=self.member, status=403)
        self.action(server['id'], body, api=self.admin_api)
        self.wait_action(server['id'], 'createBackup', 1)
        self.assertEqual(['b'], self.backups(server['id']))

    def test_state_conflicts(self):
        server = self.create_server()
        body = {'createBackup': {'name': 'b', 'backup_type': 'daily',
                                 'rotation': 1}}
        for values, message in (
                ({'task_state': 'rebooting'},
                 'task_state rebooting'),
                ({'task_state': 'image_backup'},
                 'task_state image_backup'),
                ({'task_state': None, 'vm_state': 'error'},
                 'vm_state error'),
                ({'vm_state': 'rescued'}, 'vm_state rescued'),
                ({'vm_state': 'shelved'}, 'vm_state shelved')):
            db.instance_update(self.admin_context, server['id'], values)
            resp = self.action(server['id'], body, status=409)
            self.assertFault(resp, 409, "Cannot 'createBackup' instance %s "
                             "while it is in %s" % (server['id'], message))
        db.instance_update(self.admin_context, server['id'],
                           {'vm_state': 'active', 'launched_at': None})
        resp = self.action(server['id'], body, status=409)
        self.assertFault(resp, 409, "Instance %s is in an invalid state "
                         "for 'createBackup'" % server['id'])
        self.assertEqual([base.IMAGE_ID], self.image_ids())

    def test_of_paused_suspended_stopped_and_locked_servers(self):
        # Nova backs up locked servers too.
        server = self.create_server()
        self.action(server['id'], {'lock': None}, api=self.admin_api)
        for stop, start, status in (('pause', 'unpause', 'PAUSED'),
                                    ('suspend', 'resume', 'SUSPENDED'),
                                    ('os-stop', 'os-start', 'SHUTOFF')):
            self.action(server['id'], {stop: None}, api=self.admin_api)
            self.wait_for_status(server['id'], status)
            self.backup(server['id'], name=status, rotation=3)
            self.wait_for_status(server['id'], status)
            self.action(server['id'], {start: None}, api=self.admin_api)
            self.wait_for_status(server['id'], 'ACTIVE')
        self.assertEqual(['PAUSED', 'SUSPENDED', 'SHUTOFF'],
                         self.backups(server['id']))

    def test_failed_snapshot_deletes_the_image_and_rotates_nothing(self):
        server = self.create_server()
        kept = self.backup(server['id'], name='kept')
        with mock.patch.object(fake.FakeDriver, 'snapshot',
                               side_effect=exception.VirtDriverError(
                                   "Could not copy the guest's disk.")):
            image_id = self.backup(server['id'], name='failed', rotation=5,
                                   wait=False)
            action = self.wait_action(server['id'], 'createBackup', 1)
        self.assertEqual(('createBackup', 'Error',
                          [('compute_backup_instance', 'Error')]), action)
        self.assertEqual(404, self.admin_api.get(
            'images/%s' % image_id).status_int)
        self.assertEqual(200, self.admin_api.get(
            'images/%s' % kept).status_int)
        self.assertEqual(1, self.wait_for_status(
            server['id'], 'ACTIVE')['OS-EXT-STS:power_state'])
        self.assertEqual("Could not copy the guest's disk.",
                         self.fault(server['id'])['message'])

    def test_failed_rotation_is_a_fault_of_a_settled_server(self):
        server = self.create_server()
        self.backup(server['id'], name='one')
        with mock.patch.object(compute_images, 'get_all',
                               side_effect=exception.NovaliteException(
                                   'The image list failed.')):
            self.backup(server['id'], name='two', rotation=1, wait=False)
            action = self.wait_action(server['id'], 'createBackup', 1)
        self.assertEqual(('createBackup', 'Error',
                          [('compute_backup_instance', 'Error')]), action)
        self.assertEqual(['one', 'two'], self.backups(server['id']))
        self.assertEqual('The image list failed.',
                         self.fault(server['id'])['message'])
        shown = self.show(server['id'])
        self.assertEqual(('ACTIVE', None),
                         (shown['status'], shown['OS-EXT-STS:task_state']))

    def test_agent_too_old_for_the_message(self):
        # Capped below 1.2 (agents not upgraded yet): 503, nothing left.
        self.flags(compute='1.1', group='upgrade_levels')
        server = self.create_server()
        resp = self.action(server['id'], {'createBackup': {
            'name': 'b', 'backup_type': 'daily', 'rotation': 1}},
            status=503)
        self.assertEqual(503, resp.json['serviceUnavailable']['code'])
        self.assertEqual([base.IMAGE_ID], self.image_ids())
        shown = self.show(server['id'])
        self.assertEqual(('ACTIVE', None),
                         (shown['status'], shown['OS-EXT-STS:task_state']))


class TestRebuild(_Base):

    def setUp(self):
        super().setUp()
        self.image2 = self.create_image(
            image_id='70a599e0-31e7-49b7-b260-868f441e862b', name='other',
            min_ram=256)

    def test_rebuild_returns_the_server_and_recreates_the_guest(self):
        server = self.create_server(metadata={'old': 'x'})
        addresses = self.show(server['id'])['addresses']
        guest = self.agent.driver._guests[server['id']]
        resp = self.action(server['id'], {'rebuild': {
            'imageRef': self.image2['id'], 'name': 'renamed',
            'metadata': {'new': 'y'}, 'adminPass': 'sekrit-Passw0rd',
            'accessIPv4': '192.0.2.5', 'accessIPv6': '0:0:0:0:0:0:0:1',
            'OS-DCF:diskConfig': 'AUTO', 'preserve_ephemeral': False,
            'personality': [{'path': '/etc/motd', 'contents': 'aGk='}]}})
        validate(s21.rebuild_server_with_admin_pass, resp)
        view = resp.json['server']
        self.assertEqual(view['links'][0]['href'], resp.headers['Location'])
        self.assertEqual(('REBUILD', 'renamed', 'sekrit-Passw0rd',
                          {'new': 'y'}, self.image2['id'], '::1', 'AUTO'),
                         (view['status'], view['name'], view['adminPass'],
                          view['metadata'], view['image']['id'],
                          view['accessIPv6'], view['OS-DCF:diskConfig']))
        shown = self.wait_for_status(server['id'], 'ACTIVE')
        self.assertEqual(addresses, shown['addresses'])
        self.assertEqual(self.image2['id'], shown['image']['id'])
        new_guest = self.agent.driver._guests[server['id']]
        self.assertIsNot(guest, new_guest)
        self.assertEqual('sekrit-Passw0rd', new_guest['password'])
        self.assertEqual(
            ('rebuild', None, [('compute_rebuild_instance', 'Success'),
                               ('rebuild_server', 'Success')]),
            self.wait_action(server['id'], 'rebuild', 2))

    def test_generated_password_and_microversions(self):
        server = self.create_server()
        resp = self.action(server['id'], {'rebuild': {
            'imageRef': base.IMAGE_ID, 'description': 'd'}}, version='2.19')
        validate(s219.rebuild_server_with_admin_pass, resp)
        self.assertEqual(12, len(resp.json['server']['adminPass']))
        self.assertEqual('d', resp.json['server']['description'])
        self.wait_for_status(server['id'], 'ACTIVE')
        resp = self.action(server['id'], {'rebuild': {
            'imageRef': base.IMAGE_ID}}, version='2.26')
        validate(s226.rebuild_server_with_admin_pass, resp)
        self.wait_for_status(server['id'], 'ACTIVE')
        resp = self.action(server['id'], {'rebuild': {
            'imageRef': base.IMAGE_ID, 'description': 'd'}}, status=400)
        self.assertBadRequest(resp, "Additional properties are not allowed "
                              "('description' was unexpected)")

    def test_stopped_server_stays_stopped(self):
        server = self.stopped_server()
        self.action(server['id'], {'rebuild': {'imageRef': base.IMAGE_ID}})
        shown = self.wait_for_status(server['id'], 'SHUTOFF')
        self.assertEqual(4, shown['OS-EXT-STS:power_state'])
        self.assertEqual(states.SHUTDOWN, self.agent.driver.get_info(
            {'uuid': server['id']}).state)

    def test_rebuild_from_error(self):
        server = self.create_server()
        db.instance_update(self.admin_context, server['id'],
                           {'vm_state': 'error'})
        self.action(server['id'], {'rebuild': {'imageRef': base.IMAGE_ID}})
        self.wait_for_status(server['id'], 'ACTIVE')

    def test_errors(self):
        server = self.create_server()
        missing = 'f0c1b1c9-2d3e-4a5b-8c7d-9e0f1a2b3c4d'
        self.assertFault(self.action(server['id'], {'rebuild': {
            'imageRef': missing}}, status=400), 400,
            'Cannot find image for rebuild')
        self.create_flavor(flavorid='tiny', name='tiny', memory_mb=128)
        db.instance_update(self.admin_context, server['id'],
                           {'memory_mb': 128})
        self.assertFault(self.action(server['id'], {'rebuild': {
            'imageRef': self.image2['id']}}, status=400), 400,
            "Flavor's memory is too small for requested image.")
        db.image_update(self.admin_context, self.image2['id'],
                        {'status': 'queued'})
        self.assertFault(self.action(server['id'], {'rebuild': {
            'imageRef': self.image2['id']}}, status=400), 400,
            'Image %s is not active.' % self.image2['id'])
        self.flags(metadata_items=1, group='quota')
        self.assertFault(self.action(server['id'], {'rebuild': {
            'imageRef': base.IMAGE_ID, 'metadata': {'a': '1', 'b': '2'}}},
            status=403), 403, 'Maximum number of metadata items exceeds 1')
        self.assertBadRequest(self.action(server['id'], {'rebuild': {}},
                                          status=400),
                              "'imageRef' is a required property")
        self.assertFault(self.action(server['id'], {'rebuild': {
            'imageRef': base.IMAGE_ID}}, api=self.other, status=404), 404,
            'Instance %s could not be found.' % server['id'])
        self.action(server['id'], {'lock': None}, api=self.admin_api)
        self.assertFault(self.action(server['id'], {'rebuild': {
            'imageRef': base.IMAGE_ID}}, status=409), 409,
            'Instance %s is locked' % server['id'])
        # The admin may.
        self.action(server['id'], {'rebuild': {'imageRef': base.IMAGE_ID}},
                    api=self.admin_api)
        self.wait_for_status(server['id'], 'ACTIVE')
        self.admin_api.delete('servers/%s' % server['id'], status=204)
        self.wait_for_status(server['id'], 'DELETED')
        self.assertFault(self.action(server['id'], {'rebuild': {
            'imageRef': base.IMAGE_ID}}, status=404), 404,
            'Instance %s could not be found.' % server['id'])

    def test_conflict(self):
        server = self.stopped_server()
        db.instance_update(self.admin_context, server['id'],
                           {'vm_state': 'paused'})
        self.assertFault(self.action(server['id'], {'rebuild': {
            'imageRef': base.IMAGE_ID}}, status=409), 409,
            "Cannot 'rebuild' instance %s while it is in vm_state paused"
            % server['id'])

    def test_failure_is_error_with_fault(self):
        server = self.create_server()
        with mock.patch.object(fake.FakeDriver, 'spawn',
                               side_effect=exception.VirtDriverError(
                                   "Could not create the guest's disk.")):
            self.action(server['id'], {'rebuild': {
                'imageRef': base.IMAGE_ID}})
            shown = self.wait_for_status(server['id'], 'ERROR')
        self.assertEqual("Could not create the guest's disk.",
                         shown['fault']['message'])
        self.assertEqual(('rebuild', 'Error',
                          [('compute_rebuild_instance', 'Error'),
                           ('rebuild_server', 'Success')]),
                         self.wait_action(server['id'], 'rebuild', 2))


class _TwoHosts(_Base):
    """A second compute agent, on its own fake hypervisor."""

    def setUp(self):
        super().setUp()
        self.agent2 = self.useFixture(nl_fixtures.ComputeAgent(
            host='second-host'))
        self.hosts = {self.agent.service.host: self.agent,
                      'second-host': self.agent2}

    def create_on(self, agent, **extra):
        """A server on ``agent``'s host (forced, as an admin)."""
        # NOTE: an admin of the member's project forces the host.
        server = self.create_server(
            api=self.admin_api.as_user('admin', 'demo'), wait=False,
            availability_zone='nova:%s' % agent.service.host, **extra)
        return self.wait_for_status(server['id'], 'ACTIVE')

    def host_of(self, server_id):
        return self.row(server_id)['host']

    def migrations(self, server_id):
        with self.db.engine.connect() as conn:
            return [row._asdict() for row in conn.execute(
                sa.select(models.Migration)
                .where(models.Migration.instance_uuid == server_id)
                .order_by(models.Migration.id))]

    def usage(self):
        return db.instance_usage_by_host(self.admin_context)


class TestResize(_TwoHosts):

    def test_resize_confirm(self):
        server = self.create_on(self.agent)
        source, dest = self.agent.service.host, 'second-host'
        self.admin_api.post('flavors/2/os-extra_specs', {'extra_specs': {
            'hw:mem_page_size': 'small'}}, status=200)
        self.action(server['id'], {'resize': {'flavorRef': '2'}})
        shown = self.wait_for_status(server['id'], 'VERIFY_RESIZE')
        # The server keeps the new flavor's extra specs (2.47's view).
        self.assertEqual({'hw:mem_page_size': 'small'}, self.api.as_user(
            'demo', version='2.47').get('servers/%s' % server['id']).json[
                'server']['flavor']['extra_specs'])
        self.assertEqual(('2', 1, dest),
                         (shown['flavor']['id'],
                          shown['OS-EXT-STS:power_state'],
                          shown['OS-EXT-SRV-ATTR:host']))
        row = self.row(server['id'])
        self.assertEqual((2, 1024, 2), (row['vcpus'], row['memory_mb'],
                                        row['root_gb']))
        (migration,) = self.migrations(server['id'])
        self.assertEqual(('resize', 'finished', source, dest),
                         (migration['migration_type'], migration['status'],
                          migration['source_compute'],
                          migration['dest_compute']))
        # Both hosts hold room until the resize is confirmed.
        self.assertEqual({source: (1, 512, 1), dest: (2, 1024, 2)},
                         self.usage())
        self.assertEqual(states.RUNNING, self.agent2.driver.get_info(
            {'uuid': server['id']}).state)
        self.assertIn(server['id'], self.agent.driver._kept)
        self.assertNotIn(server['id'], self.agent.driver._guests)
        self.assertEqual(
            ('resize', None, [('cold_migrate', 'Success'),
                              ('compute_finish_resize', 'Success'),
                              ('compute_prep_resize', 'Success'),
                              ('compute_resize_instance', 'Success'),
                              ('conductor_migrate_server', 'Success')]),
            self.wait_action(server['id'], 'resize', 5))
        resp = self.action(server['id'], {'confirmResize': None},
                           status=204)
        self.assertEqual(b'', resp.body)
        self.wait_for_status(server['id'], 'ACTIVE')
        self.wait_until(lambda: self.migrations(server['id'])[0][
            'status'] == 'confirmed')
        self.assertNotIn(server['id'], self.agent.driver._kept)
        self.assertEqual({dest: (2, 1024, 2)}, self.usage())
        self.assertEqual(
            ('confirmResize', None, [('compute_confirm_resize',
                                      'Success')]),
            self.wait_action(server['id'], 'confirmResize', 1))
        self.assertEqual({}, db.instance_system_metadata_get(
            self.admin_context, server['id']))
        # Nothing to confirm any more.
        db.instance_update(self.admin_context, server['id'],
                           {'vm_state': 'resized'})
        self.assertFault(self.action(server['id'], {'confirmResize': None},
                                     status=400), 400,
                         'Instance has not been resized.')

    def test_resize_revert(self):
        server = self.create_on(self.agent)
        source = self.agent.service.host
        self.action(server['id'], {'resize': {'flavorRef': '2'}})
        self.wait_for_status(server['id'], 'VERIFY_RESIZE')
        self.admin_api.post('flavors/1/os-extra_specs', {'extra_specs': {
            'later': 'x'}}, status=200)
        self.action(server['id'], {'revertResize': None})
        shown = self.wait_for_status(server['id'], 'ACTIVE')
        # Back to the old flavor as the server kept it (without the spec
        # added since).
        self.assertEqual({}, self.api.as_user('demo', version='2.47').get(
            'servers/%s' % server['id']).json['server']['flavor'][
                'extra_specs'])
        self.assertEqual(('1', source, 1),
                         (shown['flavor']['id'],
                          shown['OS-EXT-SRV-ATTR:host'],
                          shown['OS-EXT-STS:power_state']))
        self.assertEqual((1, 512, 1), tuple(self.row(server['id'])[k] for k
                                            in ('vcpus', 'memory_mb',
                                                'root_gb')))
        self.assertEqual('reverted', self.migrations(server['id'])[0][
            'status'])
        self.assertEqual({source: (1, 512, 1)}, self.usage())
        self.assertEqual(states.RUNNING, self.agent.driver.get_info(
            {'uuid': server['id']}).state)
        self.assertNotIn(server['id'], self.agent2.driver._guests)
        self.assertEqual(
            ('revertResize', None,
             [('compute_finish_revert_resize', 'Success'),
              ('compute_revert_resize', 'Success')]),
            self.wait_action(server['id'], 'revertResize', 2))

    def test_stopped_server_stays_stopped(self):
        server = self.create_on(self.agent)
        self.action(server['id'], {'os-stop': None})
        self.wait_for_status(server['id'], 'SHUTOFF')
        self.action(server['id'], {'resize': {'flavorRef': '2'}})
        shown = self.wait_for_status(server['id'], 'VERIFY_RESIZE')
        self.assertEqual(4, shown['OS-EXT-STS:power_state'])
        self.action(server['id'], {'confirmResize': None}, status=204)
        self.wait_for_status(server['id'], 'SHUTOFF')
        server = self.create_on(self.agent)
        self.action(server['id'], {'os-stop': None})
        self.wait_for_status(server['id'], 'SHUTOFF')
        self.action(server['id'], {'resize': {'flavorRef': '2'}})
        self.wait_for_status(server['id'], 'VERIFY_RESIZE')
        self.action(server['id'], {'revertResize': None})
        self.wait_for_status(server['id'], 'SHUTOFF')

    def test_no_other_host_is_no_valid_host(self):
        # The only other host has no room: Nova's conductor puts the
        # server back as it was, with a fault and the event in error.
        server = self.create_on(self.agent)
        db.service_update(self.admin_context, 'second-host',
                          compute_utils.BINARY, {'disabled': True})
        self.action(server['id'], {'resize': {'flavorRef': '2'}})
        shown = self.wait_for_status(server['id'], 'ACTIVE')
        self.assertEqual('1', shown['flavor']['id'])
        self.assertEqual(
            ('resize', 'Error', [('cold_migrate', 'Error'),
                                 ('conductor_migrate_server', 'Error')]),
            self.last_action(server['id']))
        self.assertEqual('No valid host was found. There are not enough '
                         'hosts available.',
                         self.fault(server['id'])['message'])
        self.assertEqual(['error'], [m['status'] for m in
                                     self.migrations(server['id'])])
        self.assertEqual({self.agent.service.host: (1, 512, 1)},
                         self.usage())
        # allow_resize_to_same_host lets it stay.
        self.flags(allow_resize_to_same_host=True)
        self.action(server['id'], {'resize': {'flavorRef': '2'}})
        shown = self.wait_for_status(server['id'], 'VERIFY_RESIZE')
        self.assertEqual(self.agent.service.host,
                         shown['OS-EXT-SRV-ATTR:host'])
        self.assertEqual({self.agent.service.host: (3, 1536, 3)},
                         self.usage())
        self.action(server['id'], {'revertResize': None})
        shown = self.wait_for_status(server['id'], 'ACTIVE')
        self.assertEqual('1', shown['flavor']['id'])
        self.assertEqual(states.RUNNING, self.agent.driver.get_info(
            {'uuid': server['id']}).state)

    def test_errors(self):
        server = self.create_on(self.agent)
        self.assertFault(self.action(server['id'], {'resize': {
            'flavorRef': '1'}}, status=400), 400,
            'When resizing, instances must change flavor!')
        self.assertFault(self.action(server['id'], {'resize': {
            'flavorRef': 'nosuch'}}, status=400), 400,
            'Flavor nosuch could not be found.')
        self.create_flavor(flavorid='zero', name='zero', root_gb=0)
        self.assertFault(self.action(server['id'], {'resize': {
            'flavorRef': 'zero'}}, status=400), 400,
            'Server disk was unable to be resized because: Resize to zero '
            'disk flavor is not allowed.')
        self.assertBadRequest(self.action(server['id'], {'resize': {}},
                                          status=400),
                              "'flavorRef' is a required property")
        self.assertFault(self.action(server['id'], {'confirmResize': None},
                                     status=409), 409,
                         "Cannot 'confirmResize' instance %s while it is in "
                         "vm_state active" % server['id'])
        self.assertFault(self.action(server['id'], {'revertResize': None},
                                     status=409), 409,
                         "Cannot 'revertResize' instance %s while it is in "
                         "vm_state active" % server['id'])
        self.assertFault(self.action(server['id'], {'resize': {
            'flavorRef': '2'}}, api=self.other, status=404), 404,
            'Instance %s could not be found.' % server['id'])
        self.flags(cores=1, group='quota')
        self.assertFault(self.action(server['id'], {'resize': {
            'flavorRef': '2'}}, status=403), 403,
            'Quota exceeded for cores: Requested 1, but already used 1 of '
            '1 cores')
        self.flags(cores=-1, group='quota')
        # Its host's agent is down: 409, as Nova.
        db.service_update(self.admin_context, self.agent.service.host,
                          compute_utils.BINARY,
                          {'last_seen_up': db.utcnow().replace(year=2000)})
        self.assertFault(self.action(server['id'], {'resize': {
            'flavorRef': '2'}}, status=409), 409,
            'Service is unavailable at this time.')
        self.agent.manager.report_state()
        self.action(server['id'], {'lock': None}, api=self.admin_api)
        self.assertFault(self.action(server['id'], {'resize': {
            'flavorRef': '2'}}, status=409), 409,
            'Instance %s is locked' % server['id'])

    def test_disk_cannot_shrink(self):
        # Nova's libvirt driver refuses it on the source, and the server
        # goes back as it was.
        self.create_flavor(flavorid='big', name='big', root_gb=5)
        server = self.create_on(self.agent, flavorRef='big')
        self.action(server['id'], {'resize': {'flavorRef': '2'}})
        self.wait_action(server['id'], 'resize', 4)
        shown = self.wait_for_status(server['id'], 'ACTIVE')
        self.assertEqual('big', shown['flavor']['id'])
        self.assertEqual('Server disk was unable to be resized because: '
                         'Unable to resize disk down.',
                         self.fault(server['id'])['message'])
        self.assertEqual(('resize', 'Error'), self.last_action(
            server['id'])[:2])
        self.assertEqual(['error'], [m['status'] for m in
                                     self.migrations(server['id'])])
        self.assertEqual(states.RUNNING, self.agent.driver.get_info(
            {'uuid': server['id']}).state)

    def test_failure_on_the_destination_is_error(self):
        server = self.create_on(self.agent)
        with mock.patch.object(fake.FakeDriver, 'finish_migration',
                               side_effect=exception.VirtDriverError(
                                   "Could not resize the guest's disk.")):
            self.action(server['id'], {'resize': {'flavorRef': '2'}})
            shown = self.wait_for_status(server['id'], 'ERROR')
        self.assertEqual("Could not resize the guest's disk.",
                         shown['fault']['message'])
        self.assertEqual(['error'], [m['status'] for m in
                                     self.migrations(server['id'])])
        self.assertIn(('compute_finish_resize', 'Error'),
                      self.wait_action(server['id'], 'resize', 5)[2])

    def test_delete_a_resized_server(self):
        server = self.create_on(self.agent)
        self.action(server['id'], {'resize': {'flavorRef': '2'}})
        self.wait_for_status(server['id'], 'VERIFY_RESIZE')
        self.assertIn(server['id'], self.agent.driver._kept)
        self.api.delete('servers/%s' % server['id'], status=204)
        self.wait_for_status(server['id'], 'DELETED')
        self.assertEqual({}, self.usage())
        # What the source kept for a revert goes too, as Nova confirms
        # the resize of a server it deletes.
        self.wait_until(lambda: server['id'] not in self.agent.driver._kept)
        self.wait_until(lambda: [m['status'] for m in self.migrations(
            server['id'])] == ['confirmed'])


class TestMigrate(_TwoHosts):

    def test_migrate_is_admin_only_and_keeps_the_flavor(self):
        server = self.create_on(self.agent)
        self.assertEqual(403, self.action(server['id'], {'migrate': None},
                                          status=403).status_int)
        self.action(server['id'], {'migrate': None}, api=self.admin_api)
        shown = self.wait_for_status(server['id'], 'VERIFY_RESIZE')
        self.assertEqual(('1', 'second-host'),
                         (shown['flavor']['id'],
                          shown['OS-EXT-SRV-ATTR:host']))
        (migration,) = self.migrations(server['id'])
        self.assertEqual('migration', migration['migration_type'])
        self.assertEqual('migrate', self.wait_action(
            server['id'], 'migrate', 5)[0])
        # The owner may confirm it.
        self.action(server['id'], {'confirmResize': None}, status=204)
        self.wait_for_status(server['id'], 'ACTIVE')
        self.assertEqual({'second-host': (1, 512, 1)}, self.usage())

    def test_migrate_never_stays_on_its_host(self):
        # As with Nova's libvirt driver, whatever
        # allow_resize_to_same_host says.
        self.flags(allow_resize_to_same_host=True)
        server = self.create_on(self.agent)
        db.service_update(self.admin_context, 'second-host',
                          compute_utils.BINARY, {'disabled': True})
        self.action(server['id'], {'migrate': {}}, api=self.admin_api)
        self.wait_for_status(server['id'], 'ACTIVE')
        self.assertEqual(('migrate', 'Error',
                          [('cold_migrate', 'Error'),
                           ('conductor_migrate_server', 'Error')]),
                         self.last_action(server['id']))
        self.assertEqual(self.agent.service.host,
                         self.host_of(server['id']))

    def test_migrate_to_a_named_host_from_2_56(self):
        self.useFixture(nl_fixtures.ComputeAgent(host='third-host'))
        server = self.create_on(self.agent)
        admin256 = self.admin_api.as_user('admin', 'admin', version='2.56')
        for body, message in (
                ({'migrate': {'host': self.agent.service.host}},
                 'Cannot migrate to the host where the server exists.'),
                ({'migrate': {'host': 'nowhere'}},
                 'Compute host nowhere could not be found.'),
                ({'migrate': {'host': ''}}, None),
                ({'migrate': {'host': 'a b'}}, None),
                ({'migrate': {'flavor': '1'}}, None), ({}, None)):
            resp = self.action(server['id'], body, api=admin256, status=400)
            if message:
                self.assertEqual(message, resp.json['badRequest']['message'])
        # Below 2.56 the body is not looked at, as in Nova.
        self.action(server['id'], {'migrate': {'host': 'x', 'y': 1}},
                    api=self.admin_api.as_user('admin', 'admin',
                                               version='2.55'))
        self.wait_for_status(server['id'], 'VERIFY_RESIZE')
        self.action(server['id'], {'revertResize': None})
        self.wait_for_status(server['id'], 'ACTIVE')
        # The named host, not the other one with room.
        self.action(server['id'], {'migrate': {'host': 'third-host'}},
                    api=admin256)
        shown = self.wait_for_status(server['id'], 'VERIFY_RESIZE')
        self.assertEqual('third-host', shown['OS-EXT-SRV-ATTR:host'])
        self.action(server['id'], {'revertResize': None})
        self.wait_for_status(server['id'], 'ACTIVE')
        # Its own policy, admin only; null is the scheduler's pick.
        self.action(server['id'], {'migrate': {'host': 'third-host'}},
                    api=self.api.as_user('demo', version='2.56'), status=403)
        policy.get_enforcer().set_rules(oslo_policy.Rules.from_dict({
            'os_compute_api:os-migrate-server:migrate:host': '!'}),
            overwrite=False, use_conf=False)
        self.action(server['id'], {'migrate': {'host': 'third-host'}},
                    api=admin256, status=403)
        self.action(server['id'], {'migrate': {'host': None}}, api=admin256)
        self.wait_for_status(server['id'], 'VERIFY_RESIZE')


class TestShelve(_TwoHosts):

    def shelved_image(self, server_id):
        return db.instance_system_metadata_get(
            self.admin_context, server_id).get('shelved_image_id')

    def test_shelve_offloads_at_once_and_unshelve(self):
        server = self.create_on(self.agent, name='web')
        self.action(server['id'], {'shelve': None})
        shown = self.wait_for_status(server['id'], 'SHELVED_OFFLOADED')
        self.assertEqual((None, 4), (shown['OS-EXT-SRV-ATTR:host'],
                                     shown['OS-EXT-STS:power_state']))
        image_id = self.shelved_image(server['id'])
        image = self.wait_image(image_id)
        self.assertEqual('web-shelved', image['name'])
        self.assertEqual('snapshot', image['metadata']['image_type'])
        self.assertNotIn(server['id'], self.agent.driver._guests)
        self.assertEqual({}, self.usage())
        self.assertEqual(
            ('shelve', None, [('compute_shelve_instance', 'Success')]),
            self.wait_action(server['id'], 'shelve', 1))
        # It keeps its addresses.
        self.assertEqual(server['addresses'], shown['addresses'])
        self.action(server['id'], {'unshelve': None})
        shown = self.wait_for_status(server['id'], 'ACTIVE')
        self.assertIn(shown['OS-EXT-SRV-ATTR:host'], self.hosts)
        self.assertEqual(base.IMAGE_ID, shown['image']['id'])
        agent = self.hosts[shown['OS-EXT-SRV-ATTR:host']]
        self.assertEqual(states.RUNNING, agent.driver.get_info(
            {'uuid': server['id']}).state)
        # NOTE: the agent deletes the shelved image, and forgets it, once
        # the server runs.
        self.wait_until(lambda: self.admin_api.get(
            'images/%s' % image_id).status_int == 404 and
            self.shelved_image(server['id']) is None)
        self.assertEqual(
            ('unshelve', None, [('compute_unshelve_instance', 'Success'),
                                ('get_image_info', 'Success'),
                                ('schedule_instances', 'Success')]),
            self.wait_action(server['id'], 'unshelve', 3))

    def test_unshelve_to_a_zone_from_2_77(self):
        # The second host moves to a zone of its own.
        db.service_update(self.admin_context, 'second-host',
                          compute_utils.BINARY,
                          {'availability_zone': 'az2'})
        server = self.create_on(self.agent)
        v277 = self.api.as_user('demo', 'demo', version='2.77')
        self.action(server['id'], {'unshelve': {'availability_zone': 'az2'}},
                    api=v277, status=409)
        self.action(server['id'], {'shelve': None})
        self.wait_for_status(server['id'], 'SHELVED_OFFLOADED')
        for body, status, message in (
                ({'unshelve': {'availability_zone': 'nowhere'}}, 400,
                 'The requested availability zone is not available'),
                ({'unshelve': {}}, 400, None),
                ({'unshelve': {'availability_zone': 'az2', 'x': 1}}, 400,
                 None)):
            resp = self.action(server['id'], body, api=v277, status=status)
            if message:
                self.assertEqual(message, resp.json['badRequest']['message'])
        self.action(server['id'], {'unshelve': {'availability_zone': 'az2'}},
                    api=v277)
        shown = self.wait_for_status(server['id'], 'ACTIVE')
        self.assertEqual(('second-host', 'az2'), (
            shown['OS-EXT-SRV-ATTR:host'],
            shown['OS-EXT-AZ:availability_zone']))
        # A shelved (not offloaded) server may not be given a zone.
        self.flags(shelved_offload_time=-1)
        self.action(server['id'], {'shelve': None})
        self.wait_for_status(server['id'], 'SHELVED')
        resp = self.action(server['id'], {'unshelve': {
            'availability_zone': 'nova'}}, api=v277, status=409)
        self.assertEqual(
            'Specifying an availability zone or a host when unshelving '
            'server "%s" with status "shelved" is not supported. The '
            'server status must be SHELVED_OFFLOADED.' % server['id'],
            resp.json['conflictingRequest']['message'])
        # Below 2.77 the value is not looked at.
        self.action(server['id'], {'unshelve': {'availability_zone': 'x'}},
                    version='2.76')
        self.wait_for_status(server['id'], 'ACTIVE')

    def test_unshelve_to_a_host_or_unpinned_from_2_91(self):
        db.service_update(self.admin_context, 'second-host',
                          compute_utils.BINARY,
                          {'availability_zone': 'az2'})
        first = self.agent.service.host
        # Pinned to the zone of its create ('nova', forced host).
        server = self.create_on(self.agent)
        self.assertEqual('nova', self.row(server['id'])[
            'pinned_availability_zone'])
        v291 = self.api.as_user('demo', 'demo', version='2.91')
        admin = self.admin_api.as_user('admin', 'demo', version='2.91')
        self.action(server['id'], {'unshelve': {'host': first}}, api=admin,
                    status=409)
        self.action(server['id'], {'shelve': None})
        self.wait_for_status(server['id'], 'SHELVED_OFFLOADED')
        for api, body, code, message in (
                (v291, {'unshelve': {'host': first}}, 403,
                 "Policy doesn't allow os_compute_api:os-shelve:"
                 "unshelve_to_host to be performed."),
                (admin, {'unshelve': {'host': 'nohost'}}, 400,
                 'Compute host nohost could not be found.'),
                # The pin is 'nova': the host of another zone is refused.
                (admin, {'unshelve': {'host': 'second-host'}}, 409,
                 'Host "second-host" is not in the availability zone '
                 '"nova".'),
                (admin, {'unshelve': {'host': first,
                                      'availability_zone': 'az2'}}, 409,
                 'Host "%s" is not in the availability zone "az2".'
                 % first),
                (admin, {'unshelve': {'availability_zone': 'nowhere'}}, 400,
                 'The requested availability zone is not available')):
            resp = self.action(server['id'], body, api=api, status=code)
            self.assertFault(resp, code, message)
        for body in ({'unshelve': {'host': None}},
                     {'unshelve': {'x': 1}},
                     {'unshelve': {'availability_zone': 1}}):
            self.action(server['id'], body, api=admin, status=400)
        # Unpinned (null), the named host of any zone will do.
        self.action(server['id'], {'unshelve': {
            'availability_zone': None, 'host': 'second-host'}}, api=admin)
        shown = self.wait_for_status(server['id'], 'ACTIVE')
        self.assertEqual(('second-host', 'az2'), (
            shown['OS-EXT-SRV-ATTR:host'],
            shown['OS-EXT-AZ:availability_zone']))
        self.assertIsNone(self.row(server['id'])['pinned_availability_zone'])
        # Pinned again by a zone.
        self.action(server['id'], {'shelve': None})
        self.wait_for_status(server['id'], 'SHELVED_OFFLOADED')
        self.action(server['id'], {'unshelve': {
            'availability_zone': 'nova'}}, api=v291)
        shown = self.wait_for_status(server['id'], 'ACTIVE')
        self.assertEqual((first, 'nova'), (
            shown['OS-EXT-SRV-ATTR:host'],
            self.row(server['id'])['pinned_availability_zone']))
        # {} (2.91) changes nothing, as null.
        self.action(server['id'], {'shelve': None})
        self.wait_for_status(server['id'], 'SHELVED_OFFLOADED')
        self.action(server['id'], {'unshelve': {}}, api=v291)
        shown = self.wait_for_status(server['id'], 'ACTIVE')
        self.assertEqual('nova', self.row(server['id'])[
            'pinned_availability_zone'])
        # Before 2.91 a host is not a parameter.
        self.action(server['id'], {'shelve': None})
        self.wait_for_status(server['id'], 'SHELVED_OFFLOADED')
        self.action(server['id'], {'unshelve': {'host': first}},
                    api=admin.as_user('admin', 'demo', version='2.90'),
                    status=400)

    def test_shelve_keep_offload_and_unshelve_in_place(self):
        self.flags(shelved_offload_time=-1)
        server = self.create_on(self.agent)
        self.action(server['id'], {'shelve': {}})
        shown = self.wait_for_status(server['id'], 'SHELVED')
        self.assertEqual(self.agent.service.host,
                         shown['OS-EXT-SRV-ATTR:host'])
        self.assertEqual(states.SHUTDOWN, self.agent.driver.get_info(
            {'uuid': server['id']}).state)
        self.wait_image(self.shelved_image(server['id']))
        # SHELVED: unshelve powers it on where it is.
        image_id = self.shelved_image(server['id'])
        self.action(server['id'], {'unshelve': None})
        self.wait_for_status(server['id'], 'ACTIVE')
        self.assertEqual(states.RUNNING, self.agent.driver.get_info(
            {'uuid': server['id']}).state)
        # NOTE: the agent forgets the shelved image after the server runs.
        self.wait_until(lambda: self.admin_api.get(
            'images/%s' % image_id).status_int == 404)
        # shelveOffload is an admin's.
        self.action(server['id'], {'shelve': None})
        self.wait_for_status(server['id'], 'SHELVED')
        self.assertEqual(403, self.action(
            server['id'], {'shelveOffload': None}, status=403).status_int)
        self.action(server['id'], {'shelveOffload': None},
                    api=self.admin_api)
        shown = self.wait_for_status(server['id'], 'SHELVED_OFFLOADED')
        self.assertIsNone(shown['OS-EXT-SRV-ATTR:host'])
        self.assertEqual(
            ('shelveOffload', None,
             [('compute_shelve_offload_instance', 'Success')]),
            self.wait_action(server['id'], 'shelveOffload', 1))

    def test_periodic_offload(self):
        self.flags(shelved_offload_time=3600)
        server = self.create_on(self.agent)
        self.action(server['id'], {'shelve': None})
        self.wait_for_status(server['id'], 'SHELVED')
        self.agent.manager.offload_shelved_instances()
        self.assertEqual('shelved', self.row(server['id'])['vm_state'])
        db.instance_system_metadata_update(
            self.admin_context, server['id'],
            {'shelved_at': db.utcnow().replace(year=2000).isoformat()})
        self.agent.manager.offload_shelved_instances()
        self.wait_for_status(server['id'], 'SHELVED_OFFLOADED')

    def test_unshelve_without_room_stays_offloaded(self):
        server = self.create_on(self.agent)
        self.action(server['id'], {'shelve': None})
        self.wait_for_status(server['id'], 'SHELVED_OFFLOADED')
        for host in self.hosts:
            db.service_update(self.admin_context, host,
                              compute_utils.BINARY, {'disabled': True})
        self.action(server['id'], {'unshelve': None})
        shown = self.wait_for_status(server['id'], 'SHELVED_OFFLOADED')
        self.assertIsNone(shown['OS-EXT-SRV-ATTR:host'])
        self.assertEqual(('unshelve', 'Error',
                          [('get_image_info', 'Success'),
                           ('schedule_instances', 'Error')]),
                         self.last_action(server['id']))

    def test_unshelve_failure_stays_offloaded(self):
        server = self.create_on(self.agent)
        self.action(server['id'], {'shelve': None})
        self.wait_for_status(server['id'], 'SHELVED_OFFLOADED')
        image_id = self.shelved_image(server['id'])
        with mock.patch.object(fake.FakeDriver, 'spawn',
                               side_effect=exception.VirtDriverError(
                                   "Could not create the guest's disk.")):
            self.action(server['id'], {'unshelve': None})
            action = self.wait_action(server['id'], 'unshelve', 3)
        self.assertEqual('Error', action[1])
        shown = self.wait_for_status(server['id'], 'SHELVED_OFFLOADED')
        self.assertIsNone(shown['OS-EXT-SRV-ATTR:host'])
        self.assertEqual({}, self.usage())
        self.assertEqual("Could not create the guest's disk.",
                         self.fault(server['id'])['message'])
        # The image is kept for the next try.
        self.wait_image(image_id)

    def test_unshelve_without_its_image_is_error(self):
        # Nova's conductor: nothing to boot.
        server = self.create_on(self.agent)
        self.action(server['id'], {'shelve': None})
        self.wait_for_status(server['id'], 'SHELVED_OFFLOADED')
        compute_images.delete(self.admin_context,
                              self.shelved_image(server['id']))
        self.action(server['id'], {'unshelve': None})
        shown = self.wait_for_status(server['id'], 'ERROR')
        self.assertEqual({'code': 404, 'message': 'Unshelve attempted but '
                          'the image %s cannot be found.'
                          % self.shelved_image(server['id'])},
                         {k: shown['fault'][k] for k in ('code',
                                                         'message')})
        self.assertEqual(('unshelve', 'Error',
                          [('get_image_info', 'Error')]),
                         self.last_action(server['id']))

    def test_delete_a_shelved_server_deletes_its_image(self):
        server = self.create_on(self.agent)
        self.action(server['id'], {'shelve': None})
        self.wait_for_status(server['id'], 'SHELVED_OFFLOADED')
        image_id = self.shelved_image(server['id'])
        path = db.image_get(self.admin_context, image_id)['location']
        self.api.delete('servers/%s' % server['id'], status=204)
        self.wait_for_status(server['id'], 'DELETED')
        self.assertEqual(404, self.admin_api.get(
            'images/%s' % image_id).status_int)
        self.assertFalse(os.path.exists(path))

    def test_errors(self):
        server = self.create_on(self.agent)
        self.assertFault(self.action(server['id'], {'unshelve': None},
                                     status=409), 409,
                         "Cannot 'unshelve' instance %s while it is in "
                         "vm_state active" % server['id'])
        self.assertFault(self.action(server['id'], {'shelveOffload': None},
                                     api=self.admin_api, status=409), 409,
                         "Cannot 'shelveOffload' instance %s while it is in "
                         "vm_state active" % server['id'])
        self.assertFault(self.action(server['id'], {'shelve': None},
                                     api=self.other, status=404), 404,
                         'Instance %s could not be found.' % server['id'])
        self.action(server['id'], {'lock': None}, api=self.admin_api)
        self.assertFault(self.action(server['id'], {'shelve': None},
                                     status=409), 409,
                         'Instance %s is locked' % server['id'])

    def test_shelve_failure_keeps_the_server(self):
        self.flags(shelved_offload_time=-1)
        server = self.create_on(self.agent)
        with mock.patch.object(fake.FakeDriver, 'snapshot',
                               side_effect=exception.VirtDriverError(
                                   "Could not copy the guest's disk.")):
            self.action(server['id'], {'shelve': None})
            action = self.wait_action(server['id'], 'shelve', 1)
        self.assertEqual(('shelve', 'Error'), action[:2])
        row = self.row(server['id'])
        # Its guest was stopped for the snapshot: SHUTOFF, as the power
        # sync would make it.
        self.assertEqual(('stopped', None, 4), (row['vm_state'],
                                                row['task_state'],
                                                row['power_state']))
        self.assertIsNone(self.shelved_image(server['id']))
        self.assertEqual([base.IMAGE_ID], [
            i['id'] for i in self.admin_api.get('images').json['images']])


class TestAgentRestart(_TwoHosts):
    """The start-up reconcile settles servers caught in these tasks."""

    def restart(self, agent):
        agent.manager._reconcile()

    def test_snapshot_task_cleared_and_image_deleted(self):
        # The agent died while it wrote the image (Nova clears the task).
        server = self.create_on(self.agent)
        instance = self.row(server['id'])
        image = compute_images.create_snapshot(self.admin_context, instance,
                                               'snap')
        db.image_update(self.admin_context, image['id'],
                        {'status': 'saving'})
        db.instance_update(self.admin_context, server['id'],
                           {'task_state': 'image_uploading'})
        self.restart(self.agent)
        self.assertIsNone(self.row(server['id'])['task_state'])
        self.assertEqual([base.IMAGE_ID], [
            i['id'] for i in self.admin_api.get('images').json['images']])

    def test_backup_task_cleared_and_image_deleted(self):
        # Nova's start-up would leave image_backup: novalite clears it.
        server = self.create_on(self.agent)
        instance = self.row(server['id'])
        image = compute_images.create_snapshot(
            self.admin_context, instance, 'b', image_type='backup',
            extra_properties={'backup_type': 'daily'})
        db.instance_update(self.admin_context, server['id'],
                           {'task_state': 'image_backup'})
        self.restart(self.agent)
        self.assertIsNone(self.row(server['id'])['task_state'])
        self.assertEqual(404, self.admin_api.get(
            'images/%s' % image['id']).status_int)

    def test_rebuild_is_error(self):
        server = self.create_on(self.agent)
        db.instance_update(self.admin_context, server['id'],
                           {'task_state': 'rebuild_spawning'})
        self.restart(self.agent)
        self.assertEqual(('error', None),
                         (self.row(server['id'])['vm_state'],
                          self.row(server['id'])['task_state']))

    def test_source_died_while_migrating(self):
        # Nova: the guest comes back on the source, the task is cleared.
        server = self.create_on(self.agent)
        # NOTE: until the source's cast, not only its update: a cast sent
        # once the patch is gone would reach the destination.
        with mock.patch('novalite.compute.rpcapi.ComputeAPI.'
                        'finish_resize') as finish:
            self.action(server['id'], {'resize': {'flavorRef': '2'}})
            self.wait_until(lambda: finish.called)
        self.assertEqual('resize_migrated',
                         self.row(server['id'])['task_state'])
        db.instance_update(self.admin_context, server['id'],
                           {'task_state': 'resize_migrating'})
        self.restart(self.agent)
        row = self.row(server['id'])
        self.assertEqual(('active', None), (row['vm_state'],
                                            row['task_state']))
        self.assertEqual(states.RUNNING, self.agent.driver.get_info(
            {'uuid': server['id']}).state)
        self.assertEqual(['error'], [m['status'] for m in
                                     self.migrations(server['id'])])
        self.assertEqual({self.agent.service.host: (1, 512, 1)},
                         self.usage())

    def test_destination_lost_the_finish(self):
        # The destination died with the finish message: at its start-up
        # the source brings the guest back (a revert).
        server = self.create_on(self.agent)
        # NOTE: until the source's cast, not only its update: a cast sent
        # once the patch is gone would reach the destination.
        with mock.patch('novalite.compute.rpcapi.ComputeAPI.'
                        'finish_resize') as finish:
            self.action(server['id'], {'resize': {'flavorRef': '2'}})
            self.wait_until(lambda: finish.called)
        self.assertEqual('resize_migrated',
                         self.row(server['id'])['task_state'])
        self.restart(self.agent2)
        shown = self.wait_for_status(server['id'], 'ACTIVE')
        self.assertEqual(('1', self.agent.service.host),
                         (shown['flavor']['id'],
                          shown['OS-EXT-SRV-ATTR:host']))
        self.assertEqual(states.RUNNING, self.agent.driver.get_info(
            {'uuid': server['id']}).state)
        self.wait_until(lambda: [m['status'] for m in self.migrations(
            server['id'])] == ['reverted'])

    def test_destination_lost_the_preparation(self):
        server = self.create_on(self.agent)
        with mock.patch('novalite.compute.rpcapi.ComputeAPI.prep_resize'):
            self.action(server['id'], {'resize': {'flavorRef': '2'}})
        self.assertEqual('resize_prep', self.row(server['id'])['task_state'])
        self.restart(self.agent2)
        self.wait_for_status(server['id'], 'ACTIVE')
        self.assertEqual(['error'], [m['status'] for m in
                                     self.migrations(server['id'])])
        self.assertEqual({self.agent.service.host: (1, 512, 1)},
                         self.usage())

    def test_offload_and_unshelve_settled(self):
        self.flags(shelved_offload_time=-1)
        server = self.create_on(self.agent)
        self.action(server['id'], {'shelve': None})
        self.wait_for_status(server['id'], 'SHELVED')
        db.instance_update(self.admin_context, server['id'],
                           {'task_state': 'shelving_offloading'})
        self.restart(self.agent)
        self.assertEqual(('shelved_offloaded', None, None), tuple(
            self.row(server['id'])[k] for k in ('vm_state', 'task_state',
                                                'host')))
        with mock.patch('novalite.compute.rpcapi.ComputeAPI.'
                        'unshelve_instance'):
            self.action(server['id'], {'unshelve': None})
        row = self.row(server['id'])
        self.assertEqual('unshelving', row['task_state'])
        self.restart(self.hosts[row['host']])
        self.assertEqual(('shelved_offloaded', None, None), tuple(
            self.row(server['id'])[k] for k in ('vm_state', 'task_state',
                                                'host')))
        self.assertEqual({}, self.usage())


class TestOnLibvirt(_Base):
    """The same flows with two agents on libvirt's test:///default
    hypervisor and real qemu-img disks: the files move as they would
    between two hosts sharing the image store."""

    USE_AGENT = False

    def setUp(self):
        super().setUp()
        nl_fixtures.require(self, libvirt_host.libvirt is not None,
                            'libvirt-python is not installed')
        nl_fixtures.require(self, shutil.which('qemu-img') is not None,
                            'qemu-img is not installed')
        self.flags(compute_driver='libvirt.LibvirtDriver')
        # A real image file: the guests' disks are overlays of it.
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'image.qcow2')
        subprocess.run(['qemu-img', 'create', '-f', 'qcow2', path, '64M'],
                       check=True, capture_output=True)
        db.image_update(self.admin_context, base.IMAGE_ID,
                        {'location': path, 'disk_format': 'qcow2',
                         'size': os.path.getsize(path)})
        self.agent = self.useFixture(nl_fixtures.ComputeAgent())
        self.agent2 = self.useFixture(nl_fixtures.ComputeAgent(
            host='second-host'))

    def disk(self, server_id):
        path = os.path.join(CONF.instances_path, server_id, 'disk')
        return json.loads(subprocess.run(
            ['qemu-img', 'info', '-U', '--output=json', path],
            check=True, capture_output=True, text=True).stdout)

    def test_snapshot_boot_resize_revert_confirm_shelve(self):
        server = self.create_server(
            api=self.admin_api.as_user('admin', 'demo'),
            availability_zone='nova:%s' % self.agent.service.host)
        self.addCleanup(self._delete, server['id'])
        resp = self.action(server['id'], {'createImage': {'name': 'snap'}})
        image_id = resp.headers['Location'].rsplit('/', 1)[-1]
        self.wait_image(image_id)
        self.wait_for_status(server['id'], 'ACTIVE')
        second = self.create_server(name='second', imageRef=image_id)
        self.addCleanup(self._delete, second['id'])
        self.assertIn(image_id, self.disk(second['id'])['backing-filename'])

        self.action(server['id'], {'resize': {'flavorRef': '2'}})
        shown = self.wait_for_status(server['id'], 'VERIFY_RESIZE')
        self.assertEqual('second-host', shown['OS-EXT-SRV-ATTR:host'])
        info = self.disk(server['id'])
        self.assertNotIn('backing-filename', info)
        self.assertEqual(2 * 1024 ** 3, info['virtual-size'])
        self.action(server['id'], {'revertResize': None})
        self.wait_for_status(server['id'], 'ACTIVE')
        info = self.disk(server['id'])
        self.assertEqual(1024 ** 3, info['virtual-size'])
        self.assertIn(base.IMAGE_ID, info['backing-filename'])
        self.action(server['id'], {'resize': {'flavorRef': '2'}})
        self.wait_for_status(server['id'], 'VERIFY_RESIZE')
        self.action(server['id'], {'confirmResize': None}, status=204)
        self.wait_for_status(server['id'], 'ACTIVE')
        self.assertFalse(os.path.exists(os.path.join(
            CONF.instances_path, server['id'] + '_resize')))
        self.assertEqual([], os.listdir(os.path.join(
            CONF.image_store.path, compute_images.TRANSFER_DIR)))

        self.action(server['id'], {'shelve': None})
        self.wait_for_status(server['id'], 'SHELVED_OFFLOADED')
        self.assertFalse(os.path.exists(os.path.join(CONF.instances_path,
                                                     server['id'])))
        self.action(server['id'], {'unshelve': None})
        self.wait_for_status(server['id'], 'ACTIVE')
        info = self.disk(server['id'])
        self.assertNotIn('backing-filename', info)
        self.assertEqual(2 * 1024 ** 3, info['virtual-size'])

        self.action(server['id'], {'rebuild': {'imageRef': base.IMAGE_ID}})
        self.wait_for_status(server['id'], 'ACTIVE')
        self.assertIn(base.IMAGE_ID,
                      self.disk(server['id'])['backing-filename'])

    def _delete(self, server_id):
        self.admin_api.delete('servers/%s' % server_id)
        self.wait_for_status(server_id, 'DELETED')


class TestTransitions(testtools.TestCase):
    """The state table against Nova's @check_instance_state of each
    compute.API method, for every vm_state and task_state pair."""

    NOVA = {
        'create_image': ({'active', 'stopped', 'paused', 'suspended'},
                         'image_snapshot_pending'),
        'backup': ({'active', 'stopped', 'paused', 'suspended'},
                   'image_backup'),
        'rebuild': ({'active', 'stopped', 'error'}, 'rebuilding'),
        'resize': ({'active', 'stopped'}, 'resize_prep'),
        'migrate': ({'active', 'stopped'}, 'resize_prep'),
        'confirm_resize': ({'resized'}, None),
        'revert_resize': ({'resized'}, 'resize_reverting'),
        'shelve': ({'active', 'stopped', 'paused', 'suspended'}, 'shelving'),
        'shelve_offload': ({'shelved'}, 'shelving_offloading'),
        'unshelve': ({'shelved', 'shelved_offloaded'}, 'unshelving'),
    }

    def test_allowed_states(self):
        wrong = []
        for action, (vm_ok, new_task) in self.NOVA.items():
            for vm_state, task_state in itertools.product(
                    test_states.CONTRACT_STATUS,
                    test_states.ALL_TASK_STATES):
                instance = {'uuid': 'u', 'vm_state': vm_state,
                            'task_state': task_state}
                allowed = vm_state in vm_ok and task_state is None
                try:
                    found = states.check_transition(action, instance)
                except exception.InstanceInvalidState:
                    if allowed:
                        wrong.append((action, vm_state, task_state))
                    continue
                if not allowed or found.new_task_state != new_task:
                    wrong.append((action, vm_state, task_state))
        self.assertEqual([], wrong)

    def test_names_and_statuses(self):
        self.assertEqual(
            ['createImage', 'createBackup', 'rebuild', 'resize', 'migrate',
             'confirmResize', 'revertResize', 'shelve', 'shelveOffload',
             'unshelve'],
            [states.api_action_name(a) for a in self.NOVA])
        # Nova's _STATE_MAP: a snapshot, a backup or a shelve shows the
        # vm_state's own status.
        for task in ('image_snapshot_pending', 'image_snapshot',
                     'image_backup',
                     'image_pending_upload', 'image_uploading', 'shelving',
                     'shelving_image_pending_upload',
                     'shelving_image_uploading'):
            self.assertEqual('ACTIVE', states.status('active', task))
            self.assertEqual('SHUTOFF', states.status('stopped', task))
        self.assertEqual('SHELVED', states.status('shelved',
                                                  'shelving_offloading'))
        self.assertEqual('SHELVED_OFFLOADED',
                         states.status('shelved_offloaded', 'unshelving'))
        self.assertEqual('REVERT_RESIZE',
                         states.status('resized', 'resize_reverting'))
        for action in self.NOVA:
            self.assertIn(action, states.RESULTS)


class _ConcurrentMovesMixin:
    """Resizes racing for one destination claim its room atomically, as
    creates do (see test_claims): exactly as many get it as fit."""

    BACKEND = None
    FITS = 2
    REQUESTS = 8

    def setUp(self):
        super().setUp()
        if self.BACKEND != 'sqlite':
            url = test_migrations.provision_database(self, self.BACKEND)
            self.db = self.useFixture(nl_fixtures.Database(connection=url))
        self.flags(cpu_allocation_ratio=1.0, ram_allocation_ratio=1.0,
                   disk_allocation_ratio=1.0, reserved_host_memory_mb=0)
        self.old = self.create_flavor(vcpus=1, memory_mb=512, root_gb=1)
        self.new = self.create_flavor(flavorid='2', name='m1.small',
                                      vcpus=1, memory_mb=1024, root_gb=1)
        self.create_image()
        ctxt = self.admin_context
        db.service_report(ctxt, 'source', compute_utils.BINARY, 'compute',
                          {'vcpus': 100, 'memory_mb': 100000,
                           'local_gb': 1000}, 'nova')
        db.service_report(ctxt, 'dest', compute_utils.BINARY, 'compute',
                          {'vcpus': self.FITS, 'memory_mb': 100000,
                           'local_gb': 1000}, 'nova')
        self.servers = [db.instance_create(ctxt, {
            'uuid': str(uuid.uuid4()), 'project_id': 'p%d' % i,
            'user_id': 'u', 'display_name': 's%d' % i,
            'image_ref': base.IMAGE_ID, 'instance_type_id': self.old['id'],
            'flavorid': '1', 'flavor_name': 'm1.tiny', 'vcpus': 1,
            'memory_mb': 512, 'root_gb': 1, 'vm_state': 'active',
            'power_state': 1, 'host': 'source', 'node': 'source',
            'availability_zone': 'nova', 'launched_at': db.utcnow()})
            for i in range(self.REQUESTS)]

    def test_concurrent_resizes_never_overcommit(self):
        api = compute_api.API()
        start = threading.Barrier(self.REQUESTS)
        errors = []

        def resize(server):
            context = nl_context.RequestContext(
                user_id='u', project_id=server['project_id'],
                roles=['member'], is_admin=False)
            try:
                start.wait()
                with mock.patch.object(api, '_send'):
                    api.resize(context, server, '2')
            except Exception as e:  # noqa: B902 - any error fails the test
                errors.append(e)

        threads = [threading.Thread(target=resize, args=(s,))
                   for s in self.servers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual([], errors)
        with self.db.engine.connect() as conn:
            statuses = sorted(row.status for row in conn.execute(
                sa.select(models.Migration)))
        self.assertEqual(['error'] * (self.REQUESTS - self.FITS)
                         + ['pre-migrating'] * self.FITS, statuses)
        usage = db.instance_usage_by_host(self.admin_context)
        self.assertEqual((self.FITS, self.FITS * 1024, self.FITS),
                         usage['dest'])
        self.assertEqual((self.REQUESTS, self.REQUESTS * 512,
                          self.REQUESTS), usage['source'])


class SQLiteConcurrentMovesTest(_ConcurrentMovesMixin, base.TestCase):
    BACKEND = 'sqlite'


class MySQLConcurrentMovesTest(_ConcurrentMovesMixin, base.TestCase):
    BACKEND = 'mysql'


class PostgreSQLConcurrentMovesTest(_ConcurrentMovesMixin, base.TestCase):
    BACKEND = 'postgresql'


class TestBrokerUnreachable(_Base):
    """The message to the agent cannot be sent: 503, and the server (with
    its image, its migration, its host) is left as it was (see
    test_servers.TestBrokerUnreachable)."""

    def setUp(self):
        super().setUp()
        self.flags(allow_resize_to_same_host=True, shelved_offload_time=0)
        self.server = self.create_server(metadata={'keep': 'me'})
        self.offloaded = self.create_server(name='offloaded')
        self.action(self.offloaded['id'], {'shelve': None})
        self.wait_for_status(self.offloaded['id'], 'SHELVED_OFFLOADED')
        self.useFixture(nl_fixtures.UnreachableBroker(self.flags))

    def test_nothing_changes(self):
        uuid = self.server['id']
        before = self.show(uuid)
        for body in ({'createImage': {'name': 's'}},
                     {'rebuild': {'imageRef': base.IMAGE_ID,
                                  'name': 'renamed',
                                  'metadata': {'new': 'x'}}},
                     {'resize': {'flavorRef': '2'}},
                     {'shelve': None}):
            resp = self.action(uuid, body, status=503)
            self.assertEqual(503, resp.json['serviceUnavailable']['code'])
            shown = self.show(uuid)
            for key in ('status', 'OS-EXT-STS:task_state', 'name',
                        'metadata', 'image', 'flavor',
                        'OS-EXT-SRV-ATTR:host'):
                self.assertEqual(before[key], shown[key], (body, key))
        self.assertEqual(sorted([base.IMAGE_ID,
                                 self.shelved(self.offloaded)]),
                         sorted(i['id'] for i in self.admin_api.get(
                             'images').json['images']))
        with self.db.engine.connect() as conn:
            self.assertEqual(['error'], [row.status for row in conn.execute(
                sa.select(models.Migration))])
        self.assertEqual({self.agent.service.host: (1, 512, 1)},
                         db.instance_usage_by_host(self.admin_context))
        resp = self.action(self.offloaded['id'], {'unshelve': None},
                           status=503)
        shown = self.show(self.offloaded['id'])
        self.assertEqual(('SHELVED_OFFLOADED', None, None),
                         (shown['status'], shown['OS-EXT-STS:task_state'],
                          shown['OS-EXT-SRV-ATTR:host']))

    def shelved(self, server):
        return db.instance_system_metadata_get(
            self.admin_context, server['id'])['shelved_image_id']
