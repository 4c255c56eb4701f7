"""Nova's views of security groups and their rules (os-security-groups).
"""

from novalite.compute import security_groups


def rule(rule, remotes):
    """A rule: its remote group's name and owner (from ``remotes``,
    {id: group}) or its ip_range; None when its remote group is gone
    (Nova leaves such a rule out)."""
    rule = security_groups.nova_rule(rule)
    view = {'id': rule['id'], 'parent_group_id': rule['parent_group_id'],
            'ip_protocol': rule['protocol'],
            'from_port': rule['from_port'], 'to_port': rule['to_port'],
            'group': {}, 'ip_range': {}}
    if rule['group_id']:
        remote = remotes.get(rule['group_id'])
        if remote is None:
            return None
        view['group'] = {'name': remote['name'],
                         'tenant_id': remote['project_id']}
    else:
        view['ip_range'] = {'cidr': rule['cidr']}
    return view


def group(group, remotes):
    rules = [rule(r, remotes) for r in group['rules']]
    return {'id': group['id'], 'description': group['description'],
            'name': group['name'], 'tenant_id': group['project_id'],
            'rules': [r for r in rules if r is not None]}


def groups(found, remotes):
    """Groups sorted as Nova sorts them: by owner, then name."""
    return sorted((group(g, remotes) for g in found),
                  key=lambda view: (view['tenant_id'], view['name']))
