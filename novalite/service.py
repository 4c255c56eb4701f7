"""The compute agent process: RPC server plus periodic tasks."""

import threading

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

from novalite.compute import manager as compute_manager
from novalite.compute import rpcapi as compute_rpcapi
from novalite import rpc
from novalite.virt import driver as virt_driver

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

# Seconds between checks for servers building too long (as Nova's default
# periodic spacing).
BUILD_CHECK_INTERVAL = 60
# Seconds between reclaims of soft-deleted servers, at most (Nova's
# periodic spacing).
RECLAIM_INTERVAL = 60


class _Periodic(threading.Thread):
    """Runs ``func`` every ``interval`` seconds until stopped."""

    def __init__(self, name, interval, func):
        super().__init__(name=name, daemon=True)
        self.interval = interval
        self.func = func
        self._stop_event = threading.Event()

    def run(self):
        while not self._stop_event.wait(self.interval):
            try:
                self.func()
            except Exception:
                LOG.exception('Periodic task %s failed', self.name)

    def stop(self):
        self._stop_event.set()


class ComputeService:

    def __init__(self, host=None, driver=None):
        self.host = host or CONF.host
        self.driver = driver or virt_driver.load_compute_driver(
            CONF.compute_driver)
        self.manager = compute_manager.ComputeManager(self.driver,
                                                      host=self.host)
        self.rpc_server = None
        self.timers = []

    def start(self):
        self.manager.init_host()
        target = messaging.Target(topic=compute_rpcapi.TOPIC,
                                  server=self.host)
        self.rpc_server = rpc.get_server(target, [self.manager])
        self.rpc_server.start()
        self.timers.append(_Periodic('report_state', CONF.report_interval,
                                     self.manager.report_state))
        if CONF.sync_power_state_interval > 0:
            self.timers.append(_Periodic('sync_power_states',
                                         CONF.sync_power_state_interval,
                                         self.manager.sync_power_states))
        if CONF.instance_build_timeout > 0:
            self.timers.append(_Periodic(
                'check_instance_build_time', BUILD_CHECK_INTERVAL,
                self.manager.check_instance_build_time))
        if CONF.running_deleted_instance_poll_interval > 0:
            self.timers.append(_Periodic(
                'cleanup_running_deleted_instances',
                CONF.running_deleted_instance_poll_interval,
                self.manager.cleanup_running_deleted_instances))
        if CONF.reclaim_instance_interval > 0:
            self.timers.append(_Periodic(
                'reclaim_queued_deletes',
                min(RECLAIM_INTERVAL, CONF.reclaim_instance_interval),
                self.manager.reclaim_queued_deletes))
        if CONF.shelved_poll_interval > 0 and \
                CONF.shelved_offload_time > 0:
            self.timers.append(_Periodic(
                'offload_shelved_instances', CONF.shelved_poll_interval,
                self.manager.offload_shelved_instances))
        if CONF.image_cache.manager_interval > 0:
            self.timers.append(_Periodic('manage_image_cache',
                                         CONF.image_cache.manager_interval,
                                         self.manager.manage_image_cache))
        for timer in self.timers:
            timer.start()
        LOG.info('novalite-compute started on host %s with %s', self.host,
                 CONF.compute_driver)

    def stop(self, graceful=True):
        """Stop consuming; with ``graceful``, also wait for the requests
        being handled to finish (the listener's poll may take a second).
        Returns once the periodic tasks' threads have ended."""
        for timer in self.timers:
            timer.stop()
        if self.rpc_server is not None:
            self.rpc_server.stop()
            if graceful:
                self.rpc_server.wait()
        # NOTE: after the server stopped consuming, so nothing new starts.
        self.manager.wait_for_operations()
        # NOTE: a periodic task that is running finishes first (it may use
        # the driver, which is cleaned up next).
        for timer in self.timers:
            if timer.is_alive():  # (never started if start failed)
                timer.join()
        self.driver.cleanup_host(self.host)
