"""A server's security groups (``addSecurityGroup``/``removeSecurityGroup``).

Nova asks Neutron (``nova/network/security_group_api.py``): it looks the
group up by name in the caller's project, then changes the groups of
every port of the server. novalite has no network service and one group,
``default``, which every server's ports (its fixed IPs) get at create; it
gives Nova's answers for that world:

* a group other than ``default``: 404, the group is not found;
* a server without a port (no fixed IP): 404, as Neutron finds none;
* removing a group the server does not have: 404;
* adding the group it has: 400, as Neutron refuses a port whose groups
  list one group twice (its message names the group's id; novalite's
  groups have none, so it names the group).

No lock or state check, and no instance action, as in Nova.
"""

from novalite.db import api as db
from novalite import exception

DEFAULT = 'default'


def _check_group(context, name):
    if name != DEFAULT:
        raise exception.SecurityGroupNotFound(
            'Security group %s is not found for project %s'
            % (name, context.project_id))


def _check_ports(context, instance):
    if not db.network_info_for_instance(context, instance['uuid']):
        raise exception.SecurityGroupNotFound(
            'instance_id %s could not be found as device id on any ports'
            % instance['uuid'])


def add_to_instance(context, instance, name):
    _check_group(context, name)
    _check_ports(context, instance)
    groups = list(instance['security_groups'] or [])
    if name in groups:
        raise exception.SecurityGroupCannotBeApplied(
            "Invalid input for security_groups. Reason: Duplicate items in "
            "the list: '%s'." % name)
    db.instance_update(context, instance['uuid'],
                       {'security_groups': groups + [name]})


def remove_from_instance(context, instance, name):
    _check_group(context, name)
    _check_ports(context, instance)
    groups = list(instance['security_groups'] or [])
    if name not in groups:
        raise exception.SecurityGroupNotFound(
            'Security group %s not associated with the instance %s'
            % (name, instance['uuid']))
    groups.remove(name)
    db.instance_update(context, instance['uuid'],
                       {'security_groups': groups})
