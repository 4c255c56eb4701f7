"""Domain XML built from typed objects, never from string templates.

ElementTree escapes every text and attribute value, so a server named
``</name><devices>`` ends up as text inside <nova:name>, not as markup.
"""

import xml.etree.ElementTree as ET

NOVALITE_NS = 'http://openstack.org/xmlns/libvirt/nova/1.1'
DNSMASQ_NS = 'http://libvirt.org/schemas/network/dnsmasq/1.0'


class GuestDisk:
    def __init__(self, source_path, target_dev, driver_format='qcow2',
                 device='disk', target_bus='virtio', readonly=False,
                 cache='none'):
        self.source_path = source_path
        self.target_dev = target_dev
        self.driver_format = driver_format
        self.device = device
        self.target_bus = target_bus
        self.readonly = readonly
        self.cache = cache

    def to_element(self):
        disk = ET.Element('disk', type='file', device=self.device)
        ET.SubElement(disk, 'driver', name='qemu', type=self.driver_format,
                      cache=self.cache if self.device == 'disk' else 'default')
        ET.SubElement(disk, 'source', file=self.source_path)
        ET.SubElement(disk, 'target', dev=self.target_dev,
                      bus=self.target_bus)
        if self.readonly:
            ET.SubElement(disk, 'readonly')
        return disk


class GuestSerialLogged:
    """A pty serial console whose output virtlogd writes to ``path``.

    virtlogd rotates the file at its ``max_size`` (2 MiB by default) and
    keeps ``max_backups`` old ones (3), so a guest that prints forever
    cannot fill the host's disk. ``append`` keeps the output of earlier
    boots of the guest (reboots, stop/start) in the log.
    """

    def __init__(self, path):
        self.path = path

    def to_elements(self):
        # NOTE: libvirt's test driver accepts this and writes nothing, so
        # its servers have an empty console, as with a file serial.
        serial = ET.Element('serial', type='pty')
        ET.SubElement(serial, 'log', file=self.path, append='on')
        ET.SubElement(serial, 'target', port='0')
        console = ET.Element('console', type='pty')
        ET.SubElement(console, 'target', type='serial', port='0')
        return [serial, console]


class GuestInterface:
    """A virtio NIC on a libvirt network, with the MAC novalite chose."""

    def __init__(self, network_name, mac_address, model='virtio'):
        self.network_name = network_name
        self.mac_address = mac_address
        self.model = model

    def to_element(self):
        iface = ET.Element('interface', type='network')
        ET.SubElement(iface, 'mac', address=self.mac_address)
        ET.SubElement(iface, 'source', network=self.network_name)
        ET.SubElement(iface, 'model', type=self.model)
        return iface


class Network:
    """A libvirt NAT network on its own bridge whose dnsmasq answers DHCP
    only for the reservations in ``hosts_path`` (see ``dhcp``).

    ``dhcp-range=<network>,static`` hands out no address of its own, so
    every guest gets exactly the address that novalite's IPAM gave it, and
    nothing else on the bridge gets one.
    """

    def __init__(self, name, bridge, gateway, netmask, network_address,
                 hosts_path):
        self.name = name
        self.bridge = bridge
        self.gateway = gateway
        self.netmask = netmask
        self.network_address = network_address
        self.hosts_path = hosts_path

    def dnsmasq_options(self):
        return ['dhcp-range=%s,static' % self.network_address,
                'dhcp-hostsfile=%s' % self.hosts_path]

    def to_xml(self):
        ET.register_namespace('dnsmasq', DNSMASQ_NS)
        net = ET.Element('network')
        ET.SubElement(net, 'name').text = self.name
        ET.SubElement(net, 'forward', mode='nat')
        ET.SubElement(net, 'bridge', name=self.bridge, stp='off')
        ET.SubElement(net, 'ip', address=self.gateway, netmask=self.netmask)
        options = ET.SubElement(net, '{%s}options' % DNSMASQ_NS)
        for value in self.dnsmasq_options():
            ET.SubElement(options, '{%s}option' % DNSMASQ_NS, value=value)
        return ET.tostring(net, encoding='unicode')


def has_libvirt_dhcp(network_xml):
    """Whether a libvirt network's XML has libvirt's own DHCP set-up."""
    return ET.fromstring(network_xml).find('./ip/dhcp') is not None


def dnsmasq_options(network_xml):
    """The dnsmasq options of a libvirt network's XML."""
    root = ET.fromstring(network_xml)
    return [opt.get('value') for opt in root.iter(
        '{%s}option' % DNSMASQ_NS)]


class GuestMetadata:
    """novalite's own record of the server inside the domain XML."""

    def __init__(self, display_name, project_id, user_id, flavor_name):
        self.display_name = display_name
        self.project_id = project_id
        self.user_id = user_id
        self.flavor_name = flavor_name

    def to_element(self):
        metadata = ET.Element('metadata')
        inst = ET.SubElement(metadata, '{%s}instance' % NOVALITE_NS)
        ET.SubElement(inst, '{%s}name' % NOVALITE_NS).text = \
            self.display_name
        ET.SubElement(inst, '{%s}flavor' % NOVALITE_NS,
                      name=self.flavor_name or '')
        owner = ET.SubElement(inst, '{%s}owner' % NOVALITE_NS)
        ET.SubElement(owner, '{%s}user' % NOVALITE_NS,
                      uuid=self.user_id or '')
        ET.SubElement(owner, '{%s}project' % NOVALITE_NS,
                      uuid=self.project_id or '')
        return metadata


class Guest:
    """A whole domain definition."""

    def __init__(self, name, uuid, memory_mb, vcpus, virt_type='qemu',
                 os_type='hvm', arch='x86_64', metadata=None, disks=(),
                 serials=(), interfaces=(), kernel=None, initrd=None,
                 cmdline=None):
        self.name = name
        self.uuid = uuid
        self.memory_mb = memory_mb
        self.vcpus = vcpus
        self.virt_type = virt_type
        self.os_type = os_type
        self.arch = arch
        self.metadata = metadata
        self.disks = list(disks)
        self.serials = list(serials)
        self.interfaces = list(interfaces)
        self.kernel = kernel
        self.initrd = initrd
        self.cmdline = cmdline

    def to_element(self):
        domain = ET.Element('domain', type=self.virt_type)
        ET.SubElement(domain, 'name').text = self.name
        # NOTE: the UUID must be in the XML: redefining a domain by name
        # without it fails, and it ties the guest to its server.
        ET.SubElement(domain, 'uuid').text = self.uuid
        if self.metadata is not None:
            domain.append(self.metadata.to_element())
        ET.SubElement(domain, 'memory', unit='KiB').text = str(
            self.memory_mb * 1024)
        ET.SubElement(domain, 'vcpu').text = str(self.vcpus)
        os_el = ET.SubElement(domain, 'os')
        ET.SubElement(os_el, 'type', arch=self.arch).text = self.os_type
        if self.kernel:
            ET.SubElement(os_el, 'kernel').text = self.kernel
            if self.initrd:
                ET.SubElement(os_el, 'initrd').text = self.initrd
            if self.cmdline:
                ET.SubElement(os_el, 'cmdline').text = self.cmdline
        else:
            ET.SubElement(os_el, 'boot', dev='hd')
        features = ET.SubElement(domain, 'features')
        ET.SubElement(features, 'acpi')
        ET.SubElement(features, 'apic')
        ET.SubElement(domain, 'on_poweroff').text = 'destroy'
        ET.SubElement(domain, 'on_reboot').text = 'restart'
        ET.SubElement(domain, 'on_crash').text = 'destroy'
        devices = ET.SubElement(domain, 'devices')
        for disk in self.disks:
            devices.append(disk.to_element())
        for iface in self.interfaces:
            devices.append(iface.to_element())
        for serial in self.serials:
            devices.extend(serial.to_elements())
        return domain

    def to_xml(self):
        ET.register_namespace('nova', NOVALITE_NS)
        return ET.tostring(self.to_element(), encoding='unicode')
