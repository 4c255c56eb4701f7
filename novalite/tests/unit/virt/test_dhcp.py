"""The dnsmasq hosts file of a network: reservations, reload, release."""

import os
import subprocess
import sys
import time

import fixtures
import testtools

from novalite.virt.libvirt import dhcp

# Writes a line to the file it is given on each SIGHUP.
_HUP_COUNTER = '''
import signal, sys, time
out = open(sys.argv[1], 'a', buffering=1)
signal.signal(signal.SIGHUP, lambda *a: out.write('hup\\n'))
open(sys.argv[2], 'w').write('ready')
while True:
    time.sleep(1)
'''


class HostsFileTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.hosts = dhcp.HostsFile(os.path.join(self.tmp, 'n', 'x.hosts'),
                                    'novalite-x', 'nlbrtest0')
        # The network's "dnsmasq": a process that counts its SIGHUPs.
        self.hups = os.path.join(self.tmp, 'hups')
        ready = os.path.join(self.tmp, 'ready')
        proc = subprocess.Popen([sys.executable, '-c', _HUP_COUNTER,
                                 self.hups, ready])
        self.addCleanup(proc.wait)
        self.addCleanup(proc.kill)
        while not os.path.exists(ready):
            time.sleep(0.01)
        pidfile = os.path.join(self.tmp, '%s.pid')
        with open(pidfile % 'novalite-x', 'w') as f:
            f.write('%d\n' % proc.pid)
        self.useFixture(fixtures.MonkeyPatch(
            'novalite.virt.libvirt.dhcp.PIDFILE', pidfile))
        self.released = []
        self.useFixture(fixtures.MockPatchObject(
            dhcp.HostsFile, '_release',
            lambda _self, mac, ip: self.released.append((mac, ip))))

    def hup_count(self, wanted):
        deadline = time.monotonic() + 5
        while True:
            try:
                with open(self.hups) as f:
                    count = len(f.readlines())
            except FileNotFoundError:
                count = 0
            if count >= wanted or time.monotonic() > deadline:
                return count
            time.sleep(0.01)

    def assertReloaded(self, before):
        after = self.hup_count(before + 1)
        self.assertGreater(after, before)
        return after

    def read(self):
        with open(self.hosts.path) as f:
            return f.read()

    def test_reserve_and_remove(self):
        self.hosts.ensure_exists()
        self.assertEqual('', self.read())
        self.assertEqual(0o644, os.stat(self.hosts.path).st_mode & 0o777)
        # Each change makes dnsmasq re-read the file.
        hups = self.hup_count(1)
        self.hosts.reserve('fa:16:3e:00:00:02', '10.0.0.2')
        hups = self.assertReloaded(hups)
        self.hosts.reserve('fa:16:3e:00:00:03', '10.0.0.3')
        hups = self.assertReloaded(hups)
        self.assertEqual('fa:16:3e:00:00:02,10.0.0.2\n'
                         'fa:16:3e:00:00:03,10.0.0.3\n', self.read())
        self.hosts.remove('fa:16:3e:00:00:02', '10.0.0.2')
        self.assertReloaded(hups)
        self.assertEqual('fa:16:3e:00:00:03,10.0.0.3\n', self.read())
        # The lease goes too: the address may go to another MAC at once.
        self.assertEqual([('fa:16:3e:00:00:02', '10.0.0.2')], self.released)

    def test_stale_entries_of_the_address_or_mac_are_replaced(self):
        self.hosts.reserve('fa:16:3e:00:00:02', '10.0.0.2')
        self.hosts.reserve('fa:16:3e:00:00:09', '10.0.0.9')
        self.hosts.reserve('fa:16:3e:00:00:05', '10.0.0.2')
        self.hosts.reserve('fa:16:3e:00:00:09', '10.0.0.7')
        self.assertEqual({('fa:16:3e:00:00:05', '10.0.0.2'),
                          ('fa:16:3e:00:00:09', '10.0.0.7')},
                         self.hosts.entries())
        self.assertEqual([('fa:16:3e:00:00:02', '10.0.0.2'),
                          ('fa:16:3e:00:00:09', '10.0.0.9')], self.released)

    def test_no_dnsmasq_running_is_fine(self):
        self.useFixture(fixtures.MonkeyPatch(
            'novalite.virt.libvirt.dhcp.PIDFILE',
            os.path.join(self.tmp, 'missing-%s.pid')))
        self.hosts.reserve('fa:16:3e:00:00:02', '10.0.0.2')
        self.assertEqual({('fa:16:3e:00:00:02', '10.0.0.2')},
                         self.hosts.entries())
        time.sleep(0.2)
        self.assertEqual(0, self.hup_count(0))


class ReleaseTest(testtools.TestCase):

    def test_release_runs_dhcp_release(self):
        calls = []
        self.useFixture(fixtures.MockPatch(
            'shutil.which', return_value='/usr/bin/dhcp_release'))
        self.useFixture(fixtures.MockPatch(
            'subprocess.run', side_effect=lambda *a, **k: calls.append(a)))
        dhcp.HostsFile('/nonexistent', 'n', 'nlbr1')._release(
            'fa:16:3e:00:00:02', '10.0.0.2')
        self.assertEqual([(['dhcp_release', 'nlbr1', '10.0.0.2',
                            'fa:16:3e:00:00:02'],)], calls)
