"""The tiny guest image: cpio writer, modules, scripts, cache (no download).

The guest scripts run here under the host's busybox, the shell the guest
runs them with.
"""

import base64
import io
import json
import lzma
import os
import struct
import subprocess
from unittest import mock

import fixtures
import testtools

from novalite.tests import fixtures as nl_fixtures
from novalite import tinyimage
from novalite.virt import configdrive

BUSYBOX = tinyimage.BUSYBOX


def _quiet(line):
    pass


def _fake_ko(name, depends=''):
    """A minimal ELF64 object with a .modinfo section."""
    modinfo = ('name=%s\0depends=%s\0' % (name, depends)).encode()
    shstrtab = b'\0.modinfo\0.shstrtab\0'
    body = modinfo + shstrtab
    shoff = 64 + len(body)
    header = b'\x7fELF\x02\x01\x01' + b'\0' * 9 + struct.pack(
        '<HHIQQQIHHHHHH', 1, 62, 1, 0, 0, shoff, 0, 64, 0, 0, 64, 3, 2)
    sections = b'\0' * 64 + b''.join(
        struct.pack('<IIQQQQIIQQ', name_off, 1, 0, 0, off, size, 0, 0, 1, 0)
        for name_off, off, size in ((1, 64, len(modinfo)),
                                    (10, 64 + len(modinfo), len(shstrtab))))
    return header + body + sections


class CpioTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        nl_fixtures.require(self, os.path.exists(BUSYBOX),
                            'no %s (busybox-static)' % BUSYBOX)

    def test_busybox_lists_root_owned_entries(self):
        out = io.BytesIO()
        tinyimage.write_cpio(out, [
            tinyimage.cpio_dir('bin'),
            tinyimage.cpio_file('bin/tool', b'#!/bin/sh\n', 0o750),
            tinyimage.cpio_symlink('bin/sh', '/bin/busybox'),
            tinyimage.cpio_chardev('console', 5, 1),
            tinyimage.cpio_file('odd name.txt', b'abc'),
        ])
        listing = subprocess.run(
            [BUSYBOX, 'cpio', '-tv'], input=out.getvalue(), check=True,
            stdout=subprocess.PIPE).stdout.decode().splitlines()
        self.assertEqual(
            [('drwxr-xr-x', '0/0', 'bin'), ('-rwxr-x---', '0/0', 'bin/tool'),
             ('lrwxrwxrwx', '0/0', 'bin/sh -> /bin/busybox'),
             ('crw-------', '0/0', 'console'),
             ('-rw-r--r--', '0/0', 'odd name.txt')],
            [(line.split()[0], line.split()[1], line.split(None, 5)[5])
             for line in listing])

    def test_busybox_extracts_contents(self):
        out = io.BytesIO()
        data = bytes(range(256)) * 3 + b'x'     # odd length: padding
        tinyimage.write_cpio(out, [tinyimage.cpio_dir('d'),
                                   tinyimage.cpio_file('d/f', data),
                                   tinyimage.cpio_file('g', b'')])
        tmp = self.useFixture(fixtures.TempDir()).path
        subprocess.run([BUSYBOX, 'cpio', '-id'], input=out.getvalue(),
                       cwd=tmp, check=True, stderr=subprocess.DEVNULL)
        with open(os.path.join(tmp, 'd/f'), 'rb') as f:
            self.assertEqual(data, f.read())
        self.assertEqual(0, os.path.getsize(os.path.join(tmp, 'g')))


class ModulesTest(testtools.TestCase):

    def test_dependencies_first_builtins_skipped(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        os.makedirs(tmp + '/kernel/drivers')
        with open(tmp + '/modules.builtin', 'w') as f:
            f.write('kernel/drivers/virtio/virtio_pci.ko\n')
        for name, depends in (('virtio_net', 'net_failover'),
                              ('net_failover', 'failover,virtio_pci'),
                              ('failover', ''), ('unused', '')):
            with lzma.open('%s/kernel/drivers/%s.ko.xz' % (
                    tmp, name.replace('_', '-')), 'wb') as f:
                f.write(_fake_ko(name, depends))
        modules = tinyimage.resolve_modules(tmp, ['virtio_pci', 'virtio_net'])
        self.assertEqual(['failover', 'net_failover', 'virtio_net'],
                         [name for name, _data in modules])
        self.assertEqual(_fake_ko('failover'), modules[0][1])
        self.assertRaises(tinyimage.TinyImageError,
                          tinyimage.resolve_modules, tmp, ['absent'])


class ScriptsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        nl_fixtures.require(self, os.path.exists(BUSYBOX),
                            'no %s (busybox-static)' % BUSYBOX)
        self.tmp = self.useFixture(fixtures.TempDir()).path
        # Only busybox applets on PATH, as in the guest.
        bindir = os.path.join(self.tmp, 'bin')
        os.mkdir(bindir)
        applets = subprocess.run([BUSYBOX, '--list'], check=True,
                                 stdout=subprocess.PIPE).stdout.split()
        for applet in applets:
            os.symlink(BUSYBOX, os.path.join(bindir, applet.decode()))
        self.env = {'PATH': bindir}

    def test_syntax(self):
        for script in (tinyimage.INIT_SCRIPT, tinyimage.CONFIGDRIVE_SCRIPT,
                       tinyimage.UDHCPC_SCRIPT, tinyimage.POWER_SCRIPT):
            subprocess.run([BUSYBOX, 'sh', '-n'], input=script.encode(),
                           check=True)

    def test_config_drive_applied(self):
        odd_path = '/srv/a "b" \\ c/\u00e9t\u00e9.txt'
        instance = {
            'uuid': 'u', 'display_name': 'x "{[,:]}" \U0001f600',
            'hostname': 'h', 'project_id': 'p', 'key_name': 'my key',
            'key_data': 'ssh-ed25519 AAAAC3Nz test@example',
            'metadata': {'files': '[{"path": "/not/this"}]'},
            'user_data': base64.b64encode(
                b'#!/bin/sh\necho from-user-data\necho err >&2\nexit 3\n')}
        long_text = ''.join('line %d\n' % i for i in range(25)).encode()
        files = configdrive.build_contents(
            instance, 'pw', [('/etc/motd', b'hello\nworld'),
                             (odd_path, long_text)], None)
        drive = os.path.join(self.tmp, 'drive')
        for rel_path, data in files.items():
            os.makedirs(os.path.dirname(os.path.join(drive, rel_path)),
                        exist_ok=True)
            with open(os.path.join(drive, rel_path), 'wb') as f:
                f.write(data)
        root = os.path.join(self.tmp, 'root')
        script = os.path.join(self.tmp, 'configdrive.sh')
        with open(script, 'w') as f:
            f.write(tinyimage.CONFIGDRIVE_SCRIPT)

        out = subprocess.run(
            [BUSYBOX, 'sh', script, drive, root], env=self.env, check=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)

        self.assertEqual(b'', out.stderr)
        self.assertEqual(
            ['novalite-tiny: file /etc/motd', 'novalite-tiny: | hello',
             'novalite-tiny: | world', 'novalite-tiny: file ' + odd_path]
            + ['novalite-tiny: | line %d' % i for i in range(20)]
            + ['novalite-tiny: key installed', 'from-user-data', 'err',
               'novalite-tiny: user-data exit 3'],
            out.stdout.decode().splitlines())
        with open(root + '/etc/motd', 'rb') as f:
            self.assertEqual(b'hello\nworld', f.read())
        with open(root + odd_path, 'rb') as f:
            self.assertEqual(long_text, f.read())
        self.assertFalse(os.path.exists(root + '/not/this'))
        with open(root + '/root/.ssh/authorized_keys') as f:
            self.assertEqual('ssh-ed25519 AAAAC3Nz test@example\n', f.read())

    def test_no_meta_data(self):
        script = os.path.join(self.tmp, 'configdrive.sh')
        with open(script, 'w') as f:
            f.write(tinyimage.CONFIGDRIVE_SCRIPT)
        out = subprocess.run([BUSYBOX, 'sh', script, self.tmp, self.tmp],
                             env=self.env, stdout=subprocess.PIPE)
        self.assertEqual(1, out.returncode)
        self.assertEqual(b'novalite-tiny: no openstack/latest/meta_data.json'
                         b'\n', out.stdout)


class CacheTest(testtools.TestCase):

    def test_second_build_runs_nothing(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        lists = os.path.join(tmp, 'lists')
        os.mkdir(lists)
        with open(os.path.join(lists, 'x_Packages'), 'w') as f:
            f.write('Package: x\n')
        self.useFixture(fixtures.MonkeyPatch(
            'novalite.tinyimage.APT_LISTS', lists))
        self.useFixture(fixtures.MonkeyPatch(
            'novalite.tinyimage.recipe_hash', lambda: 'abc'))
        cache = os.path.join(tmp, 'cache')
        os.mkdir(cache)
        version = '6.1.0-9-cloud-amd64'
        result = dict(kernel=cache + '/vmlinuz', initrd=cache + '/initrd',
                      cmdline=tinyimage.CMDLINE, kernel_version=version)
        for name, data in (
                ('vmlinuz', ''), ('initrd', ''),
                ('apt-kernel.json', json.dumps(dict(
                    apt_signature=tinyimage._apt_signature(),
                    package='linux-image-' + version, version=version))),
                ('tiny-%s-abc.json' % version, json.dumps(result))):
            with open(os.path.join(cache, name), 'w') as f:
                f.write(data)

        with mock.patch('subprocess.run') as run:
            self.assertEqual(result, tinyimage.build(cache, progress=_quiet))
        run.assert_not_called()

        # New package lists: apt is asked again.
        with open(os.path.join(lists, 'y_Packages'), 'w') as f:
            f.write('Package: y\n')
        with mock.patch('novalite.tinyimage.find_kernel_package',
                        side_effect=tinyimage.TinyImageError('asked')):
            self.assertRaisesRegex(tinyimage.TinyImageError, 'asked',
                                   tinyimage.build, cache, _quiet)
