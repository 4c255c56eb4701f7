"""What the API does with servers, between the controllers and the agent.

Controllers validate and authorise; this module checks state (through
``novalite.states``), writes the database with compare-and-swap updates,
and casts to the compute agent of the server's host.
"""

import dataclasses
import json
import re
import secrets
import string
import traceback
import uuid as uuidlib

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

from novalite.compute import availability_zones
from novalite.compute import flavors
from novalite.compute import images
from novalite.compute import keypairs
from novalite.compute import rpcapi as compute_rpcapi
from novalite.compute import scheduler
from novalite.compute import security_groups as secgroups
from novalite.compute import server_groups
from novalite.compute import utils as compute_utils
from novalite.db import api as db
from novalite import exception
from novalite import notifications
from novalite import policy
from novalite import quota
from novalite import servicegroup
from novalite import states

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

MAX_TAGS = 50

# ``networks: "auto"`` (2.37): pick as when networks are omitted, but a
# server with no network to get is refused (Nova's answer without
# Neutron's auto-allocated topology).
AUTO_NETWORKS = 'auto'

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


SERVERS_POLICY = 'os_compute_api:servers:%s'
SHELVE_POLICY = 'os_compute_api:os-shelve:%s'
# An argument not given (None means something: unpin the zone).
UNSET = object()

BDM_UNSUPPORTED = ('Block Device Mapping is Invalid: novalite has no '
                   'volume service; the only mapping it takes is '
                   'imageRef\'s image on a local disk at boot_index 0 '
                   '(source_type "image", destination_type "local").')


@dataclasses.dataclass
class RequestSpec:
    """What a create asks for, as the request names it (ids and names,
    checked for form by the API's schema). ``API.create`` resolves the
    flavor, image, key pair and zone, with Nova's answers when they do
    not fit, and fills in ``admin_password`` when the request has none.
    """
    name: str
    flavor_id: str
    image_ref: str = None
    block_device_mapping: list = None      # legacy (v1) mappings
    block_device_mapping_v2: list = None
    min_count: int = 1
    max_count: int = 1
    description: str = None
    metadata: dict = dataclasses.field(default_factory=dict)
    key_name: str = None
    user_data: str = None
    access_ip_v4: str = None
    access_ip_v6: str = None
    auto_disk_config: bool = False
    config_drive: bool = False
    availability_zone: str = None          # 'az', 'az:host[:node]'
    security_groups: list = dataclasses.field(
        default_factory=lambda: ['default'])
    admin_password: str = None
    injected_files: list = dataclasses.field(default_factory=list)
    # None: compute.API picks (AUTO_NETWORKS: and one is needed)
    requested_networks: list = None
    tags: list = None
    trusted_certs: list = None
    # A requested destination (2.74): filtered like any host, not forced.
    requested_host: str = None
    requested_node: str = None
    # The guest's hostname (2.90), else one made of its name.
    hostname: str = None
    scheduler_hints: dict = dataclasses.field(default_factory=dict)


def _owner_target(context):
    return {'project_id': context.project_id, 'user_id': context.user_id}


def _image_ref_from_bdms(context, spec):
    """The image of a create that has a block device mapping.

    The one novalite takes is what clients send with ``imageRef`` for a
    plain image boot: a single ``block_device_mapping_v2`` entry mapping
    that image to a local disk at boot_index 0. Its answers are Nova's:
    an image->local entry needs ``imageRef`` and boot_index 0. Anything
    else needs volumes: 400.
    """
    mappings = spec.block_device_mapping_v2 or []
    if spec.block_device_mapping or len(mappings) != 1:
        raise exception.ValidationError(detail=BDM_UNSUPPORTED)
    bdm = mappings[0]
    if bdm.get('source_type') != 'image' or \
            bdm.get('destination_type', 'local') != 'local':
        raise exception.ValidationError(detail=BDM_UNSUPPORTED)
    if not spec.image_ref or str(bdm.get('boot_index')) != '0':
        raise exception.ValidationError(
            detail='Block Device Mapping is Invalid: Mapping image to '
                   'local is not supported.')
    uuid = bdm.get('uuid')
    if uuid and uuid != spec.image_ref:
        try:
            images.get(context, uuid)
        except exception.ImageNotFound:
            raise exception.ValidationError(
                detail='Block Device Mapping is Invalid: failed to get '
                       'image %s.' % uuid)
        raise exception.ValidationError(
            detail='Block Device Mapping is Invalid: the image %s of the '
                   'boot mapping is not imageRef %s.' % (
                       uuid, spec.image_ref))
    return spec.image_ref


def _resolve_flavor(context, flavor_id):
    try:
        flavor = flavors.get_with_extra_specs(context, flavor_id)
    except exception.FlavorNotFound as e:
        raise exception.ValidationError(detail=e.message)
    if flavor['disabled']:
        raise exception.ValidationError(
            detail='Flavor %s could not be found.' % flavor_id)
    return flavor


def _resolve_image(context, image_ref):
    if not image_ref:
        raise exception.ValidationError(detail='Missing imageRef attribute')
    try:
        image = images.get(context, image_ref)
    except exception.ImageNotFound:
        raise exception.ValidationError(
            detail='Can not find requested image')
    if image['status'] != 'active':
        raise exception.ValidationError(
            detail='Image %s is not active.' % image_ref)
    return image


def check_flavor_fits_image(context, flavor, image):
    """Nova's checks of a flavor against an image (create, rebuild,
    resize): memory and disk at least the image's minimums and size; a
    zero-disk flavor only where policy allows it."""
    if flavor['memory_mb'] < image['min_ram']:
        raise exception.ValidationError(
            detail="Flavor's memory is too small for requested image.")
    if flavor['root_gb'] == 0:
        if not policy.authorize(
                context, SERVERS_POLICY % 'create:zero_disk_flavor',
                _owner_target(context), fatal=False):
            raise exception.NotAuthorized(
                'Only volume-backed servers are allowed for flavors with '
                'zero disk.')
    elif flavor['root_gb'] < image['min_disk'] or \
            (image['size'] or 0) > flavor['root_gb'] * 1024 ** 3:
        raise exception.ValidationError(
            detail="Flavor's disk is too small for requested image. "
                   'Flavor disk is %d bytes, image is %d bytes.' % (
                       flavor['root_gb'] * 1024 ** 3, image['size'] or 0))


def _resolve_key_pair(context, key_name):
    if not key_name:
        return None
    try:
        return keypairs.get(context, context.user_id, key_name)
    except exception.KeypairNotFound:
        raise exception.ValidationError(detail='Invalid key_name provided.')


def _check_security_groups(context, names_or_ids):
    """The names of the project's groups a create asks for (by name or
    id, as Neutron finds them): 400 for one not found, 409 for a name
    several groups have."""
    return secgroups.names_for_create(context, names_or_ids or ['default'])


def _resolve_zone(context, value):
    """(zone, forced host, zone to search) from 'az', 'az:host',
    'az:host:node' or 'az::node'.

    As Nova: without a forced host the zone must have an enabled host
    (400). With one, the zone is not checked, and the host must be in it
    only if it is a zone of hosts other than the default one (in Nova an
    aggregate's zone, which placement then requires); in the default
    zone, or one no host has, the host may be any (the server takes its
    host's zone).
    """
    if not value:
        return CONF.default_schedule_zone, None, CONF.default_schedule_zone
    parts = value.split(':')
    if len(parts) > 3:
        raise exception.ValidationError(
            detail='Unable to parse availability_zone')
    zone = parts[0] or None
    host = parts[1] if len(parts) > 1 and parts[1] else None
    node = parts[2] if len(parts) > 2 and parts[2] else None
    if host or node:
        policy.authorize(context, SERVERS_POLICY % 'create:forced_host',
                         _owner_target(context))
    available, unavailable, _ = availability_zones.get_availability_zones(
        context)
    if host or node:
        search = zone if zone != CONF.default_availability_zone and \
            zone in set(available) | set(unavailable) else None
        return zone, host or node, search
    if zone and zone not in available:
        raise exception.AvailabilityZoneNotAvailable()
    return zone, None, zone


def _check_destination(context, host, node):
    """Nova's _validate_host_or_node: 400 unless a compute host (with
    that hypervisor, if both are given) exists; its service rows."""
    services = (services_for_hosts(context.elevated(), [host]) if host
                else db.service_get_all(context.elevated(),
                                        binary=compute_utils.BINARY))
    if node:
        services = [s for s in services if scheduler.node_of(s) == node]
    if not services:
        raise exception.ComputeHostNotFound(host=host or node)
    return services


def pinned_zone_values(instance, requested):
    """The values that pin a server to its current zone, or unpin it
    (``requested`` None), as PUT /servers/{id} does from 2.104, with
    Nova's 409s; {} when nothing changes."""
    pinned = instance['pinned_availability_zone']
    if requested is None:
        return {'pinned_availability_zone': None} if pinned else {}
    if pinned is not None:
        if requested != pinned:
            raise exception.Conflict(
                'Cannot change pinned availability zone directly. Unpin '
                'first by setting pinned_availability_zone to null.')
        return {}
    current = instance['availability_zone']
    if requested != current:
        raise exception.Conflict(
            "Server can only be pinned to its current availability zone "
            "'%s', but '%s' was requested." % (current, requested))
    return {'pinned_availability_zone': requested}


def record_action(context, instance, action):
    """os-instance-actions: the user started ``action`` (Nova's name:
    ``create``, ``reboot``, ``changePassword``, ...) on a server, under
    the request id the client saw. The agent adds its events to it.

    NOTE: called once the action was accepted (its state check passed),
    before its message is sent: the agent finds the action by request
    id.
    """
    db.action_start(context, instance['uuid'], action)


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

    def _check_create(self, context, spec):
        """What a create's checks find, in Nova's order, which decides
        the answer to a request with several faults: mappings, flavor,
        image, key pair, groups, zone, quotas."""
        image_ref = spec.image_ref
        if spec.block_device_mapping or spec.block_device_mapping_v2:
            image_ref = _image_ref_from_bdms(context, spec)
        flavor = _resolve_flavor(context, spec.flavor_id)
        if spec.hostname and spec.max_count > 1:
            raise exception.AmbiguousHostnameForMultipleInstances()
        image = _resolve_image(context, image_ref)
        check_flavor_fits_image(context, flavor, image)
        key_pair = _resolve_key_pair(context, spec.key_name)
        group_names = _check_security_groups(context, spec.security_groups)
        availability_zone, forced_host, search_zone = _resolve_zone(
            context, spec.availability_zone)
        if spec.requested_host or spec.requested_node:
            _check_destination(context, spec.requested_host,
                               spec.requested_node)
        if not spec.admin_password:
            spec.admin_password = generate_password()
        quota.check_metadata(spec.metadata, context, context.project_id)
        quota.check_injected_files(spec.injected_files or [], context,
                                   context.project_id)
        networks = self.networks_for_create(context, spec.requested_networks)
        # The server group of the "group" hint (400 if the caller may not
        # see it), its quota after the servers' (Nova's order).
        group = server_groups.for_create(context, spec.scheduler_hints)
        count = quota.check_instances(context, context.project_id, flavor,
                                      spec.min_count, spec.max_count)
        server_groups.check_members_quota(context, group, count)
        return (flavor, image, key_pair, group_names, availability_zone,
                forced_host, search_zone, networks, group, count)

    def create(self, context, spec):
        """Create the servers of a RequestSpec and cast their builds;
        returns (servers, reservation_id). The admin password (the
        request's, or a new one put in ``spec.admin_password``) is sent to
        the agent only.

        ``spec.requested_networks``: None when the request named none
        (see ``networks_for_create``), else a list of {'uuid',
        'fixed_ip'?, 'tag'?} (``[]``: no network). Each server gets an
        address on each network. A tag on the image mapping
        (``block_device_mapping_v2``) tags the root disk.
        """
        # NOTE: the project's default security group is made (on first
        # need) before the checks, which read in one transaction that
        # cannot write.
        if 'default' in (spec.security_groups or ['default']):
            db.security_group_ensure_default(context, context.project_id)
        with db.reading(context):
            (flavor, image, key_pair, group_names, availability_zone,
             forced_host, search_zone, networks, group,
             count) = self._check_create(context, spec)
        reservation_id = generate_reservation_id()
        project_id = context.project_id
        # As Nova's request spec keeps them: each value a list of text,
        # and none of the hints Nova sets for itself.
        hints = json.dumps({
            hint: [str(item) for item in (
                value if isinstance(value, list) else [value])]
            for hint, value in (spec.scheduler_hints or {}).items()
            if not hint.startswith('_nova')})
        image_properties = images.server_properties(image)

        def build(index, service):
            """The values of the index-th server, on ``service``'s host
            (None: no host)."""
            host = service['host'] if service else None
            display_name = spec.name if count == 1 else '%s-%d' % (
                spec.name, index + 1)
            values = {
                'uuid': str(uuidlib.uuid4()),
                'project_id': project_id,
                'user_id': context.user_id,
                'display_name': display_name,
                'display_description': spec.description,
                'hostname': spec.hostname or sanitize_hostname(display_name),
                'reservation_id': reservation_id,
                'launch_index': index,
                'image_ref': image['id'],
                'instance_type_id': flavor['id'],
                'flavorid': flavor['flavorid'],
                'flavor_name': flavor['name'],
                'flavor_extra_specs': json.dumps(flavor['extra_specs'],
                                                 sort_keys=True),
                'vcpus': flavor['vcpus'],
                'memory_mb': flavor['memory_mb'],
                'root_gb': flavor['root_gb'],
                'ephemeral_gb': flavor['ephemeral_gb'],
                'swap': flavor['swap'],
                'key_name': key_pair['name'] if key_pair else None,
                'key_data': key_pair['public_key'] if key_pair else None,
                'user_data': spec.user_data,
                'trusted_certs': (json.dumps(spec.trusted_certs)
                                  if spec.trusted_certs else None),
                'config_drive': 'True' if spec.config_drive else '',
                'access_ip_v4': spec.access_ip_v4,
                'access_ip_v6': spec.access_ip_v6,
                'auto_disk_config': bool(spec.auto_disk_config),
                'availability_zone': ((service or {}).get(
                    'availability_zone') or availability_zone),
                'pinned_availability_zone': availability_zone,
                'scheduler_hints': hints,
                'image_properties': image_properties,
                'security_groups': group_names,
                'vm_state': states.BUILDING,
                'task_state': states.SCHEDULING,
                'power_state': states.NOSTATE,
                'host': host,
                'node': host,
                'progress': 0,
            }
            if not spec.hostname and values['hostname'] == 'Server':
                values['hostname'] = 'Server-%s' % values['uuid']
            return values

        def place(services, usage, group=None):
            return scheduler.place(
                services, usage, flavor, count,
                availability_zone=search_zone, force_host=forced_host,
                group=group, destination=(spec.requested_host,
                                          spec.requested_node))

        instances, no_host = [], None
        try:
            try:
                # NOTE: the hosts are chosen, and their room claimed, in the
                # transaction that inserts the servers, with the candidate
                # hosts' service rows locked: concurrent creates, in any
                # API process, cannot overcommit a host (see
                # db.instance_create_claimed).
                # The servers of a group join it there, placed as its
                # policy says.
                instances = db.instance_create_claimed(
                    context, compute_utils.BINARY, place, build,
                    availability_zone=search_zone,
                    host=forced_host or spec.requested_host,
                    metadata=spec.metadata, tags=spec.tags,
                    group_uuid=group['uuid'] if group else None)
            except exception.NoValidHost as e:
                # NOTE: no more servers in ERROR than the hosts could hold
                # (see scheduler.place), whatever the count asked for.
                no_host = e
                for index in range(e.kwargs.get('servers', 1)):
                    instances.append(db.instance_create(
                        context, build(index, None), metadata=spec.metadata,
                        tags=spec.tags))
                if group:
                    # Members in ERROR, as Nova's (they joined before
                    # the scheduler failed).
                    db.instance_group_members_add(
                        context, group['uuid'],
                        [i['uuid'] for i in instances])
            # NOTE: the rechecks run after the rows exist, so that two
            # racing requests cannot both pass on the same free room.
            quota.check_instances(context, project_id, flavor, spec.min_count,
                                  spec.max_count, recheck=True)
            server_groups.check_members_quota(context, group, count,
                                              recheck=True)
            root_device_tag = (spec.block_device_mapping_v2 or [{}])[0].get(
                'tag')
            for instance in instances:
                self._allocate_fixed_ips(context, instance, networks)
                if root_device_tag:
                    db.instance_system_metadata_update(
                        context, instance['uuid'],
                        {compute_utils.ROOT_DEVICE_TAG: root_device_tag})
                record_action(context, instance, 'create')
        except Exception as e:
            # NOTE: the hard delete releases the server's addresses too.
            for instance in instances:
                db.instance_hard_delete(context, instance['uuid'])
            if isinstance(e, exception.InstanceGroupNotFound):
                # Deleted since it was looked up: still Nova's 400.
                raise exception.ValidationError(detail=e.message)
            raise
        if no_host is not None:
            for instance in instances:
                self._fail_build(context, instance, no_host)
            return instances, reservation_id
        files = [[path, contents] for path, contents in
                 (spec.injected_files or ())]
        for instance in instances:
            try:
                # NOTE: the agent reads the server's networks from the
                # database (db.network_info_for_instance).
                self.rpcapi.build_and_run_instance(
                    context, instance['host'], instance['uuid'],
                    admin_password=spec.admin_password,
                    injected_files=files)
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
        """[(network, requested address or None, device tag or None)] for
        each new server.

        NOTE: with ``networks`` omitted, the candidates are the project's
        own networks if it has any, else the shared networks: exactly one
        candidate is used, more than one is NetworkAmbiguous (409), none
        means no network. (Nova asks Neutron for the project's and the
        shared networks and refuses to guess between several.)
        """
        if requested_networks in (None, AUTO_NETWORKS):
            visible = db.network_get_all(context,
                                         project_id=context.project_id)
            candidates = ([n for n in visible
                           if n['project_id'] == context.project_id]
                          or [n for n in visible if n['project_id'] is None])
            if len(candidates) > 1:
                raise exception.NetworkAmbiguous()
            if not candidates and requested_networks == AUTO_NETWORKS:
                raise exception.UnableToAutoAllocateNetwork(
                    project_id=context.project_id)
            return [(network, None, None) for network in candidates]
        networks = []
        for request in requested_networks:
            try:
                network = self.network_get(context, request['uuid'])
            except exception.NetworkNotFound as e:
                raise exception.Invalid(e.message)  # 400 on create
            networks.append((network, request.get('fixed_ip'),
                             request.get('tag')))
        return networks

    @staticmethod
    def _allocate_fixed_ips(context, instance, networks):
        for network, address, tag in networks:
            try:
                db.fixed_ip_allocate(context, network['uuid'],
                                     instance['uuid'], address=address,
                                     tag=tag)
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
        if instance['task_state'] in (states.DELETING,
                                      states.SOFT_DELETING) and host_up:
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
        record_action(context, instance, 'delete')
        self._delete_shelved_image(context, instance)
        if not host_up:
            # Never scheduled, or its agent is down: delete locally. The
            # agent destroys orphaned guests when it comes back. Nova's
            # API notifies this delete itself (publisher nova-api).
            self._notify_local_delete(context, uuid, 'start')
            db.instance_destroy(context, uuid)
            self._notify_local_delete(context, uuid, 'end')
            return
        self._send(context, instance, 'terminate_instance',
                   task_state=states.DELETING, previous_task_state=current)

    @staticmethod
    def _notify_local_delete(context, instance_uuid, phase):
        notifications.notify_about_instance_action(
            context, instance_uuid, CONF.host, 'delete', phase,
            source=notifications.SOURCE_API)

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
        record_action(context, instance, 'lock')

    def unlock(self, context, instance):
        db.instance_update(context, instance['uuid'],
                           {'locked': False, 'locked_by': None,
                            'locked_reason': None})
        record_action(context, instance, 'unlock')

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
        if action not in states.LOCK_EXEMPT:
            self.check_lock(context, instance)
        if action in ('start', 'stop'):
            # NOTE: before the state check, as Nova's decorators order it.
            self._check_host(instance)
        transition = states.check_transition(action, instance)
        if action in ('start', 'stop') and instance['launched_at'] is None:
            raise exception.InstanceInvalidState(
                action=action, instance_uuid=instance['uuid'],
                attr='vm_state', state=instance['vm_state'])
        if action in states.MUST_HAVE_LAUNCHED and not \
                instance['launched_at']:
            # Nova: "launched_at None" has no state to name.
            raise exception.InstanceInvalidStateForAction(
                action=states.api_action_name(action),
                instance_uuid=instance['uuid'])
        if not instance['host'] and action not in states.NO_HOST_NEEDED:
            # A HARD reboot allows ERROR; Nova refuses it so without host.
            raise exception.InstanceInvalidStateForAction(
                action=states.api_action_name(action),
                instance_uuid=instance['uuid'])
        values = {'task_state': transition.new_task_state}
        values.update(extra or {})
        try:
            updated = db.instance_update(
                context, instance['uuid'], values,
                expected_task_state=list(transition.task_states),
                expected_vm_state=list(transition.vm_states))
        except exception.UnexpectedTaskStateError as e:
            raise exception.InstanceInvalidState(
                action=states.api_action_name(action),
                instance_uuid=instance['uuid'],
                attr='task_state', state=e.kwargs.get('actual'))
        record_action(context, instance, states.api_action_name(action))
        return updated

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
        record_action(context, instance, 'trigger_crash_dump')
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

    # ------------------------------ pause, suspend, rescue, soft delete

    def _act(self, context, instance, action, method, *args, extra=None):
        """Start ``action`` (Nova's checks, the task and ``extra`` values,
        the instance action) and cast ``method`` to the server's agent."""
        updated = self._start_task(context, instance, action, extra)
        self._send(context, instance, method, *args,
                   task_state=updated['task_state'],
                   previous_task_state=instance['task_state'])

    def pause(self, context, instance):
        self._act(context, instance, 'pause', 'pause_instance')

    def unpause(self, context, instance):
        self._act(context, instance, 'unpause', 'unpause_instance')

    def suspend(self, context, instance):
        self._act(context, instance, 'suspend', 'suspend_instance')

    def resume(self, context, instance):
        self._act(context, instance, 'resume', 'resume_instance')

    def rescue(self, context, instance, rescue_password,
               rescue_image_ref=None):
        """Boot a rescue guest from ``rescue_image_ref`` (None: the
        server's own image) with the server's disk attached second.

        ``rescue_password`` goes to the rescue guest's config drive; an
        empty one is replaced by a generated one, which nobody learns (as
        Nova's agent does).
        """
        # NOTE: Nova checks the lock and the states before it looks the
        # rescue image up (400 UnsupportedRescueImage), and only then
        # sets the task.
        self.check_lock(context, instance)
        states.check_transition('rescue', instance)
        if not instance['launched_at']:
            raise exception.InstanceInvalidStateForAction(
                action='rescue', instance_uuid=instance['uuid'])
        if rescue_image_ref:
            try:
                images.get(context, rescue_image_ref)
            except exception.ImageNotFound:
                raise exception.UnsupportedRescueImage(
                    image=rescue_image_ref)
        self._act(context, instance, 'rescue', 'rescue_instance',
                  rescue_password or generate_password(), rescue_image_ref)

    def unrescue(self, context, instance):
        self._act(context, instance, 'unrescue', 'unrescue_instance')

    def soft_delete(self, context, instance):
        """``DELETE /servers/{id}`` with ``reclaim_instance_interval`` >
        0 (Nova's ``soft_delete``): the agent powers the guest off and
        the server shows SOFT_DELETED (``deleted_at`` set) until it is
        restored, force-deleted, or reclaimed by its agent. As Nova's API,
        a server that never launched is deleted at once; with its agent
        down the server is soft-deleted in the database only (the agent
        reclaims it in time when it is back).
        """
        self.check_lock(context, instance)
        if not instance['launched_at']:
            return self.delete(context, instance)
        uuid = instance['uuid']
        service = service_for_host(context.elevated(), instance['host'])
        host_up = service is not None and servicegroup.is_up(service)
        current = instance['task_state']
        if current in (states.DELETING, states.SOFT_DELETING) and host_up:
            return  # Nova: already on its way; 204 all the same
        # NOTE: as a delete, whatever the task: take it over with a
        # compare-and-swap from the task last seen, read again if an
        # operation moved it meanwhile.
        for _attempt in range(5):
            try:
                db.instance_update(context, uuid,
                                   {'task_state': states.SOFT_DELETING,
                                    'progress': 0,
                                    'deleted_at': db.utcnow()},
                                   expected_task_state=current)
                break
            except exception.UnexpectedTaskStateError as e:
                current = e.kwargs['actual']
                if current in (states.DELETING, states.SOFT_DELETING):
                    return
        else:
            raise exception.InstanceInvalidState(
                action='delete', instance_uuid=uuid, attr='task_state',
                state=current)
        record_action(context, instance,
                      states.api_action_name('soft_delete'))
        if not host_up:
            db.instance_update(context, uuid,
                               {'vm_state': states.SOFT_DELETED,
                                'task_state': None,
                                'terminated_at': db.utcnow()},
                               expected_task_state=states.SOFT_DELETING)
            return
        self._send(context, instance, 'soft_delete_instance',
                   task_state=states.SOFT_DELETING,
                   previous_task_state=current)

    def restore(self, context, instance):
        """Bring a SOFT_DELETED server back (the agent powers it on).

        As Nova, the project's quota must hold it again (a soft-deleted
        server counts for none): TooManyInstances (403) otherwise.
        """
        self.check_lock(context, instance)
        states.check_transition('restore', instance)
        if not instance['launched_at']:
            raise exception.InstanceInvalidStateForAction(
                action='restore', instance_uuid=instance['uuid'])
        quota.check_instances(context, instance['project_id'], instance,
                              1, 1)
        # NOTE: no longer queued for deletion (the reclaim leaves it).
        self._act(context, instance, 'restore', 'restore_instance',
                  extra={'deleted_at': None})

    def force_delete(self, context, instance):
        """Delete at once, whatever the state (Nova's ``force_delete``:
        the lock only is checked), a soft-deleted server too."""
        self.delete(context, instance)

    # ------------------------------------------------------------ metadata

    def update_metadata(self, context, instance, metadata, replace=False):
        """Merge ``metadata`` into the server's (replace it all when
        ``replace``); returns the server's metadata afterwards. Nova's
        rules: not on a locked server, only on a settled one, and no more
        items than the quota."""
        self.check_lock(context, instance)
        states.check_transition('update_metadata', instance)
        return db.instance_metadata_update(
            context, instance['uuid'], metadata, delete=replace,
            check=lambda items: quota.check_metadata(
                items, context, instance['project_id']))

    def delete_metadata_item(self, context, instance, key):
        self.check_lock(context, instance)
        states.check_transition('delete_metadata', instance)
        db.instance_metadata_delete(context, instance['uuid'], key)

    # ------------------------------------------------------------ password

    # NOTE: Nova keeps the password a guest posts to its metadata service,
    # encrypted with the server's key, in the server's system metadata.
    # novalite has no metadata service, so no guest can post one yet: the
    # key is there for when one can.
    PASSWORD_KEY = 'password'

    def get_password(self, context, instance):
        """The encrypted password the guest left, or ''."""
        system_metadata = db.instance_system_metadata_get(
            context, instance['uuid'])
        return system_metadata.get(self.PASSWORD_KEY) or ''

    def clear_password(self, context, instance):
        """Forget the encrypted password (the guest's own is unchanged)."""
        db.instance_system_metadata_update(
            context, instance['uuid'], {self.PASSWORD_KEY: None})

    # ------------------------------------------------------------- actions

    def get_with_deleted(self, context, instance_uuid):
        """A server the caller may see, deleted or not (the actions of a
        deleted server can be read from 2.21)."""
        if not uuidlib_like(instance_uuid):
            raise exception.InstanceNotFound(instance_id=instance_uuid)
        return db.instance_get_by_uuid(context, instance_uuid,
                                       project_only=True,
                                       read_deleted='yes', extras=())

    @staticmethod
    def actions_get(context, instance, **page):
        """The server's actions, newest first (``page``: db.actions_get's
        limit, marker, changes_since, changes_before)."""
        return db.actions_get(context, instance['uuid'], **page)

    @staticmethod
    def action_get(context, instance, request_id, with_events=False):
        """The server's action of ``request_id`` (InstanceActionNotFound
        if none), with its events, newest first, when asked."""
        action = db.action_get_by_request_id(context, instance['uuid'],
                                             request_id)
        if with_events:
            action['events'] = db.action_events_get(context, action['id'])
        return action

    # ----------------------- rebuild, resize, migrate, shelve, snapshot

    @staticmethod
    def _record_event(context, instance, event, error=None):
        """An event of the action just recorded that the API itself ran
        (Nova's conductor runs it: ``conductor_migrate_server``,
        ``schedule_instances``), with its result."""
        try:
            event_id = db.action_event_start(context, instance['uuid'],
                                             context.request_id, event,
                                             CONF.host)
            trace = details = None
            if error is not None:
                trace = ''.join(traceback.format_exception(error))
                details = compute_utils.fault_message(error)[1]
            db.action_event_finish(context, event_id,
                                   'Error' if error else 'Success',
                                   traceback=trace, details=details)
        except Exception:
            LOG.exception('Could not record event %s of server %s', event,
                          instance['uuid'])

    @staticmethod
    def _revert_task(context, instance, task_state, values=None):
        """Put back the task a request set (and ``values``) when what it
        started cannot go on; someone else's change wins."""
        try:
            db.instance_update(context, instance['uuid'],
                               dict(values or {},
                                    task_state=instance['task_state']),
                               expected_task_state=task_state)
        except (exception.UnexpectedTaskStateError,
                exception.InstanceNotFound):
            pass

    def _precheck(self, context, instance, action):
        """Nova's decorators of ``action``, in their order (lock, states,
        launched): what must fail before anything is looked up."""
        if action not in states.LOCK_EXEMPT:
            self.check_lock(context, instance)
        states.check_transition(action, instance)
        if not instance['launched_at']:
            raise exception.InstanceInvalidStateForAction(
                action=states.api_action_name(action),
                instance_uuid=instance['uuid'])

    def create_image(self, context, instance, name, metadata=None,
                     check_metadata_quota=True):
        """Snapshot the server's root disk into a new image (Nova's
        ``snapshot``); returns the image record, ``queued``: the agent
        writes the file (``saving``), then the image is ``active``. The
        lock does not matter, as in Nova.

        ``metadata``: properties of the image, on top of the ones it
        inherits (see compute.images.snapshot_properties); with
        ``check_metadata_quota`` (below 2.39) their count is limited by
        the project's metadata_items quota.
        """
        return self._image_of_server(
            context, instance, 'create_image', 'snapshot_instance', name,
            metadata if check_metadata_quota else None, 'snapshot',
            metadata)

    def _image_of_server(self, context, instance, action, method, name,
                         metadata, image_type, properties, *args):
        """createImage's and createBackup's common steps: checks (of
        ``metadata`` against the quota, unless None), task, a ``queued``
        image of ``image_type`` with ``properties``, then ``method``
        (image id, ``args``) to the agent."""
        # NOTE: the quota first: Nova's controller checks it before the
        # compute API's state checks.
        allowed = quota.limits(context, context.project_id)[
            'metadata_items']
        if metadata and 0 <= allowed < len(metadata):
            raise exception.ImageMetadataLimitExceeded()
        self._precheck(context, instance, action)
        updated = self._start_task(context, instance, action)
        try:
            image = images.create_snapshot(context, instance, name,
                                           image_type=image_type,
                                           extra_properties=properties)
        except Exception:
            self._revert_task(context, instance, updated['task_state'])
            raise
        try:
            self._send(context, instance, method, image['id'], *args,
                       task_state=updated['task_state'],
                       previous_task_state=instance['task_state'])
        except exception.ComputeUnreachable:
            images.delete(context, image['id'])
            raise
        return image

    def backup(self, context, instance, name, backup_type, rotation,
               metadata=None, check_metadata_quota=True):
        """createBackup (Nova's ``backup``): a snapshot as createImage's,
        of ``image_type`` backup with the ``backup_type`` property; once
        it is written, the agent deletes the server's oldest backups of
        that type beyond ``rotation`` (with 0, the new one too). The lock
        does not matter, as in Nova. Returns the image record."""
        # NOTE: backup_type wins over a metadata key of that name (Nova).
        properties = dict(metadata or {}, backup_type=backup_type)
        return self._image_of_server(
            context, instance, 'backup', 'backup_instance', name,
            metadata if check_metadata_quota else None, 'backup',
            properties, backup_type, rotation)

    def rebuild(self, context, instance, image_ref, admin_password,
                values=None, metadata=None, injected_files=None,
                preserve_ephemeral=False):
        """Recreate the guest from ``image_ref`` with a new root disk, the
        same addresses (Nova's ``rebuild``). ``values``: server columns
        the request sets (display_name, access_ip_v4, ...; key_name: the
        caller's key pair of that name, or None for none);
        ``metadata`` (if not None) replaces the server's;
        ``injected_files``: [(path, base64 contents)] for its config
        drive. A STOPPED server is stopped again afterwards.
        """
        self._precheck(context, instance, 'rebuild')
        try:
            image = images.get(context, image_ref)
        except exception.ImageNotFound:
            raise exception.ValidationError(
                detail='Cannot find image for rebuild')
        quota.check_metadata(metadata or {}, context, context.project_id)
        quota.check_injected_files(injected_files or [], context,
                                   context.project_id)
        if image['status'] != 'active':
            raise exception.ImageNotActive(image_id=image_ref)
        check_flavor_fits_image(context, compute_utils.flavor_of(instance),
                                image)
        new_values = dict(values or {}, image_ref=image['id'], progress=0,
                          image_properties=images.server_properties(image))
        if 'key_name' in new_values:
            key_pair = _resolve_key_pair(context, new_values['key_name'])
            new_values['key_data'] = key_pair and key_pair['public_key']
        old_values = {key: instance[key] for key in new_values}
        old_metadata = None
        if metadata is not None:
            old_metadata = db.instance_get_by_uuid(
                context, instance['uuid'], extras=('metadata',))['metadata']
        updated = self._start_task(context, instance, 'rebuild', new_values)
        # NOTE: Nova's conductor records it on its way to the agent.
        self._record_event(context, instance, 'rebuild_server')
        if metadata is not None:
            db.instance_metadata_set(context, instance['uuid'], metadata)
        files = [[path, contents] for path, contents in
                 (injected_files or ())]
        try:
            self._send(context, instance, 'rebuild_instance',
                       admin_password, files, instance['image_ref'],
                       bool(preserve_ephemeral),
                       task_state=updated['task_state'],
                       previous_task_state=instance['task_state'])
        except exception.ComputeUnreachable:
            # NOTE: nothing was rebuilt: the server shows what it runs.
            db.instance_update(context, instance['uuid'], old_values)
            if old_metadata is not None:
                db.instance_metadata_set(context, instance['uuid'],
                                         old_metadata)
            raise

    @staticmethod
    def _flavor_record(flavor):
        """What a server keeps of a flavor (system metadata, JSON)."""
        record = {key: flavor[key] for key in (
            'id', 'flavorid', 'name', 'vcpus', 'memory_mb', 'root_gb',
            'ephemeral_gb', 'swap')}
        record['extra_specs'] = flavor.get('extra_specs') or {}
        return json.dumps(record, sort_keys=True)

    def _check_service_up(self, context, host):
        """Nova's check_instance_host(check_is_up=True): 409."""
        service = service_for_host(context.elevated(), host)
        if service is None or not servicegroup.is_up(service):
            raise exception.HostServiceUnavailable()

    def resize(self, context, instance, flavor_id=None,
               auto_disk_config=None, host_name=None):
        """Resize the server to ``flavor_id``, or with None cold-migrate
        it (same flavor, another host; ``host_name``: that one, if it has
        room): Nova's ``resize``.

        The destination is chosen, and its room claimed, in the database
        transaction that records the migration (as a create claims its
        host): with no room anywhere (a resize stays on its own host only
        with ``allow_resize_to_same_host``, a migration never), the
        server goes back to its state at once, with a fault and the
        action's ``conductor_migrate_server`` event in error, as in Nova
        (the request still answers 202). Then the destination's agent
        prepares (``prep_resize``), the source's stops the guest and
        hands its disks over (``resize_instance``), and the destination
        creates the guest (``finish_resize``): VERIFY_RESIZE, until
        confirmResize or revertResize.
        """
        migrate = flavor_id is None
        action = 'migrate' if migrate else 'resize'
        self._precheck(context, instance, action)
        self._check_host(instance)
        self._check_service_up(context, instance['host'])
        if host_name is not None:
            if host_name == instance['host']:
                raise exception.CannotMigrateToSameHost()
            _check_destination(context, host_name, None)
        current = compute_utils.flavor_of(instance)
        if migrate:
            new = current
        else:
            try:
                new = flavors.get_with_extra_specs(context, flavor_id)
            except exception.FlavorNotFound as e:
                raise exception.ValidationError(detail=e.message)
            if new['root_gb'] == 0 and current['root_gb'] != 0:
                raise exception.CannotResizeDisk(
                    reason='Resize to zero disk flavor is not allowed.')
        same_flavor = current['id'] == new['id']
        if not same_flavor and new.get('disabled'):
            raise exception.ValidationError(
                detail='Flavor %s could not be found.' % flavor_id)
        if same_flavor and not migrate:
            raise exception.CannotResizeToSameFlavor()
        if not migrate:
            quota.check_upsize(context, instance['project_id'], current,
                               new)
        if not same_flavor:
            try:
                image = db.image_get(context, instance['image_ref'])
            except exception.ImageNotFound:
                image = None  # Nova checks what the server booted with
            if image is not None:
                check_flavor_fits_image(context, new, image)
        updated = self._start_task(
            context, instance, action,
            {'progress': 0, 'auto_disk_config': bool(auto_disk_config)})
        ignore = set()
        if migrate or not CONF.allow_resize_to_same_host:
            ignore.add(instance['host'])
        zone = instance['availability_zone']

        def place(services, usage, group=None):
            # NOTE: a named host still has to pass the filters (Nova's
            # requested destination is not a forced host).
            return scheduler.place(
                [s for s in services if s['host'] not in ignore and
                 host_name in (None, s['host'])], usage,
                new, 1, availability_zone=zone, group=group)[0]

        values = {'instance_uuid': instance['uuid'],
                  'migration_type': 'migration' if migrate else 'resize',
                  'status': 'pre-migrating',
                  'source_compute': instance['host'],
                  'old_instance_type_id': current['id'],
                  'new_instance_type_id': new['id'],
                  'project_id': instance['project_id'],
                  'user_id': instance['user_id']}
        try:
            migration = db.migration_create_claimed(
                context, compute_utils.BINARY, place, values,
                {'old_flavor': self._flavor_record(current),
                 'new_flavor': self._flavor_record(new),
                 'old_vm_state': instance['vm_state']},
                expected_task_state=updated['task_state'],
                availability_zone=zone)
        except exception.NoValidHost as e:
            self._fail_move(context, instance, values, e, updated)
            return
        except (exception.UnexpectedTaskStateError,
                exception.InstanceNotFound):
            return  # deleted (or taken over) meanwhile: nothing to move
        for event in ('cold_migrate', 'conductor_migrate_server'):
            self._record_event(context, instance, event)
        try:
            self._send(context, dict(instance,
                                     host=migration['dest_compute']),
                       'prep_resize', migration['uuid'],
                       task_state=updated['task_state'],
                       previous_task_state=instance['task_state'])
        except exception.ComputeUnreachable:
            db.migration_update(context, migration['uuid'],
                                {'status': 'error'})
            raise

    def _fail_move(self, context, instance, values, error, updated):
        """No destination: the server goes back as it was (Nova's
        conductor), with a fault, an errored migration record and the
        action's event in error."""
        LOG.info('No destination for the %s of server %s: %s',
                 values['migration_type'], instance['uuid'], error)
        db.migration_create(context, dict(values, status='error'))
        what = ('resize' if values['migration_type'] == 'resize'
                else 'cold migrate')
        try:
            raise exception.NoValidHost(
                reason='No valid host found for %s' % what) from error
        except exception.NoValidHost as reported:
            for event in ('cold_migrate', 'conductor_migrate_server'):
                self._record_event(context, instance, event, reported)
        compute_utils.record_fault(context, instance['uuid'], error)
        self._revert_task(context, instance, updated['task_state'])

    def _finished_migration(self, context, instance):
        try:
            return db.migration_get_by_instance_and_status(
                context, instance['uuid'], 'finished')
        except exception.MigrationNotFound:
            raise exception.InstanceNotResized()

    def confirm_resize(self, context, instance):
        """Keep the resized server (Nova's ``confirm_resize``): its
        source agent removes what it kept for a revert, and the server is
        ACTIVE (SHUTOFF when its guest is off). 400 when no resize awaits
        a confirmation, 409 when the source's agent is down."""
        self._precheck(context, instance, 'confirm_resize')
        migration = self._finished_migration(context, instance)
        self._check_service_up(context, migration['source_compute'])
        try:
            db.migration_update(context, migration['uuid'],
                                {'status': 'confirming'},
                                expected_status='finished')
        except exception.MigrationNotFound:
            raise exception.InstanceNotResized()
        try:
            self._start_task(context, instance, 'confirm_resize')
            self._send(context, dict(instance,
                                     host=migration['source_compute']),
                       'confirm_resize', migration['uuid'])
        except Exception:
            db.migration_update(context, migration['uuid'],
                                {'status': 'finished'},
                                expected_status='confirming')
            raise

    def revert_resize(self, context, instance):
        """Go back to the old flavor and host (Nova's ``revert_resize``):
        the destination's agent removes the new guest, the source's
        brings the old one back. The project's quota must hold the old
        flavor again (a revert of a downsize grows)."""
        self._precheck(context, instance, 'revert_resize')
        migration = self._finished_migration(context, instance)
        system_metadata = db.instance_system_metadata_get(
            context, instance['uuid'])
        old = json.loads(system_metadata['old_flavor'])
        quota.check_upsize(context, instance['project_id'],
                           compute_utils.flavor_of(instance), old)
        updated = self._start_task(context, instance, 'revert_resize')
        try:
            db.migration_update(context, migration['uuid'],
                                {'status': 'reverting'},
                                expected_status='finished')
        except exception.MigrationNotFound:
            self._revert_task(context, instance, updated['task_state'])
            raise exception.InstanceNotResized()
        try:
            self._send(context, instance, 'revert_resize', migration['uuid'],
                       task_state=updated['task_state'],
                       previous_task_state=instance['task_state'])
        except exception.ComputeUnreachable:
            db.migration_update(context, migration['uuid'],
                                {'status': 'finished'},
                                expected_status='reverting')
            raise

    def shelve(self, context, instance):
        """Snapshot the server into ``<name>-shelved`` and power it off
        (Nova's ``shelve``): SHELVED, then SHELVED_OFFLOADED once its
        agent offloads it (at once with ``shelved_offload_time`` 0)."""
        self._precheck(context, instance, 'shelve')
        updated = self._start_task(context, instance, 'shelve')
        try:
            image = images.create_snapshot(
                context, instance, '%s-shelved' % instance['display_name'])
        except Exception:
            self._revert_task(context, instance, updated['task_state'])
            raise
        try:
            self._send(context, instance, 'shelve_instance', image['id'],
                       task_state=updated['task_state'],
                       previous_task_state=instance['task_state'])
        except exception.ComputeUnreachable:
            images.delete(context, image['id'])
            raise

    def shelve_offload(self, context, instance):
        """Destroy a SHELVED server's guest and free its host (Nova's
        ``shelve_offload``): SHELVED_OFFLOADED, with no host."""
        updated = self._start_task(context, instance, 'shelve_offload')
        self._send(context, instance, 'shelve_offload_instance',
                   task_state=updated['task_state'],
                   previous_task_state=instance['task_state'])

    def unshelve(self, context, instance, new_az=UNSET, host=None):
        """Bring a shelved server back (Nova's ``unshelve``): a SHELVED
        one is powered on where it is; a SHELVED_OFFLOADED one gets a
        host, chosen and claimed as a create's, whose agent boots it from
        its shelved image. The image is deleted once the server runs.
        With no room anywhere, the server stays SHELVED_OFFLOADED and the
        action's ``schedule_instances`` event is in error, as in Nova.

        The host is chosen in the zone the server is pinned to, if any.
        ``new_az`` (2.77; None from 2.91: unpin) changes the pin, ``host``
        (2.91, admins) names the host; either only for an offloaded
        server, whose pin then stays as changed, as Nova's request spec.
        """
        self._precheck(context, instance, 'unshelve')
        az_passed = new_az is not UNSET
        # NOTE: each check after the state check (409 for any other
        # state), in Nova's order.
        if (az_passed or host) and \
                instance['vm_state'] != states.SHELVED_OFFLOADED:
            raise exception.UnshelveInstanceInvalidState(
                instance_uuid=instance['uuid'], state=instance['vm_state'])
        if az_passed and new_az:
            available, _, _ = availability_zones.get_availability_zones(
                context)
            if new_az not in available:
                raise exception.AvailabilityZoneNotAvailable()
        zone = new_az if az_passed else instance['pinned_availability_zone']
        if host:
            policy.authorize(context, SHELVE_POLICY % 'unshelve_to_host',
                             {'project_id': instance['project_id'],
                              'user_id': instance['user_id']})
            [service] = _check_destination(context, host, None)
            if zone is not None and service['availability_zone'] != zone:
                raise exception.UnshelveHostNotInAZ(host=host,
                                                    availability_zone=zone)
        extra = {'pinned_availability_zone': zone} if az_passed else None
        updated = self._start_task(context, instance, 'unshelve', extra)
        image_id = db.instance_system_metadata_get(
            context, instance['uuid']).get('shelved_image_id')
        if instance['vm_state'] == states.SHELVED:
            self._send(context, instance, 'unshelve_instance', image_id,
                       task_state=updated['task_state'],
                       previous_task_state=instance['task_state'])
            return
        if image_id:
            # NOTE: as Nova's conductor: a shelved image that is gone
            # leaves nothing to boot: ERROR.
            try:
                images.get(context.elevated(), image_id)
            except exception.ImageNotFound:
                error = exception.ImageNotFound(
                    'Unshelve attempted but the image %s cannot be found.'
                    % image_id)
                self._record_event(context, instance, 'get_image_info',
                                   error)
                compute_utils.record_fault(context, instance['uuid'], error)
                self._revert_task(context, instance, updated['task_state'],
                                  {'vm_state': states.ERROR})
                return
            self._record_event(context, instance, 'get_image_info')
        flavor = compute_utils.flavor_of(instance)

        def place(services, usage, group=None):
            return scheduler.place(services, usage, flavor, 1,
                                   availability_zone=zone, group=group,
                                   destination=(host, None))[0]

        try:
            placed = db.instance_claim_host(
                context, compute_utils.BINARY, place, instance['uuid'],
                lambda service: {'host': service['host'],
                                 'node': service['host'],
                                 'availability_zone':
                                     service['availability_zone']},
                expected_task_state=updated['task_state'],
                expected_vm_state=states.SHELVED_OFFLOADED,
                availability_zone=zone)
        except exception.NoValidHost as e:
            LOG.warning('No valid host found for unshelve of %s: %s',
                        instance['uuid'], e)
            self._record_event(context, instance, 'schedule_instances', e)
            compute_utils.record_fault(context, instance['uuid'], e)
            self._revert_task(context, instance, updated['task_state'])
            return
        except (exception.UnexpectedTaskStateError,
                exception.InstanceInvalidState,
                exception.InstanceNotFound):
            return  # deleted (or taken over) meanwhile
        self._record_event(context, instance, 'schedule_instances')
        try:
            self._send(context, placed, 'unshelve_instance', image_id,
                       task_state=updated['task_state'],
                       previous_task_state=instance['task_state'])
        except exception.ComputeUnreachable:
            try:
                db.instance_update(context, instance['uuid'],
                                   {'host': None, 'node': None},
                                   expected_task_state=None,
                                   expected_vm_state=states.SHELVED_OFFLOADED)
            except (exception.UnexpectedTaskStateError,
                    exception.InstanceInvalidState,
                    exception.InstanceNotFound):
                pass
            raise

    @staticmethod
    def _delete_shelved_image(context, instance):
        """A shelved server's snapshot goes with it, as in Nova."""
        if instance['vm_state'] not in (states.SHELVED,
                                        states.SHELVED_OFFLOADED):
            return
        image_id = db.instance_system_metadata_get(
            context, instance['uuid']).get('shelved_image_id')
        if image_id:
            images.delete(context.elevated(), image_id)

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
