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
import json
import os
import threading
import traceback

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

from novalite.compute import images
from novalite.compute import utils as compute_utils
from novalite import context as nl_context
from novalite.db import api as db
from novalite import exception
from novalite import notifications
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


# The error of the operation running in this thread, for its event.
_CURRENT = threading.local()


def _instance_event(method=None, name=None):
    """Record the operation as an event of the user's action (Nova's
    ``wrap_instance_event``): ``compute_<method>``, found by the request
    id the API recorded the action under. The result is Error when the
    operation put the server in ERROR (see ``_set_error``) or raised.

    NOTE: below ``_synchronized`` (the event spans the work on the
    server) and above ``_settle_on_failure`` (which records its error
    through ``_set_error``).
    """
    if method is None:
        return functools.partial(_instance_event, name=name)
    event = name or 'compute_%s' % method.__name__

    @functools.wraps(method)
    def wrapper(self, context, instance_uuid, *args, **kwargs):
        event_id = self._event_start(context, instance_uuid, event)
        _CURRENT.error = None
        # The request's context, for the notifications' request id and
        # initiator (the operations write with the admin context).
        _CURRENT.context = context
        try:
            result = method(self, context, instance_uuid, *args, **kwargs)
        except Exception as e:
            self._event_finish(event_id, e)
            raise
        finally:
            _CURRENT.context = None
        self._event_finish(event_id, _CURRENT.error)
        return result
    return wrapper


# The notifications' names of the operations whose Nova name differs
# (instance.<name>.start/end), and the ones Nova also sends
# instance.<name>.error for when they fail (others: no .end).
_NOTIFIED_AS = {'reboot_soft': 'reboot', 'reboot_hard': 'reboot',
                'start': 'power_on', 'stop': 'power_off'}
_ERROR_NOTIFIED = frozenset(['create', 'reboot', 'rebuild', 'resize'])


# The tasks the start-up finishes (see _finish_interrupted), and their
# operations.
_INTERRUPTED_ACTIONS = {
    states.TRANSITIONS[action].new_task_state: action
    for action in ('pause', 'unpause', 'suspend', 'resume', 'rescue',
                   'unrescue', 'soft_delete', 'restore')}


class ComputeManager:

    target = messaging.Target(version='1.3')

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
        self._reconcile_moves()
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
        elif task in _INTERRUPTED_ACTIONS:
            self._finish_interrupted(ctxt, instance)
        elif task in self.DISK_TASKS:
            self._init_disk_task(ctxt, instance)
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
        elif vm_state == states.STOPPED and power in (
                states.RUNNING, states.PAUSED_POWER,
                states.SUSPENDED_POWER):
            LOG.warning('Server %s is running but should be stopped; '
                        'powering it off', instance['uuid'])
            self.driver.power_off(instance)
            values['power_state'] = states.SHUTDOWN
        elif vm_state == states.PAUSED and power in (states.SHUTDOWN,
                                                     states.CRASHED):
            # NOTE: Nova's rules for the other settled states: a paused
            # server whose guest runs again is left PAUSED (its power
            # state shows the truth; unpause settles it), one whose guest
            # stopped is stopped; RESCUED and SUSPENDED are left alone,
            # and a SOFT_DELETED one whose guest runs is only logged.
            LOG.warning('Paused server %s shut down by itself; stopping '
                        'it', instance['uuid'])
            self.driver.power_off(instance)
            values['vm_state'] = states.STOPPED
        elif vm_state == states.SOFT_DELETED and power not in (
                states.NOSTATE, states.SHUTDOWN):
            LOG.warning('Soft-deleted server %s is not off (power state '
                        '%s)', instance['uuid'], power)
        if values:
            LOG.info('Power sync: server %s now %s', instance['uuid'],
                     values)
            db.instance_update(ctxt, instance['uuid'], values,
                               expected_task_state=None)

    # ------------------------------------------------------------ helpers

    def _event_start(self, context, instance_uuid, event):
        """The id of the new event, or None (no action to add it to, or
        the database could not record it: the operation goes on)."""
        if not getattr(context, 'request_id', None):
            return None
        try:
            return db.action_event_start(self._admin, instance_uuid,
                                         context.request_id, event,
                                         self.host)
        except Exception:
            LOG.exception('Could not record event %s of server %s', event,
                          instance_uuid)
            return None

    def _event_finish(self, event_id, error=None):
        if event_id is None:
            return
        trace = details = None
        if error is not None:
            trace = ''.join(traceback.format_exception(
                type(error), error, error.__traceback__))
            details = compute_utils.fault_message(error)[1]
        try:
            db.action_event_finish(self._admin, event_id,
                                   'Error' if error else 'Success',
                                   traceback=trace, details=details)
        except Exception:
            LOG.exception('Could not finish event %s', event_id)

    def _notify(self, instance_uuid, action, phase, error=None, **extra):
        """instance.<action>.<phase> from this host (see _NOTIFIED_AS),
        in the name of the request under way. A failure's ``.error`` is
        sent only for the actions Nova sends one for."""
        action = _NOTIFIED_AS.get(action, action)
        if error is not None:
            if action not in _ERROR_NOTIFIED:
                return
            phase = 'error'
        notifications.notify_about_instance_action(
            getattr(_CURRENT, 'context', None), instance_uuid, self.host,
            action, phase, error=error, **extra)

    def _set_error(self, ctxt, instance, error, expected_task_state=None):
        """Put a server in ERROR with a fault; never leave it in a task."""
        _CURRENT.error = error
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

    def _image_to_boot(self, ctxt, instance):
        """``_image`` of the server's image, once its signature is
        verified if the server has trusted certificates (2.63).

        NOTE: novalite has no key manager to fetch certificates from, so
        such a server never boots: as Nova's libvirt driver, which fails
        the build when a signature cannot be verified (and the images
        novalite serves are not signed).
        """
        image = self._image(ctxt, instance['image_ref'])
        if instance.get('trusted_certs'):
            properties = image.get('properties') or {}
            for prop in ('img_signature', 'img_signature_hash_method',
                         'img_signature_key_type',
                         'img_signature_certificate_uuid'):
                if prop not in properties:
                    raise exception.SignatureVerificationError(
                        reason='Required image properties for signature '
                               'verification do not exist. Cannot verify '
                               'signature. Missing property: %s' % prop)
            raise exception.SignatureVerificationError(
                reason='no key manager holds the certificates')
        return image

    def _images_in_use(self, ctxt):
        """Ids of the images, kernels and ramdisks of this host's
        servers."""
        in_use = set()
        # NOTE: and of the guests kept here for a revert (_kept_images).
        for image_ref in {i['image_ref'] for i in
                          db.instance_get_all_by_host(ctxt, self.host)} | \
                self._kept_images(ctxt):
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

    @staticmethod
    def _add_device_tags(ctxt, instance):
        """``root_device_tag`` on the server's dict, for its driver."""
        system_metadata = db.instance_system_metadata_get(
            ctxt, instance['uuid'])
        instance['root_device_tag'] = system_metadata.get(
            compute_utils.ROOT_DEVICE_TAG)

    # ---------------------------------------------------------------- RPC

    @_synchronized
    @_instance_event(name='compute__do_build_and_run_instance')
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
        self._notify(instance_uuid, 'create', 'start')
        files = [(path, base64.b64decode(contents))
                 for path, contents in (injected_files or ())]
        network_info = db.network_info_for_instance(ctxt, instance_uuid)
        self._add_device_tags(ctxt, instance)
        try:
            image = self._image_to_boot(ctxt, instance)
            self.driver.spawn(instance, image, admin_password, files,
                              network_info=network_info)
        except Exception as e:
            with utils.ignore_errors('cleaning up a failed build'):
                self.driver.destroy(instance, network_info)
            # NOTE: as Nova does, a server whose build failed keeps no
            # addresses: they go back to the pool before it shows ERROR.
            with utils.ignore_errors('releasing a failed build\'s IPs'):
                db.fixed_ips_release_by_instance(ctxt, instance_uuid)
            # NOTE: before the ERROR, as Nova (the payload's state is
            # still building).
            self._notify(instance_uuid, 'create', 'error', error=e)
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
            self._notify(instance_uuid, 'create', 'end')
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
    @_instance_event
    @_settle_on_failure
    def terminate_instance(self, context, instance_uuid):
        ctxt = self._admin
        instance = self._load_if_exists(ctxt, instance_uuid)
        if instance is None:
            return
        # NOTE: read before the row goes: destroying the row releases the
        # addresses whose DHCP entries the driver removes.
        network_info = db.network_info_for_instance(ctxt, instance_uuid)
        self._notify(instance_uuid, 'delete', 'start')
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
        self._notify(instance_uuid, 'delete', 'end')
        self._instance_locks.discard(instance_uuid)
        self._end_moves_of_deleted(ctxt, instance)

    def _run_action(self, ctxt, instance_uuid, action, expected_task,
                    operation, **notified):
        """Run ``operation(instance)`` and settle the server.

        Success: the vm/power state of ``states.RESULTS[action]``, task
        None. Failure: ERROR with a fault. Notified as
        instance.<action>.start/end (``notified``: the payload's own
        fields).
        """
        instance = self._load_if_exists(ctxt, instance_uuid)
        if instance is None:
            return
        if instance['task_state'] != expected_task:
            LOG.info('Skipping %s of %s: task is now %s', action,
                     instance_uuid, instance['task_state'])
            return
        self._notify(instance_uuid, action, 'start', **notified)
        try:
            operation(instance)
        except Exception as e:
            self._notify(instance_uuid, action, 'error', error=e)
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
            return
        self._notify(instance_uuid, action, 'end', **notified)

    @_synchronized
    @_instance_event
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
    @_instance_event
    @_settle_on_failure
    def start_instance(self, context, instance_uuid):
        self._run_action(self._admin, instance_uuid, 'start',
                         states.POWERING_ON, self._power_on)

    @_synchronized
    @_instance_event
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
    @_instance_event
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
    @_instance_event
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
            # NOTE: Nova's _tail_log: the last lines of the text split at
            # each newline (a final newline makes an empty last line).
            output = ('\n'.join(output.split('\n')[-tail_length:])
                      if tail_length else '')
        return output

    def get_host_uptime(self, context):
        """1.3: the host's ``uptime`` line."""
        return self.driver.get_host_uptime()

    # ------------- rebuild, resize, migrate, shelve, snapshot (1.1)

    @property
    def _moves_rpcapi(self):
        """The agents' RPC client: a move goes from agent to agent."""
        client = getattr(self, '_compute_rpcapi', None)
        if client is None:
            # NOTE: imported here: the API's client module is the agent's
            # only for moves.
            from novalite.compute import rpcapi as compute_rpcapi
            client = self._compute_rpcapi = compute_rpcapi.ComputeAPI()
        return client

    def _revert_with_fault(self, ctxt, instance, error, expected_task_state,
                           values=None):
        """Nova's reverts_task_state with wrap_instance_fault: the task
        goes back to None (with ``values``), the vm_state stays, a fault
        is recorded and the action's event is in error."""
        _CURRENT.error = error
        LOG.warning('%s of server %s failed; back to its state: %s',
                    expected_task_state, instance['uuid'], error)
        try:
            compute_utils.record_fault(ctxt, instance['uuid'], error,
                                       host=self.host)
            db.instance_update(ctxt, instance['uuid'],
                               dict(values or {}, task_state=None),
                               expected_task_state=expected_task_state)
        except (exception.UnexpectedTaskStateError,
                exception.InstanceNotFound):
            pass  # a delete took over

    def _move_task(self, ctxt, instance, task_state, values=None):
        """The next task of an operation, as a compare-and-swap from the
        one it is in (kept in ``instance``)."""
        db.instance_update(ctxt, instance['uuid'],
                           dict(values or {}, task_state=task_state),
                           expected_task_state=instance['task_state'])
        instance['task_state'] = task_state

    def _load_in_task(self, ctxt, instance_uuid, task_state, what):
        """The server if it is still in ``task_state``, else None (deleted
        or taken over meanwhile: the operation is skipped)."""
        instance = self._load_if_exists(ctxt, instance_uuid)
        if instance is None or instance['task_state'] != task_state:
            LOG.info('Skipping the %s of %s: it is %s', what, instance_uuid,
                     'gone' if instance is None
                     else 'in task %s' % instance['task_state'])
            return None
        return instance

    def _image_or_empty(self, ctxt, image_ref):
        """The image a guest boots (its kernel for a direct boot); {} if
        it is gone (a moved disk needs nothing else of it)."""
        try:
            return self._image(ctxt, image_ref)
        except exception.NotFound:
            return {}

    # Snapshots (createImage, createBackup, shelve)

    def _snapshot(self, ctxt, instance, image_id, tasks):
        """Write the server's root disk into image ``image_id``: queued ->
        saving -> active, the server's task moving through ``tasks``
        (pending upload, uploading), as Nova's driver snapshot."""
        pending, uploading = tasks
        image = db.image_update(ctxt, image_id, {'status': 'saving'})
        self._move_task(ctxt, instance, pending)
        target = image['location']
        os.makedirs(os.path.dirname(target), exist_ok=True)
        written = self.driver.snapshot(instance, target)
        self._move_task(ctxt, instance, uploading)
        db.image_update(ctxt, image_id, dict(
            images.file_values(target), status='active',
            disk_format=written['disk_format']))

    @_synchronized
    @_instance_event
    @_settle_on_failure
    def snapshot_instance(self, context, instance_uuid, image_id):
        """createImage: image_snapshot_pending -> image_snapshot ->
        image_pending_upload -> image_uploading -> no task. A failure
        deletes the image and leaves the server as it was, with a fault
        (Nova's reverts_task_state and delete_image_on_error)."""
        ctxt = self._admin
        instance = self._load_in_task(ctxt, instance_uuid,
                                      states.IMAGE_SNAPSHOT_PENDING,
                                      'snapshot')
        try:
            if instance is None:
                raise exception.InstanceNotFound(instance_id=instance_uuid)
            self._move_task(ctxt, instance, states.IMAGE_SNAPSHOT)
        except (exception.InstanceNotFound,
                exception.UnexpectedTaskStateError):
            images.delete(ctxt, image_id)
            return
        self._snapshot_and_settle(ctxt, instance, image_id)

    def _snapshot_and_settle(self, ctxt, instance, image_id):
        """A snapshot's (or a backup's) work from its first task on:
        write the image, then no task. A failure deletes the image and
        leaves the server as it was, with a fault. Whether the image was
        written (active). Notified as instance.snapshot, a backup too
        (Nova)."""
        self._notify(instance['uuid'], 'snapshot', 'start',
                     snapshot_image_id=image_id)
        try:
            self._snapshot(ctxt, instance, image_id,
                           (states.IMAGE_PENDING_UPLOAD,
                            states.IMAGE_UPLOADING))
        except exception.UnexpectedTaskStateError:
            images.delete(ctxt, image_id)  # deleted while it ran
            return False
        except Exception as e:
            images.delete(ctxt, image_id)
            self._revert_with_fault(ctxt, instance, e, instance['task_state'])
            return False
        try:
            self._move_task(ctxt, instance, None,
                            {'power_state': self._power_state(instance)})
        except (exception.UnexpectedTaskStateError,
                exception.InstanceNotFound):
            return True  # deleted meanwhile; the image is written all the same
        self._notify(instance['uuid'], 'snapshot', 'end',
                     snapshot_image_id=image_id)
        return True

    @_synchronized
    @_instance_event
    @_settle_on_failure
    def backup_instance(self, context, instance_uuid, image_id,
                        backup_type, rotation):
        """createBackup (1.2): image_backup -> image_pending_upload ->
        image_uploading -> no task, as a snapshot; then, as Nova's
        ``_rotate_backups``, the oldest backups of the server and
        ``backup_type`` beyond ``rotation`` are deleted. A failed
        snapshot rotates nothing."""
        ctxt = self._admin
        instance = self._load_in_task(ctxt, instance_uuid,
                                      states.IMAGE_BACKUP, 'backup')
        if instance is None:
            images.delete(ctxt, image_id)
            return
        if self._snapshot_and_settle(ctxt, instance, image_id):
            self._rotate_backups(ctxt, instance, image_id, backup_type,
                                 rotation)

    def _rotate_backups(self, ctxt, instance, image_id, backup_type,
                        rotation):
        """Keep the ``rotation`` newest active backups of the server of
        ``backup_type`` (by created_at), delete the others. An image that
        cannot be deleted (protected, an error) is logged and skipped,
        as in Nova; a failure to list them is a fault of the server, which
        stays as it is."""
        try:
            backups = images.get_all(
                ctxt, filters={'status': 'active', 'properties': {
                    'image_type': 'backup', 'backup_type': backup_type,
                    'instance_uuid': instance['uuid']}},
                sort_key='created_at', sort_dir='desc')
        except Exception as e:
            LOG.exception('Could not list the backups of server %s',
                          instance['uuid'])
            _CURRENT.error = e
            with utils.ignore_errors('recording a fault'):
                compute_utils.record_fault(ctxt, instance['uuid'], e,
                                           host=self.host)
            return
        # NOTE: the backup just written is the newest whatever the
        # timestamps say (MySQL's DATETIME keeps whole seconds: two
        # backups may tie, and the tie would go by random id).
        backups.sort(key=lambda image: image['id'] != image_id)
        LOG.debug('Server %s has %d %s backups (rotation %d)',
                  instance['uuid'], len(backups), backup_type, rotation)
        for image in backups[rotation:]:
            if image.get('protected'):
                LOG.info('Not rotating out backup %s of server %s: it is '
                         'protected', image['id'], instance['uuid'])
                continue
            LOG.debug('Rotating out backup %s of server %s', image['id'],
                      instance['uuid'])
            with utils.ignore_errors('deleting backup %s' % image['id']):
                images.delete(ctxt, image['id'])

    # Rebuild

    @_synchronized
    @_instance_event
    @_settle_on_failure
    def rebuild_instance(self, context, instance_uuid, new_pass=None,
                         injected_files=None, orig_image_ref=None,
                         preserve_ephemeral=False):
        """The guest is destroyed and spawned again from the server's (new)
        image with a new root disk and config drive, on the same
        addresses: rebuilding -> rebuild_block_device_mapping ->
        rebuild_spawning -> ACTIVE, or SHUTOFF again for a server that was
        stopped (Nova). ``preserve_ephemeral`` changes nothing: novalite's
        guests have no ephemeral disk. A failure is ERROR with a fault."""
        ctxt = self._admin
        instance = self._load_in_task(ctxt, instance_uuid,
                                      states.REBUILDING, 'rebuild')
        if instance is None:
            return
        self._notify(instance_uuid, 'rebuild', 'start')
        was_stopped = instance['vm_state'] == states.STOPPED
        files = [(path, base64.b64decode(contents))
                 for path, contents in (injected_files or ())]
        network_info = db.network_info_for_instance(ctxt, instance_uuid)
        self._add_device_tags(ctxt, instance)
        try:
            image = self._image_to_boot(ctxt, instance)
            self.driver.destroy(instance, network_info)
            self._move_task(ctxt, instance,
                            states.REBUILD_BLOCK_DEVICE_MAPPING)
            self._move_task(ctxt, instance, states.REBUILD_SPAWNING)
            self.driver.spawn(instance, image, new_pass, files,
                              network_info=network_info)
            if was_stopped:
                self.driver.power_off(instance, CONF.shutdown_timeout)
        except exception.UnexpectedTaskStateError:
            LOG.info('Server %s was deleted while it was rebuilt',
                     instance_uuid)
            return
        except Exception as e:
            with utils.ignore_errors('cleaning up a failed rebuild'):
                self.driver.destroy(instance, network_info)
            self._notify(instance_uuid, 'rebuild', 'error', error=e)
            self._set_error(ctxt, instance, e,
                            expected_task_state=instance['task_state'])
            return
        vm_state, power = states.RESULTS['rebuild']
        if was_stopped:
            vm_state, power = states.STOPPED, states.SHUTDOWN
        try:
            self._move_task(ctxt, instance, None,
                            {'vm_state': vm_state, 'power_state': power,
                             'launched_at': db.utcnow()})
        except (exception.UnexpectedTaskStateError,
                exception.InstanceNotFound):
            return  # a delete took over; it removes the guest
        self._notify(instance_uuid, 'rebuild', 'end')

    # Resize and cold migration: prep_resize (destination) ->
    # resize_instance (source) -> finish_resize (destination); then
    # confirm_resize (source), or revert_resize (destination) ->
    # finish_revert_resize (source).

    @staticmethod
    def _flavor_values(flavor):
        """The server columns that hold its flavor."""
        return {'instance_type_id': flavor['id'],
                'flavorid': flavor['flavorid'],
                'flavor_name': flavor['name'],
                # NOTE: a move recorded before the specs were kept has
                # none.
                'flavor_extra_specs': json.dumps(
                    flavor.get('extra_specs') or {}, sort_keys=True),
                'vcpus': flavor['vcpus'], 'memory_mb': flavor['memory_mb'],
                'root_gb': flavor['root_gb'],
                'ephemeral_gb': flavor['ephemeral_gb'],
                'swap': flavor['swap']}

    @staticmethod
    def _move_metadata(ctxt, instance_uuid):
        """(old flavor, new flavor, vm_state before) of a move."""
        meta = db.instance_system_metadata_get(ctxt, instance_uuid)
        return (json.loads(meta['old_flavor']),
                json.loads(meta['new_flavor']),
                meta.get('old_vm_state') or states.ACTIVE)

    @staticmethod
    def _forget_move(ctxt, instance_uuid):
        db.instance_system_metadata_update(
            ctxt, instance_uuid,
            {'old_flavor': None, 'new_flavor': None, 'old_vm_state': None})

    @staticmethod
    def _migration_error(ctxt, migration):
        """The migration failed: it holds no room any more."""
        try:
            db.migration_update(ctxt, migration['uuid'], {'status': 'error'})
        except exception.MigrationNotFound:
            pass

    def _load_move(self, ctxt, instance_uuid, migration_uuid, task_state,
                   status, what):
        """(server, migration) if both are still where this step expects
        them; else None, and the migration (if it was still this step's)
        is failed."""
        migration = db.migration_get(ctxt, migration_uuid)
        instance = self._load_in_task(ctxt, instance_uuid, task_state, what)
        if migration['status'] != status:
            LOG.info('Skipping the %s of %s: migration %s is %s', what,
                     instance_uuid, migration_uuid, migration['status'])
            return None
        if instance is None:
            self._migration_error(ctxt, migration)
            return None
        return instance, migration

    def _roll_back_prep(self, ctxt, instance, migration, error):
        self._migration_error(ctxt, migration)
        images.remove_file(images.transfer_dir(migration['uuid']))
        self._revert_with_fault(ctxt, instance, error, instance['task_state'])

    @_synchronized
    @_instance_event
    @_settle_on_failure
    def prep_resize(self, context, instance_uuid, migration_uuid):
        """Destination: its room is claimed already (by the API, with the
        migration record); make the transfer directory and hand over to
        the source. A failure puts the server back as it was."""
        ctxt = self._admin
        found = self._load_move(ctxt, instance_uuid, migration_uuid,
                                states.RESIZE_PREP, 'pre-migrating',
                                'resize preparation')
        if found is None:
            return
        instance, migration = found
        try:
            new_flavor = self._move_metadata(ctxt, instance_uuid)[1]
            self._notify(instance_uuid, 'resize_prep', 'start',
                         new_flavor=new_flavor)
            os.makedirs(images.transfer_dir(migration_uuid), exist_ok=True)
            # NOTE: .end before the cast, which lets the source go on.
            self._notify(instance_uuid, 'resize_prep', 'end',
                         new_flavor=new_flavor)
            self._moves_rpcapi.resize_instance(
                context, migration['source_compute'], instance_uuid,
                migration_uuid)
        except Exception as e:
            self._roll_back_prep(ctxt, instance, migration, e)

    @_synchronized
    @_instance_event
    @_settle_on_failure
    def resize_instance(self, context, instance_uuid, migration_uuid):
        """Source: the guest is stopped and its disks handed over
        (resize_migrating -> resize_migrated), then the destination
        finishes. A disk that cannot shrink puts the server back as it
        was; any other failure is ERROR (Nova)."""
        ctxt = self._admin
        found = self._load_move(ctxt, instance_uuid, migration_uuid,
                                states.RESIZE_PREP, 'pre-migrating',
                                'resize')
        if found is None:
            return
        instance, migration = found
        try:
            _old, new, _vm_state = self._move_metadata(ctxt, instance_uuid)
            db.migration_update(
                ctxt, migration_uuid, {'status': 'migrating'},
                expected_status='pre-migrating',
                instance_values={'task_state': states.RESIZE_MIGRATING},
                expected_task_state=states.RESIZE_PREP)
            instance['task_state'] = states.RESIZE_MIGRATING
        except (exception.UnexpectedTaskStateError,
                exception.MigrationNotFound, exception.InstanceNotFound):
            self._migration_error(ctxt, migration)
            return
        transfer = images.transfer_dir(migration_uuid)
        self._notify(instance_uuid, 'resize', 'start')
        try:
            os.makedirs(transfer, exist_ok=True)
            self.driver.migrate_disk_and_power_off(
                instance, new, transfer, CONF.shutdown_timeout,
                network_info=self._network_info(instance))
        except exception.InstanceFaultRollback as e:
            self._notify(instance_uuid, 'resize', 'error',
                         error=e.inner_exception)
            self._roll_back_prep(ctxt, instance, migration,
                                 e.inner_exception)
            return
        except Exception as e:
            self._notify(instance_uuid, 'resize', 'error', error=e)
            self._migration_error(ctxt, migration)
            images.remove_file(transfer)
            self._set_error(ctxt, instance, e,
                            expected_task_state=states.RESIZE_MIGRATING)
            return
        try:
            db.migration_update(
                ctxt, migration_uuid, {'status': 'post-migrating'},
                expected_status='migrating',
                instance_values={'task_state': states.RESIZE_MIGRATED,
                                 'power_state': states.SHUTDOWN},
                expected_task_state=states.RESIZE_MIGRATING)
            # NOTE: .end before the cast, which lets the destination go on.
            self._notify(instance_uuid, 'resize', 'end')
            self._moves_rpcapi.finish_resize(
                context, migration['dest_compute'], instance_uuid,
                migration_uuid)
        except Exception as e:
            # NOTE: the guest comes back here, as it was.
            self._undo_migrate_disk(ctxt, instance, migration)
            self._migration_error(ctxt, migration)
            self._revert_with_fault(ctxt, instance, e,
                                    (states.RESIZE_MIGRATING,
                                     states.RESIZE_MIGRATED),
                                    {'power_state':
                                     self._power_state(instance)})

    def _undo_migrate_disk(self, ctxt, instance, migration):
        """Bring the guest back on the source as migrate_disk_and_power_off
        kept it."""
        _old, _new, vm_state = self._move_metadata(ctxt, instance['uuid'])
        with utils.ignore_errors('bringing back a guest whose move '
                                 'failed'):
            self.driver.finish_revert_migration(
                instance, self._image_or_empty(ctxt, instance['image_ref']),
                self._network_info(instance),
                power_on=vm_state != states.STOPPED)
        images.remove_file(images.transfer_dir(migration['uuid']))

    @_synchronized
    @_instance_event
    @_settle_on_failure
    def finish_resize(self, context, instance_uuid, migration_uuid):
        """Destination: the guest is created from the handed-over disks
        with the new flavor (resize_finish), and the server, with the
        room it holds, moves here in one transaction: VERIFY_RESIZE
        (powered off if it was stopped). A failure is ERROR (Nova)."""
        ctxt = self._admin
        found = self._load_move(ctxt, instance_uuid, migration_uuid,
                                states.RESIZE_MIGRATED, 'post-migrating',
                                'resize finish')
        if found is None:
            return
        instance, migration = found
        try:
            _old, new, vm_state = self._move_metadata(ctxt, instance_uuid)
            self._move_task(ctxt, instance, states.RESIZE_FINISH)
        except (exception.UnexpectedTaskStateError,
                exception.InstanceNotFound):
            self._migration_error(ctxt, migration)
            return
        self._notify(instance_uuid, 'resize_finish', 'start')
        moved = dict(instance, host=self.host, node=self.host,
                     **self._flavor_values(new))
        network_info = self._network_info(instance)
        power_on = vm_state != states.STOPPED
        transfer = images.transfer_dir(migration_uuid)
        try:
            self.driver.finish_migration(
                moved, self._image_or_empty(ctxt, instance['image_ref']),
                transfer, network_info, power_on=power_on)
        except Exception as e:
            self._migration_error(ctxt, migration)
            self._set_error(ctxt, instance, e,
                            expected_task_state=states.RESIZE_FINISH)
            return
        images.remove_file(transfer)
        try:
            db.migration_update(
                ctxt, migration_uuid, {'status': 'finished'},
                expected_status='post-migrating',
                instance_values=dict(
                    self._flavor_values(new), host=self.host,
                    node=self.host, vm_state=states.RESIZED,
                    task_state=None, launched_at=db.utcnow(),
                    power_state=(states.RUNNING if power_on
                                 else states.SHUTDOWN)),
                expected_task_state=states.RESIZE_FINISH)
        except (exception.UnexpectedTaskStateError,
                exception.InstanceNotFound, exception.MigrationNotFound):
            # NOTE: deleted meanwhile, on its source: the guest made here
            # is no server's.
            LOG.info('Server %s was deleted while its resize finished',
                     instance_uuid)
            with utils.ignore_errors('removing the guest of a deleted '
                                     'server'):
                self.driver.destroy(moved, network_info)
            self._migration_error(ctxt, migration)
            return
        self._notify(instance_uuid, 'resize_finish', 'end')

    @_synchronized
    @_instance_event
    @_settle_on_failure
    def confirm_resize(self, context, instance_uuid, migration_uuid):
        """Source: what was kept for a revert goes; the server is ACTIVE,
        or SHUTOFF when its guest is off (Nova's confirm)."""
        ctxt = self._admin
        migration = db.migration_get(ctxt, migration_uuid)
        if migration['status'] != 'confirming':
            LOG.info('Skipping the confirm of %s: migration %s is %s',
                     instance_uuid, migration_uuid, migration['status'])
            return
        instance = self._load_if_exists(ctxt, instance_uuid)
        if instance is not None:
            self._notify(instance_uuid, 'resize_confirm', 'start')
        try:
            self.driver.confirm_migration(instance or
                                          {'uuid': instance_uuid})
        except Exception as e:
            self._migration_error(ctxt, migration)
            if instance is not None:
                self._set_error(ctxt, instance, e,
                                expected_task_state=instance['task_state'])
            return
        values = None
        if instance is not None:
            values = {'vm_state': (states.STOPPED
                                   if instance['power_state']
                                   == states.SHUTDOWN else states.ACTIVE),
                      'task_state': None}
        try:
            db.migration_update(ctxt, migration_uuid,
                                {'status': 'confirmed'},
                                expected_status='confirming',
                                instance_values=values,
                                expected_task_state=None)
        except (exception.UnexpectedTaskStateError,
                exception.InstanceNotFound):
            # A delete took over: the migration is over all the same.
            db.migration_update(ctxt, migration_uuid,
                                {'status': 'confirmed'})
        if instance is not None:
            self._forget_move(ctxt, instance_uuid)
            self._notify(instance_uuid, 'resize_confirm', 'end')

    @_synchronized
    @_instance_event
    @_settle_on_failure
    def revert_resize(self, context, instance_uuid, migration_uuid):
        """Destination: the new guest goes, then the source brings the
        old one back."""
        ctxt = self._admin
        found = self._load_move(ctxt, instance_uuid, migration_uuid,
                                states.RESIZE_REVERTING, 'reverting',
                                'resize revert')
        if found is None:
            return
        self._notify(instance_uuid, 'resize_revert', 'start')
        self._revert_on_destination(ctxt, context, *found)

    def _revert_on_destination(self, ctxt, context, instance, migration):
        try:
            self.driver.destroy(instance, self._network_info(instance))
            images.remove_file(images.transfer_dir(migration['uuid']))
            if migration['source_compute'] == self.host:
                # NOTE: on one host: done here, under the server's lock.
                self._finish_revert(ctxt, instance, migration)
            else:
                self._moves_rpcapi.finish_revert_resize(
                    context, migration['source_compute'], instance['uuid'],
                    migration['uuid'])
        except Exception as e:
            self._migration_error(ctxt, migration)
            self._set_error(ctxt, instance, e,
                            expected_task_state=states.RESIZE_REVERTING)

    @_synchronized
    @_instance_event
    @_settle_on_failure
    def finish_revert_resize(self, context, instance_uuid, migration_uuid):
        """Source: the old guest comes back with the old flavor and the
        server, with the room it holds, moves back here: ACTIVE, or
        SHUTOFF if it was stopped before the resize."""
        ctxt = self._admin
        found = self._load_move(ctxt, instance_uuid, migration_uuid,
                                states.RESIZE_REVERTING, 'reverting',
                                'resize revert')
        if found is None:
            return
        self._finish_revert(ctxt, *found)

    def _finish_revert(self, ctxt, instance, migration):
        old, _new, vm_state = self._move_metadata(ctxt, instance['uuid'])
        reverted = dict(instance, host=self.host, node=self.host,
                        **self._flavor_values(old))
        power_on = vm_state != states.STOPPED
        try:
            self.driver.finish_revert_migration(
                reverted, self._image_or_empty(ctxt, instance['image_ref']),
                self._network_info(instance), power_on=power_on)
        except Exception as e:
            self._migration_error(ctxt, migration)
            self._set_error(ctxt, instance, e,
                            expected_task_state=states.RESIZE_REVERTING)
            return
        try:
            db.migration_update(
                ctxt, migration['uuid'], {'status': 'reverted'},
                expected_status='reverting',
                instance_values=dict(
                    self._flavor_values(old), host=self.host,
                    node=self.host, task_state=None,
                    vm_state=states.ACTIVE if power_on else states.STOPPED,
                    power_state=(states.RUNNING if power_on
                                 else states.SHUTDOWN)),
                expected_task_state=states.RESIZE_REVERTING)
        except (exception.UnexpectedTaskStateError,
                exception.InstanceNotFound, exception.MigrationNotFound):
            LOG.info('Server %s was deleted while its resize was '
                     'reverted', instance['uuid'])
            with utils.ignore_errors('removing the guest of a deleted '
                                     'server'):
                self.driver.destroy(reverted, self._network_info(instance))
            self._migration_error(ctxt, migration)
            return
        self._forget_move(ctxt, instance['uuid'])
        self._notify(instance['uuid'], 'resize_revert', 'end')

    # Shelve

    @_synchronized
    @_instance_event
    @_settle_on_failure
    def shelve_instance(self, context, instance_uuid, image_id):
        """The guest is powered off (cleanly, unless paused) and its disk
        written into the ``<name>-shelved`` image: SHELVED, and offloaded
        at once when ``shelved_offload_time`` is 0 (Nova). A failure
        deletes the image and leaves the server's vm_state, with a
        fault."""
        ctxt = self._admin
        instance = self._load_in_task(ctxt, instance_uuid, states.SHELVING,
                                      'shelve')
        if instance is None:
            images.delete(ctxt, image_id)
            return
        self._notify(instance_uuid, 'shelve', 'start')
        try:
            timeout = (0 if instance['power_state'] == states.PAUSED_POWER
                       else CONF.shutdown_timeout)
            self.driver.power_off(instance, timeout)
            self._snapshot(ctxt, instance, image_id,
                           (states.SHELVING_IMAGE_PENDING_UPLOAD,
                            states.SHELVING_IMAGE_UPLOADING))
        except exception.UnexpectedTaskStateError:
            images.delete(ctxt, image_id)
            return
        except Exception as e:
            images.delete(ctxt, image_id)
            values = {'power_state': self._power_state(instance)}
            if values['power_state'] != states.RUNNING and \
                    instance['vm_state'] == states.ACTIVE:
                # NOTE: what the power sync would make of it at once (the
                # guest was stopped for the snapshot).
                values['vm_state'] = states.STOPPED
            self._revert_with_fault(ctxt, instance, e, instance['task_state'],
                                    values)
            return
        offload = CONF.shelved_offload_time == 0
        db.instance_system_metadata_update(ctxt, instance_uuid, {
            'shelved_at': db.utcnow().isoformat(),
            'shelved_image_id': image_id, 'shelved_host': self.host})
        try:
            self._move_task(
                ctxt, instance,
                states.SHELVING_OFFLOADING if offload else None,
                {'vm_state': states.SHELVED,
                 'power_state': self._power_state(instance)})
        except (exception.UnexpectedTaskStateError,
                exception.InstanceNotFound):
            return
        self._notify(instance_uuid, 'shelve', 'end')
        if offload:
            self._offload(ctxt, instance)

    def _offload(self, ctxt, instance):
        """SHELVED -> SHELVED_OFFLOADED: the guest is destroyed (its
        addresses stay the server's) and the host freed (no host)."""
        self._notify(instance['uuid'], 'shelve_offload', 'start')
        try:
            network_info = self._network_info(instance)
            self.driver.power_off(instance)
            self.driver.destroy(instance, network_info)
        except Exception as e:
            self._revert_with_fault(ctxt, instance, e,
                                    states.SHELVING_OFFLOADING)
            return
        try:
            self._move_task(ctxt, instance, None,
                            {'vm_state': states.SHELVED_OFFLOADED,
                             'power_state': states.SHUTDOWN,
                             'host': None, 'node': None})
        except (exception.UnexpectedTaskStateError,
                exception.InstanceNotFound):
            return
        self._notify(instance['uuid'], 'shelve_offload', 'end')
        self._instance_locks.discard(instance['uuid'])

    @_synchronized
    @_instance_event
    @_settle_on_failure
    def shelve_offload_instance(self, context, instance_uuid):
        ctxt = self._admin
        instance = self._load_in_task(ctxt, instance_uuid,
                                      states.SHELVING_OFFLOADING,
                                      'shelve offload')
        if instance is not None:
            self._offload(ctxt, instance)

    def offload_shelved_instances(self):
        """Periodic (Nova's ``_poll_shelved_instances``): this host's
        servers shelved ``shelved_offload_time`` seconds ago or more are
        offloaded."""
        if CONF.shelved_offload_time <= 0:
            return
        ctxt = self._admin
        oldest = db.utcnow() - datetime.timedelta(
            seconds=CONF.shelved_offload_time)
        for row in db.instance_get_all_by_host(ctxt, self.host):
            if row['vm_state'] != states.SHELVED or \
                    row['task_state'] is not None:
                continue
            shelved_at = db.instance_system_metadata_get(
                ctxt, row['uuid']).get('shelved_at')
            try:
                if shelved_at and datetime.datetime.fromisoformat(
                        shelved_at) > oldest:
                    continue
            except ValueError:
                pass
            with self._instance_locks.get(row['uuid']):
                try:
                    instance = self._load(ctxt, row['uuid'])
                    db.instance_update(
                        ctxt, row['uuid'],
                        {'task_state': states.SHELVING_OFFLOADING},
                        expected_task_state=None,
                        expected_vm_state=states.SHELVED)
                    instance['task_state'] = states.SHELVING_OFFLOADING
                except (exception.UnexpectedTaskStateError,
                        exception.InstanceInvalidState,
                        exception.InstanceNotFound):
                    continue
                LOG.info('Offloading server %s, shelved at %s',
                         row['uuid'], shelved_at)
                try:
                    self._offload(ctxt, instance)
                except Exception:
                    LOG.exception('Could not offload server %s',
                                  row['uuid'])

    @_synchronized
    @_instance_event
    @_settle_on_failure
    def unshelve_instance(self, context, instance_uuid, image_id=None):
        """A SHELVED server's guest is powered on; a SHELVED_OFFLOADED
        one's is created here from the shelved image (task spawning).
        Then the image is deleted: ACTIVE. A failure leaves the server
        as it was (an offloaded one without host again), with a fault."""
        ctxt = self._admin
        instance = self._load_in_task(ctxt, instance_uuid,
                                      states.UNSHELVING, 'unshelve')
        if instance is None:
            return
        self._notify(instance_uuid, 'unshelve', 'start')
        offloaded = instance['vm_state'] == states.SHELVED_OFFLOADED
        values = {}
        try:
            if offloaded:
                self._move_task(ctxt, instance, states.SPAWNING)
                if not image_id:
                    raise exception.ImageNotFound(image_id=image_id)
                self.driver.unshelve(instance, self._image(ctxt, image_id),
                                     self._network_info(instance))
                values['launched_at'] = db.utcnow()
            else:
                self._power_on(instance)
        except exception.UnexpectedTaskStateError:
            return
        except Exception as e:
            undo = {}
            if offloaded:
                with utils.ignore_errors('cleaning up a failed unshelve'):
                    self.driver.destroy(instance,
                                        self._network_info(instance))
                undo = {'host': None, 'node': None}
            self._revert_with_fault(ctxt, instance, e, instance['task_state'],
                                    undo)
            return
        try:
            self._move_task(ctxt, instance, None,
                            dict(values, vm_state=states.ACTIVE,
                                 power_state=states.RUNNING))
        except (exception.UnexpectedTaskStateError,
                exception.InstanceNotFound):
            return
        self._notify(instance_uuid, 'unshelve', 'end')
        if image_id:
            images.delete(ctxt, image_id)
        db.instance_system_metadata_update(
            ctxt, instance_uuid, {'shelved_at': None,
                                  'shelved_image_id': None,
                                  'shelved_host': None})

    # Start-up: servers caught in these tasks when the agent stopped.

    # NOTE: with image_backup, which Nova's start-up leaves as it is (the
    # server would refuse every action).
    _SNAPSHOT_TASKS = (states.IMAGE_SNAPSHOT_PENDING, states.IMAGE_SNAPSHOT,
                       states.IMAGE_BACKUP, states.IMAGE_PENDING_UPLOAD,
                       states.IMAGE_UPLOADING, states.SHELVING,
                       states.SHELVING_IMAGE_PENDING_UPLOAD,
                       states.SHELVING_IMAGE_UPLOADING)
    _REBUILD_TASKS = (states.REBUILDING, states.REBUILD_BLOCK_DEVICE_MAPPING,
                      states.REBUILD_SPAWNING)
    DISK_TASKS = frozenset(
        _SNAPSHOT_TASKS + _REBUILD_TASKS
        + (states.RESIZE_PREP, states.RESIZE_MIGRATING,
           states.RESIZE_MIGRATED, states.RESIZE_FINISH,
           states.RESIZE_REVERTING, states.SHELVING_OFFLOADING,
           states.UNSHELVING))

    def _init_disk_task(self, ctxt, instance):
        """Settle a server of this host whose agent stopped during one of
        the operations above (Nova's ``_init_instance`` where it has a
        rule): a snapshot's or shelve's task is cleared and its unfinished
        image deleted; a rebuild is ERROR; a resize not yet handed over is
        put back (the source's guest too); an offload or a revert is done
        again. A move whose next step is another agent's is left to it
        (see _reconcile_moves)."""
        uuid = instance['uuid']
        task = instance['task_state']
        restarted = exception.NovaliteException(
            'The compute agent restarted during the operation.')
        if task in self._SNAPSHOT_TASKS:
            for image in db.image_get_unfinished_snapshots(ctxt, uuid):
                images.delete(ctxt, image['id'])
            db.instance_update(ctxt, uuid,
                               {'task_state': None,
                                'power_state': self._power_state(instance)},
                               expected_task_state=task)
        elif task in self._REBUILD_TASKS:
            self._set_error(ctxt, instance, restarted,
                            expected_task_state=task)
        elif task in (states.RESIZE_PREP, states.RESIZE_MIGRATING):
            for migration in db.migrations_in_progress(
                    ctxt, instance_uuid=uuid):
                if task == states.RESIZE_MIGRATING:
                    self._undo_migrate_disk(ctxt, instance, migration)
                self._migration_error(ctxt, migration)
            db.instance_update(ctxt, uuid,
                               {'task_state': None,
                                'power_state': self._power_state(instance)},
                               expected_task_state=task)
        elif task == states.RESIZE_REVERTING:
            for migration in db.migrations_in_progress(
                    ctxt, instance_uuid=uuid):
                if migration['status'] == 'reverting' and \
                        migration['dest_compute'] == self.host:
                    self._revert_on_destination(ctxt, ctxt, instance,
                                                migration)
        elif task == states.SHELVING_OFFLOADING:
            self._offload(ctxt, instance)
        elif task == states.UNSHELVING:
            values = {'task_state': None}
            if instance['vm_state'] == states.SHELVED_OFFLOADED:
                with utils.ignore_errors('cleaning up an unshelve'):
                    self.driver.destroy(instance,
                                        self._network_info(instance))
                values.update(host=None, node=None)
            db.instance_update(ctxt, uuid, values, expected_task_state=task)
        # RESIZE_MIGRATED, RESIZE_FINISH: the destination's step.

    def _reconcile_moves(self):
        """At start-up, the moves whose step on this host, as their
        destination, was lost: a destination that died before it handed
        over to the source puts the server back; one that died before the
        server was here has the source bring the guest back (a revert)."""
        ctxt = self._admin
        for migration in db.migrations_in_progress(ctxt, host=self.host):
            if migration['dest_compute'] != self.host or \
                    migration['source_compute'] == self.host:
                continue  # this host's servers: see _init_disk_task
            try:
                instance = self._load_if_exists(ctxt,
                                                migration['instance_uuid'])
                if instance is None:
                    self._migration_error(ctxt, migration)
                    continue
                task = instance['task_state']
                if migration['status'] == 'pre-migrating' and \
                        task == states.RESIZE_PREP:
                    self._roll_back_prep(
                        ctxt, instance, migration, exception.NovaliteException(
                            'The compute agent of the destination '
                            'restarted during the resize.'))
                elif migration['status'] == 'post-migrating' and \
                        task in (states.RESIZE_MIGRATED,
                                 states.RESIZE_FINISH):
                    with utils.ignore_errors('removing a half-made guest'):
                        self.driver.destroy(instance,
                                            self._network_info(instance))
                    db.migration_update(
                        ctxt, migration['uuid'], {'status': 'reverting'},
                        expected_status='post-migrating',
                        instance_values={
                            'task_state': states.RESIZE_REVERTING},
                        expected_task_state=task)
                    self._moves_rpcapi.finish_revert_resize(
                        ctxt, migration['source_compute'],
                        instance['uuid'], migration['uuid'])
            except Exception:
                LOG.exception('Could not settle migration %s at start-up',
                              migration['uuid'])

    def _end_moves_of_deleted(self, ctxt, instance):
        """A server deleted during a resize or migration: what its source
        kept for a revert goes too (Nova confirms the resize on delete)."""
        for migration in db.migrations_in_progress(
                ctxt, instance_uuid=instance['uuid']):
            try:
                db.migration_update(ctxt, migration['uuid'],
                                    {'status': 'confirming'})
                source = migration['source_compute']
                if source == self.host:
                    self.driver.confirm_migration(instance)
                    db.migration_update(ctxt, migration['uuid'],
                                        {'status': 'confirmed'})
                elif source:
                    self._moves_rpcapi.confirm_resize(
                        ctxt, source, instance['uuid'], migration['uuid'])
            except Exception:
                LOG.exception('Could not end migration %s of deleted '
                              'server %s', migration['uuid'],
                              instance['uuid'])

    def _kept_images(self, ctxt):
        """Images of the guests this host keeps for a revert (their disks
        may be overlays of cached copies)."""
        kept = set()
        for migration in db.migrations_in_progress(ctxt, host=self.host):
            if migration['source_compute'] != self.host:
                continue
            instance = self._load_if_exists(ctxt, migration['instance_uuid'])
            if instance is not None and instance['image_ref']:
                kept.add(instance['image_ref'])
        return kept

    # ------------------------- pause, suspend, rescue, soft delete (1.1)

    def _power_state(self, instance):
        try:
            return self.driver.get_info(instance).state
        except exception.InstanceNotFound:
            return states.NOSTATE

    def _record(self, instance, task_state, values):
        """What an operation learnt, written while its task is still set
        (``_run_action`` then settles the states)."""
        db.instance_update(self._admin, instance['uuid'], values,
                           expected_task_state=task_state)

    def _network_info(self, instance):
        return db.network_info_for_instance(self._admin, instance['uuid'])

    def _suspend(self, instance):
        self.driver.suspend(instance)
        # NOTE: the hypervisor's word, as Nova's (libvirt: SHUTDOWN).
        self._record(instance, states.SUSPENDING,
                     {'power_state': self._power_state(instance)})

    def _resume(self, instance):
        self.driver.resume(instance, network_info=self._network_info(instance))

    def _rescue(self, instance, rescue_password=None, rescue_image_ref=None):
        """Nova's rescue_instance: the guest is shut down cleanly, then a
        rescue guest boots from the rescue image, or the server's own;
        ``launched_at`` is the rescue's. Any failure is Nova's
        InstanceNotRescuable (the server goes to ERROR with it)."""
        try:
            image = self._image(self._admin,
                                rescue_image_ref or instance['image_ref'])
            self.driver.power_off(instance, CONF.shutdown_timeout)
            self.driver.rescue(instance, image, rescue_password,
                               network_info=self._network_info(instance))
        except Exception as e:
            # NOTE: the fault (400) keeps no traceback: the log does.
            LOG.exception('Rescue of server %s failed', instance['uuid'])
            reason = (e.message if isinstance(e, exception.NovaliteException)
                      else e.__class__.__name__)
            raise exception.InstanceNotRescuable(
                instance_id=instance['uuid'],
                reason='Driver Error: %s' % reason) from e
        self._record(instance, states.RESCUING, {'launched_at': db.utcnow()})

    def _unrescue(self, instance):
        self.driver.unrescue(instance,
                             network_info=self._network_info(instance))

    def _soft_delete(self, instance):
        # NOTE: Nova powers the guest off at once (no clean shutdown)
        # when the driver has no soft delete of its own.
        self.driver.power_off(instance)

    def _operation(self, action):
        """The work of ``action`` on a server: for its RPC handler, and
        for the start-up, which finishes one the agent died in."""
        return {
            'pause': self.driver.pause,
            'unpause': self.driver.unpause,
            'suspend': self._suspend,
            'resume': self._resume,
            'rescue': self._rescue,
            'unrescue': self._unrescue,
            'soft_delete': self._soft_delete,
            'restore': self._power_on,
        }[action]

    def _act(self, action, instance_uuid):
        self._run_action(self._admin, instance_uuid, action,
                         states.TRANSITIONS[action].new_task_state,
                         self._operation(action))

    @_synchronized
    @_instance_event
    @_settle_on_failure
    def pause_instance(self, context, instance_uuid):
        self._act('pause', instance_uuid)

    @_synchronized
    @_instance_event
    @_settle_on_failure
    def unpause_instance(self, context, instance_uuid):
        self._act('unpause', instance_uuid)

    @_synchronized
    @_instance_event
    @_settle_on_failure
    def suspend_instance(self, context, instance_uuid):
        self._act('suspend', instance_uuid)

    @_synchronized
    @_instance_event
    @_settle_on_failure
    def resume_instance(self, context, instance_uuid):
        self._act('resume', instance_uuid)

    @_synchronized
    @_instance_event
    @_settle_on_failure
    def rescue_instance(self, context, instance_uuid, rescue_password=None,
                        rescue_image_ref=None):
        self._run_action(
            self._admin, instance_uuid, 'rescue', states.RESCUING,
            lambda inst: self._rescue(inst, rescue_password,
                                      rescue_image_ref),
            rescue_image_ref=rescue_image_ref)

    @_synchronized
    @_instance_event
    @_settle_on_failure
    def unrescue_instance(self, context, instance_uuid):
        self._act('unrescue', instance_uuid)

    @_synchronized
    @_instance_event
    @_settle_on_failure
    def soft_delete_instance(self, context, instance_uuid):
        self._act('soft_delete', instance_uuid)

    @_synchronized
    @_instance_event
    @_settle_on_failure
    def restore_instance(self, context, instance_uuid):
        self._act('restore', instance_uuid)

    def _finish_interrupted(self, ctxt, instance):
        """At start-up, a server whose agent died during one of the
        operations above. Nova's rules for a pause: a guest that runs
        makes the server ACTIVE, a paused one is unpaused when that was
        asked. The others (and a pause whose guest is paused) are done
        again: each driver operation takes a guest already in its state.
        (A rescue done again has lost the password the API answered: the
        rescue guest gets none.)"""
        task = instance['task_state']
        action = _INTERRUPTED_ACTIONS[task]
        if action in ('pause', 'unpause'):
            power = self._power_state(instance)
            if power == states.RUNNING:
                db.instance_update(ctxt, instance['uuid'],
                                   {'vm_state': states.ACTIVE,
                                    'task_state': None,
                                    'power_state': power},
                                   expected_task_state=task)
                return
            if power != states.PAUSED_POWER:
                # Off or gone: no task, and the power sync decides.
                db.instance_update(ctxt, instance['uuid'],
                                   {'task_state': None},
                                   expected_task_state=task)
                return
        LOG.info('Finishing the %s of server %s, interrupted by the '
                 'agent\'s restart', action, instance['uuid'])
        self._run_action(ctxt, instance['uuid'], action, task,
                         self._operation(action))

    def reclaim_queued_deletes(self):
        """Periodic (Nova's ``_reclaim_queued_deletes``): this host's
        servers soft-deleted ``reclaim_instance_interval`` seconds ago or
        more are deleted for good."""
        interval = CONF.reclaim_instance_interval
        if interval <= 0:
            return
        ctxt = self._admin
        oldest = db.utcnow() - datetime.timedelta(seconds=interval)
        for instance in db.instance_get_all_by_host(ctxt, self.host):
            if (instance['vm_state'] != states.SOFT_DELETED
                    or instance['task_state'] is not None
                    or (instance['deleted_at']
                        and instance['deleted_at'] > oldest)):
                continue
            LOG.info('Reclaiming soft-deleted server %s', instance['uuid'])
            try:
                # NOTE: a compare-and-swap, so that a restore racing for
                # the server either comes first or finds it deleting.
                db.instance_update(ctxt, instance['uuid'],
                                   {'task_state': states.DELETING},
                                   expected_task_state=None,
                                   expected_vm_state=states.SOFT_DELETED)
            except (exception.UnexpectedTaskStateError,
                    exception.InstanceInvalidState,
                    exception.InstanceNotFound):
                continue
            try:
                self.terminate_instance(ctxt, instance['uuid'])
            except Exception:
                LOG.exception('Could not reclaim server %s',
                              instance['uuid'])
