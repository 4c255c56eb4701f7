"""What the Networking API v2.0 subset (``/network``) shows of novalite's
networks, addresses and security groups.

novalite's networks are its own (``novalite-manage network create``), each
one IPv4 CIDR; a server's fixed IP on a network, with its MAC address, is
what Neutron calls a port. So, read-only:

* a network is a Neutron network with exactly one subnet, whose id is
  derived from the network's (``subnet_id``: stable, never stored);
* a port is one allocated address of a live server (its id is stored
  with the address and lives as long as it);
* security groups are novalite's own (``compute/security_groups.py``),
  with the two egress rules Neutron gives every group (novalite stores
  ingress rules only: Nova's proxy shows no other).

Who sees what, as Neutron: a project sees the shared networks (and their
subnets) and its own, its own servers' ports and its own groups; an
admin sees everything. The policies (``get_network`` ...) are then
checked on each item, as Neutron filters a list by them.
"""

import uuid

from oslo_utils import uuidutils

from novalite.db import api as db
from novalite import exception

# Namespace of the derived ids (subnets, ports, egress rules).
NAMESPACE = uuid.UUID('5b0c4f8e-3d7a-4e55-9a61-0c7e2f1d8b42')


def subnet_id(network_uuid):
    return str(uuid.uuid5(NAMESPACE, 'subnet:' + network_uuid))


def egress_rule_id(group_id, ethertype):
    return str(uuid.uuid5(NAMESPACE, 'egress:%s:%s' % (group_id, ethertype)))


def _visible_project(context):
    return None if context.is_admin else context.project_id


# ----------------------------------------------------- networks, subnets

def get_networks(context):
    """The networks the caller sees, by name."""
    return db.network_get_all(context, project_id=_visible_project(context))


def get_network(context, network_id):
    for network in get_networks(context):
        if network['uuid'] == network_id:
            return network
    raise exception.NetworkNotFound(network_id=network_id)


def get_subnet(context, subnet_uuid):
    """The network whose subnet this is."""
    for network in get_networks(context):
        if subnet_id(network['uuid']) == subnet_uuid:
            return network
    raise exception.NotFound('Subnet %s could not be found.' % subnet_uuid)


# ------------------------------------------------------------------ ports

def get_ports(context, device_ids=None, network_ids=None, port_ids=None,
              limit=None, marker=None):
    """The ports the caller sees, oldest first (``limit`` of them after
    the port ``marker``), each with ``security_group_ids`` (the groups its
    server names)."""
    try:
        ports = db.ports_get_all(
            context, project_id=_visible_project(context),
            instance_uuids=device_ids, network_uuids=network_ids,
            port_ids=port_ids, limit=limit, marker=marker)
    except exception.MarkerNotFound:
        # Neutron looks the marker up as the port it is.
        raise exception.NotFound('Port %s could not be found.' % marker)
    # NOTE: one query for the groups of every project listed, not one a
    # project (an admin's list spans them all).
    groups = db.security_group_ids_by_name(
        context, {port['project_id'] for port in ports})
    for port in ports:
        port['security_group_ids'] = [
            groups[(port['project_id'], name)]
            for name in port['security_groups']
            if (port['project_id'], name) in groups]
    return ports


def get_port(context, port_uuid):
    for port in get_ports(context, port_ids=[port_uuid]):
        return port
    raise exception.NotFound('Port %s could not be found.' % port_uuid)


# -------------------------------------------------------- security groups

def _sg_not_found(group_id):
    return exception.SecurityGroupNotFound(
        'Security group %s does not exist' % group_id)


def get_security_groups(context, project_id=None, name=None):
    """The groups the caller sees (an admin: every project's); the
    caller's own ``default`` group first made if need be, as Neutron's
    list does. NOTE: unlike Neutron, not the default group of another
    project named in the filter: tempest looks for it only to delete it
    with its project."""
    if context.project_id:
        db.security_group_ensure_default(context, context.project_id)
    visible = _visible_project(context)
    if visible is not None and project_id not in (None, visible):
        return []
    return db.security_group_get_all(context,
                                     project_id=visible or project_id,
                                     name=name)


def get_security_group(context, group_id):
    if not uuidutils.is_uuid_like(group_id):
        raise _sg_not_found(group_id)
    return db.security_group_get(context, group_id,
                                 _visible_project(context))


def delete_security_group(context, group):
    """Neutron's delete: 409 while a live server is in the group, or for a
    project's default group unless the caller is an admin."""
    def check(group, in_use):
        if in_use:
            raise exception.Conflict(
                'Security Group %s in use.' % group['id'])
        if group['is_default'] and not context.is_admin:
            raise exception.Conflict(
                'Insufficient rights for removing default security group.')
    db.security_group_destroy(context, group['id'], check=check)
