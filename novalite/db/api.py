"""Database access: enginefacade reader/writer functions returning dicts.

Only the API layer (``novalite/compute/api.py``, controllers through it)
and the compute manager call these; nothing under ``novalite/virt`` may.
"""

import contextlib
import datetime
import functools
import ipaddress
import json
import re
import secrets
import threading
import uuid as uuidlib

from oslo_config import cfg
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa

from novalite.db import models
from novalite.db import regexp
from novalite import exception

CONF = cfg.CONF

main_context_manager = enginefacade.transaction_context()
_CONFIGURED = False

_NOT_SET = object()


# Set while a writer function runs in this thread (see prepare_engine).
_WRITING = threading.local()

# How long a SQLite writer waits for another process' write lock (ms).
SQLITE_BUSY_TIMEOUT_MS = 30000
# SQLite file connections kept open for reuse (more are opened on demand).
SQLITE_POOL_SIZE = 5


def writer(func):
    """``main_context_manager.writer`` that also marks the thread as
    writing, so that SQLite opens the transaction with BEGIN IMMEDIATE,
    and tells the state watcher of the server state changes its
    transaction made once it committed (see watch_state_changes)."""
    inner = main_context_manager.writer(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        depth = getattr(_WRITING, 'depth', 0)
        _WRITING.depth = depth + 1
        if depth == 0:
            _WRITING.changes = []
        try:
            result = inner(*args, **kwargs)
        finally:
            _WRITING.depth = depth
            changes = _WRITING.changes if depth == 0 else ()
        # NOTE: the outermost writer only, after its commit: a watcher
        # reads what was written, and a rolled-back change is never told.
        for change in changes:
            _STATE_WATCHER[1](*change)
        return result
    return wrapper


@contextlib.contextmanager
def reading(context):
    """One read transaction for the reader calls made inside (they join
    it): a series of look-ups costs one BEGIN and one connection instead
    of one each. Nothing inside may write (enginefacade refuses to turn a
    reader into a writer)."""
    with main_context_manager.reader.using(context):
        yield


# (wanted, changed): see watch_state_changes.
_STATE_WATCHER = None


def watch_state_changes(wanted, changed):
    """Have ``changed(context, old, new)`` called after each committed
    change of a server's vm_state or task_state (instance_update,
    instance_destroy), while ``wanted()`` is true: ``old`` holds the
    states before (read first, with the row locked), ``new`` the server's
    columns after. novalite.notifications registers the one watcher:
    instance.update, which Nova sends from every Instance.save."""
    global _STATE_WATCHER
    _STATE_WATCHER = (wanted, changed)


def _old_states(context, uuid, values):
    """The server's states before a change of them, when watched."""
    if _STATE_WATCHER is None or not (
            {'vm_state', 'task_state'} & set(values)) or \
            not _STATE_WATCHER[0]():
        return None
    model = models.Instance
    row = context.session.execute(
        sa.select(model.vm_state, model.task_state)
        .where(model.uuid == uuid, model.deleted == 0)
        .with_for_update()).first()
    return None if row is None else {'vm_state': row.vm_state,
                                     'task_state': row.task_state}


def _state_changed(context, old, new):
    """Queue the change for the watcher (see writer)."""
    if old is not None and (old['vm_state'], old['task_state']) != (
            new['vm_state'], new['task_state']):
        _WRITING.changes.append((context, old, new))


def prepare_engine(engine):
    """Make a SQLite file safe for several processes (API and agents).

    oslo.db opens every SQLite transaction with a deferred BEGIN. A writer
    that reads first (every compare-and-swap does) then has to upgrade its
    lock; if another process is writing, SQLite answers "database is
    locked" at once, without waiting. So writer transactions start with
    BEGIN IMMEDIATE, which takes the write lock up front and waits (busy
    timeout) for it; and the journal is WAL, so readers never wait for a
    writer. REGEXP becomes the time-bounded one of ``novalite.db.regexp``.
    Connections to a file are pooled. Other backends are left alone.
    """
    if engine.dialect.name != 'sqlite':
        return
    if engine.url.database not in (None, '', ':memory:') and \
            isinstance(engine.pool, sa.pool.NullPool):
        # NOTE: oslo.db gives SQLite files a NullPool: a new connection per
        # transaction, each with its PRAGMAs, was half of the time of a
        # create. Pooled connections keep them; every connection is set up
        # by the "connect" listener below (the new pool shares the old
        # one's listeners) and its transaction is rolled back on return.
        old = engine.pool
        engine.pool = sa.pool.QueuePool(
            old._creator, pool_size=SQLITE_POOL_SIZE, max_overflow=-1,
            recycle=old._recycle, echo=old.echo,
            logging_name=old._orig_logging_name,
            reset_on_return=old._reset_on_return, dialect=old._dialect,
            _dispatch=old.dispatch)
        old.dispose()

    @sa.event.listens_for(engine, 'connect')
    def _connect(dbapi_connection, _record):
        regexp.register_sqlite(dbapi_connection)
        dbapi_connection.execute('PRAGMA busy_timeout = %d'
                                 % SQLITE_BUSY_TIMEOUT_MS)
        if engine.url.database not in (None, '', ':memory:'):
            dbapi_connection.execute('PRAGMA journal_mode = WAL')

    def _begin(connection):
        if 'in_transaction' not in connection.info:
            immediate = getattr(_WRITING, 'depth', 0) > 0
            connection.exec_driver_sql('BEGIN IMMEDIATE' if immediate
                                       else 'BEGIN')
            connection.info['in_transaction'] = True

    # NOTE: ours must run before oslo.db's own "begin" listener (which
    # then sees the transaction marker and emits nothing); engine hooks run
    # after oslo.db registered it, so it is moved behind ours.
    others = list(engine.dispatch.begin)
    for listener in others:
        sa.event.remove(engine, 'begin', listener)
    sa.event.listen(engine, 'begin', _begin)
    for listener in others:
        sa.event.listen(engine, 'begin', listener)


main_context_manager.append_on_engine_create(prepare_engine)


def configure():
    """Point the engine at ``[database]``; call once per process."""
    global _CONFIGURED
    if not _CONFIGURED:
        main_context_manager.configure(**dict(CONF.database.items()))
        _CONFIGURED = True


def get_engine():
    configure()
    return main_context_manager.writer.get_engine()


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


# ---------------------------------------------------------------- instances

def _instance_dict(columns):
    """A server as novalite passes it around: its columns (a Core row's
    mapping, or an ORM row's ``as_dict()``), security groups decoded."""
    inst = dict(columns)
    inst['security_groups'] = json.loads(inst['security_groups'] or '[]')
    return inst


def _instance_to_dict(row):
    return _instance_dict(row.as_dict())


def _attach_extras(context, instances, extras):
    """Load metadata/tags/faults/addresses for a page of servers, one
    query each.

    NOTE: one IN query per extra keeps a list request proportional to the
    page size (no per-server queries).
    """
    if not instances:
        return instances
    uuids = [i['uuid'] for i in instances]
    by_uuid = {i['uuid']: i for i in instances}
    session = context.session
    if 'metadata' in extras:
        for inst in instances:
            inst['metadata'] = {}
        rows = session.execute(
            sa.select(models.InstanceMetadata.instance_uuid,
                      models.InstanceMetadata.key,
                      models.InstanceMetadata.value)
            .where(models.InstanceMetadata.instance_uuid.in_(uuids),
                   models.InstanceMetadata.deleted == 0))
        for uuid, key, value in rows:
            by_uuid[uuid]['metadata'][key] = value
    if 'tags' in extras:
        for inst in instances:
            inst['tags'] = []
        rows = session.execute(
            sa.select(models.Tag.resource_id, models.Tag.tag)
            .where(models.Tag.resource_id.in_(uuids))
            .order_by(models.Tag.tag))
        for uuid, tag in rows:
            by_uuid[uuid]['tags'].append(tag)
    if 'fault' in extras:
        for inst in instances:
            inst['fault'] = None
        # Faults matter only for servers in ERROR or DELETED.
        wanted = [i['uuid'] for i in instances
                  if i['vm_state'] in ('error', 'deleted') or i['deleted']]
        if wanted:
            # NOTE: the newest fault of each server only (ids grow with
            # time): a server that failed a thousand times costs one row.
            fault = models.InstanceFault
            newest = (sa.select(sa.func.max(fault.id))
                      .where(fault.instance_uuid.in_(wanted))
                      .group_by(fault.instance_uuid))
            rows = session.execute(
                sa.select(fault).where(fault.id.in_(newest))).scalars()
            for row in rows:
                by_uuid[row.instance_uuid]['fault'] = row.as_dict()
    if 'addresses' in extras:
        for inst in instances:
            inst['addresses'] = []
        rows = session.execute(
            _vif_query().where(models.FixedIp.instance_uuid.in_(uuids)))
        for row in rows:
            by_uuid[row.instance_uuid]['addresses'].append(_vif_dict(row))
    return instances


# 'addresses': the server's fixed IPs, as network_info_for_instance.
ALL_EXTRAS = ('metadata', 'tags', 'fault', 'addresses')


def _instance_query(context, project_only=True, read_deleted=None):
    query = sa.select(models.Instance)
    read_deleted = read_deleted or context.read_deleted
    if read_deleted == 'no':
        query = query.where(models.Instance.deleted == 0)
    elif read_deleted == 'only':
        query = query.where(models.Instance.deleted != 0)
    if project_only and not context.is_admin:
        query = query.where(models.Instance.project_id == context.project_id)
    return query


@writer
def instance_create(context, values, metadata=None, tags=None):
    """A server row as given: no host claim (see instance_create_claimed).
    """
    return _instance_create(context, values, metadata, tags)


@writer
def instance_create_claimed(context, binary, place, build,
                            availability_zone=None, host=None,
                            metadata=None, tags=None, group_uuid=None):
    """Create servers on compute hosts, claiming the hosts' room.

    The candidates are the ``binary`` services (of ``availability_zone``,
    or just ``host``, when given). ``place(services, usage)`` chooses the
    service of each new server from their rows and their usage ({host:
    (vcpus, memory_mb, disk_gb)}) as read here (``scheduler.place``, which
    also drops disabled and down services; it raises NoValidHost).
    ``build(index, service)``: the values of the index-th server.

    With ``group_uuid`` (a server group), ``place(services, usage,
    group)`` also gets the group ({'uuid', 'policy', 'rules', 'hosts':
    {host: live members}}) and the new servers join it here.

    NOTE: the claim is this one transaction. It first locks the
    candidates' service rows (SELECT ... FOR UPDATE, in id order, so that
    two creates never wait for each other crosswise; on SQLite the
    writer's BEGIN IMMEDIATE already holds the database's write lock),
    then reads their usage, chooses and inserts. A concurrent create for
    any of these hosts, from any process, waits for the lock and then
    counts these servers: a host cannot be overcommitted. The lock must be
    the transaction's first statement: MariaDB's REPEATABLE READ takes its
    snapshot at the first plain read, and that snapshot has to include
    what the previous holder of the lock committed.

    NOTE: with a group, the group's row is locked first, then the
    services' (always in this order, and nothing that locks services
    then waits for a group: no crosswise waits), and only then are the
    usage and the members' hosts read (a locking read takes no MariaDB
    snapshot: the first plain read does, and it comes after both locks).
    Creates into one group queue up on its row, each seeing where the
    previous one put its servers: two concurrent creates into an
    anti-affinity group cannot both take one host (they would also wait
    for that host's service row), nor two into an empty affinity group
    start on two hosts (they may lock disjoint services, by zone: the
    group's lock orders them).
    """
    group = None
    if group_uuid is not None:
        group = _lock_group(context, group_uuid)
    services, usage = _lock_candidates(context, binary, availability_zone,
                                       host)
    if group is None:
        chosen = place(services, usage)
    else:
        chosen = place(services, usage, _group_placement(context, group))
    instances = [_instance_create(context, build(index, service), metadata,
                                  tags)
                 for index, service in enumerate(chosen)]
    if group is not None:
        _add_members(context, group.id, [i['uuid'] for i in instances])
    return instances


def _lock_candidates(context, binary, availability_zone=None, host=None):
    """(service rows, their usage) of the candidate hosts of a claim,
    their rows locked for the rest of the transaction (see
    instance_create_claimed, and migration_create_claimed and
    instance_claim_host, which claim the same way)."""
    service = models.Service
    query = (sa.select(service)
             .where(service.binary == binary)
             .order_by(service.id).with_for_update())
    if availability_zone:
        query = query.where(service.availability_zone == availability_zone)
    if host:
        query = query.where(service.host == host)
    services = [row.as_dict()
                for row in context.session.execute(query).scalars()]
    usage = instance_usage_by_host(
        context, hosts=[s['host'] for s in services])
    return services, usage


def _instance_create(context, values, metadata, tags):
    values = dict(values)
    values['security_groups'] = json.dumps(values.get('security_groups')
                                           or [])
    row = models.Instance(**values)
    context.session.add(row)
    context.session.flush()
    for key, value in (metadata or {}).items():
        context.session.add(models.InstanceMetadata(
            instance_uuid=row.uuid, key=key, value=value))
    for tag in sorted(set(tags or ())):
        context.session.add(models.Tag(resource_id=row.uuid, tag=tag))
    context.session.flush()
    inst = _instance_to_dict(row)
    inst['metadata'] = dict(metadata or {})
    inst['tags'] = sorted(set(tags or ()))
    inst['fault'] = None
    inst['addresses'] = []
    return inst


@main_context_manager.reader
def instance_get_by_uuid(context, uuid, project_only=True,
                         read_deleted=None, extras=ALL_EXTRAS):
    """One server; InstanceNotFound if absent or not the caller's."""
    row = context.session.execute(
        _instance_query(context, project_only, read_deleted)
        .where(models.Instance.uuid == uuid)).scalar_one_or_none()
    if row is None:
        raise exception.InstanceNotFound(instance_id=uuid)
    return _attach_extras(context, [_instance_to_dict(row)], extras)[0]


def _in_or_null(column, values):
    """``column IN values``, where a None in values matches NULL."""
    values = list(values)
    clauses = []
    non_null = [v for v in values if v is not None]
    if non_null:
        clauses.append(column.in_(non_null))
    if len(non_null) != len(values):
        clauses.append(column.is_(None))
    return sa.or_(*clauses) if clauses else sa.false()


def _tag_subquery(tag):
    return sa.select(models.Tag.resource_id).where(models.Tag.tag == tag)


def _apply_filters(query, filters):
    """Turn the API layer's normalised filters into SQL.

    ``filters`` keys: ``project_id``, ``deleted`` (True, False or None for
    both), ``exact`` {column: value or list}, ``regex`` {column: pattern},
    ``status`` [(vm_states, task_states or None), ...] (OR-ed),
    ``changes-since``/``changes-before`` (datetimes), ``tags``,
    ``tags-any``, ``not-tags``, ``not-tags-any`` (lists), ``soft_deleted``,
    ``ip``/``ip6`` (regular expressions matched, from the start as Nova's
    ``re.match``, against the server's fixed IPv4/IPv6 addresses).
    """
    model = models.Instance
    if filters.get('project_id'):
        query = query.where(model.project_id == filters['project_id'])
    deleted = filters.get('deleted', False)
    if deleted is True:
        query = query.where(sa.or_(model.deleted != 0,
                                   model.vm_state == 'soft-delete'))
    elif deleted is False:
        query = query.where(model.deleted == 0)
        if not filters.get('soft_deleted'):
            query = query.where(model.vm_state != 'soft-delete')
    for column, value in filters.get('exact', {}).items():
        col = getattr(model, column)
        if isinstance(value, (list, tuple, set)):
            query = query.where(_in_or_null(col, value))
        else:
            query = query.where(col.is_(None) if value is None
                                else col == value)
    for column, pattern in filters.get('regex', {}).items():
        query = query.where(getattr(model, column).regexp_match(pattern))
    statuses = filters.get('status')
    if statuses is not None:
        clauses = []
        for vm_states, task_states in statuses:
            clause = model.vm_state.in_(vm_states)
            if task_states is not None:
                clause = sa.and_(clause,
                                 _in_or_null(model.task_state, task_states))
            clauses.append(clause)
        query = query.where(sa.or_(*clauses) if clauses else sa.false())
    if filters.get('changes-since') is not None:
        query = query.where(model.updated_at >= filters['changes-since'])
    if filters.get('changes-before') is not None:
        query = query.where(model.updated_at <= filters['changes-before'])
    for tag in filters.get('tags') or ():
        query = query.where(model.uuid.in_(_tag_subquery(tag)))
    if filters.get('tags-any'):
        query = query.where(model.uuid.in_(
            sa.select(models.Tag.resource_id)
            .where(models.Tag.tag.in_(filters['tags-any']))))
    if filters.get('not-tags'):
        not_tags = filters['not-tags']
        having_all = (sa.select(models.Tag.resource_id)
                      .where(models.Tag.tag.in_(not_tags))
                      .group_by(models.Tag.resource_id)
                      .having(sa.func.count(sa.distinct(models.Tag.tag))
                              == len(set(not_tags))))
        query = query.where(model.uuid.not_in(having_all))
    if filters.get('not-tags-any'):
        query = query.where(model.uuid.not_in(
            sa.select(models.Tag.resource_id)
            .where(models.Tag.tag.in_(filters['not-tags-any']))))
    fixed = models.FixedIp
    for key, of_version in (('ip', fixed.address.not_like('%:%')),
                            ('ip6', fixed.address.like('%:%'))):
        if filters.get(key) is not None:
            query = query.where(model.uuid.in_(
                sa.select(fixed.instance_uuid).where(
                    of_version,
                    fixed.address.regexp_match('^(%s)' % filters[key]))))
    if filters.get('match_nothing'):
        query = query.where(sa.false())
    return query


def _paginate(query, model, limit, sort_keys, sort_dirs, marker):
    """Sort and page ``query``; correct when sort keys hold NULLs.

    NOTE: oslo.db's paginate_query drops the terms of NULL marker values,
    so paging on a nullable key (task_state, host, ...) skips or repeats
    rows, and backends disagree on where NULLs sort. Here NULL sorts as
    the smallest value on every backend (as MySQL and SQLite do) and the
    marker criteria compare NULLs explicitly. ``sort_keys`` must end in a
    unique key.
    """
    columns = []
    for key, direction in zip(sort_keys, sort_dirs):
        column = getattr(model, key)
        order = sa.desc if direction == 'desc' else sa.asc
        if column.nullable:
            query = query.order_by(order(column.is_not(None)))
        query = query.order_by(order(column))
        columns.append(column)
    if marker is not None:
        criteria = []
        for index, (key, direction) in enumerate(zip(sort_keys,
                                                     sort_dirs)):
            terms = []
            for prev_key, prev in zip(sort_keys[:index], columns):
                value = getattr(marker, prev_key)
                terms.append(prev.is_(None) if value is None
                             else prev == value)
            column, value = columns[index], getattr(marker, key)
            if isinstance(column.type, sa.Boolean) and value is not None:
                column, value = sa.cast(column, sa.Integer), int(value)
            if direction == 'desc':
                after = (sa.false() if value is None
                         else sa.or_(column < value, column.is_(None)))
            else:
                after = (column.is_not(None) if value is None
                         else column > value)
            criteria.append(sa.and_(*terms, after))
        query = query.where(sa.or_(*criteria))
    if limit is not None:
        query = query.limit(limit)
    return query


@main_context_manager.reader
def instance_get_all_by_filters_sort(context, filters, limit=None,
                                     marker=None, sort_keys=None,
                                     sort_dirs=None, extras=ALL_EXTRAS):
    """A page of servers matching ``filters`` (see ``_apply_filters``).

    Project scoping is the caller's job (``filters['project_id']``), since
    an admin may list all projects. ``marker`` is a server uuid; it may be
    a deleted server.
    """
    model = models.Instance
    sort_keys = list(sort_keys or ['created_at'])
    sort_dirs = list(sort_dirs or ['desc'] * len(sort_keys))
    # Tie-breakers make the order total, so markers are stable.
    for key in ('created_at', 'id'):
        if key not in sort_keys:
            sort_keys.append(key)
            sort_dirs.append(sort_dirs[0])
    marker_row = None
    if marker is not None:
        marker_query = context.session.query(model).filter(
            model.uuid == marker)
        if filters.get('project_id'):
            marker_query = marker_query.filter(
                model.project_id == filters['project_id'])
        marker_row = marker_query.first()
        if marker_row is None:
            raise exception.MarkerNotFound(marker=marker)
    if limit == 0:
        return []
    # Query.where() accepts the same clauses as select().where().
    # NOTE: plain rows, not ORM objects: building a thousand mapped
    # objects (identity map, attribute state) was half of a page's time.
    query = _apply_filters(sa.select(*model.__table__.columns), filters)
    query = _paginate(query, model, limit, sort_keys, sort_dirs, marker_row)
    matches_patterns = (filters.get('regex') or filters.get('ip')
                        or filters.get('ip6'))
    with (regexp.budget(context.session) if matches_patterns
          else contextlib.nullcontext()):
        rows = context.session.execute(query).mappings().all()
    return _attach_extras(context, [_instance_dict(r) for r in rows],
                          extras)


@writer
def instance_update(context, uuid, values, expected_task_state=_NOT_SET,
                    expected_vm_state=_NOT_SET):
    """Update a live server, as a compare-and-swap on its states.

    ``expected_task_state``/``expected_vm_state`` (a value or a list; None
    means "no task") are part of the UPDATE's WHERE clause, so the change
    happens only if no one else changed the state first; otherwise
    UnexpectedTaskStateError (or InstanceInvalidState for vm_state).
    Returns the updated server.
    """
    model = models.Instance
    values = dict(values)
    values.setdefault('updated_at', utcnow())
    if 'security_groups' in values:
        values['security_groups'] = json.dumps(values['security_groups'])
    old = _old_states(context, uuid, values)
    stmt = sa.update(model).where(model.uuid == uuid, model.deleted == 0)
    if expected_task_state is not _NOT_SET:
        expected = (list(expected_task_state)
                    if isinstance(expected_task_state, (list, tuple))
                    else [expected_task_state])
        stmt = stmt.where(_in_or_null(model.task_state, expected))
    if expected_vm_state is not _NOT_SET:
        expected_vm = (list(expected_vm_state)
                       if isinstance(expected_vm_state, (list, tuple))
                       else [expected_vm_state])
        stmt = stmt.where(model.vm_state.in_(expected_vm))
    result = context.session.execute(stmt.values(**values))
    row = context.session.execute(
        sa.select(model).where(model.uuid == uuid, model.deleted == 0)
    ).scalar_one_or_none()
    if row is None:
        raise exception.InstanceNotFound(instance_id=uuid)
    if result.rowcount != 1:
        if (expected_task_state is not _NOT_SET
                and row.task_state not in expected):
            exc = (exception.UnexpectedDeletingTaskStateError
                   if row.task_state == 'deleting'
                   else exception.UnexpectedTaskStateError)
            raise exc(instance_uuid=uuid, expected=expected_task_state,
                      actual=row.task_state)
        raise exception.InstanceInvalidState(
            action='update', instance_uuid=uuid, attr='vm_state',
            state=row.vm_state)
    updated = _instance_to_dict(row)
    _state_changed(context, old, updated)
    return updated


@writer
def instance_destroy(context, uuid, values=None):
    """Soft-delete a server row (it then lists only with deleted=True)."""
    model = models.Instance
    row = context.session.execute(
        sa.select(model).where(model.uuid == uuid, model.deleted == 0)
    ).scalar_one_or_none()
    if row is None:
        raise exception.InstanceNotFound(instance_id=uuid)
    now = utcnow()
    update = {'deleted': row.id, 'deleted_at': now, 'updated_at': now,
              'vm_state': 'deleted', 'task_state': None, 'power_state': 0,
              'terminated_at': row.terminated_at or now}
    update.update(values or {})
    old = _old_states(context, uuid, update)
    context.session.execute(sa.update(model).where(model.id == row.id)
                            .values(**update))
    _state_changed(context, old, dict(_instance_to_dict(row), **update))
    context.session.execute(sa.delete(models.Tag)
                            .where(models.Tag.resource_id == uuid))
    _release_fixed_ips(context, uuid)
    _remove_memberships(context, uuid)


@writer
def instance_hard_delete(context, uuid):
    """Remove every trace of a server, its addresses included (rollback
    of a failed create only)."""
    session = context.session
    _release_fixed_ips(context, uuid)
    _remove_memberships(context, uuid)
    session.execute(sa.delete(models.InstanceMetadata).where(
        models.InstanceMetadata.instance_uuid == uuid))
    session.execute(sa.delete(models.Tag).where(
        models.Tag.resource_id == uuid))
    session.execute(sa.delete(models.InstanceFault).where(
        models.InstanceFault.instance_uuid == uuid))
    session.execute(sa.delete(models.InstanceSystemMetadata).where(
        models.InstanceSystemMetadata.instance_uuid == uuid))
    actions = sa.select(models.InstanceAction.id).where(
        models.InstanceAction.instance_uuid == uuid)
    session.execute(sa.delete(models.InstanceActionEvent).where(
        models.InstanceActionEvent.action_id.in_(actions)))
    session.execute(sa.delete(models.InstanceAction).where(
        models.InstanceAction.instance_uuid == uuid))
    session.execute(sa.delete(models.Instance).where(
        models.Instance.uuid == uuid))


@main_context_manager.reader
def instance_usage_by_project(context, project_id):
    """(instances, cores, ram) used by a project's live servers.

    NOTE: as Nova counts them, soft-deleted servers use none (a restore
    checks the quota again); their hosts still hold their room.
    """
    model = models.Instance
    row = context.session.execute(
        sa.select(sa.func.count(model.id),
                  sa.func.coalesce(sa.func.sum(model.vcpus), 0),
                  sa.func.coalesce(sa.func.sum(model.memory_mb), 0))
        .where(model.project_id == project_id, model.deleted == 0,
               sa.or_(model.vm_state != 'soft-delete',
                      model.vm_state.is_(None)))).one()
    return int(row[0]), int(row[1]), int(row[2])


@main_context_manager.reader
def instance_usage_by_host(context, hosts=None):
    """{host: (vcpus, memory_mb, disk_gb)} claimed by live servers (of
    ``hosts`` only, if given)."""
    model = models.Instance
    query = (
        sa.select(model.host,
                  sa.func.sum(model.vcpus), sa.func.sum(model.memory_mb),
                  sa.func.sum(model.root_gb + model.ephemeral_gb
                              + sa.func.ceil(model.swap / 1024.0)))
        .where(model.deleted == 0, model.host.is_not(None))
        .group_by(model.host))
    if hosts is not None:
        hosts = list(hosts)
        query = query.where(model.host.in_(hosts))
    rows = context.session.execute(query)
    usage = {host: (int(v or 0), int(m or 0), int(d or 0))
             for host, v, m, d in rows}
    # NOTE: a resize or migration under way holds room on both of its
    # hosts (see _move_claims).
    for host, need in _move_claims(context, hosts).items():
        usage[host] = tuple(a + b for a, b in zip(usage.get(host, (0, 0, 0)),
                                                  need))
    return usage


@main_context_manager.reader
def instance_get_all_by_host(context, host, extras=()):
    return instance_get_all_by_hosts(context, [host], extras=extras)


@main_context_manager.reader
def instance_get_all_by_hosts(context, hosts, extras=()):
    """The live servers on any of ``hosts``, in the order of their ids."""
    rows = context.session.execute(
        sa.select(models.Instance).where(models.Instance.host.in_(hosts),
                                         models.Instance.deleted == 0)
        .order_by(models.Instance.id)
    ).scalars()
    return _attach_extras(context, [_instance_to_dict(r) for r in rows],
                          extras)


@writer
def instance_fault_create(context, uuid, code, message, details=None,
                          host=None):
    context.session.add(models.InstanceFault(
        instance_uuid=uuid, code=code, message=(message or '')[:255],
        details=details, host=host))


@writer
def instance_metadata_set(context, uuid, metadata):
    session = context.session
    session.execute(sa.delete(models.InstanceMetadata).where(
        models.InstanceMetadata.instance_uuid == uuid))
    for key, value in metadata.items():
        session.add(models.InstanceMetadata(instance_uuid=uuid, key=key,
                                            value=value))


@writer
def instance_metadata_update(context, uuid, metadata, delete=False,
                             check=None):
    """Merge ``metadata`` into a server's (replace it when ``delete``);
    returns the result. ``check(result)`` may raise (a quota) before
    anything is written; it runs in the transaction, on the rows as they
    are now."""
    session = context.session
    model = models.InstanceMetadata
    rows = {row.key: row for row in session.execute(
        sa.select(model).where(model.instance_uuid == uuid,
                               model.deleted == 0)).scalars()}
    result = {} if delete else {k: r.value for k, r in rows.items()}
    result.update(metadata)
    if check is not None:
        check(result)
    for key, row in rows.items():
        if key not in result:
            session.delete(row)
        elif row.value != result[key]:
            row.value = result[key]
    for key, value in result.items():
        if key not in rows:
            session.add(model(instance_uuid=uuid, key=key, value=value))
    _touch_instance(context, uuid)
    return result


@writer
def instance_metadata_delete(context, uuid, key):
    model = models.InstanceMetadata
    result = context.session.execute(sa.delete(model).where(
        model.instance_uuid == uuid, model.key == key, model.deleted == 0))
    if result.rowcount == 0:
        raise exception.MetadataItemNotFound()
    _touch_instance(context, uuid)


# ---------------------------------------------------------- system metadata

@main_context_manager.reader
def instance_system_metadata_get(context, uuid):
    model = models.InstanceSystemMetadata
    return {key: value for key, value in context.session.execute(
        sa.select(model.key, model.value).where(model.instance_uuid == uuid))}


@writer
def instance_system_metadata_update(context, uuid, values):
    """Set keys of a server's system metadata; a None value removes the
    key."""
    session = context.session
    model = models.InstanceSystemMetadata
    rows = {row.key: row for row in session.execute(
        sa.select(model).where(model.instance_uuid == uuid,
                               model.key.in_(list(values)))).scalars()}
    for key, value in values.items():
        row = rows.get(key)
        if value is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(model(instance_uuid=uuid, key=key, value=value))
        else:
            row.value = value


# ---------------------------------------------------------- instance actions

def _action_dict(row):
    return row.as_dict()


@writer
def action_start(context, instance_uuid, action, request_id=None):
    """Record that a user started ``action`` on a server; returns it."""
    now = utcnow()
    row = models.InstanceAction(
        action=action, instance_uuid=instance_uuid,
        request_id=request_id or context.request_id,
        user_id=context.user_id, project_id=context.project_id,
        start_time=now, updated_at=now)
    context.session.add(row)
    context.session.flush()
    return _action_dict(row)


def _action_by_request(context, instance_uuid, request_id):
    model = models.InstanceAction
    return context.session.execute(
        sa.select(model).where(model.instance_uuid == instance_uuid,
                               model.request_id == request_id)
        .order_by(model.id.desc()).limit(1)).scalar_one_or_none()


@main_context_manager.reader
def action_get_by_request_id(context, instance_uuid, request_id):
    row = _action_by_request(context, instance_uuid, request_id)
    if row is None:
        raise exception.InstanceActionNotFound(request_id=request_id,
                                               instance_uuid=instance_uuid)
    return _action_dict(row)


@main_context_manager.reader
def actions_get(context, instance_uuid, limit=None, marker=None,
                changes_since=None, changes_before=None):
    """A server's actions, newest first: ``limit`` of them after the one
    of request id ``marker`` (MarkerNotFound), those updated within
    ``changes_since`` and ``changes_before`` if given."""
    model = models.InstanceAction
    query = sa.select(model).where(model.instance_uuid == instance_uuid)
    if changes_since is not None:
        query = query.where(model.updated_at >= changes_since)
    if changes_before is not None:
        query = query.where(model.updated_at <= changes_before)
    if marker is not None:
        after = _action_by_request(context, instance_uuid, marker)
        if after is None:
            raise exception.MarkerNotFound(marker=marker)
        query = query.where(sa.or_(
            model.created_at < after.created_at,
            sa.and_(model.created_at == after.created_at,
                    model.id < after.id)))
    query = query.order_by(model.created_at.desc(), model.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return [_action_dict(row)
            for row in context.session.execute(query).scalars()]


@writer
def action_event_start(context, instance_uuid, request_id, event, host):
    """Record that an agent started ``event`` (``compute_stop_instance``)
    for the action of ``request_id``; returns the event's id, or None
    when no action has that request id (e.g. a periodic task)."""
    action = _action_by_request(context, instance_uuid, request_id)
    if action is None:
        return None
    row = models.InstanceActionEvent(event=event, action_id=action.id,
                                     start_time=utcnow(), host=host)
    context.session.add(row)
    action.updated_at = utcnow()
    context.session.flush()
    return row.id


@writer
def action_event_finish(context, event_id, result, traceback=None,
                        details=None):
    """``result`` is 'Success' or 'Error'; an error marks its action's
    message 'Error', as in Nova."""
    row = context.session.get(models.InstanceActionEvent, event_id)
    if row is None:
        return
    now = utcnow()
    row.finish_time = now
    row.result = result
    row.traceback = traceback
    row.details = details
    action = context.session.get(models.InstanceAction, row.action_id)
    action.updated_at = now
    if result == 'Error':
        action.message = 'Error'


@main_context_manager.reader
def action_events_get(context, action_id):
    model = models.InstanceActionEvent
    return [row.as_dict() for row in context.session.execute(
        sa.select(model).where(model.action_id == action_id)
        .order_by(model.start_time.desc(), model.id.desc())).scalars()]


# --------------------------------------------------------------------- tags

@main_context_manager.reader
def instance_tag_list(context, uuid):
    return list(context.session.execute(
        sa.select(models.Tag.tag).where(models.Tag.resource_id == uuid)
        .order_by(models.Tag.tag)).scalars())


@writer
def instance_tag_set(context, uuid, tags):
    context.session.execute(sa.delete(models.Tag).where(
        models.Tag.resource_id == uuid))
    for tag in sorted(set(tags)):
        context.session.add(models.Tag(resource_id=uuid, tag=tag))
    _touch_instance(context, uuid)
    return sorted(set(tags))


@writer
def instance_tag_add(context, uuid, tag, max_tags):
    """Add a tag; returns False if it was there already."""
    existing = set(context.session.execute(
        sa.select(models.Tag.tag).where(models.Tag.resource_id == uuid)
    ).scalars())
    if tag in existing:
        return False
    if len(existing) >= max_tags:
        raise exception.TooManyInstanceTags(instance_id=uuid,
                                            count=len(existing) + 1,
                                            limit=max_tags)
    context.session.add(models.Tag(resource_id=uuid, tag=tag))
    _touch_instance(context, uuid)
    return True


@writer
def instance_tag_delete(context, uuid, tag):
    result = context.session.execute(sa.delete(models.Tag).where(
        models.Tag.resource_id == uuid, models.Tag.tag == tag))
    if result.rowcount == 0:
        raise exception.InstanceTagNotFound(instance_id=uuid, tag=tag)
    _touch_instance(context, uuid)


def _touch_instance(context, uuid):
    context.session.execute(
        sa.update(models.Instance).where(models.Instance.uuid == uuid)
        .values(updated_at=utcnow()))


# ------------------------------------------------------------------ flavors

@writer
def flavor_create(context, values):
    existing = context.session.execute(
        sa.select(models.Flavor).where(sa.or_(
            models.Flavor.flavorid == values['flavorid'],
            models.Flavor.name == values['name']))).scalars().first()
    if existing is not None:
        if existing.flavorid == values['flavorid']:
            raise exception.FlavorIdExists(flavor_id=values['flavorid'])
        raise exception.FlavorExists(name=values['name'])
    row = models.Flavor(**values)
    context.session.add(row)
    try:
        context.session.flush()
    except db_exc.DBDuplicateEntry:
        raise exception.FlavorExists(name=values['name'])
    return row.as_dict()


def _flavor_accessible(project_id):
    """The flavors ``project_id`` was given access to (os-flavor-access)."""
    access = models.FlavorProject
    return sa.exists().where(access.flavor_id == models.Flavor.id,
                             access.project_id == project_id)


def _flavor_visible(context):
    """Nova's rule: admins see every flavor, anyone else the public ones
    and the private ones of their project's access list."""
    if context.is_admin:
        return sa.true()
    return sa.or_(models.Flavor.is_public.is_(True),
                  _flavor_accessible(context.project_id))


@main_context_manager.reader
def flavor_get_by_flavor_id(context, flavorid):
    """A flavor the caller may see (FlavorNotFound otherwise)."""
    query = sa.select(models.Flavor).where(models.Flavor.flavorid == flavorid,
                                           _flavor_visible(context))
    row = context.session.execute(query).scalar_one_or_none()
    if row is None:
        raise exception.FlavorNotFound(flavor_id=flavorid)
    return row.as_dict()


@writer
def flavor_update(context, flavorid, values):
    """Set ``values`` on a flavor the caller may see (FlavorNotFound
    otherwise); the flavor afterwards."""
    row = context.session.execute(sa.select(models.Flavor).where(
        models.Flavor.flavorid == flavorid, _flavor_visible(context))
    ).scalar_one_or_none()
    if row is None:
        raise exception.FlavorNotFound(flavor_id=flavorid)
    for key, value in values.items():
        setattr(row, key, value)
    context.session.flush()
    return row.as_dict()


@main_context_manager.reader
def flavor_get_all(context, filters=None, sort_key='flavorid',
                   sort_dir='asc', limit=None, marker=None):
    """``filters``: min_memory_mb, min_root_gb, disabled, is_public (as
    Nova: True also admits the private flavors of the caller's project's
    access list, None any), name (a regular expression)."""
    filters = filters or {}
    query = context.session.query(models.Flavor).filter(
        _flavor_visible(context))
    if filters.get('min_memory_mb'):
        query = query.filter(models.Flavor.memory_mb
                             >= filters['min_memory_mb'])
    if filters.get('min_root_gb'):
        query = query.filter(models.Flavor.root_gb >= filters['min_root_gb'])
    if filters.get('disabled') is not None:
        query = query.filter(models.Flavor.disabled == filters['disabled'])
    if filters.get('is_public') is not None:
        public = models.Flavor.is_public == filters['is_public']
        if filters['is_public'] and context.project_id is not None:
            public = sa.or_(public, _flavor_accessible(context.project_id))
        query = query.filter(public)
    if filters.get('name'):  # '' matches every name
        query = query.filter(models.Flavor.name.regexp_match(
            filters['name']))
    marker_row = None
    if marker is not None:
        marker_row = context.session.query(models.Flavor).filter(
            models.Flavor.flavorid == marker,
            _flavor_visible(context)).first()
        if marker_row is None:
            raise exception.MarkerNotFound(marker=marker)
    # NOTE: a key Nova has but novalite does not store (vcpu_weight, NULL
    # for every Nova flavor) sorts like ties: by id.
    sort_keys = ([sort_key, 'id'] if sort_key in models.Flavor.__table__.c
                 else ['id'])
    query = _paginate(query, models.Flavor, limit, sort_keys,
                      [sort_dir] * len(sort_keys), marker_row)
    with (regexp.budget(context.session) if filters.get('name')
          else contextlib.nullcontext()):
        return [r.as_dict() for r in query.all()]


@writer
def flavor_destroy(context, flavorid):
    """Delete a flavor with its extra specs and access list. Servers of
    the flavor keep its sizes (copied into their rows at boot)."""
    row = _flavor_for_update(context, flavorid)
    session = context.session
    session.execute(sa.delete(models.FlavorExtraSpec).where(
        models.FlavorExtraSpec.flavor_id == row.id))
    session.execute(sa.delete(models.FlavorProject).where(
        models.FlavorProject.flavor_id == row.id))
    session.execute(sa.delete(models.Flavor).where(
        models.Flavor.id == row.id))


# ------------------------------------------ flavor extra specs and access
#
# The flavor is looked up as the caller may see it (Nova's
# common.get_flavor), and its row is locked while its specs or access
# list change, so that concurrent writers of one flavor queue up instead
# of colliding on the unique keys.

def _flavor_for_update(context, flavorid):
    row = context.session.execute(
        sa.select(models.Flavor).where(models.Flavor.flavorid == flavorid,
                                       _flavor_visible(context))
        .with_for_update()).scalar_one_or_none()
    if row is None:
        raise exception.FlavorNotFound(flavor_id=flavorid)
    return row


def _flavor_row(context, flavorid):
    row = context.session.execute(
        sa.select(models.Flavor).where(models.Flavor.flavorid == flavorid,
                                       _flavor_visible(context))
    ).scalar_one_or_none()
    if row is None:
        raise exception.FlavorNotFound(flavor_id=flavorid)
    return row


def _extra_specs(context, flavor_row_id):
    return _extra_specs_of(context, [flavor_row_id])[flavor_row_id]


def _extra_specs_of(context, flavor_row_ids):
    spec = models.FlavorExtraSpec
    found = {row_id: {} for row_id in flavor_row_ids}
    rows = context.session.execute(
        sa.select(spec.flavor_id, spec.key, spec.value)
        .where(spec.flavor_id.in_(list(found))).order_by(spec.key))
    for row_id, key, value in rows:
        found[row_id][key] = value
    return found


@main_context_manager.reader
def flavor_extra_specs_get_by_row_ids(context, flavor_row_ids):
    """{row id: {key: value}} of flavors already looked up (by their row
    ``id``), in one query."""
    return _extra_specs_of(context, flavor_row_ids)


@main_context_manager.reader
def flavor_extra_specs_get(context, flavorid):
    """{key: value} of a flavor the caller may see, sorted by key."""
    return _extra_specs(context, _flavor_row(context, flavorid).id)


@writer
def flavor_extra_specs_update_or_create(context, flavorid, specs):
    """Set ``specs`` ({key: str}) on the flavor, keeping its other keys;
    returns all of them."""
    row = _flavor_for_update(context, flavorid)
    existing = _extra_specs(context, row.id)
    spec = models.FlavorExtraSpec
    now = utcnow()
    for key, value in specs.items():
        if key in existing:
            if existing[key] != value:
                context.session.execute(
                    sa.update(spec).where(spec.flavor_id == row.id,
                                          spec.key == key)
                    .values(value=value, updated_at=now))
        else:
            context.session.add(spec(flavor_id=row.id, key=key, value=value))
        existing[key] = value
    context.session.flush()
    return dict(sorted(existing.items()))


@writer
def flavor_extra_specs_delete(context, flavorid, key):
    row = _flavor_for_update(context, flavorid)
    spec = models.FlavorExtraSpec
    result = context.session.execute(sa.delete(spec).where(
        spec.flavor_id == row.id, spec.key == key))
    if result.rowcount == 0:
        raise exception.FlavorExtraSpecsNotFound(flavor_id=flavorid,
                                                 extra_specs_key=key)


def _flavor_projects(context, flavor_row_id):
    access = models.FlavorProject
    return list(context.session.execute(
        sa.select(access.project_id).where(access.flavor_id == flavor_row_id)
        .order_by(access.id)).scalars())


@main_context_manager.reader
def flavor_access_get(context, flavorid):
    """(flavor, [project ids given access, oldest first])."""
    row = _flavor_row(context, flavorid)
    return row.as_dict(), _flavor_projects(context, row.id)


@writer
def flavor_access_add(context, flavorid, project_id):
    """Give ``project_id`` access; returns [project ids]."""
    row = _flavor_for_update(context, flavorid)
    projects = _flavor_projects(context, row.id)
    if project_id in projects:
        raise exception.FlavorAccessExists(flavor_id=row.id,
                                           project_id=project_id)
    context.session.add(models.FlavorProject(flavor_id=row.id,
                                             project_id=project_id))
    context.session.flush()
    return projects + [project_id]


@writer
def flavor_access_remove(context, flavorid, project_id):
    """Take ``project_id``'s access away; returns [project ids]."""
    row = _flavor_for_update(context, flavorid)
    access = models.FlavorProject
    result = context.session.execute(sa.delete(access).where(
        access.flavor_id == row.id, access.project_id == project_id))
    if result.rowcount == 0:
        raise exception.FlavorAccessNotFound(flavor_id=row.id,
                                             project_id=project_id)
    return _flavor_projects(context, row.id)


# ------------------------------------------------------------ server groups
#
# A group (instance_groups) has one policy and its members
# (instance_group_member). Members are the group's live servers: a
# server's row leaves the group when the server is deleted
# (instance_destroy) or rolled back (instance_hard_delete). New members
# join in the transaction that places them (instance_create_claimed).

def _group_query(context):
    """Groups the caller may see: its project's; every one for admins."""
    query = sa.select(models.InstanceGroup)
    if not context.is_admin:
        query = query.where(
            models.InstanceGroup.project_id == context.project_id)
    return query


def _group_dict(row):
    group = row.as_dict()
    group['rules'] = json.loads(group['rules'] or '{}')
    group['members'] = []
    return group


def _attach_members(context, groups):
    """Each group's live members (server uuids, oldest first), one
    query for all the groups."""
    if not groups:
        return groups
    by_id = {group['id']: group for group in groups}
    member, inst = models.InstanceGroupMember, models.Instance
    rows = context.session.execute(
        sa.select(member.group_id, member.instance_uuid)
        .join(inst, inst.uuid == member.instance_uuid)
        .where(member.group_id.in_(list(by_id)), inst.deleted == 0)
        .order_by(member.id))
    for group_id, uuid in rows:
        by_id[group_id]['members'].append(uuid)
    return groups


@writer
def instance_group_create(context, values):
    """A new group: ``values`` with uuid, name, project_id, user_id,
    policy (and rules, a dict)."""
    values = dict(values)
    values['rules'] = json.dumps(values.get('rules') or {})
    row = models.InstanceGroup(**values)
    context.session.add(row)
    context.session.flush()
    return _group_dict(row)


@main_context_manager.reader
def instance_group_get(context, group_uuid):
    """A group the caller may see, with its members (else
    InstanceGroupNotFound)."""
    row = context.session.execute(
        _group_query(context).where(models.InstanceGroup.uuid == group_uuid)
    ).scalar_one_or_none()
    if row is None:
        raise exception.InstanceGroupNotFound(group_uuid=group_uuid)
    return _attach_members(context, [_group_dict(row)])[0]


@main_context_manager.reader
def instance_group_get_all(context, project_id=None, limit=None, offset=0):
    """A page of groups (of ``project_id``, or of every project), oldest
    first, with their members."""
    query = sa.select(models.InstanceGroup).order_by(models.InstanceGroup.id)
    if project_id is not None:
        query = query.where(models.InstanceGroup.project_id == project_id)
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    rows = context.session.execute(query).scalars()
    return _attach_members(context, [_group_dict(row) for row in rows])


@writer
def instance_group_delete(context, group_uuid):
    """Delete a group the caller may see, and its memberships (its
    servers stay)."""
    row = context.session.execute(
        _group_query(context).where(models.InstanceGroup.uuid == group_uuid)
        .with_for_update()).scalar_one_or_none()
    if row is None:
        raise exception.InstanceGroupNotFound(group_uuid=group_uuid)
    context.session.execute(sa.delete(models.InstanceGroupMember).where(
        models.InstanceGroupMember.group_id == row.id))
    context.session.execute(sa.delete(models.InstanceGroup).where(
        models.InstanceGroup.id == row.id))


@main_context_manager.reader
def instance_group_member_count_by_user(context, group_uuid, user_id):
    """How many live members of the group ``user_id`` owns (the usage of
    the server_group_members quota, as Nova counts it)."""
    member, inst = models.InstanceGroupMember, models.Instance
    group = models.InstanceGroup
    return int(context.session.execute(
        sa.select(sa.func.count(member.id))
        .join(group, group.id == member.group_id)
        .join(inst, inst.uuid == member.instance_uuid)
        .where(group.uuid == group_uuid, inst.user_id == user_id,
               inst.deleted == 0)).scalar())


def _add_members(context, group_id, instance_uuids):
    for uuid in instance_uuids:
        context.session.add(models.InstanceGroupMember(
            group_id=group_id, instance_uuid=uuid))
    context.session.flush()


@writer
def instance_group_members_add(context, group_uuid, instance_uuids):
    """Add new servers to a group (of any project: the caller checked)."""
    _add_members(context, _lock_group(context, group_uuid).id,
                 instance_uuids)


@main_context_manager.reader
def instance_group_uuids_of(context, instance_uuid):
    """[uuid] of the group the server is a member of ([] if none)."""
    member, group = models.InstanceGroupMember, models.InstanceGroup
    return list(context.session.execute(
        sa.select(group.uuid).join(member, member.group_id == group.id)
        .where(member.instance_uuid == instance_uuid)).scalars())


def _lock_group(context, group_uuid):
    """The group's row, locked (InstanceGroupNotFound if it is gone)."""
    group = models.InstanceGroup
    row = context.session.execute(
        sa.select(group).where(group.uuid == group_uuid).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise exception.InstanceGroupNotFound(group_uuid=group_uuid)
    return row


def _group_placement(context, row, exclude=None):
    """{'uuid', 'policy', 'rules', 'hosts'} of a locked group for the
    scheduler: ``hosts`` is {host: live members on it}, not counting the
    server ``exclude`` (one being moved)."""
    member, inst = models.InstanceGroupMember, models.Instance
    query = (sa.select(inst.host, sa.func.count(inst.id))
             .join(member, member.instance_uuid == inst.uuid)
             .where(member.group_id == row.id, inst.deleted == 0,
                    inst.host.is_not(None))
             .group_by(inst.host))
    if exclude is not None:
        query = query.where(inst.uuid != exclude)
    rows = context.session.execute(query)
    return {'uuid': row.uuid, 'policy': row.policy,
            'rules': json.loads(row.rules or '{}'),
            'hosts': {host: int(count) for host, count in rows}}


def _lock_group_of(context, instance_uuid):
    """The locked row of the group the server is a member of, or None.

    NOTE: both reads lock: a plain read would take MariaDB's snapshot
    before the service rows are locked (see instance_create_claimed).
    """
    member = models.InstanceGroupMember
    group_id = context.session.execute(
        sa.select(member.group_id).where(
            member.instance_uuid == instance_uuid).limit(1)
        .with_for_update()).scalar_one_or_none()
    if group_id is None:
        return None
    group = models.InstanceGroup
    return context.session.execute(
        sa.select(group).where(group.id == group_id).with_for_update()
    ).scalar_one_or_none()


def _place_member(context, place, services, usage, group, instance_uuid):
    """``place`` for a server that moves (resize, migrate, unshelve):
    with its group's policy if it is in one, as Nova's scheduler applies
    it to moves; its own place does not count."""
    if group is None:
        return place(services, usage)
    return place(services, usage, group=_group_placement(
        context, group, exclude=instance_uuid))


def _remove_memberships(context, instance_uuid):
    context.session.execute(sa.delete(models.InstanceGroupMember).where(
        models.InstanceGroupMember.instance_uuid == instance_uuid))


# ------------------------------------------------------------------- images

def _image_to_dict(row):
    image = row.as_dict()
    image['properties'] = json.loads(row.properties or '{}')
    return image


@writer
def image_create(context, values):
    values = dict(values)
    values['properties'] = json.dumps(values.get('properties') or {})
    if context.session.get(models.Image, values['id']) is not None:
        raise exception.ImageExists(image_id=values['id'])
    row = models.Image(**values)
    context.session.add(row)
    context.session.flush()
    return _image_to_dict(row)


@main_context_manager.reader
def image_get(context, image_id):
    row = context.session.get(models.Image, image_id)
    if row is None:
        raise exception.ImageNotFound(image_id=image_id)
    return _image_to_dict(row)


@writer
def image_destroy(context, image_id):
    """Remove an image record that nothing uses; returns it.

    ImageInUse while a live server boots from it, or while another image
    names it as its kernel or ramdisk.
    """
    row = context.session.get(models.Image, image_id)
    if row is None:
        raise exception.ImageNotFound(image_id=image_id)
    servers = context.session.execute(
        sa.select(sa.func.count()).select_from(models.Instance).where(
            models.Instance.image_ref == image_id,
            models.Instance.deleted == 0)).scalar()
    if servers:
        raise exception.ImageInUse(
            image_id=image_id, reason='%d server(s) boot from it' % servers)
    # NOTE: ids are UUIDs, so a text match on the JSON properties finds
    # exactly the images that name it (kernel_id, ramdisk_id).
    users = context.session.execute(
        sa.select(models.Image.id).where(
            models.Image.id != image_id,
            models.Image.properties.contains('"%s"' % image_id))).scalars()
    users = sorted(users)
    if users:
        raise exception.ImageInUse(
            image_id=image_id,
            reason='image(s) %s boot it as kernel or ramdisk'
            % ', '.join(users))
    image = _image_to_dict(row)
    context.session.delete(row)
    return image


# What an image list may be sorted by (Glance's sort keys less tags).
IMAGE_SORT_KEYS = ('created_at', 'updated_at', 'name', 'id', 'status',
                   'size', 'disk_format', 'container_format', 'min_disk',
                   'min_ram', 'visibility', 'owner')
# Filters that match a column exactly; ``properties`` matches
# additional properties (string values) exactly.
_IMAGE_COLUMN_FILTERS = ('name', 'status', 'visibility', 'owner',
                         'disk_format', 'container_format', 'protected',
                         'id')


def _image_listed_to(project_id, visibility):
    """SQL: what a list shows to ``project_id`` (Glance's rules, without
    image members): with no ``visibility`` filter, the public images and
    the project's own; community images of others only when asked for
    (``community`` or ``all``)."""
    model = models.Image
    visible = [model.visibility == 'public', model.owner == project_id]
    if visibility in ('community', 'all'):
        visible.append(model.visibility == 'community')
    return sa.or_(*visible)


@main_context_manager.reader
def image_get_all(context, filters=None, limit=None, marker=None,
                  sort_key='created_at', sort_dir='desc', visible_to=None):
    """Images, newest first by default.

    ``filters``: exact matches on the columns of _IMAGE_COLUMN_FILTERS
    (a list value matches any of its items; ``visibility='all'`` matches
    any), and ``properties``, a dict of
    additional properties. With ``visible_to`` (a project id) only what a
    list shows that project (_image_listed_to). MarkerNotFound for a
    marker the caller does not see.
    """
    filters = dict(filters or {})
    properties = filters.pop('properties', None) or {}
    visibility = filters.get('visibility')
    if visibility == 'all':
        del filters['visibility']
    model = models.Image
    query = context.session.query(model)
    if visible_to is not None:
        query = query.filter(_image_listed_to(visible_to, visibility))
    for key, value in filters.items():
        if key not in _IMAGE_COLUMN_FILTERS:
            raise ValueError('no image filter %s' % key)
        column = getattr(model, key)
        query = query.filter(column.in_(value) if isinstance(value, list)
                             else column == value)
    for key, value in properties.items():
        # NOTE: json.dumps wrote the properties: a key and its string
        # value appear exactly so, and nowhere else (a quote inside a
        # string is escaped), so the text match is exact.
        query = query.filter(model.properties.contains(
            '%s: %s' % (json.dumps(key), json.dumps(value)),
            autoescape=True))
    marker_row = None
    if marker is not None:
        # One query: a marker the caller may not see is not found.
        marker_query = context.session.query(model).filter(model.id == marker)
        if visible_to is not None:
            marker_query = marker_query.filter(
                _image_listed_to(visible_to, 'all'))
        marker_row = marker_query.one_or_none()
        if marker_row is None:
            raise exception.MarkerNotFound(marker=marker)
    keys, dirs = [sort_key], [sort_dir]
    if sort_key != 'id':
        keys.append('id')
        dirs.append(sort_dir)
    query = _paginate(query, model, limit, keys, dirs, marker_row)
    return [_image_to_dict(r) for r in query.all()]


# ---------------------------------------- snapshots, resizes and migrations
#
# A snapshot is an image record (see compute/images.py) whose file an
# agent writes. A resize or cold migration is a migrations row: its host
# is chosen, and its room claimed, as a create's (_lock_candidates), and
# the flavors it moves between are the server's system metadata
# ``old_flavor`` and ``new_flavor`` (JSON), from which the room it holds
# is counted (_move_claims).

# A move holds the new flavor's room on its destination until the server
# is there, then the old flavor's room on its source until it is
# confirmed or reverted (as Nova's resource tracker claims them).
MIGRATION_DEST_CLAIM = ('pre-migrating', 'migrating', 'post-migrating')
MIGRATION_SOURCE_CLAIM = ('finished', 'confirming', 'reverting')
MIGRATION_IN_PROGRESS = MIGRATION_DEST_CLAIM + MIGRATION_SOURCE_CLAIM


@writer
def image_update(context, image_id, values, expected_status=None):
    """Change an image record (status, size, checksum, properties ...);
    returns it. ImageNotFound if it is gone; with ``expected_status``,
    InvalidImageStatusTransition unless its status is that one (read and
    written under a row lock: two uploads cannot both start)."""
    query = sa.select(models.Image).where(models.Image.id == image_id)
    if expected_status is not None:
        query = query.with_for_update()
    row = context.session.execute(query).scalar_one_or_none()
    if row is None:
        raise exception.ImageNotFound(image_id=image_id)
    if expected_status is not None and row.status != expected_status:
        raise exception.InvalidImageStatusTransition(
            current=row.status, new=values.get('status'))
    values = dict(values)
    if 'properties' in values:
        values['properties'] = json.dumps(values['properties'] or {})
    values.setdefault('updated_at', utcnow())
    for key, value in values.items():
        setattr(row, key, value)
    context.session.flush()
    return _image_to_dict(row)


@main_context_manager.reader
def image_get_unfinished_snapshots(context, instance_uuid):
    """The snapshots of a server whose file was never finished (status
    queued or saving)."""
    model = models.Image
    rows = context.session.execute(sa.select(model).where(
        model.status.in_(('queued', 'saving')),
        model.properties.contains('"instance_uuid": %s'
                                  % json.dumps(instance_uuid),
                                  autoescape=True))).scalars()
    return [image for image in map(_image_to_dict, rows)
            if image['properties'].get('instance_uuid') == instance_uuid]


def _flavor_need(flavor):
    """(vcpus, memory_mb, disk_gb) of a flavor, counted as a server's."""
    return (int(flavor['vcpus']), int(flavor['memory_mb']),
            int(flavor['root_gb']) + int(flavor['ephemeral_gb'])
            + (int(flavor['swap']) + 1023) // 1024)


def _move_claims(context, hosts=None):
    """{host: (vcpus, memory_mb, disk_gb)} held by the moves under way
    of live servers (see MIGRATION_DEST_CLAIM)."""
    mig = models.Migration
    meta = models.InstanceSystemMetadata
    inst = models.Instance
    rows = context.session.execute(
        sa.select(mig.status, mig.source_compute, mig.dest_compute,
                  meta.key, meta.value)
        .join(inst, sa.and_(inst.uuid == mig.instance_uuid,
                            inst.deleted == 0))
        .join(meta, sa.and_(meta.instance_uuid == mig.instance_uuid,
                            meta.key.in_(('old_flavor', 'new_flavor'))))
        .where(mig.status.in_(MIGRATION_IN_PROGRESS)))
    wanted = None if hosts is None else set(hosts)
    claims = {}
    for status, source, dest, key, value in rows:
        if status in MIGRATION_DEST_CLAIM and key == 'new_flavor':
            host = dest
        elif status in MIGRATION_SOURCE_CLAIM and key == 'old_flavor':
            host = source
        else:
            continue
        if host is None or (wanted is not None and host not in wanted):
            continue
        need = _flavor_need(json.loads(value))
        claims[host] = tuple(a + b for a, b in zip(
            claims.get(host, (0, 0, 0)), need))
    return claims


def _check_task(context, instance_uuid, expected_task_state):
    row = context.session.execute(
        sa.select(models.Instance.task_state).where(
            models.Instance.uuid == instance_uuid,
            models.Instance.deleted == 0)).one_or_none()
    if row is None:
        raise exception.InstanceNotFound(instance_id=instance_uuid)
    if row[0] != expected_task_state:
        exc = (exception.UnexpectedDeletingTaskStateError
               if row[0] == 'deleting'
               else exception.UnexpectedTaskStateError)
        raise exc(instance_uuid=instance_uuid, expected=expected_task_state,
                  actual=row[0])


@writer
def migration_create_claimed(context, binary, place, values,
                             system_metadata, expected_task_state,
                             availability_zone=None):
    """Record a resize or cold migration of a server and claim the room
    of its destination, in one transaction, as a create claims a host
    (instance_create_claimed): ``place(services, usage)`` returns the
    destination's service row (NoValidHost if there is none).
    ``values``: the migration's columns but ``uuid`` and
    ``dest_compute``; ``system_metadata``: the server's (its
    ``old_flavor`` and ``new_flavor`` say what room the move holds).
    The server must still be in ``expected_task_state``.
    """
    # NOTE: the group first, then the services, as a create locks them
    # (see instance_create_claimed).
    group = _lock_group_of(context, values['instance_uuid'])
    services, usage = _lock_candidates(context, binary, availability_zone)
    _check_task(context, values['instance_uuid'], expected_task_state)
    chosen = _place_member(context, place, services, usage, group,
                           values['instance_uuid'])
    instance_system_metadata_update(context, values['instance_uuid'],
                                    system_metadata)
    row = models.Migration(**dict(values, uuid=str(uuidlib.uuid4()),
                                  dest_compute=chosen['host']))
    context.session.add(row)
    context.session.flush()
    return row.as_dict()


@writer
def migration_create(context, values):
    """A migrations row as given (one that failed before it had a
    destination, say)."""
    row = models.Migration(**dict(values, uuid=str(uuidlib.uuid4())))
    context.session.add(row)
    context.session.flush()
    return row.as_dict()


@writer
def instance_claim_host(context, binary, place, instance_uuid, build,
                        expected_task_state, expected_vm_state,
                        availability_zone=None):
    """Give a server with no host (a shelved-offloaded one) a host, its
    room claimed as a create's (instance_create_claimed):
    ``place(services, usage)`` returns the service row,
    ``build(service)`` the server's new values (host, node ...). Returns
    the updated server."""
    # NOTE: the group first, then the services, as a create locks them.
    group = _lock_group_of(context, instance_uuid)
    services, usage = _lock_candidates(context, binary, availability_zone)
    _check_task(context, instance_uuid, expected_task_state)
    chosen = _place_member(context, place, services, usage, group,
                           instance_uuid)
    return instance_update(context, instance_uuid, build(chosen),
                           expected_task_state=expected_task_state,
                           expected_vm_state=expected_vm_state)


@main_context_manager.reader
def migration_get(context, migration_uuid):
    row = context.session.execute(sa.select(models.Migration).where(
        models.Migration.uuid == migration_uuid)).scalar_one_or_none()
    if row is None:
        raise exception.MigrationNotFound(migration_id=migration_uuid)
    return row.as_dict()


@main_context_manager.reader
def migration_get_by_instance_and_status(context, instance_uuid, status):
    """The newest migration of a server in ``status``;
    MigrationNotFoundByStatus if there is none."""
    model = models.Migration
    row = context.session.execute(
        sa.select(model).where(model.instance_uuid == instance_uuid,
                               model.status == status)
        .order_by(model.id.desc()).limit(1)).scalar_one_or_none()
    if row is None:
        raise exception.MigrationNotFoundByStatus(instance_id=instance_uuid,
                                                  status=status)
    return row.as_dict()


@main_context_manager.reader
def migrations_in_progress(context, host=None, instance_uuid=None):
    """The moves under way (see MIGRATION_IN_PROGRESS), of ``host``
    (source or destination) or of one server, oldest first."""
    model = models.Migration
    query = sa.select(model).where(model.status.in_(MIGRATION_IN_PROGRESS))
    if host is not None:
        query = query.where(sa.or_(model.source_compute == host,
                                   model.dest_compute == host))
    if instance_uuid is not None:
        query = query.where(model.instance_uuid == instance_uuid)
    return [row.as_dict() for row in context.session.execute(
        query.order_by(model.id)).scalars()]


@writer
def migration_update(context, migration_uuid, values, expected_status=None,
                     instance_values=None,
                     expected_task_state=_NOT_SET):
    """Change a migration, as a compare-and-swap on its status when
    ``expected_status`` (a value or a tuple) is given
    (MigrationNotFoundByStatus otherwise). With ``instance_values`` its
    server changes in the same transaction (compare-and-swap on
    ``expected_task_state``, see instance_update): the server and the
    room it holds move together. Returns (migration, server or None).
    """
    model = models.Migration
    stmt = sa.update(model).where(model.uuid == migration_uuid)
    if expected_status is not None:
        statuses = (list(expected_status)
                    if isinstance(expected_status, (list, tuple))
                    else [expected_status])
        stmt = stmt.where(model.status.in_(statuses))
    values = dict(values)
    values.setdefault('updated_at', utcnow())
    result = context.session.execute(stmt.values(**values))
    row = context.session.execute(sa.select(model).where(
        model.uuid == migration_uuid)).scalar_one_or_none()
    if row is None:
        raise exception.MigrationNotFound(migration_id=migration_uuid)
    if result.rowcount != 1:
        raise exception.MigrationNotFoundByStatus(
            instance_id=row.instance_uuid, status=expected_status)
    instance = None
    if instance_values is not None:
        instance = instance_update(context, row.instance_uuid,
                                   instance_values,
                                   expected_task_state=expected_task_state)
    return row.as_dict(), instance


# ----------------------------------------------------------------- keypairs

@writer
def key_pair_create(context, values, max_count):
    session = context.session
    if 0 <= max_count <= _key_pair_count(context, values['user_id']):
        raise exception.KeypairLimitExceeded()
    row = models.KeyPair(**values)
    session.add(row)
    try:
        session.flush()
    except db_exc.DBDuplicateEntry:
        raise exception.KeyPairExists(key_name=values['name'])
    return row.as_dict()


def _key_pair_count(context, user_id):
    return context.session.execute(
        sa.select(sa.func.count(models.KeyPair.id)).where(
            models.KeyPair.user_id == user_id,
            models.KeyPair.deleted == 0)).scalar()


@main_context_manager.reader
def key_pair_count_by_user(context, user_id):
    """Live key pairs of a user (for the quota)."""
    return _key_pair_count(context, user_id)


@main_context_manager.reader
def key_pair_get(context, user_id, name):
    row = context.session.execute(
        sa.select(models.KeyPair).where(models.KeyPair.user_id == user_id,
                                        models.KeyPair.name == name,
                                        models.KeyPair.deleted == 0)
    ).scalar_one_or_none()
    if row is None:
        raise exception.KeypairNotFound(user_id=user_id, name=name)
    return row.as_dict()


@main_context_manager.reader
def key_pair_get_all_by_user(context, user_id, limit=None, marker=None):
    query = context.session.query(models.KeyPair).filter(
        models.KeyPair.user_id == user_id, models.KeyPair.deleted == 0)
    marker_row = None
    if marker is not None:
        marker_row = query.filter(models.KeyPair.name == marker).first()
        if marker_row is None:
            raise exception.MarkerNotFound(marker=marker)
    query = _paginate(query, models.KeyPair, limit, ['name', 'id'],
                      ['asc', 'asc'], marker_row)
    return [r.as_dict() for r in query.all()]


@writer
def key_pair_destroy(context, user_id, name):
    model = models.KeyPair
    row = context.session.execute(
        sa.select(model).where(model.user_id == user_id, model.name == name,
                               model.deleted == 0)).scalar_one_or_none()
    if row is None:
        raise exception.KeypairNotFound(user_id=user_id, name=name)
    row.deleted = row.id
    row.deleted_at = utcnow()


# ----------------------------------------------------------------- services

# Attempts of a heartbeat that lost a race (see service_report).
SERVICE_REPORT_ATTEMPTS = 5


def service_report(context, host, binary, topic, capacity,
                   availability_zone, hypervisor_hostname=None):
    """Create or refresh a compute agent's row: its heartbeat.

    NOTE: two reports of one new host (two agent processes given the same
    ``host``, or an agent restarted while the old one still runs) may both
    find no row and both insert: the unique key (host, binary) fails one
    of them (its transaction, on MariaDB and PostgreSQL, is then lost, or
    MariaDB's gap locks make it a deadlock). That one reports again, in a
    new transaction, as the update of the row the other inserted.
    """
    for attempt in range(SERVICE_REPORT_ATTEMPTS):
        try:
            return _service_report(context, host, binary, topic, capacity,
                                   availability_zone, hypervisor_hostname)
        except (db_exc.DBDuplicateEntry, db_exc.DBDeadlock):
            if attempt == SERVICE_REPORT_ATTEMPTS - 1:
                raise


@writer
def _service_report(context, host, binary, topic, capacity,
                    availability_zone, hypervisor_hostname):
    model = models.Service
    # NOTE: locked, so that concurrent reports of one host count each
    # report (report_count is read, then written).
    row = context.session.execute(
        sa.select(model).where(model.host == host, model.binary == binary)
        .with_for_update()
    ).scalar_one_or_none()
    now = utcnow()
    if row is None:
        row = model(host=host, binary=binary, topic=topic, report_count=0)
        context.session.add(row)
    row.report_count = (row.report_count or 0) + 1
    row.last_seen_up = now
    row.availability_zone = availability_zone
    row.hypervisor_hostname = hypervisor_hostname or host
    if capacity is not None:
        row.vcpus = capacity['vcpus']
        row.memory_mb = capacity['memory_mb']
        row.local_gb = capacity['local_gb']
        for key in ('hypervisor_type', 'hypervisor_version', 'host_ip'):
            if key in capacity:
                setattr(row, key, capacity[key])
    context.session.flush()
    return row.as_dict()


@main_context_manager.reader
def service_get_all(context, binary=None, hosts=None, ids=None,
                    after_id=None, limit=None, **uuids):
    """Services in the order of their ids; ``after_id`` and ``limit``
    for a page; ``uuid`` or ``compute_node_uuid`` for the one of that
    id."""
    query = sa.select(models.Service).order_by(models.Service.id)
    if binary:
        query = query.where(models.Service.binary == binary)
    if hosts is not None:
        query = query.where(models.Service.host.in_(list(hosts)))
    if ids is not None:
        query = query.where(models.Service.id.in_(list(ids)))
    for column, value in uuids.items():
        query = query.where(getattr(models.Service, column) == value)
    if after_id is not None:
        query = query.where(models.Service.id > after_id)
    if limit is not None:
        query = query.limit(limit)
    return [r.as_dict() for r in context.session.execute(query).scalars()]


@writer
def service_update(context, host, binary, values):
    context.session.execute(
        sa.update(models.Service).where(models.Service.host == host,
                                        models.Service.binary == binary)
        .values(**values))


# ------------------------------------------------------------ admin APIs:
# os-services, os-hypervisors, os-simple-tenant-usage, os-quota-sets

# A migration in one of these states no longer involves its hosts (Nova's
# MigrationList.get_in_progress_by_host_and_node).
MIGRATION_DONE_STATUSES = ('confirmed', 'reverted', 'error', 'failed',
                           'completed', 'cancelled', 'done')


@writer
def service_update_by_host(context, host, binary, values, uuid=None):
    """Update the ``binary`` service of ``host`` (or, if ``uuid`` is
    given instead of ``host``, the one of that id): its row afterwards,
    or None if there is no such service."""
    model = models.Service
    match = model.uuid == uuid if uuid is not None else model.host == host
    row = context.session.execute(
        sa.select(model).where(match, model.binary == binary)
    ).scalar_one_or_none()
    if row is None:
        return None
    for key, value in values.items():
        setattr(row, key, value)
    context.session.flush()
    return row.as_dict()


@writer
def service_destroy(context, service_id, compute_binary):
    """Delete a service row; for a compute service (``compute_binary``)
    only if no live server and no unfinished migration is on its host
    (ComputeHostHasInstances, ComputeHostHasMigrations), as Nova.

    NOTE: the row is locked first, so that a create claiming this host
    (instance_create_claimed locks the same rows) either comes before
    the count or finds no service.
    """
    model = models.Service
    row = context.session.execute(
        sa.select(model).where(model.id == service_id).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise exception.ServiceNotFound(service_id=service_id)
    if row.binary == compute_binary:
        inst = models.Instance
        servers = context.session.execute(
            sa.select(sa.func.count(inst.id)).where(
                inst.host == row.host, inst.deleted == 0)).scalar()
        if servers:
            raise exception.ComputeHostHasInstances()
        mig = models.Migration
        migrations = context.session.execute(
            sa.select(sa.func.count(mig.id)).where(
                sa.or_(mig.source_compute == row.host,
                       mig.dest_compute == row.host),
                mig.status.not_in(MIGRATION_DONE_STATUSES))).scalar()
        if migrations:
            raise exception.ComputeHostHasMigrations()
    context.session.delete(row)


@main_context_manager.reader
def instance_counts_by_host(context, hosts=None):
    """{host: (live servers, those with a task in progress)}."""
    model = models.Instance
    busy = sa.case((model.task_state.is_not(None), 1), else_=0)
    query = (sa.select(model.host, sa.func.count(model.id), sa.func.sum(busy))
             .where(model.deleted == 0, model.host.is_not(None))
             .group_by(model.host))
    if hosts is not None:
        query = query.where(model.host.in_(list(hosts)))
    return {host: (int(count), int(working or 0))
            for host, count, working in context.session.execute(query)}


@main_context_manager.reader
def instance_get_active_by_window(context, begin, end, project_id=None,
                                  limit=None, marker=None):
    """Servers, deleted ones included, that may have run between
    ``begin`` and ``end``: not terminated before ``begin``, launched
    before ``end`` (never launched: not at all), sorted by project and
    uuid, at most ``limit``, after the server whose uuid is ``marker``
    (any server, deleted ones too; MarkerNotFound if none), as Nova's
    instance_get_active_by_window_joined."""
    model = models.Instance
    query = (_instance_query(context, project_only=False, read_deleted='yes')
             .where(sa.or_(model.terminated_at.is_(None),
                           model.terminated_at > begin),
                    model.launched_at < end)
             .order_by(model.project_id, model.uuid))
    if project_id is not None:
        query = query.where(model.project_id == project_id)
    if marker is not None:
        after = context.session.execute(
            sa.select(model.project_id, model.uuid)
            .where(model.uuid == marker)).first()
        if after is None:
            raise exception.MarkerNotFound(marker=marker)
        query = query.where(sa.or_(
            model.project_id > after.project_id,
            sa.and_(model.project_id == after.project_id,
                    model.uuid > after.uuid)))
    if limit is not None:
        query = query.limit(limit)
    return [_instance_to_dict(row)
            for row in context.session.execute(query).scalars()]


@main_context_manager.reader
def quota_get_all_by_project(context, project_id):
    """{resource: limit} a project's quota rows set."""
    model = models.Quota
    rows = context.session.execute(
        sa.select(model.resource, model.hard_limit)
        .where(model.project_id == project_id))
    return {resource: limit for resource, limit in rows}


@writer
def quota_set(context, project_id, limits):
    """Create or update the project's rows of ``limits`` ({resource:
    limit}) in one transaction."""
    model = models.Quota
    rows = {row.resource: row for row in context.session.execute(
        sa.select(model).where(model.project_id == project_id,
                               model.resource.in_(list(limits)))
        .with_for_update()).scalars()}
    for resource, limit in limits.items():
        if resource in rows:
            rows[resource].hard_limit = limit
        else:
            context.session.add(model(project_id=project_id,
                                      resource=resource, hard_limit=limit))
    try:
        context.session.flush()
    except db_exc.DBDuplicateEntry:
        # NOTE: another request created the row meanwhile: as Nova's
        # create_limit/update_limit race, the caller may retry.
        raise exception.QuotaExists(project_id=project_id)


@writer
def quota_destroy_all_by_project(context, project_id):
    context.session.execute(sa.delete(models.Quota).where(
        models.Quota.project_id == project_id))


@main_context_manager.reader
def quota_count_server_groups(context, project_id):
    """The project's server groups (their quota usage)."""
    model = models.InstanceGroup
    return int(context.session.execute(
        sa.select(sa.func.count(model.id))
        .where(model.project_id == project_id)).scalar())


# ----------------------------------------------------------------- networks

# Neutron's MAC prefix, so guests look as they would under Nova.
MAC_PREFIX = 'fa:16:3e'
# Attempts at an allocation that lost a race (unique constraint) before
# giving up.
ALLOCATE_ATTEMPTS = 10
MIN_PREFIXLEN, MAX_PREFIXLEN = 16, 29
# Network names are keys of a server's "addresses" and a path segment of
# /servers/{id}/ips/{name}: tempest's schema allows these characters.
_NETWORK_NAME_RE = re.compile(r'^[a-zA-Z0-9_.-]{1,255}$')


def parse_cidr(cidr):
    """The IPv4 network ``cidr`` (/16 to /29, no host bits), else
    InvalidCidr."""
    try:
        network = ipaddress.ip_network(str(cidr), strict=True)
    except ValueError as e:
        raise exception.InvalidCidr(cidr=cidr, reason=str(e))
    if network.version != 4:
        raise exception.InvalidCidr(
            cidr=cidr, reason='only IPv4 networks are supported')
    if not MIN_PREFIXLEN <= network.prefixlen <= MAX_PREFIXLEN:
        raise exception.InvalidCidr(
            cidr=cidr, reason='the prefix length must be /%d to /%d'
                              % (MIN_PREFIXLEN, MAX_PREFIXLEN))
    return network


def network_bridge(network_uuid):
    """The Linux bridge of a network: ``nlbr`` + 8 hex digits (<= 15)."""
    return 'nlbr' + network_uuid[:8]


def _network_row(context, network_uuid):
    row = context.session.execute(
        sa.select(models.Network).where(models.Network.uuid == network_uuid)
    ).scalar_one_or_none()
    if row is None:
        raise exception.NetworkNotFound(network_id=network_uuid)
    return row


@writer
def network_create(context, values):
    """A new network from ``name``, ``cidr`` and optionally ``uuid`` and
    ``project_id`` (None: shared by all projects); the gateway (first host
    address) and the bridge name are computed."""
    values = dict(values)
    name = values.get('name') or ''
    if not _NETWORK_NAME_RE.match(name):
        raise exception.InvalidInput(
            reason='a network name is 1 to 255 letters, digits, "-", "_" '
                   'or "."; got %r' % name)
    network = parse_cidr(values['cidr'])
    try:
        network_uuid = str(uuidlib.UUID(str(values.get('uuid')
                                            or uuidlib.uuid4())))
    except ValueError:
        raise exception.InvalidInput(reason='%s is not a UUID'
                                     % values['uuid'])
    values.update(uuid=network_uuid, cidr=str(network),
                  gateway=str(network.network_address + 1),
                  bridge=network_bridge(network_uuid))
    model = models.Network
    for existing in context.session.execute(
            sa.select(model).where(sa.or_(
                model.uuid == network_uuid, model.name == name,
                model.bridge == values['bridge'])
            )).scalars():
        if existing.uuid == network_uuid:
            raise exception.NetworkIdExists(network_id=network_uuid)
        if existing.name == name:
            raise exception.NetworkExists(name=name)
        raise exception.NetworkIdExists(
            message='Network %s already uses bridge %s (the first 8 '
                    'digits of its ID): choose another ID.'
                    % (existing.uuid, values['bridge']))
    row = model(**values)
    context.session.add(row)
    try:
        context.session.flush()
    except db_exc.DBDuplicateEntry:
        raise exception.NetworkExists(name=name)
    return row.as_dict()


@main_context_manager.reader
def network_get(context, network_uuid):
    """One network by uuid, whatever its project; else NetworkNotFound."""
    return _network_row(context, network_uuid).as_dict()


@main_context_manager.reader
def network_get_by_name(context, name):
    row = context.session.execute(
        sa.select(models.Network).where(models.Network.name == name)
    ).scalar_one_or_none()
    if row is None:
        raise exception.NetworkNotFound(network_id=name)
    return row.as_dict()


@main_context_manager.reader
def network_get_all(context, project_id=None):
    """Every network if ``project_id`` is None, else the shared ones and
    that project's; by name."""
    model = models.Network
    query = sa.select(model).order_by(model.name)
    if project_id is not None:
        query = query.where(sa.or_(model.project_id.is_(None),
                                   model.project_id == project_id))
    return [r.as_dict() for r in context.session.execute(query).scalars()]


@writer
def network_delete(context, network_uuid):
    """Delete a network; NetworkInUse while it has allocated addresses."""
    row = _network_row(context, network_uuid)
    count = context.session.execute(
        sa.select(sa.func.count(models.FixedIp.id))
        .where(models.FixedIp.network_id == row.id)).scalar()
    if count:
        raise exception.NetworkInUse(network_id=network_uuid, count=count)
    context.session.execute(sa.delete(models.Network)
                            .where(models.Network.id == row.id))


def _check_requested_address(network_row, network, address):
    """The requested ``address`` in normal form if it may be allocated on
    ``network``, else FixedIpInvalidForNetwork."""
    def invalid(reason):
        return exception.FixedIpInvalidForNetwork(
            address=address, network_id=network_row.uuid, reason=reason)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        raise invalid('it is not an IP address')
    if ip not in network:
        raise invalid('it is not in %s' % network)
    if ip == network.network_address:
        raise invalid('it is the network address of %s' % network)
    if ip == network.broadcast_address:
        raise invalid('it is the broadcast address of %s' % network)
    if str(ip) == network_row.gateway:
        raise invalid('it is the gateway of %s' % network)
    return str(ip)


def _new_mac_address(context):
    taken = models.FixedIp.mac_address
    while True:
        mac = '%s:%s' % (MAC_PREFIX, ':'.join(
            '%02x' % b for b in secrets.token_bytes(3)))
        if context.session.execute(
                sa.select(taken).where(taken == mac)).first() is None:
            return mac


@writer
def _fixed_ip_insert(context, network_uuid, instance_uuid, address, tag):
    """One allocation attempt, in its own transaction (see below)."""
    session = context.session
    row = _network_row(context, network_uuid)
    network = ipaddress.ip_network(row.cidr)
    fixed = models.FixedIp
    if address is not None:
        address = _check_requested_address(row, network, address)
        holder = session.execute(
            sa.select(fixed.instance_uuid).where(
                fixed.network_id == row.id, fixed.address == address)
        ).scalar()
        if holder is not None:
            raise exception.FixedIpAlreadyInUse(address=address,
                                                instance_uuid=holder)
    else:
        taken = set(session.execute(
            sa.select(fixed.address).where(fixed.network_id == row.id)
        ).scalars())
        taken.add(row.gateway)
        address = next((str(ip) for ip in network.hosts()
                        if str(ip) not in taken), None)
        if address is None:
            raise exception.NoMoreFixedIps(net=network_uuid)
    mac = _new_mac_address(context)
    session.add(fixed(network_id=row.id, address=address,
                      instance_uuid=instance_uuid, mac_address=mac,
                      port_id=str(uuidlib.uuid4()), tag=tag))
    session.flush()
    return {'address': address, 'mac_address': mac,
            'network_uuid': network_uuid}


def fixed_ip_allocate(context, network_uuid, instance_uuid, address=None,
                      tag=None):
    """Allocate ``address`` (or the lowest free host address) on a network
    to a server, its interface tagged ``tag``; returns {address,
    mac_address, network_uuid}.

    A requested address must be a host address of the network other than
    the gateway (else FixedIpInvalidForNetwork, 400) and free (else
    FixedIpAlreadyInUse, 409). With no free address, NoMoreFixedIps.

    NOTE: the unique constraints on (network, address) and on the MAC
    address decide races between API workers: each attempt is a
    transaction of its own, and an attempt that lost one is retried (a
    bounded number of times) with a fresh look at what is taken. So this
    must not run inside another transaction.
    """
    for _attempt in range(ALLOCATE_ATTEMPTS):
        try:
            return _fixed_ip_insert(context, network_uuid, instance_uuid,
                                    address, tag)
        except db_exc.DBDuplicateEntry:
            continue
        except db_exc.DBReferenceError:
            # The network was deleted meanwhile.
            raise exception.NetworkNotFound(network_id=network_uuid)
    raise exception.Conflict(
        'Could not allocate a fixed IP address on network %s: too many '
        'concurrent allocations, try again.' % network_uuid)


def _release_fixed_ips(context, instance_uuid):
    context.session.execute(sa.delete(models.FixedIp).where(
        models.FixedIp.instance_uuid == instance_uuid))


@writer
def fixed_ips_release_by_instance(context, instance_uuid):
    """Release every address of a server."""
    _release_fixed_ips(context, instance_uuid)


def _vif_query():
    fixed, net = models.FixedIp, models.Network
    return (sa.select(fixed.instance_uuid, fixed.address,
                      fixed.mac_address, fixed.port_id, fixed.tag,
                      net.uuid.label('network_uuid'),
                      net.name.label('network_name'), net.bridge, net.cidr,
                      net.gateway)
            .join(net, net.id == fixed.network_id)
            .order_by(fixed.id))


def _vif_dict(row):
    return {'network_id': row.network_uuid,
            'network_name': row.network_name,
            'bridge': row.bridge, 'cidr': row.cidr, 'gateway': row.gateway,
            'netmask': str(ipaddress.ip_network(row.cidr).netmask),
            'address': row.address, 'mac_address': row.mac_address,
            'port_id': row.port_id, 'tag': row.tag, 'version': 4}


@main_context_manager.reader
def network_info_for_instance(context, instance_uuid):
    """The server's addresses in the order they were allocated, each
    with its network: [{network_id (the network's uuid), network_name,
    bridge, cidr, gateway, netmask, address, mac_address, port_id (its
    Networking API id), tag (the interface's device tag or None),
    version}]."""
    rows = context.session.execute(
        _vif_query().where(models.FixedIp.instance_uuid == instance_uuid))
    return [_vif_dict(row) for row in rows]


@main_context_manager.reader
def ports_get_all(context, project_id=None, instance_uuids=None,
                  network_uuids=None, port_ids=None, limit=None,
                  marker=None):
    """Allocated addresses of live servers, with their network and server
    (the Networking API's ports), oldest first: [{id (the port id),
    address, mac_address, created_at, network_id (uuid), instance_uuid,
    project_id (the server's), availability_zone, host, vm_state,
    security_groups (names)}]. Each argument, when given, narrows;
    ``limit`` ports after the port ``marker`` (MarkerNotFound when the
    caller's query does not find it)."""
    fixed, net, inst = models.FixedIp, models.Network, models.Instance
    query = (sa.select(fixed.port_id.label('id'), fixed.address,
                       fixed.mac_address, fixed.created_at,
                       net.uuid.label('network_id'), fixed.instance_uuid,
                       inst.project_id, inst.availability_zone, inst.host,
                       inst.vm_state, inst.security_groups)
             .join(net, net.id == fixed.network_id)
             .join(inst, sa.and_(inst.uuid == fixed.instance_uuid,
                                 inst.deleted == 0))
             .order_by(fixed.id))
    if project_id is not None:
        query = query.where(inst.project_id == project_id)
    if instance_uuids is not None:
        query = query.where(fixed.instance_uuid.in_(list(instance_uuids)))
    if network_uuids is not None:
        query = query.where(net.uuid.in_(list(network_uuids)))
    if port_ids is not None:
        query = query.where(fixed.port_id.in_(list(port_ids)))
    if marker is not None:
        # NOTE: the marker is looked up with the same narrowing, so a port
        # the caller cannot list is not a marker either.
        marker_id = context.session.execute(
            query.with_only_columns(fixed.id).order_by(None)
            .where(fixed.port_id == marker)).scalar()
        if marker_id is None:
            raise exception.MarkerNotFound(marker=marker)
        query = query.where(fixed.id > marker_id)
    if limit is not None:
        query = query.limit(limit)
    return [dict(row._mapping,
                 security_groups=json.loads(row.security_groups or '[]'))
            for row in context.session.execute(query)]


# ---------------------------------------------------------- security groups
#
# Groups and ingress rules as Neutron keeps them (Neutron's ids, ports
# NULL where unbounded). Servers name their groups in
# instances.security_groups. Nothing here filters any packet.

def _sg_dict(row):
    return {'id': row.uuid, 'name': row.name,
            'description': row.description, 'project_id': row.project_id,
            'is_default': row.default_for is not None,
            'created_at': row.created_at, 'updated_at': row.updated_at}


def _sg_rule_dict(row):
    return {'id': row.uuid, 'parent_group_id': row.parent_group_id,
            'protocol': row.ip_protocol, 'from_port': row.from_port,
            'to_port': row.to_port, 'cidr': row.cidr,
            'group_id': row.group_id, 'ethertype': row.ethertype,
            'created_at': row.created_at, 'updated_at': row.updated_at}


def _sg_attach_rules(context, groups):
    """Each group's rules (oldest first), in one query."""
    by_id = {g['id']: g for g in groups}
    for group in groups:
        group['rules'] = []
    if by_id:
        rule = models.SecurityGroupRule
        rows = context.session.execute(
            sa.select(rule).where(rule.parent_group_id.in_(list(by_id)))
            .order_by(rule.id)).scalars()
        for row in rows:
            by_id[row.parent_group_id]['rules'].append(_sg_rule_dict(row))
    return groups


def _sg_query(project_id=None):
    query = sa.select(models.SecurityGroup).where(
        models.SecurityGroup.deleted == 0)
    if project_id is not None:
        query = query.where(models.SecurityGroup.project_id == project_id)
    return query


def _sg_row(context, group_id, project_id=None):
    row = context.session.execute(_sg_query(project_id).where(
        models.SecurityGroup.uuid == group_id)).scalar_one_or_none()
    if row is None:
        raise exception.SecurityGroupNotFound(
            'Security group %s does not exist' % group_id)
    return row


@main_context_manager.reader
def _security_group_default(context, project_id):
    row = context.session.execute(_sg_query().where(
        models.SecurityGroup.default_for == project_id)).scalar_one_or_none()
    return None if row is None else _sg_dict(row)


@writer
def _security_group_default_create(context, project_id):
    group_id = str(uuidlib.uuid4())
    context.session.add(models.SecurityGroup(
        uuid=group_id, name='default', description='Default security group',
        project_id=project_id, default_for=project_id))
    # Neutron's default rules: ingress from the group's own members.
    for ethertype in ('IPv4', 'IPv6'):
        context.session.add(models.SecurityGroupRule(
            uuid=str(uuidlib.uuid4()), parent_group_id=group_id,
            group_id=group_id, ethertype=ethertype))
    context.session.flush()


def security_group_ensure_default(context, project_id):
    """The project's ``default`` group, made on first need as Neutron
    does.

    NOTE: two first uses may both find none and both insert; the unique
    constraint on (default_for, deleted) lets one commit, the other's
    insert fails and it reads the winner's group.
    """
    group = _security_group_default(context, project_id)
    if group is None:
        try:
            _security_group_default_create(context, project_id)
        except db_exc.DBDuplicateEntry:
            pass
        group = _security_group_default(context, project_id)
    return group


@main_context_manager.reader
def security_group_get(context, group_id, project_id=None):
    """A live group with its rules (of ``project_id`` if given), else
    SecurityGroupNotFound with Neutron's message."""
    return _sg_attach_rules(context,
                            [_sg_dict(_sg_row(context, group_id,
                                              project_id))])[0]


@main_context_manager.reader
def security_group_get_all(context, project_id=None, name=None, limit=None,
                           offset=0):
    """A page of live groups with their rules, by project then name."""
    model = models.SecurityGroup
    query = _sg_query(project_id).order_by(model.project_id, model.name,
                                           model.id)
    if name is not None:
        query = query.where(model.name == name)
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    rows = context.session.execute(query).scalars()
    return _sg_attach_rules(context, [_sg_dict(row) for row in rows])


@main_context_manager.reader
def security_group_ids_by_name(context, project_ids):
    """{(project_id, name): group id} of the live groups of the projects,
    in one query (the first id of a name shared by several groups)."""
    model = models.SecurityGroup
    if not project_ids:
        return {}
    rows = context.session.execute(
        sa.select(model.project_id, model.name, model.uuid).where(
            model.deleted == 0, model.project_id.in_(sorted(project_ids)))
        .order_by(model.project_id, model.name, model.id))
    found = {}
    for project_id, name, uuid in rows:
        found.setdefault((project_id, name), uuid)
    return found


@writer
def security_group_create(context, values):
    values = dict(values, uuid=values.get('uuid') or str(uuidlib.uuid4()))
    row = models.SecurityGroup(**values)
    context.session.add(row)
    context.session.flush()
    return _sg_attach_rules(context, [_sg_dict(row)])[0]


def _sg_servers(context, project_id, name):
    """The live servers of ``project_id`` that name the group (as rows)."""
    model = models.Instance
    query = sa.select(model.uuid, model.security_groups).where(
        model.project_id == project_id, model.deleted == 0)
    encoded = json.dumps(name)
    if '\\' not in encoded:
        # NOTE: a coarse filter only (LIKE's own escapes are backslashes):
        # the decoded lists decide.
        query = query.where(model.security_groups.like(
            '%' + encoded + '%'))
    rows = context.session.execute(query)
    return [(uuid, json.loads(groups or '[]')) for uuid, groups in rows
            if name in json.loads(groups or '[]')]


@writer
def security_group_update(context, group_id, values, project_id=None):
    """Rename or describe a group. The live servers of its project that
    name it by its old name name it by the new one, when the old name
    was the only group of that name (servers keep names, not ids)."""
    row = _sg_row(context, group_id, project_id)
    old_name = row.name
    new_name = values.get('name', old_name)
    if new_name != old_name:
        namesakes = context.session.execute(
            sa.select(sa.func.count()).select_from(models.SecurityGroup)
            .where(models.SecurityGroup.project_id == row.project_id,
                   models.SecurityGroup.deleted == 0,
                   models.SecurityGroup.name == old_name)).scalar()
        if namesakes == 1:
            for uuid, groups in _sg_servers(context, row.project_id,
                                            old_name):
                groups = [new_name if g == old_name else g for g in groups]
                context.session.execute(
                    sa.update(models.Instance)
                    .where(models.Instance.uuid == uuid)
                    .values(security_groups=json.dumps(groups)))
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    context.session.flush()
    return _sg_attach_rules(context, [_sg_dict(row)])[0]


@main_context_manager.reader
def security_group_in_use(context, group):
    """Whether a live server of the group's project names it."""
    return bool(_sg_servers(context, group['project_id'], group['name']))


@writer
def security_group_destroy(context, group_id, check=None):
    """Soft-delete a live group and delete its rules and the rules of
    other groups that name it as their remote group (Neutron's cascade).
    ``check(group)`` runs first, in the transaction (it may raise)."""
    row = _sg_row(context, group_id)
    if check is not None:
        check(_sg_dict(row), bool(_sg_servers(context, row.project_id,
                                              row.name)))
    now = utcnow()
    context.session.execute(
        sa.update(models.SecurityGroup)
        .where(models.SecurityGroup.id == row.id)
        .values(deleted=row.id, deleted_at=now, updated_at=now))
    rule = models.SecurityGroupRule
    context.session.execute(sa.delete(rule).where(sa.or_(
        rule.parent_group_id == group_id, rule.group_id == group_id)))


@writer
def security_group_rule_create(context, values, check=None):
    """A new rule of a live group. ``check(group)`` (the group with its
    rules, read in this transaction) may refuse it first."""
    group = _sg_attach_rules(context, [_sg_dict(
        _sg_row(context, values['parent_group_id']))])[0]
    if check is not None:
        check(group)
    values = dict(values, uuid=values.get('uuid') or str(uuidlib.uuid4()))
    row = models.SecurityGroupRule(**values)
    context.session.add(row)
    context.session.flush()
    return _sg_rule_dict(row)


@main_context_manager.reader
def security_group_rule_get(context, rule_id):
    row = context.session.execute(
        sa.select(models.SecurityGroupRule)
        .where(models.SecurityGroupRule.uuid == rule_id)
    ).scalar_one_or_none()
    if row is None:
        raise exception.SecurityGroupNotFound(
            'Security group rule %s does not exist' % rule_id)
    return _sg_rule_dict(row)


@writer
def security_group_rule_destroy(context, rule_id):
    result = context.session.execute(
        sa.delete(models.SecurityGroupRule)
        .where(models.SecurityGroupRule.uuid == rule_id))
    if not result.rowcount:
        raise exception.SecurityGroupNotFound(
            'Security group rule %s does not exist' % rule_id)
