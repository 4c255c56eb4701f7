"""The compute agent's manager: RPC endpoint on one hypervisor host.

It is the only code on the host that writes the database, always through
``novalite.db.api`` with the compare-and-swap helpers, and the only code
that calls the virt driver. Every operation ends in a settled state: the
expected result, or ERROR with a fault recorded (never a server stuck in a
task).
"""

import base64
import datetime
import functools
import threading

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

from novalite.compute import utils as compute_utils
from novalite import context as nl_context
from novalite.db import api as db
from novalite import exception
from novalite import states
from novalite import utils

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


class _InstanceLocks:
    """One lock per server: operations on a server run one at a time."""

    def __init__(self):
        self._locks = {}
        self._guard = threading.Lock()

    def get(self, uuid):
        with self._guard:
            return self._locks.setdefault(uuid, threading.Lock())

    def wait_all(self):
        """Return once no operation holds a server lock."""
        with self._guard:
            locks = list(self._locks.values())
        for lock in locks:
            with lock:
                pass

    def discard(self, uuid):
        with self._guard:
            self._locks.pop(uuid, None)


def _synchronized(method):
    @functools.wraps(method)
    def wrapper(self, context, instance_uuid, *args, **kwargs):
        with self._instance_locks.get(instance_uuid):
            return method(self, context, instance_uuid, *args, **kwargs)
    return wrapper


def _settle_on_failure(method):
    """A cast handler that fails unexpectedly (a database outage, a bug)
    must not leave its server in a task: the server goes to ERROR with a
    fault. A cast has no caller, so the error ends here, logged."""
    @functools.wraps(method)
    def wrapper(self, context, instance_uuid, *args, **kwargs):
        try:
            return method(self, context, instance_uuid, *args, **kwargs)
        except Exception as error:
            LOG.exception('%s of server %s failed', method.__name__,
                          instance_uuid)
            self._settle_after_failure(instance_uuid, error)
    return wrapper


class ComputeManager:

    target = messaging.Target(version='1.0')

    def __init__(self, driver, host=None):
        self.host = host or CONF.host
        self.driver = driver
        self._instance_locks = _InstanceLocks()
        self._admin = nl_context.get_admin_context()

    def wait_for_operations(self):
        """Block until the server operations under way have finished."""
        self._instance_locks.wait_all()

    # ------------------------------------------------------------ start-up

    def init_host(self):
        """Connect to the hypervisor, register, and settle leftovers.

        NOTE: the heartbeat is written before reconciling so that servers
        deleted while the agent was down are not "locally deleted" again by
        the API while this runs.
        """
        self._started_at = db.utcnow()
        self.driver.init_host(self.host)
        self.report_state()
        self._reconcile()
        # NOTE: after the reconcile settled the tasks: servers whose
        # guests stopped while the agent was away (a host reboot) show
        # the truth at once, not after the first periodic sync.
        self.sync_power_states()

    def _reconcile(self):
        ctxt = self._admin
        for instance in db.instance_get_all_by_host(ctxt, self.host,
                                                    extras=('metadata',)):
            try:
                self._init_instance(ctxt, instance)
            except Exception:
                LOG.exception('Could not settle server %s at start-up',
                              instance['uuid'])
        # Guests whose servers were deleted while we were down: the
        # periodic task's business, which (as in Nova) runs at start-up too.
        self.cleanup_running_deleted_instances()

    def _running_deleted_instances(self, ctxt):
        """The rows of this host's deleted servers whose guest is still on
        the hypervisor, deleted for ``running_deleted_instance_timeout``
        seconds at least (Nova's ``_running_deleted_instances``).

        NOTE: Nova acts on any deleted instance whose guest is on its
        hypervisor, whatever host the row names: one hypervisor serves one
        nova-compute. novalite's agents may share a hypervisor (libvirt's
        test driver does, in one process), so only this host's deleted
        servers are ours: another agent's are left to that agent, which
        knows their files. Guests of live servers of another host are left
        alone as well: Nova destroys those only after an evacuation (its
        migration records say so, at start-up), and novalite has none; a
        guest that is no server at all may be anything the hypervisor
        runs besides novalite.
        """
        uuids = self.driver.list_instance_uuids()
        if not uuids:
            return []
        # One query for every guest's row, deleted or not.
        rows = {row['uuid']: row
                for row in db.instance_get_all_by_filters_sort(
                    ctxt, {'exact': {'uuid': uuids}, 'deleted': None},
                    extras=())}
        timeout = datetime.timedelta(
            seconds=CONF.running_deleted_instance_timeout)
        now = db.utcnow()
        found = []
        for uuid in uuids:
            row = rows.get(uuid)
            if row is None:
                LOG.warning('Guest %s is no server of novalite; leaving it '
                            'alone', uuid)
                continue
            if not row['deleted'] or row['host'] != self.host:
                continue
            if row['deleted_at'] and now - row['deleted_at'] < timeout:
                LOG.debug('Guest %s: its server was deleted too recently '
                          'to act on', uuid)
                continue
            found.append(row)
        return found

    def _init_instance(self, ctxt, instance):
        uuid = instance['uuid']
        task = instance['task_state']
        if task == states.DELETING:
            self.terminate_instance(ctxt, uuid)
        elif instance['vm_state'] == states.BUILDING and \
                task == states.SCHEDULING and \
                instance['created_at'] >= self._started_at:
            # NOTE: created while this agent was starting: its build
            # message waits on the broker for this agent. One created
            # before may have been taken by the agent that died (taken
            # messages are acknowledged at once) and is failed below, as
            # Nova fails every building server at start-up; a message of
            # one that was still queued then finds it in ERROR. (Clocks of
            # the API's and this host are assumed close.)
            pass
        elif instance['vm_state'] == states.BUILDING:
            self._set_error(ctxt, instance, exception.NovaliteException(
                'The compute agent restarted while the server was being '
                'built.'), expected_task_state=task)
        elif task in (states.POWERING_OFF,):
            self._finish_stop(ctxt, instance)
        elif task in (states.POWERING_ON,):
            self._finish_start(ctxt, instance)
        elif task is not None:
            db.instance_update(ctxt, uuid, {'task_state': None},
                               expected_task_state=task)

    # ----------------------------------------------------------- periodic

    def report_state(self):
        """Heartbeat: mark this agent alive and report its capacity."""
        resources = self.driver.get_available_resource()
        db.service_report(self._admin, self.host, compute_utils.BINARY,
                          'compute', capacity=resources,
                          availability_zone=CONF.default_availability_zone,
                          hypervisor_hostname=resources.get(
                              'hypervisor_hostname'))

    def sync_power_states(self):
        """Make the database agree with the hypervisor for settled servers.

        A server the database thinks is running but the hypervisor has
        stopped (or lost) becomes SHUTOFF; one it thinks is stopped but is
        running is powered off, as Nova does.
        """
        ctxt = self._admin
        for instance in db.instance_get_all_by_host(ctxt, self.host):
            if instance['task_state'] is not None:
                continue
            with self._instance_locks.get(instance['uuid']):
                try:
                    # NOTE: read again under the lock: an operation may
                    # have settled the server since the list was read.
                    instance = self._load(ctxt, instance['uuid'])
                    if instance['task_state'] is None:
                        self._sync_one(ctxt, instance)
                except exception.UnexpectedTaskStateError:
                    pass  # an operation started meanwhile; it decides
                except exception.InstanceNotFound:
                    pass
                except Exception:
                    LOG.exception('Power sync of %s failed',
                                  instance['uuid'])

    def _sync_one(self, ctxt, instance):
        """Nova's rules (``_sync_instance_power_state``): a server that
        should run but whose guest shut off or crashed is stopped; one
        whose guest is missing keeps its vm_state and shows power state
        NOSTATE (a HARD reboot or a start brings the guest back); one that
        should be off but runs is powered off."""
        try:
            power = self.driver.get_info(instance).state
        except exception.InstanceNotFound:
            power = states.NOSTATE
        values = {}
        if power != instance['power_state']:
            values['power_state'] = power
        vm_state = instance['vm_state']
        if vm_state == states.ACTIVE and power in (states.SHUTDOWN,
                                                   states.CRASHED,
                                                   states.SUSPENDED_POWER):
            LOG.warning('Server %s shut down by itself (power state %s); '
                        'stopping it', instance['uuid'], power)
            self.driver.power_off(instance)
            values['vm_state'] = states.STOPPED
        elif vm_state == states.ACTIVE and power == states.NOSTATE:
            LOG.warning('The guest of server %s is missing on the '
                        'hypervisor', instance['uuid'])
        elif vm_state == states.STOPPED and power == states.RUNNING:
            LOG.warning('Server %s is running but should be stopped; '
                        'powering it off', instance['uuid'])
            self.driver.power_off(instance)
            values['power_state'] = states.SHUTDOWN
        if values:
            LOG.info('Power sync: server %s now %s', instance['uuid'],
                     values)
            db.instance_update(ctxt, instance['uuid'], values,
                               expected_task_state=None)

    # ------------------------------------------------------------ helpers

    def _set_error(self, ctxt, instance, error, expected_task_state=None):
        """Put a server in ERROR with a fault; never leave it in a task."""
        LOG.error('Server %s failed: %s', instance['uuid'], error)
        try:
            compute_utils.record_fault(ctxt, instance['uuid'], error,
                                       host=self.host)
            db.instance_update(ctxt, instance['uuid'],
                               {'vm_state': states.ERROR,
                                'task_state': None},
                               expected_task_state=expected_task_state)
        except exception.UnexpectedDeletingTaskStateError:
            pass  # a delete took over; it will finish the server
        except exception.InstanceNotFound:
            pass

    def _settle_after_failure(self, instance_uuid, error):
        try:
            instance = self._load(self._admin, instance_uuid)
            if (instance['task_state'] is not None
                    or instance['vm_state'] == states.BUILDING):
                self._set_error(self._admin, instance, error,
                                expected_task_state=instance['task_state'])
        except exception.InstanceNotFound:
            pass
        except Exception:
            LOG.exception('Could not put server %s in ERROR; the periodic '
                          'tasks and the next start-up will retry',
                          instance_uuid)

    def _load(self, ctxt, instance_uuid):
        instance = db.instance_get_by_uuid(
            ctxt, instance_uuid, project_only=False,
            extras=('metadata',))
        instance['name'] = utils.instance_name(instance)
        return instance

    @staticmethod
    def _image(ctxt, image_ref):
        """The image record, with its kernel and ramdisk images resolved
        (the driver boots those directly)."""
        image = db.image_get(ctxt, image_ref)
        properties = image.get('properties') or {}
        for key, prop in (('kernel', 'kernel_id'), ('ramdisk', 'ramdisk_id')):
            if properties.get(prop):
                image[key] = db.image_get(ctxt, properties[prop])
        return image

    def _images_in_use(self, ctxt):
        """Ids of the images, kernels and ramdisks of this host's
        servers."""
        in_use = set()
        for image_ref in {i['image_ref'] for i in
                          db.instance_get_all_by_host(ctxt, self.host)}:
            in_use.add(image_ref)
            try:
                image = self._image(ctxt, image_ref)
            except exception.NotFound:
                continue
            in_use.update(image[key]['id'] for key in ('kernel', 'ramdisk')
                          if key in image)
        return in_use

    def cleanup_running_deleted_instances(self):
        """Periodic, and at start-up: guests still on the hypervisor whose
        server is deleted (the API deletes a server at once while its
        agent is down) get ``running_deleted_instance_action``, as in
        Nova's ``_cleanup_running_deleted_instances``: ``noop``,
        ``log`` (a warning), ``shutdown`` (powered off and kept, to look
        into) or ``reap`` (destroyed with their files)."""
        action = CONF.running_deleted_instance_action
        if action == 'noop':
            return
        ctxt = self._admin
        for row in self._running_deleted_instances(ctxt):
            uuid = row['uuid']
            row['name'] = utils.instance_name(row)
            if action == 'log':
                LOG.warning('Guest %s (%s) is still on the hypervisor but '
                            'its server is deleted', uuid, row['name'])
                continue
            # NOTE: under the server's lock, as its operations: a build
            # of the server may still be under way.
            with self._instance_locks.get(uuid):
                try:
                    if action == 'shutdown':
                        LOG.info('Powering off guest %s (%s): its server '
                                 'is deleted', uuid, row['name'])
                        self.driver.power_off(row)
                    else:
                        LOG.info('Destroying guest %s (%s): its server is '
                                 'deleted', uuid, row['name'])
                        self.driver.destroy(row)
                except Exception:
                    LOG.exception('Could not %s guest %s of a deleted '
                                  'server', action, uuid)
                    continue
            if action == 'reap':
                self._instance_locks.discard(uuid)

    def check_instance_build_time(self):
        """Periodic: a server of this host still building
        ``instance_build_timeout`` seconds after its creation goes to
        ERROR (Nova's ``_check_instance_build_time``): its build message
        was lost (a broker restart drops queued messages), or the build
        hangs."""
        timeout = CONF.instance_build_timeout
        if timeout <= 0:
            return
        ctxt = self._admin
        oldest = db.utcnow() - datetime.timedelta(seconds=timeout)
        for instance in db.instance_get_all_by_host(ctxt, self.host):
            if instance['vm_state'] != states.BUILDING or \
                    instance['created_at'] > oldest:
                continue
            self._set_error(ctxt, instance, exception.NovaliteException(
                'The build did not finish within %d seconds.' % timeout),
                expected_task_state=instance['task_state'])

    def manage_image_cache(self):
        """Periodic: drop cached images no server here uses any more."""
        self.driver.manage_image_cache(self._images_in_use(self._admin))

    def _load_if_exists(self, ctxt, instance_uuid):
        """The server, or None if it was deleted before we got to it."""
        try:
            return self._load(ctxt, instance_uuid)
        except exception.InstanceNotFound:
            return None

    # ---------------------------------------------------------------- RPC

    @_synchronized
    @_settle_on_failure
    def build_and_run_instance(self, context, instance_uuid,
                               admin_password=None, injected_files=None,
                               requested_networks=None):
        ctxt = self._admin
        try:
            instance = self._load(ctxt, instance_uuid)
            db.instance_update(ctxt, instance_uuid,
                               {'task_state': states.SPAWNING},
                               expected_task_state=states.SCHEDULING,
                               expected_vm_state=states.BUILDING)
        except (exception.InstanceNotFound,
                exception.UnexpectedTaskStateError,
                exception.InstanceInvalidState):
            LOG.info('Server %s was deleted before it was built',
                     instance_uuid)
            return
        files = [(path, base64.b64decode(contents))
                 for path, contents in (injected_files or ())]
        network_info = db.network_info_for_instance(ctxt, instance_uuid)
        try:
            image = self._image(ctxt, instance['image_ref'])
            self.driver.spawn(instance, image, admin_password, files,
                              network_info=network_info)
        except Exception as e:
            with utils.ignore_errors('cleaning up a failed build'):
                self.driver.destroy(instance, network_info)
            # NOTE: as Nova does, a server whose build failed keeps no
            # addresses: they go back to the pool before it shows ERROR.
            with utils.ignore_errors('releasing a failed build\'s IPs'):
                db.fixed_ips_release_by_instance(ctxt, instance_uuid)
            self._set_error(ctxt, instance, e,
                            expected_task_state=states.SPAWNING)
            return
        vm_state, power = states.RESULTS['build']
        try:
            db.instance_update(ctxt, instance_uuid,
                               {'vm_state': vm_state, 'power_state': power,
                                'task_state': None,
                                'launched_at': db.utcnow()},
                               expected_task_state=states.SPAWNING)
        except exception.UnexpectedTaskStateError:
            # Deleted while spawning: the terminate cast queued behind us
            # finishes it.
            LOG.info('Server %s was deleted while spawning', instance_uuid)
        except exception.InstanceNotFound:
            # Deleted locally by the API meanwhile: no terminate comes, so
            # make sure no guest outlives the server.
            LOG.info('Server %s was deleted while spawning', instance_uuid)
            with utils.ignore_errors('destroying a deleted server'):
                self.driver.destroy(instance, network_info)

    @_synchronized
    @_settle_on_failure
    def terminate_instance(self, context, instance_uuid):
        ctxt = self._admin
        instance = self._load_if_exists(ctxt, instance_uuid)
        if instance is None:
            return
        # NOTE: read before the row goes: destroying the row releases the
        # addresses whose DHCP entries the driver removes.
        network_info = db.network_info_for_instance(ctxt, instance_uuid)
        try:
            self.driver.destroy(instance, network_info)
        except Exception as e:
            self._set_error(ctxt, instance, e,
                            expected_task_state=states.DELETING)
            return
        try:
            db.instance_destroy(ctxt, instance_uuid)
        except exception.InstanceNotFound:
            pass
        self._instance_locks.discard(instance_uuid)

    def _run_action(self, ctxt, instance_uuid, action, expected_task,
                    operation):
        """Run ``operation(instance)`` and settle the server.

        Success: the vm/power state of ``states.RESULTS[action]``, task
        None. Failure: ERROR with a fault.
        """
        instance = self._load_if_exists(ctxt, instance_uuid)
        if instance is None:
            return
        if instance['task_state'] != expected_task:
            LOG.info('Skipping %s of %s: task is now %s', action,
                     instance_uuid, instance['task_state'])
            return
        try:
            operation(instance)
        except Exception as e:
            self._set_error(ctxt, instance, e,
                            expected_task_state=expected_task)
            return
        vm_state, power = states.RESULTS[action]
        values = {'vm_state': vm_state, 'task_state': None}
        if power is not None:
            values['power_state'] = power
        try:
            db.instance_update(ctxt, instance_uuid, values,
                               expected_task_state=expected_task)
        except (exception.UnexpectedTaskStateError,
                exception.InstanceNotFound):
            pass

    @_synchronized
    @_settle_on_failure
    def reboot_instance(self, context, instance_uuid, reboot_type):
        action = 'reboot_hard' if reboot_type == 'HARD' else 'reboot_soft'
        self._run_action(
            self._admin, instance_uuid, action,
            states.TRANSITIONS[action].new_task_state,
            lambda inst: self.driver.reboot(
                inst, reboot_type, **self._rebuild_info(inst)))

    def _rebuild_info(self, instance):
        """What a driver needs to create a lost guest again."""
        ctxt = self._admin
        return {'image': self._image(ctxt, instance['image_ref']),
                'network_info': db.network_info_for_instance(
                    ctxt, instance['uuid'])}

    def _power_on(self, instance):
        self.driver.power_on(instance, **self._rebuild_info(instance))

    @_synchronized
    @_settle_on_failure
    def start_instance(self, context, instance_uuid):
        self._run_action(self._admin, instance_uuid, 'start',
                         states.POWERING_ON, self._power_on)

    @_synchronized
    @_settle_on_failure
    def stop_instance(self, context, instance_uuid):
        self._run_action(
            self._admin, instance_uuid, 'stop', states.POWERING_OFF,
            lambda inst: self.driver.power_off(inst, CONF.shutdown_timeout))

    def _finish_stop(self, ctxt, instance):
        self._run_action(ctxt, instance['uuid'], 'stop',
                         states.POWERING_OFF, self.driver.power_off)

    def _finish_start(self, ctxt, instance):
        self._run_action(ctxt, instance['uuid'], 'start',
                         states.POWERING_ON, self._power_on)

    @_synchronized
    def set_admin_password(self, context, instance_uuid, new_pass):
        """A call: errors go back to the API (409/501).

        The server's task is reverted either way, its vm_state is left
        alone.
        """
        ctxt = self._admin
        instance = self._load(ctxt, instance_uuid)
        try:
            self.driver.set_admin_password(instance, new_pass)
        finally:
            try:
                db.instance_update(
                    ctxt, instance_uuid, {'task_state': None},
                    expected_task_state=states.UPDATING_PASSWORD)
            except (exception.UnexpectedTaskStateError,
                    exception.InstanceNotFound):
                pass

    @_synchronized
    @_settle_on_failure
    def trigger_crash_dump(self, context, instance_uuid):
        """No state change: a failure is recorded as a fault only."""
        ctxt = self._admin
        instance = self._load_if_exists(ctxt, instance_uuid)
        if instance is None:
            return
        try:
            self.driver.trigger_crash_dump(instance)
        except Exception as e:
            LOG.warning('Crash dump of %s failed: %s', instance_uuid, e)
            compute_utils.record_fault(ctxt, instance_uuid, e, host=self.host)

    def get_console_output(self, context, instance_uuid, tail_length=None):
        instance = self._load(self._admin, instance_uuid)
        output = self.driver.get_console_output(instance)
        if tail_length is not None:
            lines = output.splitlines(True)
            output = ''.join(lines[-tail_length:]) if tail_length else ''
        return output
