"""Snapshots, resizes, cold migrations and shelving between two compute
agent processes, each with its own hypervisor (libvirt's in-memory test
driver, one per process) and its own instances directory, sharing only
the image store and the database: what the disks go through between two
real hosts."""

import json
import os
import subprocess
import time

from tempest.lib.services.compute import images_client
import testtools

from novalite.tests.functional import base
from novalite.tests.functional import fixtures as func_fixtures


class TestMovesBetweenHosts(base.FunctionalTestCase):

    COMPUTE_HOSTS = ('hv1', 'hv2')

    def make_deployment(self):
        return func_fixtures.Deployment(
            compute_hosts=self.COMPUTE_HOSTS, per_host_instances=True,
            extra_conf='[DEFAULT]\nshelved_offload_time = 0\n')

    def setUp(self):
        super().setUp()
        self.deployment.manage('flavor', 'create', '--name', 'm1.small',
                               '--id', '2', '--ram', '1024', '--vcpus', '1',
                               '--disk', '2')
        self.servers = self.admin.servers
        self.images = images_client.ImagesClient(
            self.servers.auth_provider, 'compute', 'RegionOne')

    def host(self, server_id):
        return self.servers.show_server(server_id)['server'][
            'OS-EXT-SRV-ATTR:host']

    def on(self, host):
        return self.deployment.host_name(host)

    def disk(self, host, server_id):
        path = os.path.join(self.deployment.instances_dir(host), server_id,
                            'disk')
        return json.loads(subprocess.run(
            ['qemu-img', 'info', '-U', '--output=json', path],
            check=True, capture_output=True, text=True).stdout)

    def exists(self, host, name):
        return os.path.exists(os.path.join(
            self.deployment.instances_dir(host), name))

    def create_on(self, host, image=func_fixtures.IMAGE_ID):
        created = self.servers.create_server(
            name='mv', flavorRef='1', imageRef=image,
            availability_zone='nova:%s' % self.on(host))['server']
        self.wait_for_status(self.servers, created['id'], 'ACTIVE')
        return created['id']

    def test_disks_move_between_hosts(self):
        started = time.monotonic()
        server_id = self.create_on('hv1')

        # A snapshot written by hv1 boots on hv2.
        resp = self.images.create_image(server_id, name='snap')
        image_id = resp.response['location'].rsplit('/', 1)[-1]
        deadline = time.monotonic() + 30
        while self.images.show_image(image_id)['image']['status'] != \
                'ACTIVE':
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.1)
        from_snapshot = self.create_on('hv2', image=image_id)
        self.assertIn(os.path.join(self.deployment.instances_dir('hv2'),
                                   '_base', image_id),
                      self.disk('hv2', from_snapshot)['backing-filename'])

        # Resize to hv2 (allow_resize_to_same_host is off), confirm.
        self.servers.resize_server(server_id, '2')
        self.wait_for_status(self.servers, server_id, 'VERIFY_RESIZE')
        self.assertEqual(self.on('hv2'), self.host(server_id))
        self.assertEqual(2 * 1024 ** 3,
                         self.disk('hv2', server_id)['virtual-size'])
        self.assertTrue(self.exists('hv1', server_id + '_resize'))
        self.assertFalse(self.exists('hv1', server_id))
        self.servers.confirm_resize_server(server_id)
        self.wait_for_status(self.servers, server_id, 'ACTIVE')
        self.assertFalse(self.exists('hv1', server_id + '_resize'))

        # Cold-migrate it back to hv1, then revert: on hv2 again.
        self.servers.migrate_server(server_id)
        self.wait_for_status(self.servers, server_id, 'VERIFY_RESIZE')
        self.assertEqual(self.on('hv1'), self.host(server_id))
        self.servers.revert_resize_server(server_id)
        self.wait_for_status(self.servers, server_id, 'ACTIVE')
        self.assertEqual(self.on('hv2'), self.host(server_id))
        self.assertFalse(self.exists('hv1', server_id))
        self.assertEqual(2 * 1024 ** 3,
                         self.disk('hv2', server_id)['virtual-size'])

        # Shelve (offloaded at once) and unshelve: wherever there is room.
        self.servers.shelve_server(server_id)
        shelved = self.wait_for_status(self.servers, server_id,
                                       'SHELVED_OFFLOADED')
        self.assertIsNone(shelved['OS-EXT-SRV-ATTR:host'])
        self.assertFalse(self.exists('hv2', server_id))
        self.servers.unshelve_server(server_id)
        self.wait_for_status(self.servers, server_id, 'ACTIVE')
        host = {self.on(h): h for h in self.COMPUTE_HOSTS}[
            self.host(server_id)]
        self.assertNotIn('backing-filename', self.disk(host, server_id))

        for uuid in (server_id, from_snapshot):
            self.servers.delete_server(uuid)
            self.wait_for_deletion(self.servers, uuid)
        self.addDetail('seconds', testtools.content.text_content(
            '%.1f' % (time.monotonic() - started)))
