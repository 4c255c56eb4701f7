"""What the API does with servers, between the controllers and the agent.

Controllers validate and authorise; this module checks state (through
``novalite.states``), writes the database with compare-and-swap updates,
and casts to the compute agent of the server's host.
"""

import re
import secrets
import string
import uuid as uuidlib

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

from novalite.compute import rpcapi as compute_rpcapi
from novalite.compute import scheduler
from novalite.compute import utils as compute_utils
from novalite.db import api as db
from novalite import exception
from novalite import quota
from novalite import servicegroup
from novalite import states

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

MAX_TAGS = 50

_PASSWORD_GROUPS = ('23456789', 'ABCDEFGHJKLMNPQRSTUVWXYZ',
                    'abcdefghijkmnopqrstuvwxyz')


def generate_password(length=None):
    """A password with a character from each of Nova's groups."""
    length = CONF.password_length if length is None else length
    chars = [secrets.choice(group) for group in _PASSWORD_GROUPS][:length]
    alphabet = ''.join(_PASSWORD_GROUPS)
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return ''.join(chars)


def generate_reservation_id():
    alphabet = string.digits + string.ascii_lowercase
    return 'r-' + ''.join(secrets.choice(alphabet) for _ in range(8))


def sanitize_hostname(name, default='Server'):
    """Nova's rule for the guest hostname derived from the display name."""
    hostname = name.encode('latin-1', 'ignore').decode('latin-1')
    hostname = re.sub(r'[ _.]', '-', hostname)
    hostname = re.sub(r'[^\w.-]+', '', hostname)
    hostname = hostname.lower().strip('.-')
    hostname = hostname[:63].strip('.-')
    return hostname or default


# The extras a server is shown with (metadata, tags, fault, addresses).
ALL_EXTRAS = db.ALL_EXTRAS


def service_for_host(context, host):
    if host is None:
        return None
    services = services_for_hosts(context, [host])
    return services[0] if services else None


def services_for_hosts(context, hosts):
    """The compute services of ``hosts``."""
    return db.service_get_all(context, binary=compute_utils.BINARY,
                              hosts=set(hosts))


class API:

    def __init__(self):
        self._rpcapi = None

    @property
    def rpcapi(self):
        # NOTE: built lazily so that importing the API (e.g. for docs or
        # policy generation) needs no messaging transport.
        if self._rpcapi is None:
            self._rpcapi = compute_rpcapi.ComputeAPI()
        return self._rpcapi

    # ---------------------------------------------------------------- read

    @staticmethod
    def get_owner(context, instance_uuid):
        """A server, deleted or not, whoever owns it: for a policy check
        against its project before the caller may see it (as Nova does
        for some routes). InstanceNotFound if there is none."""
        return db.instance_get_by_uuid(
            context.elevated(read_deleted='yes'), instance_uuid,
            project_only=False, extras=())

    def get(self, context, instance_uuid, extras=db.ALL_EXTRAS):
        """A live server the caller may see, else InstanceNotFound."""
        if not uuidlib_like(instance_uuid):
            raise exception.InstanceNotFound(instance_id=instance_uuid)
        return db.instance_get_by_uuid(context, instance_uuid,
                                       project_only=True, extras=extras)

    def get_all(self, context, filters, limit=None, marker=None,
                sort_keys=None, sort_dirs=None, extras=db.ALL_EXTRAS):
        """A page of servers; ``filters`` carry the project scoping."""
        return db.instance_get_all_by_filters_sort(
            context, filters, limit=limit, marker=marker,
            sort_keys=sort_keys, sort_dirs=sort_dirs, extras=extras)

    # -------------------------------------------------------------- create

    def create(self, context, flavor, image, name, min_count=1,
               max_count=1, description=None, metadata=None, key_pair=None,
               user_data=None, access_ip_v4=None, access_ip_v6=None,
               auto_disk_config=False, config_drive=False,
               availability_zone=None, forced_host=None,
               security_groups=None, admin_password=None,
               injected_files=None, requested_networks=None, tags=None):
        """Create servers and cast their builds; returns (servers,
        reservation_id). ``admin_password`` is sent to the agent only.

        ``requested_networks``: None when the request named none (see
        ``networks_for_create``), else a list of {'uuid', 'fixed_ip'?}
        (``[]``: no network). Each server gets an address on each network.
        """
        quota.check_metadata(metadata)
        quota.check_injected_files(injected_files or [])
        networks = self.networks_for_create(context, requested_networks)
        project_id = context.project_id
        count = quota.check_instances(context, project_id, flavor,
                                      min_count, max_count)
        reservation_id = generate_reservation_id()

        def build(index, service):
            """The values of the index-th server, on ``service``'s host
            (None: no host)."""
            host = service['host'] if service else None
            display_name = name if count == 1 else '%s-%d' % (
                name, index + 1)
            values = {
                'uuid': str(uuidlib.uuid4()),
                'project_id': project_id,
                'user_id': context.user_id,
                'display_name': display_name,
                'display_description': description,
                'hostname': sanitize_hostname(display_name),
                'reservation_id': reservation_id,
                'launch_index': index,
                'image_ref': image['id'],
                'instance_type_id': flavor['id'],
                'flavorid': flavor['flavorid'],
                'flavor_name': flavor['name'],
                'vcpus': flavor['vcpus'],
                'memory_mb': flavor['memory_mb'],
                'root_gb': flavor['root_gb'],
                'ephemeral_gb': flavor['ephemeral_gb'],
                'swap': flavor['swap'],
                'key_name': key_pair['name'] if key_pair else None,
                'key_data': key_pair['public_key'] if key_pair else None,
                'user_data': user_data,
                'config_drive': 'True' if config_drive else '',
                'access_ip_v4': access_ip_v4,
                'access_ip_v6': access_ip_v6,
                'auto_disk_config': bool(auto_disk_config),
                'availability_zone': ((service or {}).get(
                    'availability_zone') or availability_zone),
                'security_groups': security_groups or ['default'],
                'vm_state': states.BUILDING,
                'task_state': states.SCHEDULING,
                'power_state': states.NOSTATE,
                'host': host,
                'node': host,
                'progress': 0,
            }
            if values['hostname'] == 'Server':
                values['hostname'] = 'Server-%s' % values['uuid']
            return values

        def place(services, usage):
            return scheduler.place(
                services, usage, flavor, count,
                availability_zone=availability_zone, force_host=forced_host)

        instances, no_host = [], None
        try:
            try:
                # NOTE: the hosts are chosen, and their room claimed, in the
                # transaction that inserts the servers, with the candidate
                # hosts' service rows locked: concurrent creates, in any
                # API process, cannot overcommit a host (see
                # db.instance_create_claimed).
                instances = db.instance_create_claimed(
                    context, compute_utils.BINARY, place, build,
                    availability_zone=availability_zone, host=forced_host,
                    metadata=metadata, tags=tags)
            except exception.NoValidHost as e:
                # NOTE: no more servers in ERROR than the hosts could hold
                # (see scheduler.place), whatever the count asked for.
                no_host = e
                for index in range(e.kwargs.get('servers', 1)):
                    instances.append(db.instance_create(
                        context, build(index, None), metadata=metadata,
                        tags=tags))
            # NOTE: the recheck runs after the rows exist, so that two
            # racing requests cannot both pass on the same free room.
            quota.check_instances(context, project_id, flavor, min_count,
                                  max_count, recheck=True)
            for instance in instances:
                self._allocate_fixed_ips(context, instance, networks)
        except Exception:
            # NOTE: the hard delete releases the server's addresses too.
            for instance in instances:
                db.instance_hard_delete(context, instance['uuid'])
            raise
        if no_host is not None:
            for instance in instances:
                self._fail_build(context, instance, no_host)
            return instances, reservation_id
        files = [[path, contents] for path, contents in
                 (injected_files or ())]
        for instance in instances:
            try:
                # NOTE: the agent reads the server's networks from the
                # database (db.network_info_for_instance).
                self.rpcapi.build_and_run_instance(
                    context, instance['host'], instance['uuid'],
                    admin_password=admin_password, injected_files=files)
            except messaging.MessagingException as e:
                LOG.error('Could not cast the build of %s: %s',
                          instance['uuid'], e)
                self._fail_build(context, instance, e)
        return instances, reservation_id

    @staticmethod
    def _fail_build(context, instance, error):
        """ERROR with a fault, and no addresses (as in Nova)."""
        compute_utils.record_fault(context, instance['uuid'], error)
        db.fixed_ips_release_by_instance(context, instance['uuid'])
        updated = db.instance_update(
            context, instance['uuid'],
            {'vm_state': states.ERROR, 'task_state': None},
            expected_task_state=states.SCHEDULING)
        instance.update(updated)

    # ------------------------------------------------------------ networks

    @staticmethod
    def network_visible(context, network):
        """Shared networks, and the caller's project's; all for admins."""
        return (context.is_admin or network['project_id'] is None
                or network['project_id'] == context.project_id)

    def network_get(self, context, network_uuid):
        """A network the caller may see, else NetworkNotFound."""
        network = db.network_get(context, network_uuid)
        if not self.network_visible(context, network):
            raise exception.NetworkNotFound(network_id=network_uuid)
        return network

    def network_get_all(self, context):
        return db.network_get_all(
            context, project_id=None if context.is_admin
            else context.project_id)

    def networks_for_create(self, context, requested_networks):
        """[(network, requested address or None)] for each new server.

        NOTE: with ``networks`` omitted, the candidates are the project's
        own networks if it has any, else the shared networks: exactly one
        candidate is used, more than one is NetworkAmbiguous (409), none
        means no network. (Nova asks Neutron for the project's and the
        shared networks and refuses to guess between several.)
        """
        if requested_networks is None:
            visible = db.network_get_all(context,
                                         project_id=context.project_id)
            candidates = ([n for n in visible
                           if n['project_id'] == context.project_id]
                          or [n for n in visible if n['project_id'] is None])
            if len(candidates) > 1:
                raise exception.NetworkAmbiguous()
            return [(network, None) for network in candidates]
        networks = []
        for request in requested_networks:
            try:
                network = self.network_get(context, request['uuid'])
            except exception.NetworkNotFound as e:
                raise exception.Invalid(e.message)  # 400 on create
            networks.append((network, request.get('fixed_ip')))
        return networks

    @staticmethod
    def _allocate_fixed_ips(context, instance, networks):
        for network, address in networks:
            try:
                db.fixed_ip_allocate(context, network['uuid'],
                                     instance['uuid'], address=address)
            except exception.NetworkNotFound as e:
                raise exception.Invalid(e.message)  # deleted meanwhile
            except exception.FixedIpAlreadyInUse as e:
                # NOTE: the holder is named only to whom may see it (Nova
                # asks Neutron, with the caller's token, for the port that
                # holds the address: another project's goes unnamed).
                try:
                    db.instance_get_by_uuid(
                        context, e.kwargs['instance_uuid'], extras=())
                except exception.InstanceNotFound:
                    raise exception.FixedIpAlreadyInUse(
                        'Fixed IP %s is already in use.' % address)
                raise

    # -------------------------------------------------------------- update

    def update(self, context, instance, values):
        """No state check and no lock check, as in Nova."""
        updated = db.instance_update(context, instance['uuid'], values)
        instance.update(updated)
        return instance

    # -------------------------------------------------------------- delete

    @staticmethod
    def check_lock(context, instance):
        if instance['locked'] and not context.is_admin:
            raise exception.InstanceIsLocked(instance_uuid=instance['uuid'])

    def delete(self, context, instance):
        self.check_lock(context, instance)
        uuid = instance['uuid']
        service = service_for_host(context.elevated(), instance['host'])
        host_up = service is not None and servicegroup.is_up(service)
        if instance['task_state'] == states.DELETING and host_up:
            return  # already on its way; a repeat delete is a no-op
        # Delete is allowed whatever the task: take the task over with a
        # compare-and-swap from the state we last saw, re-reading if an
        # operation moved it meanwhile.
        current = instance['task_state']
        for _attempt in range(5):
            try:
                db.instance_update(context, uuid,
                                   {'task_state': states.DELETING,
                                    'progress': 0},
                                   expected_task_state=current)
                break
            except exception.UnexpectedDeletingTaskStateError:
                if host_up:
                    return
                break
            except exception.UnexpectedTaskStateError as e:
                current = e.kwargs['actual']
        else:
            raise exception.InstanceInvalidState(
                action='delete', instance_uuid=uuid, attr='task_state',
                state=current)
        if not host_up:
            # Never scheduled, or its agent is down: delete locally. The
            # agent destroys orphaned guests when it comes back.
            db.instance_destroy(context, uuid)
            return
        self._send(context, instance, 'terminate_instance',
                   task_state=states.DELETING, previous_task_state=current)

    # ------------------------------------------------------------- locking

    @staticmethod
    def is_expected_locked_by(context, instance):
        expected = ('owner' if instance['project_id'] == context.project_id
                    else 'admin')
        # An unlocked server (locked_by None) needs no override.
        return instance['locked_by'] in (None, expected)

    def lock(self, context, instance, reason=None):
        is_owner = instance['project_id'] == context.project_id
        if instance['locked'] and is_owner:
            return
        db.instance_update(context, instance['uuid'],
                           {'locked': True,
                            'locked_by': 'owner' if is_owner else 'admin',
                            'locked_reason': reason})

    def unlock(self, context, instance):
        db.instance_update(context, instance['uuid'],
                           {'locked': False, 'locked_by': None,
                            'locked_reason': None})

    # ------------------------------------------------------------- actions

    @staticmethod
    def _check_host(instance):
        """Nova's check_instance_host: an action for the agent needs the
        server's host. One never scheduled (ERROR after NoValidHost) has
        none, and a cast to no host would reach any agent."""
        if not instance['host']:
            raise exception.InstanceNotReady(instance_id=instance['uuid'])

    def _start_task(self, context, instance, action, extra=None):
        """Check lock, host and state, then CAS the task in; returns the
        server."""
        self.check_lock(context, instance)
        if action in ('start', 'stop'):
            # NOTE: before the state check, as Nova's decorators order it.
            self._check_host(instance)
        transition = states.check_transition(action, instance)
        if action in ('start', 'stop') and instance['launched_at'] is None:
            raise exception.InstanceInvalidState(
                action=action, instance_uuid=instance['uuid'],
                attr='vm_state', state=instance['vm_state'])
        if not instance['host']:
            # A HARD reboot allows ERROR; Nova refuses it so without host.
            raise exception.InstanceInvalidStateForAction(
                action=states.api_action_name(action),
                instance_uuid=instance['uuid'])
        values = {'task_state': transition.new_task_state}
        values.update(extra or {})
        try:
            return db.instance_update(
                context, instance['uuid'], values,
                expected_task_state=list(transition.task_states),
                expected_vm_state=list(transition.vm_states))
        except exception.UnexpectedTaskStateError as e:
            raise exception.InstanceInvalidState(
                action=action, instance_uuid=instance['uuid'],
                attr='task_state', state=e.kwargs.get('actual'))

    def _send(self, context, instance, method, *args, task_state=None,
              previous_task_state=None):
        """Send ``method`` to the server's agent. If the message cannot
        be sent, put back the task state the caller replaced (from
        ``task_state`` to ``previous_task_state``) and answer 503.

        NOTE: the task is set before the message goes, so that the agent
        finds it; a message that never went must not leave the task set
        (the server would refuse every action until an agent restart).
        """
        try:
            return getattr(self.rpcapi, method)(
                context, instance['host'], instance['uuid'], *args)
        except messaging.MessagingTimeout:
            raise  # sent, but no answer: the caller decides
        except messaging.MessagingException as e:
            LOG.error('Could not send %s for server %s: %s', method,
                      instance['uuid'], e)
            if task_state is not None:
                try:
                    db.instance_update(
                        context, instance['uuid'],
                        {'task_state': previous_task_state},
                        expected_task_state=task_state)
                except (exception.UnexpectedTaskStateError,
                        exception.InstanceNotFound):
                    pass  # someone else moved it on meanwhile
            raise exception.ComputeUnreachable()

    def reboot(self, context, instance, reboot_type):
        action = 'reboot_hard' if reboot_type == 'HARD' else 'reboot_soft'
        updated = self._start_task(context, instance, action)
        self._send(context, instance, 'reboot_instance', reboot_type,
                   task_state=updated['task_state'],
                   previous_task_state=instance['task_state'])

    def start(self, context, instance):
        self._start_task(context, instance, 'start')
        self._send(context, instance, 'start_instance',
                   task_state=states.POWERING_ON)

    def stop(self, context, instance):
        self._start_task(context, instance, 'stop', {'progress': 0})
        self._send(context, instance, 'stop_instance',
                   task_state=states.POWERING_OFF)

    def set_admin_password(self, context, instance, new_pass):
        self._start_task(context, instance, 'change_password')
        try:
            self._send(context, instance, 'set_admin_password', new_pass,
                       task_state=states.UPDATING_PASSWORD)
        except messaging.MessagingTimeout:
            db.instance_update(context, instance['uuid'],
                               {'task_state': None},
                               expected_task_state=states.UPDATING_PASSWORD)
            raise exception.InstancePasswordSetFailed(
                instance=instance['uuid'],
                reason='the compute agent did not answer')

    def trigger_crash_dump(self, context, instance):
        self.check_lock(context, instance)
        self._check_host(instance)
        states.check_transition('trigger_crash_dump', instance)
        self._send(context, instance, 'trigger_crash_dump')

    def get_console_output(self, context, instance, tail_length=None):
        self._check_host(instance)
        try:
            return self._send(context, instance, 'get_console_output',
                              tail_length)
        except exception.InstanceNotFound:
            raise exception.ConsoleNotAvailable()
        except messaging.MessagingTimeout:
            raise exception.ServiceUnavailable()

    # ---------------------------------------------------------------- tags

    def tag_list(self, context, instance):
        return db.instance_tag_list(context, instance['uuid'])

    def tag_set(self, context, instance, tags):
        return db.instance_tag_set(context, instance['uuid'], tags)

    def tag_add(self, context, instance, tag):
        return db.instance_tag_add(context, instance['uuid'], tag, MAX_TAGS)

    def tag_delete(self, context, instance, tag):
        db.instance_tag_delete(context, instance['uuid'], tag)


_UUID_RE = re.compile(r'^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?'
                      r'[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$')


def uuidlib_like(value):
    return bool(_UUID_RE.match(value or ''))
