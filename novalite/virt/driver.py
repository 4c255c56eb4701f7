"""The contract between the compute manager and a hypervisor driver.

Drivers get plain dicts (the server as the manager loaded it, the image
record) and never touch the database: everything they need is passed in,
and everything they learn is returned to the manager, which records it.

``instance`` keys a driver may rely on: ``uuid``, ``id``, ``name`` (the
hypervisor name, ``instance-%08x``), ``display_name``, ``hostname``,
``vcpus``, ``memory_mb``, ``root_gb``, ``ephemeral_gb``, ``swap``,
``metadata``, ``key_name``, ``key_data``, ``user_data``, ``config_drive``,
``availability_zone``, ``project_id``, ``user_id``, ``launch_index``.
``image`` keys: ``id``, ``location`` (a local file path), ``disk_format``,
``properties`` (dict), and ``kernel``/``ramdisk`` (image dicts) when the
image's ``kernel_id``/``ramdisk_id`` properties name them.

``network_info``: a list of VIFs, one per fixed IP, each ``{'network_id'
(network uuid), 'network_name', 'bridge', 'cidr', 'gateway', 'netmask',
'address', 'mac_address', 'version'}``. The driver connects the guest and
makes sure the guest gets ``address`` for ``mac_address``.

Errors end up as the server's fault. The message of a novalite exception
is shown to the server's owner, so it says in novalite's words what failed
("Could not create the guest's disk."), never with a hypervisor's, a
tool's or an OSError's own text, which names host paths: log that text and
raise the novalite exception ``from`` the original error, whose text then
reaches only the fault's details (a traceback, kept for 500 faults and
shown to admins). Any other exception shows its class name only.
"""

import collections

from oslo_utils import importutils

InstanceInfo = collections.namedtuple('InstanceInfo', ['state'])


class ComputeDriver:
    """Base class; each method says what a driver must guarantee."""

    def init_host(self, host):
        """Connect to the hypervisor; called once when the agent starts."""

    def cleanup_host(self, host):
        """Release hypervisor connections when the agent stops."""

    def get_available_resource(self):
        """Total capacity.

        {'vcpus', 'memory_mb', 'local_gb', 'hypervisor_hostname'}.
        """
        raise NotImplementedError()

    def list_instance_uuids(self):
        """UUIDs of every guest the hypervisor knows, running or not."""
        raise NotImplementedError()

    def spawn(self, instance, image, admin_password, injected_files,
              network_info):
        """Create and start the guest. On failure, leave nothing behind.

        ``injected_files``: list of (path, bytes). Returns when the guest
        is running (power state RUNNING).
        """
        raise NotImplementedError()

    def destroy(self, instance, network_info=None):
        """Stop and remove the guest, its files and its DHCP entries.

        A missing guest is not an error (delete must always be able to
        finish).
        """
        raise NotImplementedError()

    def reboot(self, instance, reboot_type, image=None, network_info=None):
        """'SOFT' (guest-cooperative, falling back to hard) or 'HARD'.

        A HARD reboot of a guest the hypervisor lost creates it again
        from ``instance``, ``image`` and ``network_info`` (Nova's recovery
        path); without ``image`` it raises InstanceNotFound.
        """
        raise NotImplementedError()

    def power_off(self, instance, timeout=0):
        """Stop the guest, cleanly within ``timeout`` seconds if > 0.

        A guest the hypervisor lost is off already: not an error.
        """
        raise NotImplementedError()

    def power_on(self, instance, image=None, network_info=None):
        """Start the guest; a lost one is created again, as by a HARD
        reboot."""
        raise NotImplementedError()

    def get_info(self, instance):
        """InstanceInfo for the guest; InstanceNotFound if it is gone."""
        raise NotImplementedError()

    def set_admin_password(self, instance, new_pass):
        """Set the guest's admin password.

        SetAdminPasswdNotSupported if the driver cannot,
        InstancePasswordSetFailed if the guest did not take it.
        """
        raise NotImplementedError()

    def trigger_crash_dump(self, instance):
        """Send the guest an NMI (it may dump its kernel and reboot);
        TriggerCrashDumpNotSupported if the driver cannot."""
        raise NotImplementedError()

    def get_console_output(self, instance):
        """Everything the guest printed on its serial console, as text."""
        raise NotImplementedError()

    def manage_image_cache(self, images_in_use):
        """Remove cached copies of images no server here uses (ids in
        ``images_in_use`` are kept); returns the ids removed."""
        return []


def load_compute_driver(compute_driver):
    """Load ``fake.FakeDriver`` or ``libvirt.LibvirtDriver``."""
    return importutils.import_object('novalite.virt.%s' % compute_driver)
