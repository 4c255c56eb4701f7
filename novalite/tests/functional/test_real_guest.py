"""A real qemu guest under libvirtd, driven through the API.

One guest is booted and taken through everything the real-guests issue
promises, in order, so that the suite boots it once: ACTIVE with the
address the API shows, user data run, a personality file written, SOFT
reboot, stop, start, HARD reboot, libvirtd restarted under the agent, a
guest killed behind the agent's back, and a delete that leaves nothing on
the host.

Needs libvirtd (qemu:///system), qemu-system-x86 and the Debian package
registry (for the tiny image's kernel, cached after the first build).
Under CI (``CI`` set) a missing prerequisite fails the test.
"""

import base64
import ipaddress
import os
import re
import sqlite3
import subprocess
import time

from novalite.tests.functional import base
from novalite.tests.functional import fixtures as func_fixtures

try:
    import libvirt
except ImportError:  # pragma: no cover - the requirement says why
    libvirt = None

URI = 'qemu:///system'
MARK = 'novalite-tiny: '
USER_SCRIPT = b'#!/bin/sh\necho "user-data says $((6 * 7))"\n'
MOTD = b'hello from a personality file\n'


def _libvirtd_problem():
    if libvirt is None:
        return 'libvirt-python is not installed'
    try:
        conn = libvirt.open(URI)
    except libvirt.libvirtError as e:
        return 'libvirtd does not answer on %s: %s' % (URI, e)
    conn.close()
    return None


class TestRealGuest(base.FunctionalTestCase):

    # Boot and reboots of a TCG guest take seconds each.
    TIMEOUT = 120

    def make_deployment(self):
        self.require(_libvirtd_problem() is None, _libvirtd_problem())
        return func_fixtures.Deployment(
            compute_hosts=self.COMPUTE_HOSTS, libvirt_uri=URI,
            extra_conf='[DEFAULT]\nsync_power_state_interval = 1\n'
                       'shutdown_timeout = 20\n'
                       '[libvirt]\nvirt_type = qemu\n'
                       'delete_shutdown_timeout = 5\n'
                       'wait_soft_reboot_seconds = 20\n')

    def setUp(self):
        super().setUp()
        self.conn = libvirt.open(URI)
        self.addCleanup(self._close_conn)
        out = self.deployment.manage(
            'image', 'build-tiny', '--name', 'tiny',
            '--cache-dir', func_fixtures.tiny_image_cache())
        self.image_id = out.strip().splitlines()[-1].split()[-1]
        self.deployment.manage('flavor', 'create', '--name', 'm1.nano',
                               '--id', '42', '--ram', '128', '--vcpus', '1',
                               '--disk', '1')
        out = self.deployment.manage('network', 'create', '--name', 'net1',
                                     '--cidr', '10.213.%d.0/28'
                                     % (os.getpid() % 250))
        self.network_id = re.search(r'[0-9a-f-]{36}', out).group(0)
        self.addCleanup(self._drop_libvirt_network)

    def _drop_libvirt_network(self):
        try:
            net = self.conn.networkLookupByName('novalite-'
                                                + self.network_id)
        except libvirt.libvirtError:
            return
        if net.isActive():
            net.destroy()
        net.undefine()

    # ------------------------------------------------------------ helpers

    def console(self, server_id):
        return self.user.servers.get_console_output(server_id)['output']

    def wait_console(self, server_id, pattern, count=1):
        """Wait until ``pattern`` has appeared ``count`` times."""
        deadline = time.monotonic() + self.TIMEOUT
        while True:
            output = self.console(server_id)
            found = re.findall(pattern, output)
            if len(found) >= count:
                return output, found
            if time.monotonic() > deadline:
                self.fail('%r seen %d times, wanted %d; console:\n%s'
                          % (pattern, len(found), count, output[-3000:]))
            time.sleep(0.5)

    def domain_state(self, server_id):
        return self.conn.lookupByUUIDString(server_id).state()[0]

    def dhcp_hosts(self):
        """The reservations the network's dnsmasq reads."""
        path = os.path.join(self.deployment.dir, 'instances', '_networks',
                            'novalite-%s.hosts' % self.network_id)
        with open(path) as f:
            return [tuple(line.strip().split(',')) for line in f]

    def allocated_addresses(self):
        path = os.path.join(self.deployment.dir, 'novalite.sqlite')
        with sqlite3.connect(path) as conn:
            return [row[0] for row in conn.execute(
                'SELECT address FROM fixed_ips')]

    # --------------------------------------------------------------- test

    def test_a_real_guest_from_boot_to_delete(self):
        servers = self.user.servers
        created = servers.create_server(
            name='real', flavorRef='42', imageRef=self.image_id,
            networks=[{'uuid': self.network_id}],
            user_data=base64.b64encode(USER_SCRIPT).decode(),
            personality=[{'path': '/etc/motd',
                          'contents': base64.b64encode(MOTD).decode()}]
        )['server']
        server_id = created['id']
        server = self.wait_for_status(servers, server_id, 'ACTIVE',
                                      timeout=self.TIMEOUT)
        self.assertEqual(1, server['OS-EXT-STS:power_state'])
        self.assertEqual(libvirt.VIR_DOMAIN_RUNNING,
                         self.domain_state(server_id))
        (vif,), = server['addresses'].values()
        self.assertIn(ipaddress.ip_address(vif['addr']),
                      ipaddress.ip_network(
                          self.admin_network()['cidr']))

        # The guest got that address from DHCP, ran the user's script and
        # wrote the personality file.
        output, _ = self.wait_console(server_id, MARK + 'ready')
        self.assertIn(MARK + 'eth0 %s' % vif['addr'], output)
        self.assertIn('user-data says 42', output)
        self.assertIn(MARK + 'user-data exit 0', output)
        self.assertIn(MARK + 'file /etc/motd', output)
        self.assertIn(MARK + '| hello from a personality file', output)
        self.assertEqual([(vif['OS-EXT-IPS-MAC:mac_addr'], vif['addr'])],
                         self.dhcp_hosts())
        # length is honoured: the last line only.
        self.assertEqual(1, len(servers.get_console_output(
            server_id, length=1)['output'].splitlines()))

        # SOFT reboot: the ACPI button, then a fresh boot.
        servers.reboot_server(server_id, type='SOFT')
        self.wait_console(server_id, MARK + 'power button', 1)
        self.wait_console(server_id, MARK + 'ready', 2)
        self.wait_for_status(servers, server_id, 'ACTIVE')

        # Stop: the ACPI button, and the guest is really off.
        servers.stop_server(server_id)
        self.wait_console(server_id, MARK + 'power button', 2)
        server = self.wait_for_status(servers, server_id, 'SHUTOFF',
                                      timeout=self.TIMEOUT)
        self.assertEqual(4, server['OS-EXT-STS:power_state'])
        self.assertEqual(libvirt.VIR_DOMAIN_SHUTOFF,
                         self.domain_state(server_id))
        servers.start_server(server_id)
        self.wait_for_status(servers, server_id, 'ACTIVE',
                             timeout=self.TIMEOUT)
        self.wait_console(server_id, MARK + 'ready', 3)

        servers.reboot_server(server_id, type='HARD')
        self.wait_for_status(servers, server_id, 'ACTIVE',
                             timeout=self.TIMEOUT)
        output, _ = self.wait_console(server_id, MARK + 'ready', 4)
        # Every boot got the same address.
        self.assertEqual({vif['addr']}, set(re.findall(
            MARK + r'eth0 (\S+)', output)))

        # libvirtd restarted under the running agent: the guest runs on,
        # the agent reconnects, and the power sync below still works.
        self.restart_libvirtd()
        self.assertEqual(libvirt.VIR_DOMAIN_RUNNING,
                         self.domain_state(server_id))
        server = servers.show_server(server_id)['server']
        self.assertEqual(('ACTIVE', 1), (server['status'],
                                         server['OS-EXT-STS:power_state']))

        # Killed behind the agent's back: the power sync notices.
        subprocess.run(['virsh', '-c', URI, 'destroy', server_id],
                       check=True, capture_output=True)
        server = self.wait_for_status(servers, server_id, 'SHUTOFF',
                                      timeout=30)
        self.assertEqual(4, server['OS-EXT-STS:power_state'])

        # Delete leaves nothing on the host.
        instance_dir = os.path.join(self.deployment.dir, 'instances',
                                    server_id)
        self.assertTrue(os.path.isdir(instance_dir))
        servers.delete_server(server_id)
        self.wait_for_deletion(servers, server_id, timeout=self.TIMEOUT)
        self.assertNotIn(server_id, [d.UUIDString() for d in
                                     self.conn.listAllDomains()])
        self.assertFalse(os.path.exists(instance_dir))
        self.assertEqual([], self.dhcp_hosts())
        self.assertEqual([], self.allocated_addresses())

        # The address is free again, for real: the next server (another
        # MAC) gets it from DHCP at once (the old lease was released).
        second = servers.create_server(
            name='again', flavorRef='42', imageRef=self.image_id,
            networks=[{'uuid': self.network_id}])['server']
        server = self.wait_for_status(servers, second['id'], 'ACTIVE',
                                      timeout=self.TIMEOUT)
        (again,), = server['addresses'].values()
        self.assertEqual(vif['addr'], again['addr'])
        self.assertNotEqual(vif['OS-EXT-IPS-MAC:mac_addr'],
                            again['OS-EXT-IPS-MAC:mac_addr'])
        output, _ = self.wait_console(second['id'], MARK + 'ready')
        self.assertIn(MARK + 'eth0 %s' % vif['addr'], output)
        servers.delete_server(second['id'])
        self.wait_for_deletion(servers, second['id'], timeout=self.TIMEOUT)

    def _close_conn(self):
        try:
            self.conn.close()
        except libvirt.libvirtError:
            pass  # the connection died with a libvirtd restart

    def restart_libvirtd(self):
        """Stop libvirtd and start it again, as its init script would."""
        self._close_conn()
        subprocess.run(['pkill', '-TERM', '-x', 'libvirtd'], check=True)
        deadline = time.monotonic() + 30
        while subprocess.run(['pgrep', '-x', 'libvirtd'],
                             capture_output=True).returncode == 0:
            self.assertLess(time.monotonic(), deadline,
                            'libvirtd did not stop')
            time.sleep(0.2)
        subprocess.run(['/usr/sbin/libvirtd', '-d', '-p',
                        '/run/libvirtd.pid'], check=True)
        while True:
            try:
                self.conn = libvirt.open(URI)
                return
            except libvirt.libvirtError:
                self.assertLess(time.monotonic(), deadline + 30,
                                'libvirtd did not come back')
                time.sleep(0.2)

    def admin_network(self):
        return self.admin.networks.show_network(self.network_id)['network']
