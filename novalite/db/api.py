"""Database access: enginefacade reader/writer functions returning dicts.

Only the API layer (``novalite/compute/api.py``, controllers through it)
and the compute manager call these; nothing under ``novalite/virt`` may.
"""

import datetime
import functools
import json
import threading

from oslo_config import cfg
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa

from novalite.db import models
from novalite import exception

CONF = cfg.CONF

main_context_manager = enginefacade.transaction_context()
_CONFIGURED = False

_NOT_SET = object()


# Set while a writer function runs in this thread (see prepare_engine).
_WRITING = threading.local()

# How long a SQLite writer waits for another process' write lock (ms).
SQLITE_BUSY_TIMEOUT_MS = 30000


def writer(func):
    """``main_context_manager.writer`` that also marks the thread as
    writing, so that SQLite opens the transaction with BEGIN IMMEDIATE."""
    inner = main_context_manager.writer(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        depth = getattr(_WRITING, 'depth', 0)
        _WRITING.depth = depth + 1
        try:
            return inner(*args, **kwargs)
        finally:
            _WRITING.depth = depth
    return wrapper


def prepare_engine(engine):
    """Make a SQLite file safe for several processes (API and agents).

    oslo.db opens every SQLite transaction with a deferred BEGIN. A writer
    that reads first (every compare-and-swap does) then has to upgrade its
    lock; if another process is writing, SQLite answers "database is
    locked" at once, without waiting. So writer transactions start with
    BEGIN IMMEDIATE, which takes the write lock up front and waits (busy
    timeout) for it; and the journal is WAL, so readers never wait for a
    writer. Other backends are left alone.
    """
    if engine.dialect.name != 'sqlite':
        return

    @sa.event.listens_for(engine, 'connect')
    def _connect(dbapi_connection, _record):
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

def _instance_to_dict(row):
    inst = row.as_dict()
    inst['security_groups'] = json.loads(row.security_groups or '[]')
    return inst


def _attach_extras(context, instances, extras):
    """Load metadata/tags/faults for a page of servers, one query each.

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
            rows = session.execute(
                sa.select(models.InstanceFault)
                .where(models.InstanceFault.instance_uuid.in_(wanted))
                .order_by(models.InstanceFault.created_at.desc(),
                          models.InstanceFault.id.desc())).scalars()
            for fault in rows:
                inst = by_uuid[fault.instance_uuid]
                if inst['fault'] is None:
                    inst['fault'] = fault.as_dict()
    return instances


ALL_EXTRAS = ('metadata', 'tags', 'fault')


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
    ``tags-any``, ``not-tags``, ``not-tags-any`` (lists), ``soft_deleted``.
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
    query = _apply_filters(context.session.query(model), filters)
    query = _paginate(query, model, limit, sort_keys, sort_dirs, marker_row)
    rows = query.all()
    return _attach_extras(context, [_instance_to_dict(r) for r in rows],
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
    return _instance_to_dict(row)


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
    context.session.execute(sa.update(model).where(model.id == row.id)
                            .values(**update))
    context.session.execute(sa.delete(models.Tag)
                            .where(models.Tag.resource_id == uuid))


@writer
def instance_hard_delete(context, uuid):
    """Remove every trace of a server (quota-recheck rollback only)."""
    session = context.session
    session.execute(sa.delete(models.InstanceMetadata).where(
        models.InstanceMetadata.instance_uuid == uuid))
    session.execute(sa.delete(models.Tag).where(
        models.Tag.resource_id == uuid))
    session.execute(sa.delete(models.InstanceFault).where(
        models.InstanceFault.instance_uuid == uuid))
    session.execute(sa.delete(models.Instance).where(
        models.Instance.uuid == uuid))


@main_context_manager.reader
def instance_usage_by_project(context, project_id):
    """(instances, cores, ram) used by a project's live servers."""
    model = models.Instance
    row = context.session.execute(
        sa.select(sa.func.count(model.id),
                  sa.func.coalesce(sa.func.sum(model.vcpus), 0),
                  sa.func.coalesce(sa.func.sum(model.memory_mb), 0))
        .where(model.project_id == project_id, model.deleted == 0)).one()
    return int(row[0]), int(row[1]), int(row[2])


@main_context_manager.reader
def instance_usage_by_host(context):
    """{host: (vcpus, memory_mb, disk_gb)} claimed by live servers."""
    model = models.Instance
    rows = context.session.execute(
        sa.select(model.host,
                  sa.func.sum(model.vcpus), sa.func.sum(model.memory_mb),
                  sa.func.sum(model.root_gb + model.ephemeral_gb
                              + sa.func.ceil(model.swap / 1024.0)))
        .where(model.deleted == 0, model.host.is_not(None))
        .group_by(model.host))
    return {host: (int(v or 0), int(m or 0), int(d or 0))
            for host, v, m, d in rows}


@main_context_manager.reader
def instance_get_all_by_host(context, host, extras=()):
    rows = context.session.execute(
        sa.select(models.Instance).where(models.Instance.host == host,
                                         models.Instance.deleted == 0)
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


@main_context_manager.reader
def flavor_get_by_flavor_id(context, flavorid):
    row = context.session.execute(
        sa.select(models.Flavor).where(models.Flavor.flavorid == flavorid)
    ).scalar_one_or_none()
    if row is None:
        raise exception.FlavorNotFound(flavor_id=flavorid)
    return row.as_dict()


@main_context_manager.reader
def flavor_get_all(context, filters=None, sort_key='flavorid',
                   sort_dir='asc', limit=None, marker=None):
    filters = filters or {}
    query = context.session.query(models.Flavor)
    if filters.get('min_memory_mb'):
        query = query.filter(models.Flavor.memory_mb
                             >= filters['min_memory_mb'])
    if filters.get('min_root_gb'):
        query = query.filter(models.Flavor.root_gb >= filters['min_root_gb'])
    if filters.get('is_public') is not None:
        query = query.filter(models.Flavor.is_public
                             == filters['is_public'])
    marker_row = None
    if marker is not None:
        marker_row = context.session.query(models.Flavor).filter_by(
            flavorid=marker).first()
        if marker_row is None:
            raise exception.MarkerNotFound(marker=marker)
    # NOTE: a key Nova has but novalite does not store (vcpu_weight, NULL
    # for every Nova flavor) sorts like ties: by id.
    sort_keys = ([sort_key, 'id'] if sort_key in models.Flavor.__table__.c
                 else ['id'])
    query = _paginate(query, models.Flavor, limit, sort_keys,
                      [sort_dir] * len(sort_keys), marker_row)
    return [r.as_dict() for r in query.all()]


@writer
def flavor_destroy(context, flavorid):
    result = context.session.execute(sa.delete(models.Flavor).where(
        models.Flavor.flavorid == flavorid))
    if result.rowcount == 0:
        raise exception.FlavorNotFound(flavor_id=flavorid)


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


@main_context_manager.reader
def image_get_all(context, limit=None, marker=None):
    query = context.session.query(models.Image)
    marker_row = None
    if marker is not None:
        marker_row = context.session.get(models.Image, marker)
        if marker_row is None:
            raise exception.MarkerNotFound(marker=marker)
    query = _paginate(query, models.Image, limit, ['created_at', 'id'],
                      ['desc', 'desc'], marker_row)
    return [_image_to_dict(r) for r in query.all()]


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

@writer
def service_report(context, host, binary, topic, capacity,
                   availability_zone, hypervisor_hostname=None):
    """Create or refresh a compute agent's row: its heartbeat."""
    model = models.Service
    row = context.session.execute(
        sa.select(model).where(model.host == host, model.binary == binary)
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
    try:
        context.session.flush()
    except db_exc.DBDuplicateEntry:
        # Another process of the same host registered first; the next
        # heartbeat updates that row.
        pass
    return row.as_dict()


@main_context_manager.reader
def service_get_all(context, binary=None, hosts=None):
    query = sa.select(models.Service).order_by(models.Service.id)
    if binary:
        query = query.where(models.Service.binary == binary)
    if hosts is not None:
        query = query.where(models.Service.host.in_(list(hosts)))
    return [r.as_dict() for r in context.session.execute(query).scalars()]


@writer
def service_update(context, host, binary, values):
    context.session.execute(
        sa.update(models.Service).where(models.Service.host == host,
                                        models.Service.binary == binary)
        .values(**values))
