"""A real qemu guest under libvirtd, driven through the API.

One guest is booted and taken through everything the real-guests issue
promises, in order, so that the suite boots it once: ACTIVE with the
address the API shows, user data run, a personality file written, SOFT
reboot, stop, start, HARD reboot, pause and unpause, suspend and resume,
rescue and unrescue, libvirtd restarted under the agent, a guest killed
behind the agent's back, and a delete that leaves nothing on the host;
a snapshot (createImage) of its disk is what the last server boots.

Needs libvirtd (qemu:///system), qemu-system-x86 and the Debian package
registry (for the tiny image's kernel, cached after the first build).
Under CI (``CI`` set) a missing prerequisite fails the test.
"""

import base64
import glob
import ipaddress
import os
import re
import sqlite3
import subprocess
import time
import xml.etree.ElementTree as ET

from tempest.lib.services.compute import images_client
import testtools

from novalite.tests.functional import base
from novalite.tests.functional import fixtures as func_fixtures

try:
    import libvirt
except ImportError:  # pragma: no cover - the requirement says why
    libvirt = None

URI = 'qemu:///system'
MARK = 'novalite-tiny: '
# The user data also marks the server's own disk (vda) at each boot of
# its guest; a rescue guest finds that disk second (vdb) and says what is
# on it.
USER_SCRIPT = (b'#!/bin/sh\n'
               b'echo "user-data says $((6 * 7))"\n'
               b'if [ -b /dev/vdb ]; then\n'
               b'    echo "rescue sees $(head -c 13 /dev/vdb)"\n'
               b'else\n'
               b'    printf server-disk-1 | dd of=/dev/vda 2>/dev/null'
               b' && sync\n'
               b'fi\n')
MOTD = b'hello from a personality file\n'
# The user data of the server booted from the first one's snapshot: it says
# what is on its disk (the mark the first server wrote there).
READ_MARK = b'#!/bin/sh\necho "snapshot disk says $(head -c 13 /dev/vda)"\n'


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
        # length is honoured as Nova's _tail_log: the last two pieces of
        # the log split at newlines, the end of what it holds.
        tail = servers.get_console_output(server_id, length=2)['output']
        self.assertLessEqual(len(tail.split('\n')), 2)
        self.assertTrue(self.console(server_id).endswith(tail))

        # createImage: the root disk (with the mark the user data wrote),
        # copied while the guest is paused, becomes a private image; the
        # last server below boots from it.
        snapshot_id = self.create_image(server_id)

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

        self._pause_suspend_rescue(servers, server_id, vif)

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
        # MAC) gets it from DHCP at once (the old lease was released). It
        # boots from the snapshot, and finds the mark on its disk.
        second = servers.create_server(
            name='again', flavorRef='42', imageRef=snapshot_id,
            networks=[{'uuid': self.network_id}],
            user_data=base64.b64encode(READ_MARK).decode())['server']
        server = self.wait_for_status(servers, second['id'], 'ACTIVE',
                                      timeout=self.TIMEOUT)
        (again,), = server['addresses'].values()
        self.assertEqual(vif['addr'], again['addr'])
        self.assertNotEqual(vif['OS-EXT-IPS-MAC:mac_addr'],
                            again['OS-EXT-IPS-MAC:mac_addr'])
        output, _ = self.wait_console(second['id'], MARK + 'ready')
        self.assertIn(MARK + 'eth0 %s' % vif['addr'], output)
        self.assertIn('snapshot disk says server-disk-1', output)
        self.assertEqual(snapshot_id, server['image']['id'])
        servers.delete_server(second['id'])
        self.wait_for_deletion(servers, second['id'], timeout=self.TIMEOUT)

    def _pause_suspend_rescue(self, servers, server_id, vif):
        """Pause, suspend and rescue the guest (4 boots so far), and
        bring it back each time."""
        booted = len(re.findall(MARK + 'booted', self.console(server_id)))
        domain = self.conn.lookupByUUIDString(server_id)

        # Pause: the vCPUs stop, the memory stays (a domain suspend).
        servers.pause_server(server_id)
        server = self.wait_for_status(servers, server_id, 'PAUSED')
        self.assertEqual(3, server['OS-EXT-STS:power_state'])
        self.assertEqual(libvirt.VIR_DOMAIN_PAUSED, domain.state()[0])
        servers.unpause_server(server_id)
        server = self.wait_for_status(servers, server_id, 'ACTIVE')
        self.assertEqual(1, server['OS-EXT-STS:power_state'])
        self.assertEqual(libvirt.VIR_DOMAIN_RUNNING, domain.state()[0])

        # Suspend: the memory goes to the host's disk and the guest stops
        # (a managed save); resume carries on where it was, no new boot.
        servers.suspend_server(server_id)
        server = self.wait_for_status(servers, server_id, 'SUSPENDED',
                                      timeout=self.TIMEOUT)
        self.assertEqual(4, server['OS-EXT-STS:power_state'])
        self.assertEqual(libvirt.VIR_DOMAIN_SHUTOFF, domain.state()[0])
        self.assertTrue(domain.hasManagedSaveImage(0))
        servers.resume_server(server_id)
        server = self.wait_for_status(servers, server_id, 'ACTIVE',
                                      timeout=self.TIMEOUT)
        self.assertEqual(1, server['OS-EXT-STS:power_state'])
        self.assertEqual(libvirt.VIR_DOMAIN_RUNNING, domain.state()[0])
        self.assertFalse(domain.hasManagedSaveImage(0))
        self.assertEqual(booted, len(re.findall(MARK + 'booted',
                                                self.console(server_id))))

        # Rescue: a rescue guest boots from a new disk of the image, with
        # the server's own disk second: it reads what the server's guest
        # wrote there. Unrescue brings that guest back.
        resp = servers.rescue_server(server_id, adminPass='r3scue-Pass')
        self.assertEqual('r3scue-Pass', resp['adminPass'])
        self.wait_for_status(servers, server_id, 'RESCUE',
                             timeout=self.TIMEOUT)
        output, _ = self.wait_console(server_id, MARK + 'ready', booted + 1)
        self.assertIn('rescue sees server-disk-1', output)
        self.assertEqual({vif['addr']}, set(re.findall(
            MARK + r'eth0 (\S+)', output)))
        instance_dir = os.path.join(self.deployment.dir, 'instances',
                                    server_id)
        disks = {d.find('target').get('dev'): d.find('source').get('file')
                 for d in ET.fromstring(domain.XMLDesc()).iter('disk')}
        self.assertEqual(os.path.join(instance_dir, 'disk.rescue'),
                         disks['vda'])
        self.assertEqual(os.path.join(instance_dir, 'disk'), disks['vdb'])
        servers.unrescue_server(server_id)
        server = self.wait_for_status(servers, server_id, 'ACTIVE',
                                      timeout=self.TIMEOUT)
        self.assertEqual(1, server['OS-EXT-STS:power_state'])
        # NOTE: the server's own guest is seen starting to boot, not
        # waited for until ready: that would add a boot's time.
        self.wait_console(server_id, MARK + 'booted', booted + 2)
        disks = {d.find('target').get('dev'): d.find('source').get('file')
                 for d in ET.fromstring(domain.XMLDesc()).iter('disk')}
        self.assertEqual(os.path.join(instance_dir, 'disk'), disks['vda'])
        self.assertNotIn('vdb', disks)
        self.assertEqual([], glob.glob(os.path.join(instance_dir,
                                                    '*.rescue')))
        self.assertFalse(os.path.exists(os.path.join(instance_dir,
                                                     'unrescue.xml')))

    def create_image(self, server_id):
        """Snapshot the server; the image's id, once it is ACTIVE."""
        started = time.monotonic()
        images = images_client.ImagesClient(
            self.user.servers.auth_provider, 'compute', 'RegionOne')
        resp = images.create_image(server_id, name='real-snapshot')
        image_id = resp.response['location'].rsplit('/', 1)[-1]
        deadline = time.monotonic() + self.TIMEOUT
        while images.show_image(image_id)['image']['status'] != 'ACTIVE':
            self.assertLess(time.monotonic(), deadline,
                            'the snapshot never became ACTIVE')
            time.sleep(0.2)
        image = images.show_image(image_id)['image']
        self.assertEqual(('snapshot', server_id, self.image_id),
                         (image['metadata']['image_type'],
                          image['metadata']['instance_uuid'],
                          image['metadata']['base_image_ref']))
        server = self.wait_for_status(self.user.servers, server_id,
                                      'ACTIVE', timeout=self.TIMEOUT)
        # Paused for the copy, running again.
        self.assertEqual(1, server['OS-EXT-STS:power_state'])
        self.assertEqual(libvirt.VIR_DOMAIN_RUNNING,
                         self.domain_state(server_id))
        self.addDetail('snapshot seconds', testtools.content.text_content(
            '%.2f' % (time.monotonic() - started)))
        return image_id

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
