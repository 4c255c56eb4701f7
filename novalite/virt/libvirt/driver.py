"""The libvirt driver: guests through libvirt-python, disks with qemu-img.

Each server gets a directory ``<instances_path>/<uuid>/`` holding its
qcow2 overlay ``disk`` (backed by a cached copy of the image in
``<instances_path>/_base/``), its ``kernel`` and ``ramdisk`` when the image
boots a kernel directly, its config drive ``disk.config`` when it has one,
and its serial console log ``console.log`` (written and size-capped by
virtlogd). Deleting the server removes the directory.

Each novalite network is a libvirt NAT network ``novalite-<uuid>`` on its
own bridge; a guest's MAC gets a static DHCP reservation there (in
``<instances_path>/_networks/``, see ``dhcp``), so the address the API
shows is the address the guest gets.
"""

import errno
import glob
import ipaddress
import json
import os
import shutil
import subprocess
import time
from xml.etree import ElementTree as ET

from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import uuidutils

from novalite import exception
from novalite import states
from novalite import utils
from novalite.virt import configdrive
from novalite.virt import driver
from novalite.virt.libvirt import config as vconfig
from novalite.virt.libvirt import dhcp
from novalite.virt.libvirt import guest as libvirt_guest
from novalite.virt.libvirt import host as libvirt_host
from novalite.virt.libvirt.host import libvirt

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

# The most console output returned, as in Nova.
MAX_CONSOLE_BYTES = 100 * 1024

BASE_DIR = '_base'
# The dnsmasq hosts files of the networks (see dhcp).
NETWORKS_DIR = '_networks'
NETWORK_PREFIX = 'novalite-'
# Nova's kernel command line for images that set no os_command_line.
DEFAULT_CMDLINE = 'root=/dev/vda console=tty0 console=ttyS0'
# The files of a rescue guest (disk.rescue, kernel.rescue, ...), beside
# the server's own, as Nova names them.
RESCUE_SUFFIX = '.rescue'


def _pci_address(element):
    """A device's PCI address as ``DDDD:BB:SS.F``, or None."""
    address = element.find('address')
    if address is None or address.get('type') != 'pci':
        return None
    return '%04x:%02x:%02x.%x' % tuple(
        int(address.get(part), 16)
        for part in ('domain', 'bus', 'slot', 'function'))


def device_metadata(domain_xml, instance, network_info):
    """The tagged devices of a defined domain, as the ``devices`` of the
    config drive's meta_data.json (Nova's device metadata): each NIC of a
    tagged interface and the root disk if the create tagged it, with their
    bus and PCI address ("none" when the hypervisor assigned none)."""
    root = ET.fromstring(domain_xml)
    devices = []
    tags = {vif['mac_address']: vif['tag'] for vif in network_info or ()
            if vif.get('tag')}
    for iface in root.findall('./devices/interface'):
        mac = iface.find('mac').get('address')
        if mac in tags:
            address = _pci_address(iface)
            devices.append({'type': 'nic', 'mac': mac,
                            'bus': 'pci' if address else 'none',
                            'address': address or 'none',
                            'tags': [tags[mac]]})
    if instance.get('root_device_tag'):
        for disk in root.findall('./devices/disk'):
            target = disk.find('target')
            if target is not None and target.get('dev') == 'vda':
                address = _pci_address(disk)
                devices.append({'type': 'disk', 'serial': None,
                                'bus': 'pci' if address else 'none',
                                'address': address or 'none',
                                'tags': [instance['root_device_tag']]})
    return devices


def needs_config_drive(instance, injected_files):
    return bool(instance.get('config_drive') or instance.get('user_data')
                or injected_files)


def network_name(vif):
    return NETWORK_PREFIX + vif['network_id']


class LibvirtDriver(driver.ComputeDriver):

    def __init__(self):
        self._host = libvirt_host.Host(CONF.libvirt.connection_uri)
        self._direct_io = None

    # ------------------------------------------------------------ host

    def init_host(self, host):
        if libvirt is None:
            raise exception.VirtDriverError(
                reason='libvirt-python is not installed')
        self._host.get_connection()
        os.makedirs(self._base_dir(), exist_ok=True)

    def cleanup_host(self, host):
        self._host.close()

    def get_available_resource(self):
        capacity = self._host.get_capacity()
        stat = os.statvfs(CONF.instances_path)
        capacity['local_gb'] = int(stat.f_frsize * stat.f_blocks / 1024 ** 3)
        capacity['hypervisor_hostname'] = CONF.host
        capacity['host_ip'] = CONF.my_ip
        return capacity

    def list_instance_uuids(self):
        return self._host.list_uuids()

    # ----------------------------------------------------------- files

    @staticmethod
    def _instance_dir(instance):
        return os.path.join(CONF.instances_path, instance['uuid'])

    @staticmethod
    def _base_dir():
        return os.path.join(CONF.instances_path, BASE_DIR)

    def _cache_image(self, image):
        """A copy of the image under _base, shared by its servers.

        Its modification time is refreshed on each use: the image cache
        manager removes copies unused for long enough.
        """
        base = os.path.join(self._base_dir(), image['id'])
        with utils.named_lock('image-' + image['id']):
            if os.path.exists(base):
                os.utime(base)
            else:
                os.makedirs(self._base_dir(), exist_ok=True)
                # NOTE: a name of this copy's own: agents that share the
                # instances path (several on one machine, or NFS) copy the
                # same image at once; the lock above is this process's
                # only. The rename is atomic; the last one wins, with the
                # same bytes.
                tmp = '%s.%d-%s.part' % (base, os.getpid(),
                                         uuidutils.generate_uuid()[:8])
                try:
                    shutil.copyfile(image['location'], tmp)
                    os.rename(tmp, base)
                finally:
                    with utils.ignore_errors('removing a partial copy'):
                        if os.path.exists(tmp):
                            os.unlink(tmp)
        return base

    def _supports_direct_io(self):
        """Whether instances_path takes O_DIRECT (cache='none' needs it;
        tmpfs does not)."""
        if self._direct_io is None:
            probe = os.path.join(CONF.instances_path, '.directio.test')
            try:
                fd = os.open(probe, os.O_CREAT | os.O_WRONLY | os.O_DIRECT)
                os.close(fd)
                self._direct_io = True
            except OSError as e:
                if e.errno != errno.EINVAL:
                    raise
                self._direct_io = False
            finally:
                with utils.ignore_errors('removing the O_DIRECT probe'):
                    os.unlink(probe)
        return self._direct_io

    @staticmethod
    def _qemu_img(what, *args):
        """Run qemu-img; on failure, VirtDriverError(``what``).

        ``what`` says in novalite's words what failed: qemu-img's own
        words name host paths, so they go to the log, and the failed
        command stays the cause (in the traceback admins see).
        """
        try:
            subprocess.run(('qemu-img',) + args, check=True,
                           capture_output=True, text=True)
        except FileNotFoundError as e:
            LOG.error('%s qemu-img is not installed', what)
            raise exception.VirtDriverError(what) from e
        except subprocess.CalledProcessError as e:
            LOG.error('%s qemu-img %s failed: %s', what, args[0],
                      (e.stderr or '').strip())
            raise exception.VirtDriverError(what) from e

    def _create_disk(self, instance, image, instance_dir, name='disk'):
        base = self._cache_image(image)
        disk = os.path.join(instance_dir, name)
        # NOTE: the backing format is always given: qemu must never probe
        # it (a raw image could otherwise pass itself off as qcow2).
        args = ['create', '-f', 'qcow2', '-F', image['disk_format'],
                '-b', os.path.abspath(base), disk]
        if instance['root_gb']:
            args.append('%dG' % instance['root_gb'])
        self._qemu_img("Could not create the guest's disk.", *args)
        return disk

    def _boot_files(self, instance_dir, image, suffix=''):
        """(kernel, initrd, cmdline) for direct kernel boot, or Nones.

        An image whose properties name a ``kernel_id`` (and optionally a
        ``ramdisk_id`` and ``os_command_line``) boots that kernel; the
        manager resolves those images into ``image['kernel']`` and
        ``image['ramdisk']``. Each server gets its own copies, as in Nova:
        libvirt relabels the files it boots, which shared ones must not be.
        """
        kernel_image = image.get('kernel')
        if not kernel_image:
            return None, None, None
        kernel = os.path.join(instance_dir, 'kernel' + suffix)
        shutil.copyfile(self._cache_image(kernel_image), kernel)
        initrd = None
        if image.get('ramdisk'):
            initrd = os.path.join(instance_dir, 'ramdisk' + suffix)
            shutil.copyfile(self._cache_image(image['ramdisk']), initrd)
        properties = image.get('properties') or {}
        return kernel, initrd, properties.get('os_command_line',
                                              DEFAULT_CMDLINE)

    # ----------------------------------------------------------- networks

    @staticmethod
    def _hosts_file(vif):
        name = network_name(vif)
        return dhcp.HostsFile(
            os.path.join(CONF.instances_path, NETWORKS_DIR, name + '.hosts'),
            name, vif['bridge'])

    def _network_config(self, vif):
        return vconfig.Network(
            network_name(vif), vif['bridge'], vif['gateway'], vif['netmask'],
            str(ipaddress.ip_network(vif['cidr']).network_address),
            self._hosts_file(vif).path)

    @staticmethod
    def _serves_hosts_file(net, wanted):
        """Whether an existing network's dnsmasq reads our hosts file.

        One with libvirt's own ``<dhcp>`` would hand out its own leases.
        (libvirt's test driver keeps no dnsmasq options: none is fine.)
        """
        xml = net.XMLDesc(0)
        options = vconfig.dnsmasq_options(xml)
        return (not vconfig.has_libvirt_dhcp(xml) and
                options in ([], wanted.dnsmasq_options()))

    def _ensure_network(self, vif):
        """The libvirt network of a novalite network, defined as novalite
        wants it and active."""
        wanted = self._network_config(vif)
        conn = self._host.get_connection()
        with utils.named_lock('network-' + wanted.name):
            self._hosts_file(vif).ensure_exists()
            try:
                net = conn.networkLookupByName(wanted.name)
            except libvirt.libvirtError as e:
                if e.get_error_code() != libvirt.VIR_ERR_NO_NETWORK:
                    raise
                net = None
            if net is not None and not self._serves_hosts_file(
                    net, wanted):
                # NOTE: a network of another layout (an older novalite, a
                # changed instances_path) would not serve our reservations.
                LOG.warning('Redefining libvirt network %s: its DHCP set-up '
                            'is not novalite\'s', wanted.name)
                if net.isActive():
                    net.destroy()
                net.undefine()
                net = None
            if net is None:
                LOG.info('Defining libvirt network %s (bridge %s, %s)',
                         wanted.name, vif['bridge'], vif['cidr'])
                net = conn.networkDefineXML(wanted.to_xml())
            if not net.isActive():
                net.create()
            if not net.autostart():
                net.setAutostart(True)
            return net

    def _plug_vifs(self, network_info):
        """Reserve each VIF's address for its MAC on the host's DHCP."""
        for vif in network_info or ():
            self._ensure_network(vif)
            self._hosts_file(vif).reserve(vif['mac_address'], vif['address'])

    def _unplug_vifs(self, network_info):
        for vif in network_info or ():
            self._hosts_file(vif).remove(vif['mac_address'], vif['address'])

    # ----------------------------------------------------------- guests

    def _guest_config(self, instance, instance_dir, network_info,
                      kernel=None, initrd=None, cmdline=None):
        disks = [vconfig.GuestDisk(
            os.path.join(instance_dir, 'disk'), 'vda',
            cache='none' if self._supports_direct_io() else 'writethrough')]
        config_drive_path = os.path.join(instance_dir, 'disk.config')
        if os.path.exists(config_drive_path):
            disks.append(vconfig.GuestDisk(
                config_drive_path, 'sda', driver_format='raw',
                device='cdrom', target_bus='sata', readonly=True))
        return vconfig.Guest(
            name=instance['name'], uuid=instance['uuid'],
            memory_mb=instance['memory_mb'], vcpus=instance['vcpus'],
            virt_type=CONF.libvirt.virt_type,
            metadata=vconfig.GuestMetadata(
                instance['display_name'], instance['project_id'],
                instance['user_id'], instance.get('flavor_name')),
            disks=disks,
            interfaces=[vconfig.GuestInterface(network_name(vif),
                                               vif['mac_address'])
                        for vif in network_info or ()],
            serials=[vconfig.GuestSerialLogged(
                os.path.join(instance_dir, 'console.log'))],
            kernel=kernel, initrd=initrd, cmdline=cmdline)

    def _lookup(self, instance):
        domain = self._host.lookup(instance['uuid'])
        return None if domain is None else libvirt_guest.Guest(domain)

    def _get_guest(self, instance):
        guest = self._lookup(instance)
        if guest is None:
            raise exception.InstanceNotFound(instance_id=instance['uuid'])
        return guest

    def _create_guest(self, instance, image, network_info,
                      before_launch=None):
        """Disk (if missing), boot files, DHCP entries, domain: defined,
        then ``before_launch(guest)`` if given, then started. Used by spawn
        and by a HARD reboot of a lost domain."""
        instance_dir = self._instance_dir(instance)
        os.makedirs(instance_dir, exist_ok=True)
        if not os.path.exists(os.path.join(instance_dir, 'disk')):
            self._create_disk(instance, image, instance_dir)
        kernel, initrd, cmdline = self._boot_files(instance_dir, image)
        self._plug_vifs(network_info)
        xml = self._guest_config(instance, instance_dir, network_info,
                                 kernel, initrd, cmdline).to_xml()
        guest = libvirt_guest.Guest.define(self._host.get_connection(), xml)
        if before_launch is not None:
            before_launch(guest)
        guest.launch()
        return guest

    def spawn(self, instance, image, admin_password, injected_files,
              network_info):
        instance_dir = self._instance_dir(instance)
        os.makedirs(instance_dir, exist_ok=True)
        with_drive = needs_config_drive(instance, injected_files)

        def write_tagged_devices(guest):
            # NOTE: the config drive is written before the domain is
            # defined (the domain includes it only if it exists), and the
            # PCI addresses of the tagged devices are known only once it
            # is: with tagged devices it is written again, before launch.
            devices = device_metadata(guest.get_xml(inactive=True),
                                      instance, network_info)
            if devices:
                self._write_config_drive(instance, instance_dir,
                                         admin_password, injected_files,
                                         network_info, devices=devices)
        try:
            if with_drive:
                self._write_config_drive(instance, instance_dir,
                                         admin_password, injected_files,
                                         network_info)
            self._create_guest(
                instance, image, network_info,
                before_launch=write_tagged_devices if with_drive else None)
        except Exception:
            # NOTE: leave nothing behind: the manager puts the server in
            # ERROR and a later delete must not trip over half a guest.
            with utils.ignore_errors('cleaning up after a failed spawn'):
                self._remove_guest(instance, network_info, timeout=0)
            raise

    @staticmethod
    def _write_config_drive(instance, instance_dir, admin_password,
                            injected_files, network_info,
                            name='disk.config', devices=None):
        contents = configdrive.build_contents(instance, admin_password,
                                              injected_files, network_info,
                                              devices=devices)
        try:
            configdrive.write_iso(os.path.join(instance_dir, name),
                                  contents)
        except exception.ConfigDriveError as e:
            # NOTE: write_iso's message carries pycdlib's or the OSError's
            # text, host paths included: logged, kept as the cause.
            LOG.error('Could not write the config drive of %s: %s',
                      instance['uuid'], e)
            raise exception.ConfigDriveError(
                "Could not build the guest's config drive.") from e

    def _remove_guest(self, instance, network_info, timeout):
        guest = self._lookup(instance)
        if guest is not None:
            if not (timeout and guest.shutdown(timeout)):
                guest.poweroff()
            guest.undefine()
        self._unplug_vifs(network_info)
        shutil.rmtree(self._instance_dir(instance), ignore_errors=True)

    def destroy(self, instance, network_info=None):
        self._remove_guest(instance, network_info,
                           CONF.libvirt.delete_shutdown_timeout)

    def reboot(self, instance, reboot_type, image=None, network_info=None):
        guest = self._lookup(instance)
        if guest is None:
            # NOTE: as in Nova, a HARD reboot is the operator's way back
            # for a server whose domain was lost: it is created again
            # from what the database knows (the disk is kept if present).
            if reboot_type != 'HARD' or image is None:
                raise exception.InstanceNotFound(
                    instance_id=instance['uuid'])
            LOG.warning('HARD reboot of %s: its domain is gone; creating '
                        'it again', instance['uuid'])
            self._create_guest(instance, image, network_info)
            return
        if reboot_type == 'SOFT' and guest.is_running():
            if guest.shutdown(CONF.libvirt.wait_soft_reboot_seconds):
                guest.launch()
                return
            LOG.info('Soft reboot of %s timed out; rebooting hard',
                     instance['uuid'])
        guest.poweroff()
        # NOTE: a HARD reboot boots afresh, a suspended guest too (Nova
        # undefines the domain with its managed save), and the server's
        # own guest, not a rescue guest left over (Nova builds the
        # domain anew from the server): e.g. the restore of a server
        # soft-deleted while rescued.
        guest.discard_saved_state()
        self._restore_unrescued(instance)
        # NOTE: the DHCP entries are made sure of again: a HARD reboot
        # also repairs a network that was removed behind the agent's back.
        self._plug_vifs(network_info)
        guest.launch()

    def power_off(self, instance, timeout=0):
        guest = self._lookup(instance)
        if guest is None:
            LOG.info('Stop of %s: its domain is gone, so it is off',
                     instance['uuid'])
            return
        if timeout and guest.shutdown(timeout):
            return
        guest.poweroff()

    def power_on(self, instance, image=None, network_info=None):
        # NOTE: Nova's libvirt driver starts a guest with a HARD reboot,
        # which also brings back a lost domain; so does this.
        guest = self._lookup(instance)
        if guest is None or not guest.is_running():
            self.reboot(instance, 'HARD', image=image,
                        network_info=network_info)

    def get_info(self, instance):
        return driver.InstanceInfo(
            state=self._get_guest(instance).get_power_state())

    def set_admin_password(self, instance, new_pass):
        guest = self._get_guest(instance)
        if guest.get_power_state() != states.RUNNING:
            raise exception.InstancePasswordSetFailed(
                instance=instance['uuid'], reason='the guest is not running')
        # NOTE: passwords are set through the QEMU guest agent, and
        # novalite gives its domains no agent channel: Nova answers the
        # same (409) for an image without hw_qemu_guest_agent=yes.
        raise exception.QemuGuestAgentNotEnabled()

    def trigger_crash_dump(self, instance):
        guest = self._get_guest(instance)
        try:
            guest.inject_nmi()
        except libvirt.libvirtError as e:
            if e.get_error_code() in (libvirt.VIR_ERR_NO_SUPPORT,
                                      libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED):
                raise exception.TriggerCrashDumpNotSupported()
            LOG.error('Could not inject an NMI into %s: %s',
                      instance['uuid'], e)
            raise exception.VirtDriverError(
                'Could not send the guest a non-maskable interrupt.') from e

    def get_console_output(self, instance):
        self._get_guest(instance)
        path = os.path.join(self._instance_dir(instance), 'console.log')
        try:
            with open(path, 'rb') as log_file:
                log_file.seek(0, os.SEEK_END)
                size = log_file.tell()
                log_file.seek(max(0, size - MAX_CONSOLE_BYTES))
                return log_file.read().decode('utf-8', 'replace')
        except FileNotFoundError:
            return ''

    # ------------------------------------------ pause, suspend, rescue

    def pause(self, instance):
        guest = self._get_guest(instance)
        power = guest.get_power_state()
        if power == states.PAUSED_POWER:
            return
        if power != states.RUNNING:
            raise exception.InstanceNotRunning(instance_id=instance['uuid'])
        guest.pause()

    def unpause(self, instance):
        guest = self._get_guest(instance)
        power = guest.get_power_state()
        if power == states.RUNNING:
            return
        if power != states.PAUSED_POWER:
            raise exception.InstanceNotRunning(instance_id=instance['uuid'])
        guest.unpause()

    def suspend(self, instance):
        # NOTE: as Nova's libvirt driver, a managed save: libvirt writes
        # the guest's memory under its own directory and the next start
        # of the domain restores it.
        guest = self._get_guest(instance)
        if guest.is_active():
            guest.save_memory_state()
        elif not guest.has_saved_state():
            raise exception.InstanceNotRunning(instance_id=instance['uuid'])

    def resume(self, instance, network_info=None):
        guest = self._get_guest(instance)
        if guest.is_active():
            return
        self._plug_vifs(network_info)
        guest.launch()

    @staticmethod
    def _unrescue_xml_path(instance):
        return os.path.join(LibvirtDriver._instance_dir(instance),
                            'unrescue.xml')

    def rescue(self, instance, rescue_image, rescue_password,
               network_info=None):
        instance_dir = self._instance_dir(instance)
        saved = self._unrescue_xml_path(instance)
        guest = self._get_guest(instance)
        if not os.path.exists(saved):
            # NOTE: the server's own definition, kept before anything
            # changes (Nova's unrescue.xml); a second rescue keeps it.
            tmp = saved + '.part'
            with open(tmp, 'w') as f:
                f.write(guest.get_xml(inactive=True))
            os.rename(tmp, saved)
        try:
            config = self._guest_config(instance, instance_dir, network_info)
            disk = config.disks[0]
            # NOTE: the images the rescue guest uses, kept in the image
            # cache as long as it is there (see manage_image_cache).
            with open(os.path.join(instance_dir,
                                   'images' + RESCUE_SUFFIX), 'w') as f:
                json.dump([rescue_image['id']] + [
                    rescue_image[key]['id'] for key in ('kernel', 'ramdisk')
                    if rescue_image.get(key)], f)
            self._create_disk(instance, rescue_image, instance_dir,
                              name='disk' + RESCUE_SUFFIX)
            rescue_disk = vconfig.GuestDisk(
                os.path.join(instance_dir, 'disk' + RESCUE_SUFFIX), 'vda',
                cache=disk.cache)
            disk.target_dev = 'vdb'
            config.disks = [rescue_disk, disk]
            if os.path.exists(os.path.join(instance_dir, 'disk.config')) \
                    or needs_config_drive(instance, None):
                name = 'disk.config' + RESCUE_SUFFIX
                self._write_config_drive(instance, instance_dir,
                                         rescue_password, None,
                                         network_info, name=name)
                config.disks.append(vconfig.GuestDisk(
                    os.path.join(instance_dir, name), 'sda',
                    driver_format='raw', device='cdrom', target_bus='sata',
                    readonly=True))
            (config.kernel, config.initrd,
             config.cmdline) = self._boot_files(instance_dir, rescue_image,
                                                suffix=RESCUE_SUFFIX)
            self._plug_vifs(network_info)
            guest.poweroff()
            # NOTE: a managed save (of a suspended guest that then failed)
            # would restore the old guest in place of the rescue one.
            guest.discard_saved_state()
            guest = libvirt_guest.Guest.define(self._host.get_connection(),
                                               config.to_xml())
            guest.launch()
        except Exception:
            # NOTE: the server keeps its own guest (off), whatever failed:
            # it goes to ERROR, and a HARD reboot must boot its own disk.
            with utils.ignore_errors('undoing a failed rescue'):
                self._restore_unrescued(instance)
            raise

    @staticmethod
    def _rescue_images():
        """Ids of the images (kernels, ramdisks) of this host's rescue
        guests."""
        ids = set()
        for path in glob.glob(os.path.join(CONF.instances_path, '*',
                                           'images' + RESCUE_SUFFIX)):
            try:
                with open(path) as f:
                    ids.update(json.load(f))
            except (OSError, ValueError):
                continue
        return ids

    def _restore_unrescued(self, instance):
        """Define the server's own guest again (off) and remove the
        rescue files; False if the guest was not rescued."""
        saved = self._unrescue_xml_path(instance)
        if not os.path.exists(saved):
            return False
        with open(saved) as f:
            xml = f.read()
        guest = self._lookup(instance)
        if guest is not None:
            guest.poweroff()
        libvirt_guest.Guest.define(self._host.get_connection(), xml)
        instance_dir = self._instance_dir(instance)
        for name in os.listdir(instance_dir):
            if name.endswith(RESCUE_SUFFIX):
                os.unlink(os.path.join(instance_dir, name))
        os.unlink(saved)
        return True

    def unrescue(self, instance, network_info=None):
        self._get_guest(instance)
        self._restore_unrescued(instance)
        guest = self._get_guest(instance)
        if not guest.is_active():
            self._plug_vifs(network_info)
            guest.launch()

    # ------------------------------ snapshot, resize and migrate, shelve

    # What migrate_disk_and_power_off keeps of the guest, beside its
    # directory, until the move is confirmed or reverted (Nova's name).
    RESIZE_SUFFIX = '_resize'

    @staticmethod
    def _virtual_size(path):
        """The virtual size of a disk image, in bytes."""
        try:
            result = subprocess.run(
                ('qemu-img', 'info', '-U', '--output=json', path),
                check=True, capture_output=True, text=True)
            return int(json.loads(result.stdout)['virtual-size'])
        except (OSError, subprocess.CalledProcessError, ValueError,
                KeyError) as e:
            LOG.error('Could not read the size of %s: %s', path,
                      getattr(e, 'stderr', None) or e)
            raise exception.VirtDriverError(
                "Could not read the size of the guest's disk.") from e

    def _grow_disk(self, instance, disk):
        """Grow ``disk`` to the instance's root_gb; never shrink it."""
        wanted = int(instance['root_gb'] or 0) * 1024 ** 3
        if wanted and wanted > self._virtual_size(disk):
            self._qemu_img("Could not resize the guest's disk.", 'resize',
                           '-f', 'qcow2', disk, str(wanted))

    def snapshot(self, instance, target_path):
        guest = self._get_guest(instance)
        disk = os.path.join(self._instance_dir(instance), 'disk')
        # NOTE: a cold snapshot, as Nova's: a running guest is paused while
        # its disk is read (stopping the vCPUs flushes qemu's caches to
        # the disk), and runs on after. qemu keeps its lock on the disk
        # of a paused guest, hence --force-share (-U).
        paused = guest.get_power_state() == states.RUNNING
        if paused:
            guest.pause()
        tmp = target_path + '.part'
        try:
            self._qemu_img("Could not copy the guest's disk.", 'convert',
                           '-U', '-f', 'qcow2', '-O', 'qcow2', disk, tmp)
            os.rename(tmp, target_path)
        except Exception:
            with utils.ignore_errors('removing a failed snapshot'):
                if os.path.exists(tmp):
                    os.unlink(tmp)
            raise
        finally:
            if paused:
                with utils.ignore_errors('resuming a guest after its '
                                         'snapshot'):
                    guest.unpause()
        return {'disk_format': 'qcow2',
                'size': os.path.getsize(target_path)}

    def migrate_disk_and_power_off(self, instance, flavor, transfer_dir,
                                   timeout=0, network_info=None):
        if flavor['root_gb'] < instance['root_gb']:
            # NOTE: as Nova's libvirt driver: the server goes back to its
            # state, untouched.
            raise exception.InstanceFaultRollback(
                exception.CannotResizeDisk(reason='Unable to resize disk '
                                                  'down.'))
        guest = self._get_guest(instance)
        was_running = guest.is_running()
        instance_dir = self._instance_dir(instance)
        kept = instance_dir + self.RESIZE_SUFFIX
        if not (timeout and guest.shutdown(timeout)):
            guest.poweroff()
        try:
            # NOTE: a standalone copy (no backing file): the destination
            # has its own image cache, or none of this image.
            self._qemu_img("Could not copy the guest's disk.", 'convert',
                           '-f', 'qcow2', '-O', 'qcow2',
                           os.path.join(instance_dir, 'disk'),
                           os.path.join(transfer_dir, 'disk'))
            config_drive = os.path.join(instance_dir, 'disk.config')
            if os.path.exists(config_drive):
                shutil.copyfile(config_drive,
                                os.path.join(transfer_dir, 'disk.config'))
            shutil.rmtree(kept, ignore_errors=True)
            os.rename(instance_dir, kept)
            try:
                guest.discard_saved_state()
                guest.undefine()
            except Exception:
                os.rename(kept, instance_dir)
                raise
        except Exception:
            if was_running:
                with utils.ignore_errors('restarting a guest whose '
                                         'migration failed'):
                    guest.launch()
            raise
        self._unplug_vifs(network_info)

    def _define_moved_guest(self, instance, image, network_info, power_on):
        """Define (and start if ``power_on``) the guest of a moved server
        from the disks in its directory."""
        instance_dir = self._instance_dir(instance)
        kernel, initrd, cmdline = self._boot_files(instance_dir, image)
        self._plug_vifs(network_info)
        xml = self._guest_config(instance, instance_dir, network_info,
                                 kernel, initrd, cmdline).to_xml()
        guest = libvirt_guest.Guest.define(self._host.get_connection(), xml)
        if power_on:
            guest.launch()

    def finish_migration(self, instance, image, transfer_dir, network_info,
                         power_on=True):
        instance_dir = self._instance_dir(instance)
        os.makedirs(instance_dir, exist_ok=True)
        try:
            for name in ('disk', 'disk.config'):
                source = os.path.join(transfer_dir, name)
                if os.path.exists(source):
                    shutil.move(source, os.path.join(instance_dir, name))
            self._grow_disk(instance, os.path.join(instance_dir, 'disk'))
            self._define_moved_guest(instance, image, network_info,
                                     power_on)
        except Exception:
            with utils.ignore_errors('cleaning up after a failed '
                                     'migration'):
                self._remove_guest(instance, network_info, timeout=0)
            raise

    def confirm_migration(self, instance):
        shutil.rmtree(self._instance_dir(instance) + self.RESIZE_SUFFIX,
                      ignore_errors=True)

    def finish_revert_migration(self, instance, image, network_info,
                                power_on=True):
        instance_dir = self._instance_dir(instance)
        kept = instance_dir + self.RESIZE_SUFFIX
        if os.path.isdir(kept):
            # NOTE: on one host, the destination's directory is gone
            # already (the revert destroyed it first).
            shutil.rmtree(instance_dir, ignore_errors=True)
            os.rename(kept, instance_dir)
        elif not os.path.exists(os.path.join(instance_dir, 'disk')):
            LOG.error('The disk of %s kept for a revert is missing (%s)',
                      instance['uuid'], kept)
            raise exception.VirtDriverError(
                "The guest's disk kept for the revert is missing.")
        guest = self._lookup(instance)
        if guest is not None:
            guest.poweroff()
            guest.undefine()
        self._define_moved_guest(instance, image, network_info, power_on)

    def unshelve(self, instance, image, network_info):
        instance_dir = self._instance_dir(instance)
        os.makedirs(instance_dir, exist_ok=True)
        disk = os.path.join(instance_dir, 'disk')
        try:
            # NOTE: a full copy of the snapshot, not an overlay of a cached
            # copy: the snapshot is deleted once the server runs.
            self._qemu_img("Could not create the guest's disk.", 'convert',
                           '-f', image['disk_format'], '-O', 'qcow2',
                           image['location'], disk)
            self._grow_disk(instance, disk)
        except Exception:
            shutil.rmtree(instance_dir, ignore_errors=True)
            raise
        # The disk is there: spawn adds the rest (and cleans up on error).
        self.spawn(instance, image, None, [], network_info)

    # ------------------------------------------------------- image cache

    def manage_image_cache(self, images_in_use):
        """Remove cached images that no server on this host uses and that
        went unused for ``remove_unused_original_minimum_age_seconds``.

        ``images_in_use``: ids of the images (and kernels and ramdisks)
        of every server the database places on this host. Returns the
        ids removed.
        """
        if not CONF.image_cache.remove_unused_base_images:
            return []
        # NOTE: a rescue guest's disk is backed by its image's copy too.
        images_in_use = set(images_in_use) | self._rescue_images()
        base_dir = self._base_dir()
        try:
            names = os.listdir(base_dir)
        except FileNotFoundError:
            return []
        min_age = CONF.image_cache.remove_unused_original_minimum_age_seconds
        now = time.time()
        removed = []
        for name in names:
            if name in images_in_use or name.endswith('.part'):
                continue
            path = os.path.join(base_dir, name)
            with utils.named_lock('image-' + name):
                try:
                    if now - os.path.getmtime(path) < min_age:
                        continue
                    os.unlink(path)
                except FileNotFoundError:
                    continue
            LOG.info('Removed unused cached image %s', name)
            removed.append(name)
        return removed
