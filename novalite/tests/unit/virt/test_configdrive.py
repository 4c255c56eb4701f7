"""The config drive: contents, a real ISO 9660 image and its label."""

import base64
import json
import os
import shutil
import subprocess

import fixtures
import pycdlib
import testtools

from novalite import exception
from novalite.tests import fixtures as nl_fixtures
from novalite.virt import configdrive

INSTANCE = {
    'uuid': '2a6d5f7e-5c55-4c1e-9e7a-0b9c8c0e7b11',
    'display_name': 'web <1> & "two"',
    'hostname': 'web-1',
    'launch_index': 2,
    'availability_zone': 'az1',
    'project_id': 'p1',
    'metadata': {'role': 'web', 'empty': ''},
    'key_name': 'mykey',
    'key_data': 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA test@example',
    'user_data': base64.b64encode(b'#!/bin/sh\necho \xff\x00hi\n').decode(),
}

FILES = [('/etc/motd', b'hello\n'), ('/root/.ssh/extra', b'\x00\x01\x02')]

NETWORK = {'links': [{'id': 'tap0', 'type': 'phy',
                      'ethernet_mac_address': 'fa:16:3e:00:00:01'}],
           'networks': [{'id': 'net0', 'link': 'tap0', 'type': 'ipv4_dhcp'}],
           'services': []}


class BuildContentsTest(testtools.TestCase):

    def test_meta_data(self):
        files = configdrive.build_contents(INSTANCE, 'secret', FILES,
                                           NETWORK)
        meta = json.loads(files['openstack/latest/meta_data.json'])
        self.assertEqual(INSTANCE['uuid'], meta['uuid'])
        self.assertEqual(INSTANCE['display_name'], meta['name'])
        self.assertEqual('web-1', meta['hostname'])
        self.assertEqual(2, meta['launch_index'])
        self.assertEqual('az1', meta['availability_zone'])
        self.assertEqual('p1', meta['project_id'])
        self.assertEqual({'role': 'web', 'empty': ''}, meta['meta'])
        self.assertEqual('secret', meta['admin_pass'])
        self.assertEqual({'mykey': INSTANCE['key_data']},
                         meta['public_keys'])
        self.assertEqual([{'name': 'mykey', 'type': 'ssh',
                           'data': INSTANCE['key_data']}], meta['keys'])
        self.assertEqual(
            [{'path': '/etc/motd', 'content_path': '/content/0000'},
             {'path': '/root/.ssh/extra', 'content_path': '/content/0001'}],
            meta['files'])
        self.assertEqual(b'hello\n', files['openstack/content/0000'])
        self.assertEqual(b'\x00\x01\x02', files['openstack/content/0001'])
        self.assertEqual(b'#!/bin/sh\necho \xff\x00hi\n',
                         files['openstack/latest/user_data'])
        self.assertEqual(NETWORK, json.loads(
            files['openstack/latest/network_data.json']))

    def test_minimal(self):
        instance = dict(INSTANCE, key_data=None, key_name=None,
                        user_data=None, metadata=None, launch_index=None,
                        availability_zone=None)
        files = configdrive.build_contents(instance, None, [], None)
        meta = json.loads(files['openstack/latest/meta_data.json'])
        self.assertNotIn('admin_pass', meta)
        self.assertNotIn('public_keys', meta)
        self.assertNotIn('keys', meta)
        self.assertEqual([], meta['files'])
        self.assertEqual({}, meta['meta'])
        self.assertEqual(0, meta['launch_index'])
        self.assertEqual('', meta['availability_zone'])
        self.assertNotIn('openstack/latest/user_data', files)
        self.assertEqual({'links': [], 'networks': [], 'services': []},
                         json.loads(
                             files['openstack/latest/network_data.json']))
        self.assertEqual(
            {'openstack/latest/meta_data.json',
             'openstack/latest/network_data.json',
             'openstack/latest/vendor_data.json',
             'openstack/latest/vendor_data2.json'}, set(files))


class IsoTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.path = os.path.join(self.tmp, 'disk.config')
        self.files = configdrive.build_contents(INSTANCE, 'secret', FILES,
                                                NETWORK)
        configdrive.write_iso(self.path, self.files)

    def test_round_trip(self):
        found = configdrive.read_iso(self.path)
        self.assertEqual(self.files, found)
        meta = json.loads(found['openstack/latest/meta_data.json'])
        self.assertEqual(INSTANCE['uuid'], meta['uuid'])
        self.assertEqual(b'#!/bin/sh\necho \xff\x00hi\n',
                         found['openstack/latest/user_data'])
        self.assertEqual(b'hello\n', found['openstack/content/0000'])

    def test_volume_label(self):
        iso = pycdlib.PyCdlib()
        iso.open(self.path)
        self.addCleanup(iso.close)
        self.assertEqual(b'config-2', iso.pvd.volume_identifier.rstrip())
        self.assertIsNotNone(iso.joliet_vd)
        self.assertTrue(iso.has_rock_ridge())
        # Joliet names are the real ones too.
        joliet = set()
        for dirname, _dirs, names in iso.walk(joliet_path='/'):
            joliet.update(dirname.rstrip('/') + '/' + n for n in names)
        self.assertIn('/openstack/latest/meta_data.json', joliet)
        self.assertIn('/openstack/content/0001', joliet)

    def test_isoinfo_reads_it(self):
        nl_fixtures.require(self, shutil.which('isoinfo') is not None,
                            'isoinfo (genisoimage) is not installed')
        info = subprocess.run(['isoinfo', '-d', '-i', self.path],
                              capture_output=True, text=True, check=True)
        self.assertIn('Volume id: config-2', info.stdout)
        self.assertIn('Rock Ridge signatures', info.stdout)
        self.assertIn('Joliet', info.stdout)
        listing = subprocess.run(['isoinfo', '-R', '-f', '-i', self.path],
                                 capture_output=True, text=True,
                                 check=True).stdout.split()
        self.assertIn('/openstack/latest/meta_data.json', listing)
        self.assertIn('/openstack/latest/user_data', listing)
        self.assertIn('/openstack/content/0000', listing)
        extracted = subprocess.run(
            ['isoinfo', '-R', '-i', self.path, '-x',
             '/openstack/latest/meta_data.json'],
            capture_output=True, check=True).stdout
        self.assertEqual(self.files['openstack/latest/meta_data.json'],
                         extracted)
        extracted = subprocess.run(
            ['isoinfo', '-J', '-i', self.path, '-x',
             '/openstack/latest/user_data'],
            capture_output=True, check=True).stdout
        self.assertEqual(b'#!/bin/sh\necho \xff\x00hi\n', extracted)

    def test_write_error(self):
        self.assertRaises(exception.ConfigDriveError, configdrive.write_iso,
                          os.path.join(self.tmp, 'missing', 'disk.config'),
                          self.files)
