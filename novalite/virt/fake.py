"""An in-memory driver with the real contract, for tests and benchmarks."""

import os
import threading

from oslo_config import cfg

from novalite import exception
from novalite import states
from novalite.virt import driver

CONF = cfg.CONF


def _console(instance):
    """A console of several lines, as a guest's is (tempest asks for
    more than three); its last three are Nova's fake driver's."""
    return ('fake console of %s\nFAKE CONSOLE OUTPUT\nANOTHER\nLAST LINE'
            % instance['uuid'])


class FakeDriver(driver.ComputeDriver):

    def __init__(self):
        self._guests = {}
        self._lock = threading.Lock()
        # Guests moved away by migrate_disk_and_power_off, until confirmed
        # or reverted.
        self._kept = {}

    def get_available_resource(self):
        return {'vcpus': CONF.fake_vcpus, 'memory_mb': CONF.fake_memory_mb,
                'local_gb': CONF.fake_local_gb,
                'hypervisor_hostname': CONF.host,
                # Nova's fake driver's.
                'hypervisor_type': 'fake', 'hypervisor_version': 1000,
                'host_ip': CONF.my_ip}

    def list_instance_uuids(self):
        with self._lock:
            return list(self._guests)

    def spawn(self, instance, image, admin_password, injected_files,
              network_info):
        with self._lock:
            self._guests[instance['uuid']] = {
                'state': states.RUNNING,
                'console': _console(instance),
                'password': admin_password}

    def _guest(self, instance):
        try:
            return self._guests[instance['uuid']]
        except KeyError:
            raise exception.InstanceNotFound(instance_id=instance['uuid'])

    def destroy(self, instance, network_info=None):
        with self._lock:
            self._guests.pop(instance['uuid'], None)

    def _recreate_if_lost(self, instance, image, network_info):
        with self._lock:
            if instance['uuid'] not in self._guests and image is not None:
                self._guests[instance['uuid']] = {
                    'state': states.RUNNING,
                    'console': _console(instance),
                    'password': None}
        return self._guest(instance)

    def reboot(self, instance, reboot_type, image=None, network_info=None):
        if reboot_type != 'HARD':
            image = None
        guest = self._recreate_if_lost(instance, image, network_info)
        guest['state'] = states.RUNNING
        if reboot_type == 'HARD':
            # As the libvirt driver: the server's own guest, not a rescue.
            guest.pop('rescue', None)

    def power_off(self, instance, timeout=0):
        with self._lock:
            guest = self._guests.get(instance['uuid'])
            if guest is not None:
                guest['state'] = states.SHUTDOWN

    def power_on(self, instance, image=None, network_info=None):
        guest = self._guests.get(instance['uuid'])
        if guest is None or guest['state'] != states.RUNNING:
            self.reboot(instance, 'HARD', image=image,
                        network_info=network_info)

    def get_info(self, instance):
        return driver.InstanceInfo(state=self._guest(instance)['state'])

    def _set_state(self, instance, wanted, allowed):
        """Move the guest to ``wanted`` from one of ``allowed``."""
        with self._lock:
            guest = self._guest(instance)
            if guest['state'] not in allowed + (wanted,):
                raise exception.InstanceNotRunning(
                    instance_id=instance['uuid'])
            guest['state'] = wanted
            return guest

    def pause(self, instance):
        self._set_state(instance, states.PAUSED_POWER, (states.RUNNING,))

    def unpause(self, instance):
        self._set_state(instance, states.RUNNING, (states.PAUSED_POWER,))

    def suspend(self, instance):
        self._set_state(instance, states.SUSPENDED_POWER,
                        (states.RUNNING, states.PAUSED_POWER))

    def resume(self, instance, network_info=None):
        with self._lock:
            self._guest(instance)['state'] = states.RUNNING

    def rescue(self, instance, rescue_image, rescue_password,
               network_info=None):
        with self._lock:
            guest = self._guest(instance)
            guest['rescue'] = {'image': rescue_image['id'],
                               'password': rescue_password}
            guest['state'] = states.RUNNING

    def unrescue(self, instance, network_info=None):
        with self._lock:
            guest = self._guest(instance)
            guest.pop('rescue', None)
            guest['state'] = states.RUNNING

    def set_admin_password(self, instance, new_pass):
        guest = self._guest(instance)
        if guest['state'] != states.RUNNING:
            raise exception.InstancePasswordSetFailed(
                instance=instance['uuid'], reason='the guest is not running')
        guest['password'] = new_pass

    def trigger_crash_dump(self, instance):
        guest = self._guest(instance)
        guest['nmi'] = guest.get('nmi', 0) + 1

    def get_console_output(self, instance):
        return self._guest(instance)['console']

    # Snapshot, resize and cold migration, shelve: real files on the image
    # store, so that the paths the manager hands over are exercised.

    def snapshot(self, instance, target_path):
        with self._lock:
            self._guest(instance)
        data = ('fake disk of %s\n' % instance['uuid']).encode()
        with open(target_path, 'wb') as f:
            f.write(data)
        return {'disk_format': 'qcow2', 'size': len(data)}

    def migrate_disk_and_power_off(self, instance, flavor, transfer_dir,
                                   timeout=0, network_info=None):
        if flavor['root_gb'] < instance['root_gb']:
            raise exception.InstanceFaultRollback(
                exception.CannotResizeDisk(reason='Unable to resize disk '
                                                  'down.'))
        with self._lock:
            guest = self._guest(instance)
            with open(os.path.join(transfer_dir, 'disk'), 'w') as f:
                f.write('fake disk of %s\n' % instance['uuid'])
            guest['state'] = states.SHUTDOWN
            self._kept[instance['uuid']] = self._guests.pop(instance['uuid'])

    def finish_migration(self, instance, image, transfer_dir, network_info,
                         power_on=True):
        with open(os.path.join(transfer_dir, 'disk')) as f:
            if instance['uuid'] not in f.read():
                raise exception.VirtDriverError(
                    reason='the disk in the transfer directory is not the '
                           "server's")
        with self._lock:
            self._guests[instance['uuid']] = {
                'state': states.RUNNING if power_on else states.SHUTDOWN,
                'console': _console(instance),
                'password': None}

    def confirm_migration(self, instance):
        with self._lock:
            self._kept.pop(instance['uuid'], None)

    def finish_revert_migration(self, instance, image, network_info,
                                power_on=True):
        with self._lock:
            guest = self._kept.pop(instance['uuid'], None) or {
                'console': _console(instance),
                'password': None}
            guest['state'] = states.RUNNING if power_on else states.SHUTDOWN
            self._guests[instance['uuid']] = guest
