"""novalite's networks, addresses and security groups as the Networking
API v2.0 (Neutron's) shows networks, subnets, ports and security groups.

Only the attributes of the extensions ``/network/v2.0/extensions`` lists
are shown; each has the value novalite's behaviour gives it (one IPv4
subnet per network, DHCP on, no routers, MTU 1500: the Linux bridges'
default).
"""

import ipaddress

from oslo_config import cfg

from novalite.api import common
from novalite.compute import networking

CONF = cfg.CONF

MTU = 1500


def _standard(row, created_at=None):
    """Neutron's standard attributes: nothing here is ever edited
    through this API, so each resource is at its first revision."""
    created = created_at or row.get('created_at')
    return {'description': '', 'tags': [], 'revision_number': 1,
            'created_at': common.isotime(created),
            'updated_at': common.isotime(row.get('updated_at') or created)}


def _owner(project_id):
    return {'project_id': project_id, 'tenant_id': project_id}


def network(net):
    view = {
        'id': net['uuid'], 'name': net['name'], 'status': 'ACTIVE',
        'admin_state_up': True, 'shared': net['project_id'] is None,
        'subnets': [networking.subnet_id(net['uuid'])],
        'router:external': False, 'mtu': MTU,
        'availability_zone_hints': [], 'availability_zones': [],
    }
    view.update(_owner(net['project_id']))
    view.update(_standard(net))
    return view


def subnet(net):
    cidr = ipaddress.ip_network(net['cidr'])
    gateway = ipaddress.ip_address(net['gateway'])
    view = {
        'id': networking.subnet_id(net['uuid']), 'name': net['name'],
        'network_id': net['uuid'], 'ip_version': 4, 'cidr': net['cidr'],
        'gateway_ip': net['gateway'], 'enable_dhcp': True,
        # novalite hands out every host address after the gateway.
        'allocation_pools': [{'start': str(gateway + 1),
                              'end': str(cidr.broadcast_address - 1)}],
        'dns_nameservers': [], 'host_routes': [], 'ipv6_ra_mode': None,
        'ipv6_address_mode': None, 'subnetpool_id': None,
        'segment_id': None, 'service_types': [],
    }
    view.update(_owner(net['project_id']))
    view.update(_standard(net))
    return view


def port(port, is_admin):
    view = {
        'id': port['id'], 'name': '', 'network_id': port['network_id'],
        'mac_address': port['mac_address'], 'admin_state_up': True,
        'status': 'ACTIVE' if port['vm_state'] == 'active' else 'DOWN',
        'device_id': port['instance_uuid'],
        'device_owner': 'compute:%s' % (port['availability_zone'] or
                                        CONF.default_availability_zone),
        'fixed_ips': [{'subnet_id': networking.subnet_id(port['network_id']),
                       'ip_address': port['address']}],
        'allowed_address_pairs': [], 'extra_dhcp_opts': [],
        'security_groups': port['security_group_ids'],
        'binding:vnic_type': 'normal',
    }
    if is_admin:
        # Neutron shows the binding to admins only.
        view.update({'binding:host_id': port['host'] or '',
                     'binding:profile': {}, 'binding:vif_details': {},
                     'binding:vif_type': 'bridge'})
    view.update(_owner(port['project_id']))
    view.update(_standard(port))
    return view


def _rule(group, rule):
    view = {
        'id': rule['id'], 'security_group_id': group['id'],
        'direction': 'ingress', 'ethertype': rule['ethertype'],
        'protocol': rule['protocol'],
        'port_range_min': rule['from_port'],
        'port_range_max': rule['to_port'],
        'remote_ip_prefix': rule['cidr'],
        'remote_group_id': rule['group_id'],
        'remote_address_group_id': None, 'normalized_cidr': rule['cidr'],
        'belongs_to_default_sg': group['is_default'],
    }
    view.update(_owner(group['project_id']))
    view.update(_standard(rule))
    return view


def _egress(group, ethertype):
    """The rule Neutron gives every new group: any traffic out."""
    return _rule(group, {
        'id': networking.egress_rule_id(group['id'], ethertype),
        'ethertype': ethertype, 'protocol': None, 'from_port': None,
        'to_port': None, 'cidr': None, 'group_id': None,
        'created_at': group['created_at'], 'updated_at': None,
    }) | {'direction': 'egress'}


def security_group(group):
    rules = [_egress(group, 'IPv4'), _egress(group, 'IPv6')]
    rules += [_rule(group, rule) for rule in group['rules']]
    view = {
        'id': group['id'], 'name': group['name'],
        'stateful': True, 'shared': False,
        'security_group_rules': rules,
    }
    view.update(_owner(group['project_id']))
    view.update(_standard(group))
    view['description'] = group['description'] or ''
    return view
