from oslo_policy import policy

from novalite.policies import base

rules = [
    policy.DocumentedRuleDefault(
        name='os_compute_api:os-extended-server-attributes',
        check_str=base.ADMIN,
        description='Return the OS-EXT-SRV-ATTR attributes (host, '
                    'hypervisor_hostname, instance_name and, from 2.3, '
                    'hostname, kernel_id, launch_index, ramdisk_id, '
                    'reservation_id, root_device_name, user_data) in '
                    'server responses',
        operations=[{'method': 'GET', 'path': '/servers/{server_id}'},
                    {'method': 'GET', 'path': '/servers/detail'},
                    {'method': 'PUT', 'path': '/servers/{server_id}'}],
        scope_types=['project']),
]


def list_rules():
    return rules
