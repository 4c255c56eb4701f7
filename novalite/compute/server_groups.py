"""Server groups (Nova's os-server-groups and its ``group`` scheduler
hint): create, look up and delete them, with their quotas.

A group has one policy. The servers of a create that names the group
join it in the transaction that places them (``db.instance_create_claimed``
with ``scheduler.place`` honouring the policy) and leave it when they
are deleted.
"""

import uuid as uuidlib

from novalite.db import api as db
from novalite import exception
from novalite import quota

# The policies of each microversion range (the soft ones from 2.15).
POLICIES = ('anti-affinity', 'affinity')
SOFT_POLICIES = ('soft-anti-affinity', 'soft-affinity')


def _check_groups_quota(context, project_id, delta):
    """Nova's server_groups quota: the project's groups (``delta`` more)
    within its limit, else ServerGroupLimitExceeded (403)."""
    allowed = quota.limits(context, project_id)['server_groups']
    if allowed < 0:
        return
    used = db.quota_count_server_groups(context, project_id)
    if used + delta > allowed:
        raise exception.ServerGroupLimitExceeded()


def create(context, name, policy, rules=None):
    """A new group of the caller's project (``rules``: from 2.64,
    max_server_per_host of an anti-affinity group). As Nova, the quota
    is checked before and (for a concurrent create) after the insert."""
    project_id = context.project_id
    _check_groups_quota(context, project_id, 1)
    group = db.instance_group_create(context, {
        'uuid': str(uuidlib.uuid4()), 'name': name,
        'project_id': project_id, 'user_id': context.user_id,
        'policy': policy, 'rules': rules or {}})
    try:
        _check_groups_quota(context, project_id, 0)
    except exception.ServerGroupLimitExceeded:
        db.instance_group_delete(context, group['uuid'])
        raise
    return group


def get(context, group_uuid):
    """A group the caller may see (its project's; any for an admin),
    else InstanceGroupNotFound."""
    return db.instance_group_get(context, group_uuid)


def group_uuids_of(context, instance_uuid):
    """[uuid] of the server's group ([] if none; a server is in one at
    most)."""
    return db.instance_group_uuids_of(context, instance_uuid)


def get_all(context, all_projects=False, limit=None, offset=0):
    """A page of the project's groups, or of every project's."""
    return db.instance_group_get_all(
        context, project_id=None if all_projects else context.project_id,
        limit=limit, offset=offset)


def delete(context, group):
    """Delete a group; its servers stay as they are."""
    db.instance_group_delete(context, group['uuid'])


def for_create(context, scheduler_hints):
    """The group a create's ``group`` hint names, or None. A group the
    caller may not see is Nova's 400.

    NOTE: the hint may be a list (Nova's schema allows one, then fails
    with a 500): its first uuid counts.
    """
    hint = (scheduler_hints or {}).get('group')
    if isinstance(hint, list):
        hint = hint[0] if hint else None
    if not hint:
        return None
    try:
        return get(context, hint)
    except exception.InstanceGroupNotFound as e:
        raise exception.ValidationError(detail=e.message)


def check_members_quota(context, group, count, recheck=False):
    """Nova's server_group_members quota: the caller's servers in
    ``group``, with ``count`` new ones, within the project's limit, else
    GroupMemberLimitExceeded (403). With ``recheck`` the new servers are
    members already."""
    if group is None:
        return
    allowed = quota.limits(context, context.project_id)[
        'server_group_members']
    if allowed < 0:
        return
    used = db.instance_group_member_count_by_user(context, group['uuid'],
                                                  context.user_id)
    if used + (0 if recheck else count) > allowed:
        raise exception.GroupMemberLimitExceeded()
