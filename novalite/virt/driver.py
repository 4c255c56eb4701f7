"""The contract between the compute manager and a hypervisor driver.

Drivers get plain dicts (the server as the manager loaded it, the image
record) and never touch the database: everything they need is passed in,
and everything they learn is returned to the manager, which records it.

``instance`` keys a driver may rely on: ``uuid``, ``id``, ``name`` (the
hypervisor name, ``instance-%08x``), ``display_name``, ``hostname``,
``vcpus``, ``memory_mb``, ``root_gb``, ``ephemeral_gb``, ``swap``,
``metadata``, ``key_name``, ``key_data``, ``user_data``, ``config_drive``,
``availability_zone``, ``project_id``, ``user_id``, ``launch_index``,
``root_device_tag`` (spawn: the root disk's device tag, or None).
``image`` keys: ``id``, ``location`` (a local file path), ``disk_format``,
``properties`` (dict), and ``kernel``/``ramdisk`` (image dicts) when the
image's ``kernel_id``/``ramdisk_id`` properties name them.

``network_info``: a list of VIFs, one per fixed IP, each ``{'network_id'
(network uuid), 'network_name', 'bridge', 'cidr', 'gateway', 'netmask',
'address', 'mac_address', 'port_id', 'tag' (the interface's device tag, or
None), 'version'}``. The driver connects the guest and
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
import subprocess

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

        {'vcpus', 'memory_mb', 'local_gb', 'hypervisor_hostname',
        'hypervisor_type', 'hypervisor_version', 'host_ip'}.
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

    # Pause, suspend and rescue. Each may be asked again after the agent
    # died half-way (see the manager's start-up): a guest already in the
    # wanted state is not an error.

    def pause(self, instance):
        """Freeze the running guest in memory (power state PAUSED).

        InstanceNotFound if the guest is gone, InstanceNotRunning if it
        is neither running nor paused.
        """
        raise NotImplementedError()

    def unpause(self, instance):
        """Let a paused guest run on (RUNNING); a running one is fine.

        InstanceNotRunning if it is neither paused nor running.
        """
        raise NotImplementedError()

    def suspend(self, instance):
        """Save the guest's memory on the host's disk and stop it, so
        that ``resume`` carries on where it stopped (libvirt's managed
        save). A paused guest may be suspended; an already suspended one
        is fine; InstanceNotRunning if it is off. The power state is the
        hypervisor's: libvirt shows a saved guest as SHUTDOWN, as Nova.
        """
        raise NotImplementedError()

    def resume(self, instance, network_info=None):
        """Start a suspended guest from its saved state (RUNNING); one
        with no saved state boots afresh, a running one is fine."""
        raise NotImplementedError()

    def rescue(self, instance, rescue_image, rescue_password,
               network_info=None):
        """Replace the guest by a rescue guest, as Nova's libvirt driver:
        it boots from a new disk of ``rescue_image`` (an image dict, its
        ``kernel``/``ramdisk`` resolved), with the server's own disk
        attached second, its network interfaces, and, when the server
        has a config drive, a new one whose admin password is
        ``rescue_password``. The guest is powered off first if it still
        runs. The server's own guest definition is kept for ``unrescue``;
        rescuing a rescued guest again keeps the original one.
        """
        raise NotImplementedError()

    def unrescue(self, instance, network_info=None):
        """Remove the rescue guest and its files, and start the server's
        own guest again as it was defined before ``rescue``. A guest that
        is not rescued is just started."""
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

    def get_host_uptime(self):
        """The host's ``uptime`` line, as Nova's libvirt driver gives it
        (the command's output, its newline kept): the guests share the
        host's life, whichever driver runs them."""
        return subprocess.run(['env', 'LANG=C', 'uptime'], check=True,
                              capture_output=True, text=True,
                              timeout=10).stdout

    # Snapshot, resize and cold migration, shelve. Paths are on the image
    # store (``[image_store] path``), which every compute host sees: an
    # agent writes there what another reads.

    def snapshot(self, instance, target_path):
        """Write a copy of the guest's root disk to ``target_path`` (a new
        file in an existing directory): a standalone qcow2 image, with no
        backing file. Returns ``{'disk_format': 'qcow2', 'size': bytes}``.

        A running guest is paused while its disk is read and resumed
        after, so that the copy is consistent (Nova's cold snapshot);
        one that is off, paused or suspended is left as it is.
        InstanceNotFound if the guest is gone. On failure nothing is left
        at ``target_path``.
        """
        raise NotImplementedError()

    def migrate_disk_and_power_off(self, instance, flavor, transfer_dir,
                                   timeout=0, network_info=None):
        """Source side of a resize or cold migration: stop the guest
        (cleanly within ``timeout`` seconds if > 0), take it off the
        hypervisor (with its network connections, ``network_info``) and
        copy its disks into ``transfer_dir`` (an empty directory) for
        ``finish_migration``, on this host or another.
        The guest's own files are kept until ``confirm_migration``, or
        brought back by ``finish_revert_migration``.

        ``flavor``: the new flavor. A root disk cannot shrink:
        InstanceFaultRollback(CannotResizeDisk), the guest left as it was
        (the server goes back to its state, as in Nova). On any other
        failure the guest is left as it was too, if it can be.
        """
        raise NotImplementedError()

    def finish_migration(self, instance, image, transfer_dir, network_info,
                         power_on=True):
        """Destination side: create the guest from the disks
        ``migrate_disk_and_power_off`` left in ``transfer_dir``, its root
        disk grown to the instance's (new) ``root_gb``, connected to
        ``network_info``; running if ``power_on``, else defined and off.
        ``image``: the server's image (a direct kernel boot needs its
        kernel). On failure nothing is left on this host.
        """
        raise NotImplementedError()

    def confirm_migration(self, instance):
        """Source side, once the move is confirmed: remove what
        ``migrate_disk_and_power_off`` kept. Nothing kept is fine."""
        raise NotImplementedError()

    def finish_revert_migration(self, instance, image, network_info,
                                power_on=True):
        """Source side of a revert: bring the guest back as
        ``migrate_disk_and_power_off`` kept it (its old disk and
        flavor), connected to ``network_info``; running if ``power_on``.
        """
        raise NotImplementedError()

    def unshelve(self, instance, image, network_info):
        """Create and start the guest of a shelved-offloaded server from
        its snapshot ``image``. As ``spawn``, but nothing may depend on
        the image afterwards: it is deleted once the guest runs."""
        self.spawn(instance, image, None, [], network_info)

    def manage_image_cache(self, images_in_use):
        """Remove cached copies of images no server here uses (ids in
        ``images_in_use`` are kept); returns the ids removed."""
        return []


def load_compute_driver(compute_driver):
    """Load ``fake.FakeDriver`` or ``libvirt.LibvirtDriver``."""
    return importutils.import_object('novalite.virt.%s' % compute_driver)
