"""Security groups: Nova's os-security-groups proxy, with novalite's own
catalogue where Nova asks Neutron (``nova/network/security_group_api.py``).

.. warning:: novalite's networks filter no packet. Groups and rules are
   recorded, shown and checked as Neutron would check them, and servers
   name the groups they are in, but no rule allows or denies any traffic
   to or from a guest.

What Neutron does that novalite does too:

* every project has a ``default`` group, made on first need (listing
  groups, creating a group or a server, naming ``default``), with
  Neutron's two ingress rules from the group's own members;
* names need not be unique (only ``default`` is); a name matching several
  groups is Nova's 409 NoUniqueMatch, where an id is asked for;
* a group a live server is in, or a project's default group (for a
  non-admin), cannot be deleted: Neutron's 409, which Nova passes on as
  a 400;
* deleting a group deletes its rules and the rules naming it as their
  remote group.

Servers keep the *names* of their groups (``instances.security_groups``),
as Nova's server view shows them. A server is given a group by name or
id; it records the name. Renaming a group renames it in its project's
servers when no other group had the old name.

A server's groups change with ``addSecurityGroup``/``removeSecurityGroup``:
a server without a port (no fixed IP) is a 404 as Neutron finds none;
removing a group it is not in is a 404; adding one it is in is a 400, as
Neutron refuses a port whose groups list one group twice. No lock or
state check, and no instance action, as in Nova.

Quotas: as Nova, none (``security_groups`` and ``security_group_rules``
are shown, never counted nor enforced).
"""

import ipaddress
import urllib.parse

from oslo_utils import netutils
from oslo_utils import uuidutils

from novalite.db import api as db
from novalite import exception

DEFAULT = 'default'


# ------------------------------------------------------------- groups

def validate_id(group_id):
    if not uuidutils.is_uuid_like(group_id):
        raise exception.Invalid('Security group id should be uuid')
    return group_id


def _visible_project(context):
    """Neutron shows an admin every group, anyone else their project's."""
    return None if context.is_admin else context.project_id


def get(context, group_id):
    """A group the caller may see (400 for a malformed id, else 404)."""
    return db.security_group_get(context, validate_id(group_id),
                                 _visible_project(context))


def get_all(context, all_tenants=False, limit=None, offset=0):
    """A page of the caller's project's groups (every project's for an
    admin asking for all tenants); the caller's default group first made
    if need be, as Neutron's list does."""
    db.security_group_ensure_default(context, context.project_id)
    project_id = None if all_tenants and context.is_admin \
        else context.project_id
    return db.security_group_get_all(context, project_id=project_id,
                                     limit=limit, offset=offset)


def create(context, name, description):
    # Neutron's name_not_default validator answers with a 409, which
    # Nova's proxy turns into a 403.
    if name.lower() == DEFAULT:
        raise exception.SecurityGroupLimitExceeded(
            'Default security group already exists.')
    db.security_group_ensure_default(context, context.project_id)
    return db.security_group_create(context, {
        'name': name, 'description': description,
        'project_id': context.project_id})


def update(context, group, name, description):
    """NOTE: Neutron refuses renaming the default group, or naming
    another one ``default``, with a 409 that Nova's update lets out as a
    500; novalite answers 400 with Neutron's words."""
    if group['is_default'] and name != DEFAULT:
        raise exception.Invalid(
            'Updating default security group not allowed.')
    if not group['is_default'] and name.lower() == DEFAULT:
        raise exception.Invalid('Default security group already exists.')
    return db.security_group_update(
        context, group['id'], {'name': name, 'description': description})


def delete(context, group):
    def check(group, in_use):
        # NOTE: Neutron's order: in use first, then the default group.
        if in_use:
            raise exception.Invalid('Security Group %s in use.' % group['id'])
        if group['is_default'] and not context.is_admin:
            raise exception.Invalid(
                'Insufficient rights for removing default security group.')
    db.security_group_destroy(context, group['id'], check=check)


def find(context, name_or_id):
    """The group a server names, Neutron's way: a group the caller may
    see with that id, else the one group of the caller's project with
    that name (SecurityGroupNotFound, SecurityGroupNoUniqueMatch)."""
    if name_or_id == DEFAULT:
        return db.security_group_ensure_default(context, context.project_id)
    if uuidutils.is_uuid_like(name_or_id):
        try:
            return get(context, name_or_id)
        except exception.SecurityGroupNotFound:
            pass
    found = db.security_group_get_all(context, project_id=context.project_id,
                                      name=name_or_id)
    if not found:
        raise exception.SecurityGroupNotFound(
            "Unable to find security_group with name or id '%s'"
            % name_or_id)
    if len(found) > 1:
        raise exception.SecurityGroupNoUniqueMatch(name=name_or_id)
    return found[0]


def remote_groups(context, groups):
    """{id: group} of the remote groups the rules of ``groups`` name,
    those the caller may see (Nova's view leaves out a rule whose group
    it cannot find)."""
    found = {group['id']: group for group in groups}
    for group in groups:
        for rule in group['rules']:
            remote = rule['group_id']
            if remote and remote not in found:
                try:
                    found[remote] = get(context, remote)
                except exception.SecurityGroupNotFound:
                    found[remote] = None
    return {k: v for k, v in found.items() if v is not None}


def names_for_create(context, names_or_ids):
    """The names a new server records for the groups its create names
    (Nova's 400 for one not found, 409 for an ambiguous name)."""
    names = []
    for name_or_id in names_or_ids:
        try:
            group = find(context, name_or_id)
        except exception.SecurityGroupNotFound as e:
            raise exception.ValidationError(detail=e.message)
        if group['name'] not in names:
            names.append(group['name'])
    return names


def for_instance(context, instance):
    """The groups a server is in, with their rules: those of its project
    named in its list, none if it has no port (as Neutron finds none)."""
    if not db.network_info_for_instance(context, instance['uuid']):
        return []
    project_id = instance['project_id']
    if DEFAULT in (instance['security_groups'] or ()):
        db.security_group_ensure_default(context, project_id)
    wanted = set(instance['security_groups'] or ())
    if not wanted:
        return []
    visible = _visible_project(context)
    if visible is not None and visible != project_id:
        return []
    return [group for group in db.security_group_get_all(
        context, project_id=project_id) if group['name'] in wanted]


# -------------------------------------------------------------- rules

def _int_ports(protocol, from_port, to_port):
    try:
        return int(from_port), int(to_port)
    except (TypeError, ValueError):
        if protocol.upper() == 'ICMP':
            raise exception.InvalidInput(
                reason='Type and Code must be integers for ICMP protocol '
                       'type')
        raise exception.InvalidInput(
            reason='To and From ports must be integers')


def parse_cidr(cidr):
    if not cidr:
        return '0.0.0.0/0'
    try:
        cidr = urllib.parse.unquote(str(cidr))
    except Exception:
        raise exception.SecurityGroupInvalidCidr(cidr=cidr)
    if not netutils.is_valid_cidr(cidr):
        raise exception.SecurityGroupInvalidCidr(cidr=cidr)
    return cidr


def new_ingress_rule(protocol, from_port, to_port, group_id=None,
                     cidr=None):
    """Nova's rule from the request's fields, or None when a cidr rule
    lacks its protocol or ports ("Not enough parameters")."""
    values = {}
    upper = protocol.upper() if isinstance(protocol, str) else ''
    if group_id:
        values['group_id'] = group_id
        # A group rule without ports opens the protocol's whole range.
        if from_port is None and to_port is None:
            if upper == 'ICMP':
                from_port = to_port = -1
            elif upper in ('TCP', 'UDP'):
                from_port, to_port = 1, 65535
    elif cidr:
        values['cidr'] = cidr
    if protocol and from_port is not None and to_port is not None:
        protocol = str(protocol)
        upper = protocol.upper()
        from_port, to_port = _int_ports(protocol, from_port, to_port)
        if upper not in ('TCP', 'UDP', 'ICMP'):
            raise exception.InvalidIpProtocol(protocol=protocol)
        if upper in ('TCP', 'UDP') and from_port > to_port:
            raise exception.InvalidPortRange(
                from_port=from_port, to_port=to_port,
                msg='Former value cannot be greater than the later')
        if upper in ('TCP', 'UDP') and (from_port < 1 or to_port > 65535):
            raise exception.InvalidPortRange(
                from_port=from_port, to_port=to_port,
                msg='Valid %s ports should be between 1-65535' % upper)
        if upper == 'ICMP' and not (-1 <= from_port <= 255 and
                                    -1 <= to_port <= 255):
            raise exception.InvalidPortRange(
                from_port=from_port, to_port=to_port,
                msg='For ICMP, the type:code must be valid')
        values.update(protocol=protocol, from_port=from_port,
                      to_port=to_port)
    elif cidr:
        return None
    return values


def nova_rule(rule):
    """A stored (Neutron) rule as Nova's proxy converts it: a protocol
    without ports is its whole range; the cidr defaults to 0.0.0.0/0."""
    converted = dict(rule)
    if rule['protocol'] and rule['from_port'] is None and \
            rule['to_port'] is None:
        whole = rule['protocol'].upper() in ('TCP', 'UDP')
        converted['from_port'] = 1 if whole else -1
        converted['to_port'] = 65535 if whole else -1
    converted['cidr'] = rule['cidr'] or '0.0.0.0/0'
    return converted


def _same(rule, new_rule):
    keys = ('group_id', 'cidr', 'from_port', 'to_port', 'protocol')
    return all(rule.get(k) == new_rule.get(k) for k in keys)


def _neutron_values(new_rule):
    """What Neutron stores of Nova's rule: the protocol in lower case,
    -1 as no bound, the prefix as its network, the ethertype of the
    prefix (IPv4 for a group rule)."""
    cidr = new_rule.get('cidr')
    ethertype = 'IPv4'
    if cidr:
        network = ipaddress.ip_network(cidr, strict=False)
        ethertype = 'IPv6' if network.version == 6 else 'IPv4'
        cidr = str(network)
    protocol = new_rule.get('protocol')
    values = {
        'parent_group_id': new_rule['parent_group_id'],
        'ip_protocol': protocol.lower() if protocol else None,
        'from_port': new_rule.get('from_port'),
        'to_port': new_rule.get('to_port'),
        'cidr': cidr, 'group_id': new_rule.get('group_id'),
        'ethertype': ethertype}
    for key in ('from_port', 'to_port'):
        if values[key] == -1:
            values[key] = None
    return values


def create_rule(context, group, new_rule):
    """Add Nova's rule to ``group``: Nova's own duplicate check (400),
    then Neutron's (409, a 403 through Nova), in the transaction."""
    values = _neutron_values(new_rule)
    if (values['ip_protocol'] == 'icmp' and values['from_port'] is None
            and values['to_port'] is not None):
        raise exception.Invalid(
            'ICMP code (port-range-max) %s is provided but ICMP type '
            '(port-range-min) is missing.' % values['to_port'])

    def check(group):
        for rule in group['rules']:
            if _same(nova_rule(rule), new_rule):
                raise exception.Invalid(
                    'This rule already exists in group %s'
                    % new_rule['parent_group_id'])
        for rule in group['rules']:
            if all(rule[k] == values[k] for k in (
                    'from_port', 'to_port', 'cidr', 'group_id',
                    'ethertype')) and \
                    rule['protocol'] == values['ip_protocol']:
                raise exception.SecurityGroupLimitExceeded(
                    'Security group rule already exists. Rule id is %s.'
                    % rule['id'])
    return nova_rule(db.security_group_rule_create(context, values,
                                                   check=check))


def get_rule(context, rule_id):
    return db.security_group_rule_get(context, validate_id(rule_id))


def delete_rule(context, rule):
    db.security_group_rule_destroy(context, rule['id'])


# ----------------------------------------------------- server actions

def _check_ports(context, instance):
    if not db.network_info_for_instance(context, instance['uuid']):
        raise exception.SecurityGroupNotFound(
            'instance_id %s could not be found as device id on any ports'
            % instance['uuid'])


def _find_for_action(context, name):
    try:
        return find(context, name)
    except exception.SecurityGroupNotFound:
        raise exception.SecurityGroupNotFound(
            'Security group %s is not found for project %s'
            % (name, context.project_id))


def add_to_instance(context, instance, name):
    group = _find_for_action(context, name)
    _check_ports(context, instance)
    groups = list(instance['security_groups'] or [])
    if group['name'] in groups:
        # Neutron's words name the group's id.
        raise exception.SecurityGroupCannotBeApplied(
            "Invalid input for security_groups. Reason: Duplicate items in "
            "the list: '%s'." % group['id'])
    db.instance_update(context, instance['uuid'],
                       {'security_groups': groups + [group['name']]})


def remove_from_instance(context, instance, name):
    group = _find_for_action(context, name)
    _check_ports(context, instance)
    groups = list(instance['security_groups'] or [])
    if group['name'] not in groups:
        raise exception.SecurityGroupNotFound(
            'Security group %s not associated with the instance %s'
            % (name, instance['uuid']))
    groups.remove(group['name'])
    db.instance_update(context, instance['uuid'],
                       {'security_groups': groups})
