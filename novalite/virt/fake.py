"""An in-memory driver with the real contract, for tests and benchmarks."""

import threading

from oslo_config import cfg

from novalite import exception
from novalite import states
from novalite.virt import driver

CONF = cfg.CONF


class FakeDriver(driver.ComputeDriver):

    def __init__(self):
        self._guests = {}
        self._lock = threading.Lock()

    def get_available_resource(self):
        return {'vcpus': CONF.fake_vcpus, 'memory_mb': CONF.fake_memory_mb,
                'local_gb': CONF.fake_local_gb,
                'hypervisor_hostname': CONF.host}

    def list_instance_uuids(self):
        with self._lock:
            return list(self._guests)

    def spawn(self, instance, image, admin_password, injected_files,
              network_info):
        with self._lock:
            self._guests[instance['uuid']] = {
                'state': states.RUNNING,
                'console': 'fake console of %s\n' % instance['uuid'],
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
                    'console': 'fake console of %s\n' % instance['uuid'],
                    'password': None}
        return self._guest(instance)

    def reboot(self, instance, reboot_type, image=None, network_info=None):
        if reboot_type != 'HARD':
            image = None
        self._recreate_if_lost(instance, image, network_info)['state'] = \
            states.RUNNING

    def power_off(self, instance, timeout=0):
        with self._lock:
            guest = self._guests.get(instance['uuid'])
            if guest is not None:
                guest['state'] = states.SHUTDOWN

    def power_on(self, instance, image=None, network_info=None):
        self._recreate_if_lost(instance, image, network_info)['state'] = \
            states.RUNNING

    def get_info(self, instance):
        return driver.InstanceInfo(state=self._guest(instance)['state'])

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
