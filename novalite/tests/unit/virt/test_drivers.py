"""One conformance test for every driver, plus libvirt's own checks.

The libvirt driver runs on the real libvirt library with its in-memory
``test:///default`` hypervisor (no daemon; state per process, with a
domain named ``test`` already there) and real qemu-img disks.
"""

import base64
import itertools
import json
import multiprocessing
import os
import shutil
import subprocess
import time
import uuid
import xml.etree.ElementTree as ET

import fixtures
from oslo_config import cfg
import testtools

from novalite import exception
from novalite import states
from novalite.tests import fixtures as nl_fixtures
from novalite.virt import configdrive
from novalite.virt import driver as virt_driver
from novalite.virt import fake
from novalite.virt.libvirt import config as vconfig
from novalite.virt.libvirt import driver as libvirt_driver
from novalite.virt.libvirt import guest as libvirt_guest
from novalite.virt.libvirt.host import libvirt

CONF = cfg.CONF

IMAGE_ID = '0c2f0b1c-7b7c-4c4e-9f3e-6f4a3b2d1e0f'

# Domain names are unique on a hypervisor, as the database ids they come
# from are.
_IDS = itertools.count(1000)


def make_instance(index=None, **values):
    index = next(_IDS) if index is None else index
    inst = {
        'uuid': str(uuid.uuid4()), 'id': index,
        'name': 'instance-%08x' % index, 'display_name': 'server',
        'hostname': 'server', 'vcpus': 1, 'memory_mb': 128, 'root_gb': 1,
        'ephemeral_gb': 0, 'swap': 0, 'metadata': {}, 'key_name': None,
        'key_data': None, 'user_data': None, 'config_drive': '',
        'availability_zone': 'nova', 'project_id': 'p1', 'user_id': 'u1',
        'launch_index': 0, 'flavor_name': 'm1.tiny'}
    inst.update(values)
    return inst


class _DriverConformance:
    """What ``novalite.virt.driver.ComputeDriver`` promises."""

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(nl_fixtures.Config()).conf
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.conf.config(instances_path=os.path.join(self.tmp, 'instances'))
        image_path = os.path.join(self.tmp, 'image.raw')
        with open(image_path, 'wb') as f:
            f.truncate(1024 * 1024)
        self.image = {'id': IMAGE_ID, 'location': image_path,
                      'disk_format': 'raw'}
        self.driver = self.make_driver()
        self.driver.init_host(CONF.host)
        self.addCleanup(self.driver.cleanup_host, CONF.host)

    def spawn(self, instance=None, admin_password=None, injected_files=(),
              **values):
        instance = instance or make_instance(**values)
        self.addCleanup(self.driver.destroy, instance)
        self.driver.spawn(instance, self.image, admin_password,
                          list(injected_files), None)
        return instance

    def state(self, instance):
        return self.driver.get_info(instance).state

    def test_is_a_compute_driver(self):
        self.assertIsInstance(self.driver, virt_driver.ComputeDriver)

    def test_lifecycle(self):
        inst = self.spawn()
        self.assertIsInstance(self.driver.get_info(inst),
                              virt_driver.InstanceInfo)
        self.assertEqual(states.RUNNING, self.state(inst))
        self.assertIn(inst['uuid'], self.driver.list_instance_uuids())
        self.driver.power_off(inst)
        self.assertEqual(states.SHUTDOWN, self.state(inst))
        # A guest that is off is still known to the hypervisor.
        self.assertIn(inst['uuid'], self.driver.list_instance_uuids())
        self.driver.power_on(inst)
        self.assertEqual(states.RUNNING, self.state(inst))
        self.driver.reboot(inst, 'SOFT')
        self.assertEqual(states.RUNNING, self.state(inst))
        self.driver.reboot(inst, 'HARD')
        self.assertEqual(states.RUNNING, self.state(inst))
        self.driver.destroy(inst)
        self.assertRaises(exception.InstanceNotFound, self.driver.get_info,
                          inst)
        self.assertNotIn(inst['uuid'], self.driver.list_instance_uuids())
        # Destroying again is fine: delete must always be able to finish.
        self.driver.destroy(inst)

    def test_power_off_with_clean_shutdown_timeout(self):
        inst = self.spawn()
        self.driver.power_off(inst, timeout=1)
        self.assertEqual(states.SHUTDOWN, self.state(inst))
        # Powering off a guest that is off is fine too.
        self.driver.power_off(inst)
        self.assertEqual(states.SHUTDOWN, self.state(inst))

    def test_reboot_a_stopped_guest(self):
        for reboot_type in ('SOFT', 'HARD'):
            inst = self.spawn()
            self.driver.power_off(inst)
            self.driver.reboot(inst, reboot_type)
            self.assertEqual(states.RUNNING, self.state(inst), reboot_type)

    def test_power_on_a_running_guest(self):
        inst = self.spawn()
        self.driver.power_on(inst)
        self.assertEqual(states.RUNNING, self.state(inst))

    def test_destroy_missing_guest(self):
        self.driver.destroy(make_instance())

    def test_operations_on_missing_guest(self):
        inst = make_instance()
        self.assertRaises(exception.InstanceNotFound, self.driver.get_info,
                          inst)
        # A lost guest is off: stopping it is fine.
        self.driver.power_off(inst)
        for call in (lambda: self.driver.power_on(inst),
                     lambda: self.driver.reboot(inst, 'HARD'),
                     lambda: self.driver.reboot(inst, 'SOFT',
                                                image=self.image),
                     lambda: self.driver.get_console_output(inst),
                     lambda: self.driver.set_admin_password(inst, 'pw')):
            self.assertRaises(exception.InstanceNotFound, call)

    def test_hard_reboot_and_start_recreate_a_lost_guest(self):
        for recover in (
                lambda inst: self.driver.reboot(inst, 'HARD',
                                                image=self.image),
                lambda inst: self.driver.power_on(inst, image=self.image)):
            inst = self.spawn()
            self.lose(inst)
            self.assertRaises(exception.InstanceNotFound,
                              self.driver.get_info, inst)
            recover(inst)
            self.assertEqual(states.RUNNING, self.state(inst))
            self.assertIn(inst['uuid'], self.driver.list_instance_uuids())

    def test_list_instance_uuids(self):
        first = self.spawn()
        second = self.spawn()
        uuids = self.driver.list_instance_uuids()
        self.assertIn(first['uuid'], uuids)
        self.assertIn(second['uuid'], uuids)
        self.driver.destroy(first)
        uuids = self.driver.list_instance_uuids()
        self.assertNotIn(first['uuid'], uuids)
        self.assertIn(second['uuid'], uuids)

    def test_get_available_resource(self):
        resources = self.driver.get_available_resource()
        self.assertEqual({'vcpus', 'memory_mb', 'local_gb',
                          'hypervisor_hostname', 'hypervisor_type',
                          'hypervisor_version', 'host_ip'}, set(resources))
        for key in ('vcpus', 'memory_mb', 'local_gb', 'hypervisor_version'):
            self.assertIsInstance(resources[key], int, key)
            self.assertGreater(resources[key], 0, key)
        self.assertEqual(CONF.host, resources['hypervisor_hostname'])
        self.assertEqual(CONF.my_ip, resources['host_ip'])
        self.assertEqual(self.HYPERVISOR_TYPE, resources['hypervisor_type'])

    def test_set_admin_password(self):
        inst = self.spawn()
        try:
            self.driver.set_admin_password(inst, 'new-secret')
        except exception.QemuGuestAgentNotEnabled:
            pass  # libvirt: no guest agent channel, as Nova says
        self.driver.power_off(inst)
        self.assertRaises(exception.InstancePasswordSetFailed,
                          self.driver.set_admin_password, inst, 'again')

    def test_get_console_output(self):
        inst = self.spawn()
        self.assertIsInstance(self.driver.get_console_output(inst), str)

    # ----------------------------------- pause, suspend, rescue

    def test_pause_unpause(self):
        inst = self.spawn()
        self.driver.pause(inst)
        self.assertEqual(states.PAUSED_POWER, self.state(inst))
        # Asked again (an agent restarted half-way): fine.
        self.driver.pause(inst)
        self.assertEqual(states.PAUSED_POWER, self.state(inst))
        self.driver.unpause(inst)
        self.assertEqual(states.RUNNING, self.state(inst))
        self.driver.unpause(inst)
        self.assertEqual(states.RUNNING, self.state(inst))

    def test_pause_or_suspend_a_guest_that_is_off(self):
        inst = self.spawn()
        self.driver.power_off(inst)
        for call in (self.driver.pause, self.driver.unpause,
                     self.driver.suspend):
            e = self.assertRaises(exception.InstanceNotRunning, call, inst)
            self.assertEqual('Instance %s is not running.' % inst['uuid'],
                             e.message)
        self.assertEqual(states.SHUTDOWN, self.state(inst))

    def test_suspend_resume(self):
        inst = self.spawn()
        self.driver.suspend(inst)
        # The hypervisor's word: libvirt shows a saved guest as off.
        self.assertIn(self.state(inst), (states.SUSPENDED_POWER,
                                         states.SHUTDOWN))
        self.driver.suspend(inst)
        self.driver.resume(inst)
        self.assertEqual(states.RUNNING, self.state(inst))
        self.driver.resume(inst)
        self.assertEqual(states.RUNNING, self.state(inst))
        # A paused guest may be suspended.
        self.driver.pause(inst)
        self.driver.suspend(inst)
        self.driver.resume(inst)
        self.assertEqual(states.RUNNING, self.state(inst))

    def test_suspended_guest_hard_reboot_and_destroy(self):
        inst = self.spawn()
        self.driver.suspend(inst)
        self.driver.reboot(inst, 'HARD')
        self.assertEqual(states.RUNNING, self.state(inst))
        self.driver.suspend(inst)
        self.driver.destroy(inst)
        self.assertNotIn(inst['uuid'], self.driver.list_instance_uuids())

    def test_rescue_unrescue(self):
        inst = self.spawn()
        self.driver.power_off(inst)
        self.driver.rescue(inst, self.image, 'pw')
        self.assertEqual(states.RUNNING, self.state(inst))
        # Again (an agent restarted half-way): still one rescue.
        self.driver.rescue(inst, self.image, 'pw')
        self.driver.unrescue(inst)
        self.assertEqual(states.RUNNING, self.state(inst))
        self.driver.unrescue(inst)
        self.assertEqual(states.RUNNING, self.state(inst))
        # A rescued guest may be destroyed.
        self.driver.rescue(inst, self.image, 'pw')
        self.driver.destroy(inst)
        self.assertNotIn(inst['uuid'], self.driver.list_instance_uuids())

    def test_actions_on_a_missing_guest(self):
        inst = make_instance()
        for call in (lambda: self.driver.pause(inst),
                     lambda: self.driver.unpause(inst),
                     lambda: self.driver.suspend(inst),
                     lambda: self.driver.resume(inst),
                     lambda: self.driver.rescue(inst, self.image, 'pw'),
                     lambda: self.driver.unrescue(inst)):
            self.assertRaises(exception.InstanceNotFound, call)

    # ------------------- snapshot, resize and migrate, shelve

    def _transfer_dir(self):
        path = os.path.join(self.tmp, 'transfer-%s' % uuid.uuid4().hex[:8])
        os.makedirs(path)
        return path

    def _flavor(self, root_gb):
        return {'id': 2, 'flavorid': '2', 'name': 'm1.small', 'vcpus': 1,
                'memory_mb': 128, 'root_gb': root_gb, 'ephemeral_gb': 0,
                'swap': 0}

    def test_snapshot(self):
        inst = self.spawn()
        target = os.path.join(self.tmp, 'snapshot')
        written = self.driver.snapshot(inst, target)
        self.assertEqual({'disk_format': 'qcow2',
                          'size': os.path.getsize(target)}, written)
        # The guest runs on; a stopped one stays stopped.
        self.assertEqual(states.RUNNING, self.state(inst))
        self.driver.power_off(inst)
        self.driver.snapshot(inst, target + '2')
        self.assertEqual(states.SHUTDOWN, self.state(inst))
        missing = make_instance()
        self.assertRaises(exception.InstanceNotFound, self.driver.snapshot,
                          missing, target + '3')
        self.assertFalse(os.path.exists(target + '3'))

    def test_resize_and_confirm(self):
        inst = self.spawn()
        transfer = self._transfer_dir()
        self.driver.migrate_disk_and_power_off(inst, self._flavor(2),
                                               transfer)
        # Off this hypervisor until it is finished (here, or elsewhere).
        self.assertRaises(exception.InstanceNotFound, self.driver.get_info,
                          inst)
        self.assertNotIn(inst['uuid'], self.driver.list_instance_uuids())
        moved = dict(inst, root_gb=2)
        self.driver.finish_migration(moved, self.image, transfer, None)
        self.assertEqual(states.RUNNING, self.state(moved))
        self.driver.confirm_migration(moved)
        self.assertEqual(states.RUNNING, self.state(moved))
        # Confirming again is fine.
        self.driver.confirm_migration(moved)

    def test_resize_stopped_and_revert(self):
        inst = self.spawn()
        self.driver.power_off(inst)
        transfer = self._transfer_dir()
        self.driver.migrate_disk_and_power_off(inst, self._flavor(1),
                                               transfer)
        moved = dict(inst)
        self.driver.finish_migration(moved, self.image, transfer, None,
                                     power_on=False)
        self.assertEqual(states.SHUTDOWN, self.state(moved))
        # A revert: the destination's guest goes, the source's comes back.
        self.driver.destroy(moved)
        self.driver.finish_revert_migration(inst, self.image, None,
                                            power_on=True)
        self.assertEqual(states.RUNNING, self.state(inst))

    def test_disk_cannot_shrink(self):
        inst = self.spawn(root_gb=2)
        e = self.assertRaises(exception.InstanceFaultRollback,
                              self.driver.migrate_disk_and_power_off, inst,
                              self._flavor(1), self._transfer_dir())
        self.assertEqual('Server disk was unable to be resized because: '
                         'Unable to resize disk down.',
                         e.inner_exception.message)
        self.assertEqual(states.RUNNING, self.state(inst))

    def test_unshelve(self):
        inst = make_instance()
        self.addCleanup(self.driver.destroy, inst)
        self.driver.unshelve(inst, self.image, None)
        self.assertEqual(states.RUNNING, self.state(inst))


class FakeDriverTest(_DriverConformance, testtools.TestCase):

    HYPERVISOR_TYPE = 'fake'

    def make_driver(self):
        return fake.FakeDriver()

    def lose(self, instance):
        self.driver._guests.pop(instance['uuid'])

    def test_console_and_resources_from_config(self):
        self.conf.config(fake_vcpus=3, fake_memory_mb=1000,
                         fake_local_gb=7)
        self.assertEqual({'vcpus': 3, 'memory_mb': 1000, 'local_gb': 7,
                          'hypervisor_hostname': CONF.host,
                          'hypervisor_type': 'fake',
                          'hypervisor_version': 1000,
                          'host_ip': CONF.my_ip},
                         self.driver.get_available_resource())
        inst = self.spawn()
        self.assertIn(inst['uuid'], self.driver.get_console_output(inst))

    def test_rescue_is_remembered(self):
        inst = self.spawn()
        self.driver.rescue(inst, self.image, 'pw')
        self.assertEqual({'image': IMAGE_ID, 'password': 'pw'},
                         self.driver._guests[inst['uuid']]['rescue'])
        self.driver.unrescue(inst)
        self.assertNotIn('rescue', self.driver._guests[inst['uuid']])
        # A HARD reboot boots the server's own guest, as libvirt's.
        self.driver.rescue(inst, self.image, 'pw')
        self.driver.reboot(inst, 'HARD')
        self.assertNotIn('rescue', self.driver._guests[inst['uuid']])


class LibvirtDriverTest(_DriverConformance, testtools.TestCase):

    # libvirt's test:///default driver names itself so.
    HYPERVISOR_TYPE = 'TEST'

    def make_driver(self):
        nl_fixtures.require(self, libvirt is not None,
                            'libvirt-python is not installed')
        nl_fixtures.require(self, shutil.which('qemu-img') is not None,
                            'qemu-img is not installed')
        return libvirt_driver.LibvirtDriver()

    def _conn(self):
        # A connection of our own: test:///default is shared per process.
        conn = libvirt.open('test:///default')
        self.addCleanup(conn.close)
        return conn

    def _domain(self, instance):
        return self._conn().lookupByUUIDString(instance['uuid'])

    def lose(self, instance):
        # Behind the driver's back, as `virsh destroy; virsh undefine`.
        domain = self._domain(instance)
        domain.destroy()
        domain.undefine()

    def _network_info(self, address='10.11.12.5', mac='fa:16:3e:00:00:05',
                      network_id=None):
        network_id = network_id or str(uuid.uuid4())
        self.addCleanup(self._drop_network, network_id)
        return [{'network_id': network_id, 'network_name': 'private',
                 'bridge': 'nlbr' + network_id[:8], 'cidr': '10.11.12.0/24',
                 'gateway': '10.11.12.1', 'netmask': '255.255.255.0',
                 'address': address, 'mac_address': mac, 'version': 4}]

    def _drop_network(self, network_id):
        conn = self._conn()
        try:
            net = conn.networkLookupByName('novalite-' + network_id)
        except libvirt.libvirtError:
            return
        if net.isActive():
            net.destroy()
        net.undefine()

    def _hosts_path(self, network_id):
        return os.path.join(CONF.instances_path, '_networks',
                            'novalite-%s.hosts' % network_id)

    def _dhcp_hosts(self, network_id):
        """The reservations the network's dnsmasq reads."""
        with open(self._hosts_path(network_id)) as f:
            return [tuple(line.strip().split(',')) for line in f]

    def test_tagged_devices_in_the_config_drive(self):
        vifs = self._network_info()
        vifs[0]['tag'] = 'nic1'
        inst = make_instance(config_drive='True', root_device_tag='root')
        self.addCleanup(self.driver.destroy, inst, vifs)
        self.driver.spawn(inst, self.image, None, [], vifs)
        meta = json.loads(configdrive.read_iso(os.path.join(
            self._instance_dir(inst), 'disk.config'))[
                'openstack/latest/meta_data.json'])
        # test:///default assigns no PCI addresses (qemu does: below).
        self.assertEqual([
            {'type': 'nic', 'mac': 'fa:16:3e:00:00:05', 'bus': 'none',
             'address': 'none', 'tags': ['nic1']},
            {'type': 'disk', 'serial': None, 'bus': 'none',
             'address': 'none', 'tags': ['root']}], meta['devices'])
        # Untagged: no devices.
        plain = self.spawn(config_drive='True')
        meta = json.loads(configdrive.read_iso(os.path.join(
            self._instance_dir(plain), 'disk.config'))[
                'openstack/latest/meta_data.json'])
        self.assertEqual([], meta['devices'])

    def test_device_metadata_reads_pci_addresses(self):
        # What qemu:///system makes of a definition (addresses assigned).
        xml = """<domain type='kvm'><devices>
          <disk type='file' device='disk'><target dev='vda' bus='virtio'/>
            <address type='pci' domain='0x0000' bus='0x00' slot='0x04'
                     function='0x0'/></disk>
          <disk type='file' device='cdrom'><target dev='sda' bus='sata'/>
            <address type='drive' controller='0' bus='0' target='0'
                     unit='0'/></disk>
          <interface type='network'><mac address='fa:16:3e:00:00:05'/>
            <address type='pci' domain='0x0000' bus='0x00' slot='0x1a'
                     function='0x0'/></interface>
          <interface type='network'><mac address='fa:16:3e:00:00:06'/>
            <address type='pci' domain='0x0000' bus='0x01' slot='0x02'
                     function='0x1'/></interface>
        </devices></domain>"""
        vifs = [{'mac_address': 'fa:16:3e:00:00:05', 'tag': None},
                {'mac_address': 'fa:16:3e:00:00:06', 'tag': 'b'}]
        self.assertEqual([
            {'type': 'nic', 'mac': 'fa:16:3e:00:00:06', 'bus': 'pci',
             'address': '0000:01:02.1', 'tags': ['b']},
            {'type': 'disk', 'serial': None, 'bus': 'pci',
             'address': '0000:00:04.0', 'tags': ['r']}],
            libvirt_driver.device_metadata(
                xml, {'root_device_tag': 'r'}, vifs))
        self.assertEqual([], libvirt_driver.device_metadata(
            xml, {}, [dict(vifs[1], tag=None)]))

    def test_network_and_dhcp_reservation(self):
        vifs = self._network_info()
        net_id = vifs[0]['network_id']
        inst = make_instance()
        self.addCleanup(self.driver.destroy, inst, vifs)
        self.driver.spawn(inst, self.image, None, [], vifs)
        iface, = self._xml(inst).findall('./devices/interface')
        self.assertEqual('network', iface.get('type'))
        self.assertEqual('novalite-' + net_id,
                         iface.find('source').get('network'))
        self.assertEqual('fa:16:3e:00:00:05',
                         iface.find('mac').get('address'))
        self.assertEqual('virtio', iface.find('model').get('type'))
        net = self._conn().networkLookupByName('novalite-' + net_id)
        self.assertTrue(net.isActive())
        root = ET.fromstring(net.XMLDesc())
        self.assertEqual('nat', root.find('forward').get('mode'))
        self.assertEqual(vifs[0]['bridge'], root.find('bridge').get('name'))
        self.assertEqual('10.11.12.1', root.find('ip').get('address'))
        self.assertEqual('255.255.255.0', root.find('ip').get('netmask'))
        # No DHCP of libvirt's; dnsmasq answers reserved MACs only (the
        # test hypervisor does not keep the dnsmasq options: see
        # test_network_xml).
        self.assertIsNone(root.find('./ip/dhcp'))
        self.assertEqual([('fa:16:3e:00:00:05', '10.11.12.5')],
                         self._dhcp_hosts(net_id))
        # A second server on the network adds its own reservation.
        second_vifs = self._network_info('10.11.12.6', 'fa:16:3e:00:00:06',
                                         network_id=net_id)
        second = make_instance()
        self.addCleanup(self.driver.destroy, second, second_vifs)
        self.driver.spawn(second, self.image, None, [], second_vifs)
        self.assertEqual(2, len(self._dhcp_hosts(net_id)))
        # Delete leaves no reservation behind.
        self.driver.destroy(inst, vifs)
        self.assertEqual([('fa:16:3e:00:00:06', '10.11.12.6')],
                         self._dhcp_hosts(net_id))

    def test_stale_reservation_is_replaced(self):
        # The address was another MAC's (a server deleted while the agent
        # was away): the new server's MAC gets it.
        stale = self._network_info(mac='fa:16:3e:aa:aa:aa')
        net_id = stale[0]['network_id']
        self.driver._plug_vifs(stale)
        vifs = self._network_info(network_id=net_id)
        inst = make_instance()
        self.addCleanup(self.driver.destroy, inst, vifs)
        self.driver.spawn(inst, self.image, None, [], vifs)
        self.assertEqual([('fa:16:3e:00:00:05', '10.11.12.5')],
                         self._dhcp_hosts(net_id))

    def test_network_xml(self):
        xml = vconfig.Network('novalite-n', 'nlbr1', '10.0.0.1',
                              '255.255.255.0', '10.0.0.0',
                              '/x/novalite-n.hosts').to_xml()
        self.assertFalse(vconfig.has_libvirt_dhcp(xml))
        self.assertEqual(['dhcp-range=10.0.0.0,static',
                          'dhcp-hostsfile=/x/novalite-n.hosts'],
                         vconfig.dnsmasq_options(xml))
        root = ET.fromstring(xml)
        self.assertEqual('nat', root.find('forward').get('mode'))
        self.assertEqual('nlbr1', root.find('bridge').get('name'))

    def test_network_of_another_layout_is_redefined(self):
        # e.g. defined by an older novalite with libvirt's own <dhcp>.
        vifs = self._network_info()
        net_id = vifs[0]['network_id']
        conn = self._conn()
        conn.networkDefineXML(
            "<network><name>novalite-%s</name><bridge name='%s'/>"
            "<ip address='10.11.12.1' netmask='255.255.255.0'><dhcp>"
            "<range start='10.11.12.2' end='10.11.12.9'/></dhcp></ip>"
            "</network>" % (net_id, vifs[0]['bridge'])).create()
        self.driver._plug_vifs(vifs)
        net = conn.networkLookupByName('novalite-' + net_id)
        self.assertTrue(net.isActive())
        self.assertIsNone(ET.fromstring(net.XMLDesc()).find('./ip/dhcp'))
        self.assertEqual([('fa:16:3e:00:00:05', '10.11.12.5')],
                         self._dhcp_hosts(net_id))

    def test_hard_reboot_of_lost_guest_keeps_disk_and_network(self):
        vifs = self._network_info()
        inst = make_instance()
        self.addCleanup(self.driver.destroy, inst, vifs)
        self.driver.spawn(inst, self.image, None, [], vifs)
        disk = os.path.join(self._instance_dir(inst), 'disk')
        with open(disk, 'ab') as f:
            f.write(b'written by the guest')
        size = os.path.getsize(disk)
        self.lose(inst)
        self.driver.reboot(inst, 'HARD', image=self.image,
                           network_info=vifs)
        self.assertEqual(size, os.path.getsize(disk))
        self.assertEqual(1, len(self._xml(inst).findall(
            './devices/interface')))

    def test_direct_kernel_boot(self):
        kernel = os.path.join(self.tmp, 'vmlinuz')
        ramdisk = os.path.join(self.tmp, 'initrd')
        for path, data in ((kernel, b'kernel'), (ramdisk, b'initrd')):
            with open(path, 'wb') as f:
                f.write(data)
        self.image = dict(
            self.image,
            properties={'os_command_line': 'console=ttyS0 quiet'},
            kernel={'id': str(uuid.uuid4()), 'location': kernel},
            ramdisk={'id': str(uuid.uuid4()), 'location': ramdisk})
        inst = self.spawn()
        root = self._xml(inst)
        inst_dir = self._instance_dir(inst)
        self.assertEqual(os.path.join(inst_dir, 'kernel'),
                         root.find('./os/kernel').text)
        self.assertEqual(os.path.join(inst_dir, 'ramdisk'),
                         root.find('./os/initrd').text)
        self.assertEqual('console=ttyS0 quiet',
                         root.find('./os/cmdline').text)
        with open(os.path.join(inst_dir, 'ramdisk'), 'rb') as f:
            self.assertEqual(b'initrd', f.read())
        # Both are cached beside the disk images.
        base = os.path.join(CONF.instances_path, '_base')
        self.assertTrue(os.path.exists(os.path.join(
            base, self.image['kernel']['id'])))

    def test_agents_sharing_the_instances_path_cache_an_image_at_once(self):
        # Agents in separate processes (one machine, or NFS) copy the same
        # image into _base at the same moment: neither may lose the other's
        # partial copy.
        source = os.path.join(self.tmp, 'big.raw')
        with open(source, 'wb') as f:
            f.truncate(64 * 1024 * 1024)
        image = {'id': str(uuid.uuid4()), 'location': source}
        base = os.path.join(CONF.instances_path, '_base')
        start = multiprocessing.get_context('fork').Event()

        def agent(results):
            start.wait()
            try:
                self.driver._cache_image(image)
                results.put(None)
            except Exception as e:
                results.put(repr(e))

        results = multiprocessing.get_context('fork').Queue()
        workers = [multiprocessing.get_context('fork').Process(
            target=agent, args=(results,)) for _ in range(3)]
        for worker in workers:
            worker.start()
        start.set()
        for worker in workers:
            worker.join(60)
        self.assertEqual([None] * 3, [results.get(timeout=5)
                                      for _ in workers])
        self.assertEqual([image['id']], os.listdir(base))
        self.assertEqual(64 * 1024 * 1024,
                         os.path.getsize(os.path.join(base, image['id'])))

    def test_image_cache_removes_only_old_unused_images(self):
        self.conf.config(remove_unused_original_minimum_age_seconds=3600,
                         group='image_cache')
        self.spawn()
        base = os.path.join(CONF.instances_path, '_base')
        old = time.time() - 7200
        for name in ('unused-old', 'unused-young', IMAGE_ID):
            path = os.path.join(base, name)
            if not os.path.exists(path):
                open(path, 'wb').close()
            if name != 'unused-young':
                os.utime(path, (old, old))
        removed = self.driver.manage_image_cache({IMAGE_ID})
        self.assertEqual(['unused-old'], removed)
        self.assertEqual({IMAGE_ID, 'unused-young'}, set(os.listdir(base)))
        self.conf.config(remove_unused_base_images=False,
                         group='image_cache')
        os.utime(os.path.join(base, 'unused-young'), (old, old))
        self.assertEqual([], self.driver.manage_image_cache(set()))

    def _xml(self, instance):
        return ET.fromstring(self._domain(instance).XMLDesc())

    def _instance_dir(self, instance):
        return os.path.join(CONF.instances_path, instance['uuid'])

    def _qemu_img_info(self, path):
        return json.loads(subprocess.run(
            ['qemu-img', 'info', '--output=json', path],
            capture_output=True, text=True, check=True).stdout)

    def test_domain_xml(self):
        inst = self.spawn(index=0x2a, vcpus=2, memory_mb=256)
        root = self._xml(inst)
        self.assertEqual('qemu', root.get('type'))
        self.assertEqual('instance-0000002a', root.find('name').text)
        self.assertEqual(inst['uuid'], root.find('uuid').text)
        self.assertEqual(str(256 * 1024), root.find('memory').text)
        self.assertEqual('KiB', root.find('memory').get('unit'))
        self.assertEqual('2', root.find('vcpu').text)
        disks = root.findall('./devices/disk')
        self.assertEqual(1, len(disks))
        self.assertEqual(os.path.join(self._instance_dir(inst), 'disk'),
                         disks[0].find('source').get('file'))
        self.assertEqual('qcow2', disks[0].find('driver').get('type'))
        self.assertEqual('vda', disks[0].find('target').get('dev'))
        # The serial console is logged by virtlogd, which caps its size.
        serial = root.find('./devices/serial')
        self.assertEqual('pty', serial.get('type'))
        self.assertEqual(os.path.join(self._instance_dir(inst),
                                      'console.log'),
                         serial.find('log').get('file'))
        self.assertEqual('on', serial.find('log').get('append'))
        self.assertEqual('serial', root.find(
            './devices/console/target').get('type'))
        self.assertEqual([], root.findall('./devices/interface'))
        self.assertIsNone(root.find('./os/kernel'))
        self.assertEqual('hd', root.find('./os/boot').get('dev'))
        ns = {'nova': vconfig.NOVALITE_NS}
        meta = root.find('./metadata/nova:instance', ns)
        self.assertEqual('server', meta.find('nova:name', ns).text)
        self.assertEqual('m1.tiny', meta.find('nova:flavor', ns).get('name'))
        self.assertEqual('p1', meta.find('nova:owner/nova:project',
                                         ns).get('uuid'))
        self.assertEqual('u1', meta.find('nova:owner/nova:user',
                                         ns).get('uuid'))

    def test_display_name_is_escaped(self):
        name = '</name><devices><disk type="file"/></devices>&amp;'
        inst = self.spawn(display_name=name)
        xml = self._domain(inst).XMLDesc()
        root = ET.fromstring(xml)  # well-formed
        ns = {'nova': vconfig.NOVALITE_NS}
        self.assertEqual(name, root.find('./metadata/nova:instance/'
                                         'nova:name', ns).text)
        self.assertEqual(1, len(list(root.iter('devices'))))
        self.assertEqual(1, len(list(root.iter('disk'))))
        self.assertEqual(inst['uuid'], root.find('uuid').text)

    def test_qcow2_overlay(self):
        inst = self.spawn(root_gb=2)
        disk = os.path.join(self._instance_dir(inst), 'disk')
        info = self._qemu_img_info(disk)
        self.assertEqual('qcow2', info['format'])
        self.assertEqual(2 * 1024 ** 3, info['virtual-size'])
        base = os.path.join(CONF.instances_path, '_base', IMAGE_ID)
        self.assertEqual(base, info['backing-filename'])
        self.assertEqual('raw', info['backing-filename-format'])
        self.assertTrue(os.path.exists(base))
        # The cached base is shared by the next server of the image.
        second = self.spawn(root_gb=2)
        info = self._qemu_img_info(
            os.path.join(self._instance_dir(second), 'disk'))
        self.assertEqual(base, info['backing-filename'])
        # Deleting a server leaves the cache alone.
        self.driver.destroy(inst)
        self.assertFalse(os.path.exists(self._instance_dir(inst)))
        self.assertTrue(os.path.exists(base))

    def test_qcow2_image_without_root_size(self):
        qcow2 = os.path.join(self.tmp, 'image.qcow2')
        subprocess.run(['qemu-img', 'create', '-f', 'qcow2', qcow2, '64M'],
                       capture_output=True, check=True)
        self.image = {'id': str(uuid.uuid4()), 'location': qcow2,
                      'disk_format': 'qcow2'}
        inst = self.spawn(root_gb=0)
        info = self._qemu_img_info(os.path.join(self._instance_dir(inst),
                                                'disk'))
        self.assertEqual(64 * 1024 ** 2, info['virtual-size'])
        self.assertEqual('qcow2', info['backing-filename-format'])

    def test_no_config_drive_by_default(self):
        inst = self.spawn()
        self.assertFalse(os.path.exists(
            os.path.join(self._instance_dir(inst), 'disk.config')))
        self.assertEqual(1, len(self._xml(inst).findall('./devices/disk')))

    def test_config_drive(self):
        user_data = base64.b64encode(b'#cloud-config\n').decode()
        for values, files in (({'config_drive': 'True'}, ()),
                              ({'user_data': user_data}, ()),
                              ({}, [('/etc/motd', b'hi\n')])):
            inst = self.spawn(admin_password='pw', injected_files=files,
                              **values)
            path = os.path.join(self._instance_dir(inst), 'disk.config')
            self.assertTrue(os.path.exists(path), values)
            contents = configdrive.read_iso(path)
            meta = json.loads(contents['openstack/latest/meta_data.json'])
            self.assertEqual(inst['uuid'], meta['uuid'])
            self.assertEqual('pw', meta['admin_pass'])
            if 'user_data' in values:
                self.assertEqual(b'#cloud-config\n',
                                 contents['openstack/latest/user_data'])
            if files:
                self.assertEqual(b'hi\n', contents['openstack/content/0000'])
            cdroms = [d for d in self._xml(inst).findall('./devices/disk')
                      if d.get('device') == 'cdrom']
            self.assertEqual(1, len(cdroms))
            self.assertEqual(path, cdroms[0].find('source').get('file'))
            self.assertIsNotNone(cdroms[0].find('readonly'))

    def _assert_nothing_left(self, inst):
        self.assertNotIn(inst['uuid'], self.driver.list_instance_uuids())
        self.assertFalse(os.path.exists(self._instance_dir(inst)))

    def test_spawn_failure_missing_image(self):
        self.image = dict(self.image, id=str(uuid.uuid4()),
                          location=os.path.join(self.tmp, 'missing.raw'))
        inst = make_instance()
        self.assertRaises(FileNotFoundError, self.driver.spawn, inst,
                          self.image, None, [], None)
        self._assert_nothing_left(inst)

    def test_spawn_failure_after_define(self):
        # Inject a launch failure: the defined domain must go too.
        error = libvirt.libvirtError('injected launch failure')
        self.useFixture(fixtures.MockPatchObject(
            libvirt_guest.Guest, 'launch', side_effect=error))
        inst = make_instance(user_data=base64.b64encode(b'x').decode())
        e = self.assertRaises(libvirt.libvirtError, self.driver.spawn, inst,
                              self.image, None, [], None)
        self.assertIs(error, e)
        self._assert_nothing_left(inst)

    def test_set_admin_password_needs_a_guest_agent(self):
        inst = self.spawn()
        e = self.assertRaises(exception.QemuGuestAgentNotEnabled,
                              self.driver.set_admin_password, inst, 'pw')
        self.assertEqual(409, e.code)
        self.assertEqual('QEMU guest agent is not enabled', e.message)

    def test_console_output_tail(self):
        inst = self.spawn()
        # The test hypervisor writes no serial log: no file means no text.
        self.assertEqual('', self.driver.get_console_output(inst))
        path = os.path.join(self._instance_dir(inst), 'console.log')
        head = b'x' * 10
        tail = 'é' * (libvirt_driver.MAX_CONSOLE_BYTES // 2)
        with open(path, 'wb') as f:
            f.write(head + tail.encode('utf-8'))
        self.assertEqual(tail, self.driver.get_console_output(inst))

    # ------------------- snapshot, resize and migrate, shelve

    def test_snapshot_is_a_standalone_copy_taken_paused(self):
        inst = self.spawn()
        disk = os.path.join(self._instance_dir(inst), 'disk')
        subprocess.run(
            ['qemu-io', '-f', 'qcow2', '-c', 'write -P 0x5a 0 64k', disk],
            check=True, capture_output=True)
        seen = []
        real = libvirt_driver.LibvirtDriver._qemu_img

        def qemu_img(what, *args):
            seen.append((args[0], self.state(inst)))
            return real(what, *args)

        target = os.path.join(self.tmp, 'snapshot')
        with fixtures.MockPatchObject(libvirt_driver.LibvirtDriver,
                                      '_qemu_img', side_effect=qemu_img):
            self.driver.snapshot(inst, target)
        self.assertEqual([('convert', states.PAUSED_POWER)], seen)
        self.assertEqual(states.RUNNING, self.state(inst))
        info = self._qemu_img_info(target)
        self.assertEqual('qcow2', info['format'])
        self.assertNotIn('backing-filename', info)
        # What the guest wrote is in the copy.
        out = subprocess.run(['qemu-io', '-f', 'qcow2', '-c',
                              'read -P 0x5a 0 64k', target],
                             capture_output=True, text=True)
        self.assertNotIn('Pattern verification failed', out.stdout)
        self.assertEqual(0, out.returncode, out.stderr)

    def test_snapshot_failure_leaves_nothing_and_resumes(self):
        inst = self.spawn()
        target = os.path.join(self.tmp, 'snapshot')
        error = exception.VirtDriverError("Could not copy the guest's disk.")
        with fixtures.MockPatchObject(libvirt_driver.LibvirtDriver,
                                      '_qemu_img', side_effect=error):
            self.assertRaises(exception.VirtDriverError,
                              self.driver.snapshot, inst, target)
        self.assertFalse(os.path.exists(target))
        self.assertFalse(os.path.exists(target + '.part'))
        self.assertEqual(states.RUNNING, self.state(inst))

    def test_resize_moves_the_disk_and_grows_it(self):
        vifs = self._network_info()
        inst = make_instance()
        self.addCleanup(self.driver.destroy, inst, vifs)
        self.driver.spawn(inst, self.image, None, [(
            '/etc/motd', b'hi')], vifs)
        inst_dir = self._instance_dir(inst)
        transfer = self._transfer_dir()
        self.driver.migrate_disk_and_power_off(inst, self._flavor(2),
                                               transfer, network_info=vifs)
        self.assertEqual([], self._dhcp_hosts(vifs[0]['network_id']))
        self.assertEqual({'disk', 'disk.config'}, set(os.listdir(transfer)))
        self.assertNotIn('backing-filename', self._qemu_img_info(
            os.path.join(transfer, 'disk')))
        self.assertFalse(os.path.exists(inst_dir))
        self.assertTrue(os.path.isdir(inst_dir + '_resize'))
        moved = dict(inst, root_gb=2)
        self.driver.finish_migration(moved, self.image, transfer, vifs)
        self.assertEqual([], os.listdir(transfer))
        self.assertEqual(2 * 1024 ** 3, self._qemu_img_info(
            os.path.join(inst_dir, 'disk'))['virtual-size'])
        self.assertTrue(os.path.exists(os.path.join(inst_dir,
                                                    'disk.config')))
        self.assertEqual([(vifs[0]['mac_address'], vifs[0]['address'])],
                         self._dhcp_hosts(vifs[0]['network_id']))
        self.driver.confirm_migration(moved)
        self.assertFalse(os.path.exists(inst_dir + '_resize'))
        self.assertEqual(states.RUNNING, self.state(moved))

    def test_revert_brings_the_old_disk_back(self):
        inst = self.spawn()
        inst_dir = self._instance_dir(inst)
        old_disk = self._qemu_img_info(os.path.join(inst_dir, 'disk'))
        transfer = self._transfer_dir()
        self.driver.migrate_disk_and_power_off(inst, self._flavor(2),
                                               transfer)
        moved = dict(inst, root_gb=2)
        self.driver.finish_migration(moved, self.image, transfer, None)
        self.driver.destroy(moved)
        self.driver.finish_revert_migration(inst, self.image, None)
        self.assertEqual(states.RUNNING, self.state(inst))
        # The overlay of the image, as it was.
        self.assertEqual(old_disk, self._qemu_img_info(
            os.path.join(inst_dir, 'disk')))
        self.assertFalse(os.path.exists(inst_dir + '_resize'))

    def test_revert_without_the_kept_disk_fails(self):
        inst = self.spawn()
        self.driver.migrate_disk_and_power_off(inst, self._flavor(1),
                                               self._transfer_dir())
        shutil.rmtree(self._instance_dir(inst) + '_resize')
        self.assertRaises(exception.VirtDriverError,
                          self.driver.finish_revert_migration, inst,
                          self.image, None)

    def test_failed_migration_restarts_the_guest(self):
        inst = self.spawn()
        error = exception.VirtDriverError("Could not copy the guest's disk.")
        with fixtures.MockPatchObject(libvirt_driver.LibvirtDriver,
                                      '_qemu_img', side_effect=error):
            self.assertRaises(exception.VirtDriverError,
                              self.driver.migrate_disk_and_power_off, inst,
                              self._flavor(1), self._transfer_dir())
        self.assertEqual(states.RUNNING, self.state(inst))
        self.assertTrue(os.path.isdir(self._instance_dir(inst)))

    def test_unshelve_copies_the_image(self):
        inst = make_instance(root_gb=2)
        self.addCleanup(self.driver.destroy, inst)
        self.driver.unshelve(inst, self.image, None)
        info = self._qemu_img_info(os.path.join(self._instance_dir(inst),
                                                'disk'))
        self.assertNotIn('backing-filename', info)
        self.assertEqual(2 * 1024 ** 3, info['virtual-size'])
        self.assertEqual(states.RUNNING, self.state(inst))

    def test_foreign_domain_is_left_alone(self):
        # test:///default starts with a domain named "test", which no
        # server of ours owns.
        conn = libvirt.open('test:///default')
        self.addCleanup(conn.close)
        before = conn.lookupByName('test').UUIDString()
        inst = self.spawn()
        self.driver.destroy(inst)
        self.assertEqual(before, conn.lookupByName('test').UUIDString())

    # ----------------------------------- pause, suspend, rescue

    def _disks(self, instance):
        """(target dev, source file, device) of the domain's disks."""
        return [(d.find('target').get('dev'), d.find('source').get('file'),
                 d.get('device'))
                for d in self._xml(instance).findall('./devices/disk')]

    def _definition(self, instance):
        return self._domain(instance).XMLDesc(
            libvirt.VIR_DOMAIN_XML_INACTIVE)

    def _files(self, instance):
        return sorted(os.listdir(self._instance_dir(instance)))

    def test_pause_is_a_domain_suspend(self):
        inst = self.spawn()
        self.driver.pause(inst)
        self.assertEqual(libvirt.VIR_DOMAIN_PAUSED,
                         self._domain(inst).state()[0])

    def test_suspend_is_a_managed_save(self):
        inst = self.spawn()
        self.driver.suspend(inst)
        domain = self._domain(inst)
        # As Nova shows libvirt's saved guest: SHUTDOWN.
        self.assertEqual(states.SHUTDOWN, self.state(inst))
        self.assertEqual(libvirt.VIR_DOMAIN_SHUTOFF, domain.state()[0])
        self.assertTrue(domain.hasManagedSaveImage(0))
        self.driver.resume(inst)
        self.assertFalse(domain.hasManagedSaveImage(0))
        self.assertEqual(libvirt.VIR_DOMAIN_RUNNING, domain.state()[0])

    def test_hard_reboot_forgets_the_saved_memory(self):
        # Nova's hard reboot undefines the domain with its managed save:
        # the guest boots afresh.
        inst = self.spawn()
        self.driver.suspend(inst)
        self.driver.reboot(inst, 'HARD')
        self.assertFalse(self._domain(inst).hasManagedSaveImage(0))

    def test_libvirt_errors_are_reworded(self):
        inst = self.spawn()
        error = libvirt.libvirtError('/var/lib/libvirt/qemu/save: denied')
        self.useFixture(fixtures.MockPatchObject(
            libvirt.virDomain, 'managedSave', side_effect=error))
        e = self.assertRaises(exception.VirtDriverError,
                              self.driver.suspend, inst)
        self.assertEqual("Could not save the guest's memory.", e.message)
        self.assertIs(error, e.__cause__)

    def test_rescue_boots_the_rescue_disk_with_the_servers_second(self):
        vifs = self._network_info()
        user_data = base64.b64encode(b'#!/bin/sh\necho hi\n').decode()
        inst = make_instance(user_data=user_data)
        self.addCleanup(self.driver.destroy, inst, vifs)
        self.driver.spawn(inst, self.image, 'first', [], vifs)
        inst_dir = self._instance_dir(inst)
        own = self._definition(inst)
        files = self._files(inst)
        rescue_image = dict(self.image, id=str(uuid.uuid4()))
        self.driver.power_off(inst)
        self.driver.rescue(inst, rescue_image, 'rescue-pw', vifs)

        self.assertEqual(libvirt.VIR_DOMAIN_RUNNING,
                         self._domain(inst).state()[0])
        self.assertEqual(
            [('vda', os.path.join(inst_dir, 'disk.rescue'), 'disk'),
             ('vdb', os.path.join(inst_dir, 'disk'), 'disk'),
             ('sda', os.path.join(inst_dir, 'disk.config.rescue'),
              'cdrom')],
            self._disks(inst))
        # A new overlay of the rescue image.
        info = self._qemu_img_info(os.path.join(inst_dir, 'disk.rescue'))
        self.assertEqual(rescue_image['id'],
                         os.path.basename(info['backing-filename']))
        # A new config drive, with the rescue password.
        contents = configdrive.read_iso(
            os.path.join(inst_dir, 'disk.config.rescue'))
        meta = json.loads(contents['openstack/latest/meta_data.json'])
        self.assertEqual('rescue-pw', meta['admin_pass'])
        self.assertEqual(1, len(self._xml(inst).findall(
            './devices/interface')))
        with open(os.path.join(inst_dir, 'unrescue.xml')) as f:
            self.assertEqual(own, f.read())

        self.driver.unrescue(inst, vifs)
        self.assertEqual(libvirt.VIR_DOMAIN_RUNNING,
                         self._domain(inst).state()[0])
        self.assertEqual(own, self._definition(inst))
        self.assertEqual(files, self._files(inst))

    def test_rescue_boots_the_rescue_images_kernel(self):
        kernel = os.path.join(self.tmp, 'vmlinuz')
        with open(kernel, 'wb') as f:
            f.write(b'kernel')
        rescue_image = dict(self.image, id=str(uuid.uuid4()),
                            kernel={'id': str(uuid.uuid4()),
                                    'location': kernel})
        inst = self.spawn()
        files = self._files(inst)
        self.driver.rescue(inst, rescue_image, None)
        inst_dir = self._instance_dir(inst)
        self.assertEqual(os.path.join(inst_dir, 'kernel.rescue'),
                         self._xml(inst).find('./os/kernel').text)
        # No config drive for a server that has none.
        self.assertEqual(['vda', 'vdb'], [d[0] for d in self._disks(inst)])
        self.driver.unrescue(inst)
        self.assertIsNone(self._xml(inst).find('./os/kernel'))
        self.assertEqual(files, self._files(inst))

    def test_hard_reboot_of_a_rescued_guest_boots_the_servers_own(self):
        # Nova's hard reboot builds the domain from the server: e.g. the
        # restore (a power on) of a server soft-deleted while rescued.
        inst = self.spawn()
        own = self._definition(inst)
        files = self._files(inst)
        self.driver.rescue(inst, self.image, 'pw')
        self.driver.power_off(inst)
        self.driver.power_on(inst)
        self.assertEqual(libvirt.VIR_DOMAIN_RUNNING,
                         self._domain(inst).state()[0])
        self.assertEqual(own, self._definition(inst))
        self.assertEqual(files, self._files(inst))

    def test_image_cache_keeps_a_rescue_guests_image(self):
        self.conf.config(remove_unused_original_minimum_age_seconds=0,
                         group='image_cache')
        rescue_image = dict(self.image, id=str(uuid.uuid4()))
        inst = self.spawn()
        self.driver.rescue(inst, rescue_image, 'pw')
        # The database knows only the server's own image.
        self.assertEqual([], self.driver.manage_image_cache({IMAGE_ID}))
        self.driver.unrescue(inst)
        self.assertEqual([rescue_image['id']],
                         self.driver.manage_image_cache({IMAGE_ID}))

    def test_rescue_failure_keeps_the_servers_own_guest(self):
        inst = self.spawn()
        own = self._definition(inst)
        files = self._files(inst)
        error = libvirt.libvirtError('injected launch failure')
        self.useFixture(fixtures.MockPatchObject(
            libvirt_guest.Guest, 'launch', side_effect=error))
        self.assertRaises(libvirt.libvirtError, self.driver.rescue, inst,
                          self.image, 'pw')
        self.assertEqual(own, self._definition(inst))
        self.assertEqual(files, self._files(inst))
