"""``novalite-manage network ...``, parsed as on the command line, in
process on the test database."""

import importlib
import io
import os
import subprocess
import sys

import fixtures
from oslo_config import cfg
import testtools

from novalite.db import api as db
from novalite import exception
from novalite.tests import base
from novalite.tests.unit.db import test_api

CONF = cfg.CONF
NET_UUID = '3cb9bc59-5699-4588-a4b1-b87f96708bc6'


class ManageCommand(fixtures.Fixture):
    """``novalite-manage`` in process.

    NOTE: importing novalite.cmd.manage registers its sub-command option
    on the global configuration, where every later test would have to
    give one: it is unregistered again at cleanup. No configuration file
    is read (the machine's must not leak in), and the test database is
    already in place.
    """

    def _setUp(self):
        # CLI options can only be registered on an unparsed configuration.
        CONF.reset()
        self.module = importlib.import_module('novalite.cmd.manage')
        if 'category' not in CONF:
            CONF.register_cli_opt(self.module.CATEGORY_OPT)
        self.addCleanup(self._unregister)
        self.useFixture(fixtures.MonkeyPatch(
            'novalite.cmd.manage.config.parse_args',
            lambda argv: CONF(argv[1:], project='novalite',
                              default_config_files=[])))
        self.useFixture(fixtures.MonkeyPatch(
            'novalite.cmd.manage.db.configure', lambda: None))

    def _unregister(self):
        CONF.reset()
        CONF.unregister_opt(self.module.CATEGORY_OPT)
        CONF([], project='novalite', default_config_files=[])

    def __call__(self, *args):
        """stdout of the command; SystemExit if it fails."""
        out = io.StringIO()
        with fixtures.MonkeyPatch('sys.stdout', out):
            self.module.main(['novalite-manage'] + list(args))
        return out.getvalue()


class ManageNetworkTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.manage = self.useFixture(ManageCommand())

    def fails(self, *args):
        """The one-line error of a failing command: SystemExit with a
        message, which Python prints and exits 1 for."""
        e = self.assertRaises(SystemExit, self.manage, *args)
        self.assertIsInstance(e.code, str)
        self.assertNotIn('\n', e.code)
        return e.code

    def test_create_list_delete(self):
        out = self.manage('network', 'create', '--name', 'public',
                          '--cidr', '10.0.0.0/24')
        shared = db.network_get_by_name(self.admin_context, 'public')
        self.assertEqual(shared['uuid'] + '\n', out)
        self.assertIsNone(shared['project_id'])
        out = self.manage('network', 'create', '--name', 'mine', '--cidr',
                          '192.168.0.0/16', '--project', 'demo', '--id',
                          NET_UUID)
        self.assertEqual(NET_UUID + '\n', out)
        mine = db.network_get(self.admin_context, NET_UUID)
        self.assertEqual('demo', mine['project_id'])
        self.assertEqual('192.168.0.1', mine['gateway'])

        lines = self.manage('network', 'list').splitlines()
        self.assertEqual(3, len(lines))
        self.assertEqual(['ID', 'Name', 'CIDR', 'Gateway', 'Bridge',
                          'Project'], lines[0].split())
        self.assertEqual([NET_UUID, 'mine', '192.168.0.0/16', '192.168.0.1',
                          'nlbr3cb9bc59', 'demo'], lines[1].split())
        self.assertEqual([shared['uuid'], 'public', '10.0.0.0/24',
                          '10.0.0.1', shared['bridge'], '(shared)'],
                         lines[2].split())

        # By name or by id.
        self.assertEqual('', self.manage('network', 'delete', 'public'))
        self.manage('network', 'delete', NET_UUID)
        self.assertEqual([], db.network_get_all(self.admin_context))

    def test_create_errors(self):
        self.assertEqual(
            'Invalid CIDR fd00::/64: only IPv4 networks are supported',
            self.fails('network', 'create', '--name', 'v6', '--cidr',
                       'fd00::/64'))
        self.assertEqual(
            'Invalid CIDR 10.0.0.0/30: the prefix length must be /16 to /29',
            self.fails('network', 'create', '--name', 'n', '--cidr',
                       '10.0.0.0/30'))
        self.assertIn('Invalid CIDR 10.0.0.0/12: ',
                      self.fails('network', 'create', '--name', 'n',
                                 '--cidr', '10.0.0.0/12'))
        self.assertIn('is not a UUID', self.fails(
            'network', 'create', '--name', 'n', '--cidr', '10.0.0.0/24',
            '--id', 'x'))
        self.manage('network', 'create', '--name', 'n', '--cidr',
                    '10.0.0.0/24')
        self.assertEqual(
            'Network with name n already exists.',
            self.fails('network', 'create', '--name', 'n', '--cidr',
                       '10.1.0.0/24'))
        # A missing option is argparse's usage error (exit status 2).
        stderr = self.useFixture(fixtures.StringStream('stderr'))
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', stderr.stream))
        e = self.assertRaises(SystemExit, self.manage, 'network', 'create',
                              '--name', 'x')
        self.assertEqual(2, e.code)

    def test_delete_errors(self):
        self.assertEqual('Network nope could not be found.',
                         self.fails('network', 'delete', 'nope'))
        net = db.network_create(self.admin_context, {
            'name': 'busy', 'cidr': '10.0.0.0/24'})
        server = test_api.make_instance(self.admin_context)
        db.fixed_ip_allocate(self.admin_context, net['uuid'],
                             server['uuid'])
        message = self.fails('network', 'delete', 'busy')
        self.assertEqual(exception.NetworkInUse(network_id=net['uuid'],
                                                count=1).message, message)
        self.assertEqual(1, len(db.network_get_all(self.admin_context)))


class ManageFlavorImageTest(base.TestCase):
    """Bad input gets one clear line and a non-zero exit."""

    def setUp(self):
        super().setUp()
        self.manage = self.useFixture(ManageCommand())
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.flags(path=self.tmp + '/store', group='image_store')

    fails = ManageNetworkTest.fails

    def qcow2(self):
        path = self.tmp + '/disk.qcow2'
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', path,
                        '1M'], check=True)
        return path

    def test_flavor_sizes_are_checked(self):
        base_args = ['flavor', 'create', '--name', 'f', '--vcpus', '1',
                     '--disk', '1']
        self.assertEqual(
            '--ram must be an integer from 1 to 2147483647, not -5',
            self.fails(*base_args + ['--ram', '-5']))
        self.assertIn('--ram must be', self.fails(
            *base_args + ['--ram', str(2 ** 31)]))
        self.assertIn('--disk must be', self.fails(
            'flavor', 'create', '--name', 'f', '--vcpus', '1', '--ram',
            '64', '--disk', '-1'))
        self.assertEqual([], db.flavor_get_all(self.admin_context))
        self.manage(*base_args + ['--ram', '64', '--id', '7'])
        self.assertEqual('', self.manage('flavor', 'delete', '7'))
        self.assertEqual([], db.flavor_get_all(self.admin_context))
        self.assertEqual('Flavor 7 could not be found.',
                         self.fails('flavor', 'delete', '7'))

    def test_image_format_is_checked(self):
        text = self.tmp + '/hostname'
        with open(text, 'w') as f:
            f.write('not a disk\n')
        self.assertEqual(
            '%s is a raw image, not qcow2: give --disk-format raw' % text,
            self.fails('image', 'create', '--name', 'i', '--file', text,
                       '--disk-format', 'qcow2'))
        qcow2 = self.qcow2()
        self.assertIn('is a qcow2 image, not raw', self.fails(
            'image', 'create', '--name', 'i', '--file', qcow2,
            '--disk-format', 'raw'))
        self.assertEqual('No such file: %s/missing' % self.tmp, self.fails(
            'image', 'create', '--name', 'i', '--file',
            self.tmp + '/missing'))
        self.assertEqual([], db.image_get_all(self.admin_context))

    def test_image_delete_refuses_an_image_in_use(self):
        kernel = self.manage('image', 'create', '--name', 'k', '--file',
                             self.qcow2(), '--disk-format', 'aki').strip()
        root = self.manage('image', 'create', '--name', 'r', '--file',
                           self.qcow2(), '--property',
                           'kernel_id=%s' % kernel).strip()
        self.assertIn('image(s) %s boot it as kernel or ramdisk' % root,
                      self.fails('image', 'delete', kernel))
        server = test_api.make_instance(self.admin_context,
                                        image_ref=root)
        self.assertEqual('Image %s is still in use: 1 server(s) boot from '
                         'it.' % root, self.fails('image', 'delete', root))
        db.instance_destroy(self.admin_context, server['uuid'])
        location = db.image_get(self.admin_context, root)['location']
        self.manage('image', 'delete', root)
        self.manage('image', 'delete', kernel)
        self.assertEqual([], db.image_get_all(self.admin_context))
        self.assertFalse(os.path.exists(location))


class ManageConfigTest(testtools.TestCase):

    def test_missing_config_file_is_one_line(self):
        result = subprocess.run(
            [sys.executable, '-c',
             'from novalite.cmd.manage import main; main()',
             '--config-file', '/nonexistent/novalite.conf', 'flavor',
             'list'], capture_output=True, text=True, timeout=60)
        self.assertEqual(1, result.returncode)
        self.assertEqual('Failed to find some config files: '
                         '/nonexistent/novalite.conf\n', result.stderr)
