"""Server representations, per microversion and policy.

``Builder`` is made once per request: it evaluates the field policies
(once per project, not per server) and looks up host status for the whole
page at once, so a detail list costs the same per server whatever its size.
"""

import json

from oslo_config import cfg

from novalite.api import common
from novalite.api import links
from novalite.compute import api as compute
from novalite.compute import server_groups
from novalite import policy
from novalite import servicegroup
from novalite import states
from novalite import utils

CONF = cfg.CONF

ESA_POLICY = 'os_compute_api:os-extended-server-attributes'
EXTRA_SPECS_POLICY = 'os_compute_api:servers:show:flavor-extra-specs'
HOST_STATUS_POLICY = 'os_compute_api:servers:show:host_status'
HOST_STATUS_UNKNOWN_POLICY = \
    'os_compute_api:servers:show:host_status:unknown-only'


def addresses_by_network(instance, detailed=True):
    """{network name: [address]} of a server loaded with the
    'addresses' extra, in allocation order; ``detailed`` adds the type and
    MAC keys of the server view (the /ips views have only version/addr)."""
    addresses = {}
    for vif in instance.get('addresses') or ():
        address = {'version': vif['version'], 'addr': vif['address']}
        if detailed:
            address['OS-EXT-IPS:type'] = 'fixed'
            address['OS-EXT-IPS-MAC:mac_addr'] = vif['mac_address']
        addresses.setdefault(vif['network_name'], []).append(address)
    return addresses


class Builder:

    def __init__(self, req):
        self.req = req
        self.context = req.context
        self._policy_cache = {}
        self._services = None
        # Microversion checks, once per request rather than per server.
        (self.v2_3, self.v2_9, self.v2_16, self.v2_19, self.v2_26,
         self.v2_47, self.v2_54, self.v2_63, self.v2_71, self.v2_73,
         self.v2_75, self.v2_90, self.v2_96, self.v2_98, self.v2_100) = (
             req.is_version(v) for v in (
                 '2.3', '2.9', '2.16', '2.19', '2.26', '2.47', '2.54',
                 '2.63', '2.71', '2.73', '2.75', '2.90', '2.96', '2.98',
                 '2.100'))

    # ------------------------------------------------------------ helpers

    def _can(self, rule, instance):
        key = (rule, instance['project_id'], instance['user_id'])
        if key not in self._policy_cache:
            self._policy_cache[key] = policy.authorize(
                self.context, rule, common.policy_target(instance),
                fatal=False)
        return self._policy_cache[key]

    def _load_services(self, instances):
        hosts = {i['host'] for i in instances if i['host']}
        services = compute.services_for_hosts(
            self.context.elevated(), hosts) if hosts else []
        self._services = {s['host']: s for s in services}

    def _host_status(self, instance):
        if not instance['host']:
            return ''
        if self._services is None:
            self._load_services([instance])
        return servicegroup.host_status(self._services.get(
            instance['host']))

    # ------------------------------------------------------------- pieces

    def basic(self, instance):
        return {'id': instance['uuid'], 'name': instance['display_name'],
                'links': links.resource_links(self.req, 'servers',
                                              instance['uuid'])}

    def _status(self, instance):
        return states.status(instance['vm_state'], instance['task_state'],
                             deleted=bool(instance['deleted']))

    def _image(self, instance):
        if not instance['image_ref']:
            return ''
        view = {'id': instance['image_ref'],
                'links': links.bookmark_link(self.req, 'images',
                                             instance['image_ref'])}
        if self.v2_98:
            # The properties of the image as the server was (re)built.
            view['properties'] = json.loads(
                instance['image_properties'] or '{}')
        return view

    def _flavor(self, instance):
        if not self.v2_47:
            return {'id': instance['flavorid'],
                    'links': links.bookmark_link(self.req, 'flavors',
                                                 instance['flavorid'])}
        # 2.47: the flavor the server runs with, as it keeps it, not a
        # link to a flavor that may have changed or gone.
        view = {'vcpus': instance['vcpus'], 'ram': instance['memory_mb'],
                'disk': instance['root_gb'],
                'ephemeral': instance['ephemeral_gb'],
                'swap': instance['swap'],
                'original_name': instance['flavor_name']}
        if self._can(EXTRA_SPECS_POLICY, instance):
            view['extra_specs'] = json.loads(
                instance['flavor_extra_specs'] or '{}')
        return view

    def _addresses(self, instance, detailed=True):
        # NOTE: servers in [api] hide_server_address_states (by default
        # "building", as Nova) show none.
        if instance['vm_state'] in CONF.api.hide_server_address_states:
            return {}
        return addresses_by_network(instance, detailed=detailed)

    def _fault(self, instance, status):
        fault = instance.get('fault')
        if not fault or status not in ('ERROR', 'DELETED'):
            return None
        view = {'code': fault['code'], 'message': fault['message'],
                'created': common.isotime(fault['created_at'])}
        # NOTE: Nova shows details to admins, and to everyone for codes
        # other than 500; but it keeps details (a traceback, which names
        # host paths) only for 500 faults, so in effect only admins see
        # any. novalite says so outright: faults recorded before it kept
        # details for 500 only may hold a traceback whatever their code.
        if fault['details'] and self.context.is_admin:
            view['details'] = fault['details']
        return view

    def _core(self, instance, extend_address=True):
        """Fields shared by show/detail and the update response.

        ``extend_address``: the addresses with their MAC and type
        (``OS-EXT-IPS-MAC:mac_addr``, ``OS-EXT-IPS:type``), as show and
        detail give them; Nova's update and rebuild answers have none.
        """
        status = self._status(instance)
        view = {
            'id': instance['uuid'],
            'name': instance['display_name'],
            'status': status,
            'tenant_id': instance['project_id'],
            'user_id': instance['user_id'],
            'metadata': dict(instance.get('metadata') or {}),
            'hostId': utils.generate_hostid(instance['host'],
                                            instance['project_id']),
            'image': self._image(instance),
            'flavor': self._flavor(instance),
            'created': common.isotime(instance['created_at']),
            'updated': common.isotime(instance['updated_at']
                                      or instance['created_at']),
            'addresses': self._addresses(instance, extend_address),
            'accessIPv4': instance['access_ip_v4'] or '',
            'accessIPv6': instance['access_ip_v6'] or '',
            'links': links.resource_links(self.req, 'servers',
                                          instance['uuid']),
            'OS-DCF:diskConfig': ('AUTO' if instance['auto_disk_config']
                                  else 'MANUAL'),
        }
        if status in states.PROGRESS_STATUSES:
            view['progress'] = instance['progress'] or 0
        fault = self._fault(instance, status)
        if fault:
            view['fault'] = fault
        if self.v2_9:
            view['locked'] = bool(instance['locked'])
        if self.v2_19:
            view['description'] = instance['display_description']
        if self.v2_26:
            view['tags'] = list(instance.get('tags') or [])
        if self.v2_73:
            view['locked_reason'] = instance['locked_reason']
        if self.v2_63:
            view['trusted_image_certificates'] = (
                json.loads(instance['trusted_certs'])
                if instance['trusted_certs'] else None)
        return view

    def show(self, instance, listed=False):
        """The full representation (GET one, each detail item:
        ``listed``)."""
        view = self._core(instance)
        view.update({
            'OS-EXT-AZ:availability_zone':
                instance['availability_zone'] or '',
            'config_drive': instance['config_drive'] or '',
            'key_name': instance['key_name'],
            'OS-SRV-USG:launched_at': common.usage_time(
                instance['launched_at']),
            'OS-SRV-USG:terminated_at': common.usage_time(
                instance['terminated_at']),
            'OS-EXT-STS:task_state': instance['task_state'],
            'OS-EXT-STS:vm_state': instance['vm_state'],
            'OS-EXT-STS:power_state': instance['power_state'],
            'os-extended-volumes:volumes_attached': [],
        })
        groups = instance.get('security_groups') or []
        if groups:
            view['security_groups'] = [{'name': g} for g in groups]
        if self._can(ESA_POLICY, instance):
            view['OS-EXT-SRV-ATTR:host'] = instance['host']
            view['OS-EXT-SRV-ATTR:hypervisor_hostname'] = instance['node']
            view['OS-EXT-SRV-ATTR:instance_name'] = \
                utils.instance_name(instance)
            if self.v2_3:
                view.update({
                    'OS-EXT-SRV-ATTR:hostname': instance['hostname'],
                    'OS-EXT-SRV-ATTR:kernel_id': instance['kernel_id'] or '',
                    'OS-EXT-SRV-ATTR:launch_index':
                        instance['launch_index'],
                    'OS-EXT-SRV-ATTR:ramdisk_id':
                        instance['ramdisk_id'] or '',
                    'OS-EXT-SRV-ATTR:reservation_id':
                        instance['reservation_id'],
                    'OS-EXT-SRV-ATTR:root_device_name':
                        instance['root_device_name'],
                    'OS-EXT-SRV-ATTR:user_data': instance['user_data'],
                })
        if self.v2_90:
            # 2.90: everyone sees the guest's hostname (admins already do).
            view.setdefault('OS-EXT-SRV-ATTR:hostname', instance['hostname'])
        if self.v2_96:
            view['pinned_availability_zone'] = \
                instance['pinned_availability_zone']
        if self.v2_100:
            # NOTE: as Nova's for a server whose hints were not kept: {}
            # shown alone, null in the detailed list.
            hints = instance['scheduler_hints']
            view['scheduler_hints'] = (json.loads(hints) if hints
                                       else None if listed else {})
        if self.v2_16:
            if self._can(HOST_STATUS_POLICY, instance):
                view['host_status'] = self._host_status(instance)
            elif self._can(HOST_STATUS_UNKNOWN_POLICY, instance):
                status = self._host_status(instance)
                if status == 'UNKNOWN':
                    view['host_status'] = status
        return view

    def update_view(self, instance):
        """What PUT and rebuild return: below 2.75 a reduced view (no
        extensions, addresses without MAC and type, as Nova's), from 2.75
        the same as GET's."""
        if self.v2_75:
            view = self.show(instance)
        else:
            view = self._core(instance, extend_address=False)
        self._add_server_groups(view, instance)
        return view

    def _add_server_groups(self, view, instance):
        """2.71: the group the server is in, if any (show, update and
        rebuild; not the detailed list)."""
        if self.v2_71:
            view['server_groups'] = server_groups.group_uuids_of(
                self.context, instance['uuid'])

    def rebuild_view(self, instance):
        """The rebuild answer: the update view, with ``key_name`` from
        2.54."""
        view = self.update_view(instance)
        if self.v2_54:
            view['key_name'] = instance['key_name']
        # NOTE: Nova's rebuild never shows the extended attribute (from
        # 2.57 it gives user_data on its own).
        view.pop('OS-EXT-SRV-ATTR:user_data', None)
        return view

    def show_one(self, instance):
        """``show`` for GET /servers/{server_id}: with its group from
        2.71."""
        view = self.show(instance)
        self._add_server_groups(view, instance)
        return view

    def detail_list(self, instances):
        if self.v2_16:
            self._load_services(instances)
        return [self.show(i, listed=True) for i in instances]
