"""``os-networks`` items in the shape of Nova's nova-network proxy
(``network_dict``): every field Nova has, null where novalite has no such
thing; the admin fields for admins only, as in Nova."""

import ipaddress

from novalite.api import common

_FIELDS = ('id', 'cidr', 'netmask', 'gateway', 'broadcast', 'dns1', 'dns2',
           'cidr_v6', 'gateway_v6', 'label', 'netmask_v6')
_ADMIN_FIELDS = ('created_at', 'updated_at', 'deleted_at', 'deleted',
                 'injected', 'bridge', 'vlan', 'vpn_public_address',
                 'vpn_public_port', 'vpn_private_address', 'dhcp_start',
                 'project_id', 'host', 'bridge_interface', 'multi_host',
                 'priority', 'rxtx_base', 'mtu', 'dhcp_server',
                 'enable_dhcp', 'share_address')


def network(context, net):
    cidr = ipaddress.ip_network(net['cidr'])
    known = {
        'id': net['uuid'],
        'label': net['name'],
        'cidr': net['cidr'],
        'netmask': str(cidr.netmask),
        'gateway': net['gateway'],
        'broadcast': str(cidr.broadcast_address),
        'created_at': common.usage_time(net['created_at']),
        'updated_at': common.usage_time(net['updated_at']),
        'deleted': False,
        'bridge': net['bridge'],
        # The first address handed out: the one after the gateway.
        'dhcp_start': str(ipaddress.ip_address(net['gateway']) + 1),
        'project_id': net['project_id'],
    }
    fields = _FIELDS + (_ADMIN_FIELDS if context.is_admin else ())
    return {field: known.get(field) for field in fields}
