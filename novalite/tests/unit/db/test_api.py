"""novalite.db.api on a real (SQLite) database."""

import contextlib
import datetime
import uuid

import sqlalchemy as sa

from novalite import context as nl_context
from novalite.db import api as db
from novalite.db import models
from novalite import exception
from novalite.tests import base

T0 = datetime.datetime(2026, 1, 5, 10, 0, 0)


def make_instance(ctxt, project_id='p1', metadata=None, tags=None,
                  **values):
    """A server row with plausible defaults; ``values`` override them."""
    row = dict(uuid=str(uuid.uuid4()), project_id=project_id, user_id='u1',
               display_name='server', hostname='server', vm_state='active',
               task_state=None, power_state=1, host='h1', node='h1',
               vcpus=1, memory_mb=512, root_gb=1, image_ref='img')
    row.update(values)
    return db.instance_create(ctxt, row, metadata=metadata, tags=tags)


@contextlib.contextmanager
def count_selects(engine):
    """Count the SELECT statements run on ``engine`` inside the block."""
    statements = []

    def before(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith('SELECT'):
            statements.append(statement)

    sa.event.listen(engine, 'before_cursor_execute', before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, 'before_cursor_execute', before)


class InstanceUpdateTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = self.admin_context
        self.inst = make_instance(self.ctxt)

    def _get(self):
        return db.instance_get_by_uuid(self.ctxt, self.inst['uuid'])

    def test_no_expectation_always_updates(self):
        db.instance_update(self.ctxt, self.inst['uuid'],
                           {'task_state': 'rebooting'})
        updated = db.instance_update(self.ctxt, self.inst['uuid'],
                                     {'display_name': 'renamed'})
        self.assertEqual('renamed', updated['display_name'])
        self.assertEqual('rebooting', updated['task_state'])
        self.assertIsNotNone(updated['updated_at'])

    def test_expected_none_matches_no_task(self):
        updated = db.instance_update(
            self.ctxt, self.inst['uuid'], {'task_state': 'rebooting'},
            expected_task_state=None)
        self.assertEqual('rebooting', updated['task_state'])
        self.assertEqual('rebooting', self._get()['task_state'])

    def test_expected_none_refuses_a_task_in_progress(self):
        db.instance_update(self.ctxt, self.inst['uuid'],
                           {'task_state': 'powering-off'})
        e = self.assertRaises(
            exception.UnexpectedTaskStateError, db.instance_update,
            self.ctxt, self.inst['uuid'], {'task_state': 'rebooting'},
            expected_task_state=None)
        self.assertNotIsInstance(e, exception.UnexpectedDeletingTaskStateError)
        self.assertEqual('powering-off', e.kwargs['actual'])
        self.assertIsNone(e.kwargs['expected'])
        self.assertEqual(409, e.code)
        self.assertEqual('powering-off', self._get()['task_state'])

    def test_mismatch_leaves_row_alone(self):
        db.instance_update(self.ctxt, self.inst['uuid'],
                           {'task_state': 'rebooting'})
        self.assertRaises(
            exception.UnexpectedTaskStateError, db.instance_update,
            self.ctxt, self.inst['uuid'],
            {'task_state': None, 'display_name': 'changed'},
            expected_task_state='powering-on')
        row = self._get()
        self.assertEqual('rebooting', row['task_state'])
        self.assertEqual('server', row['display_name'])

    def test_deleting_raises_the_deleting_error(self):
        db.instance_update(self.ctxt, self.inst['uuid'],
                           {'task_state': 'deleting'})
        e = self.assertRaises(
            exception.UnexpectedDeletingTaskStateError, db.instance_update,
            self.ctxt, self.inst['uuid'], {'task_state': 'rebooting'},
            expected_task_state=None)
        self.assertEqual('deleting', e.kwargs['actual'])

    def test_expected_list(self):
        db.instance_update(self.ctxt, self.inst['uuid'],
                           {'task_state': 'rebooting'})
        updated = db.instance_update(
            self.ctxt, self.inst['uuid'], {'task_state': 'rebooting_hard'},
            expected_task_state=[None, 'rebooting'])
        self.assertEqual('rebooting_hard', updated['task_state'])
        # A list without None does not match "no task".
        db.instance_update(self.ctxt, self.inst['uuid'],
                           {'task_state': None})
        self.assertRaises(
            exception.UnexpectedTaskStateError, db.instance_update,
            self.ctxt, self.inst['uuid'], {'task_state': 'rebooting'},
            expected_task_state=('rebooting', 'rebooting_hard'))
        self.assertIsNone(self._get()['task_state'])

    def test_expected_vm_state(self):
        self.assertRaises(
            exception.InstanceInvalidState, db.instance_update,
            self.ctxt, self.inst['uuid'], {'task_state': 'powering-on'},
            expected_task_state=None, expected_vm_state=['stopped'])
        self.assertIsNone(self._get()['task_state'])
        updated = db.instance_update(
            self.ctxt, self.inst['uuid'], {'task_state': 'powering-off'},
            expected_task_state=None, expected_vm_state='active')
        self.assertEqual('powering-off', updated['task_state'])

    def test_task_mismatch_wins_over_vm_state_mismatch(self):
        db.instance_update(self.ctxt, self.inst['uuid'],
                           {'task_state': 'rebooting'})
        self.assertRaises(
            exception.UnexpectedTaskStateError, db.instance_update,
            self.ctxt, self.inst['uuid'], {'task_state': 'powering-on'},
            expected_task_state=None, expected_vm_state='stopped')

    def test_missing_or_deleted_row(self):
        self.assertRaises(exception.InstanceNotFound, db.instance_update,
                          self.ctxt, str(uuid.uuid4()), {'progress': 1})
        db.instance_destroy(self.ctxt, self.inst['uuid'])
        self.assertRaises(exception.InstanceNotFound, db.instance_update,
                          self.ctxt, self.inst['uuid'], {'progress': 1},
                          expected_task_state=None)

    def test_security_groups_round_trip(self):
        updated = db.instance_update(self.ctxt, self.inst['uuid'],
                                     {'security_groups': ['a', 'b']})
        self.assertEqual(['a', 'b'], updated['security_groups'])
        self.assertEqual(['a', 'b'], self._get()['security_groups'])


class InstanceDestroyTest(base.TestCase):

    def test_soft_delete(self):
        ctxt = self.admin_context
        inst = make_instance(ctxt, task_state='deleting', tags=['a'],
                             metadata={'k': 'v'})
        db.instance_destroy(ctxt, inst['uuid'])
        self.assertRaises(exception.InstanceNotFound,
                          db.instance_get_by_uuid, ctxt, inst['uuid'])
        row = db.instance_get_by_uuid(ctxt, inst['uuid'],
                                      read_deleted='yes')
        self.assertEqual(inst['id'], row['deleted'])
        self.assertEqual('deleted', row['vm_state'])
        self.assertIsNone(row['task_state'])
        self.assertEqual(0, row['power_state'])
        self.assertIsNotNone(row['deleted_at'])
        self.assertIsNotNone(row['terminated_at'])
        self.assertEqual([], row['tags'])
        self.assertEqual(
            [row['uuid']],
            [i['uuid'] for i in db.instance_get_all_by_filters_sort(
                ctxt, {'deleted': True})])
        only = nl_context.get_admin_context(read_deleted='only')
        self.assertEqual(inst['uuid'],
                         db.instance_get_by_uuid(only, inst['uuid'])['uuid'])
        self.assertRaises(exception.InstanceNotFound, db.instance_destroy,
                          ctxt, inst['uuid'])

    def test_values_and_unique_ids(self):
        ctxt = self.admin_context
        first = make_instance(ctxt)
        second = make_instance(ctxt)
        when = datetime.datetime(2026, 2, 1, 12, 0, 0)
        db.instance_destroy(ctxt, first['uuid'], {'terminated_at': when})
        db.instance_destroy(ctxt, second['uuid'])
        rows = {r['uuid']: r for r in db.instance_get_all_by_filters_sort(
            ctxt, {'deleted': True})}
        self.assertEqual(when, rows[first['uuid']]['terminated_at'])
        self.assertNotEqual(rows[first['uuid']]['deleted'],
                            rows[second['uuid']]['deleted'])

    def test_hard_delete(self):
        ctxt = self.admin_context
        inst = make_instance(ctxt, tags=['a'], metadata={'k': 'v'})
        db.instance_fault_create(ctxt, inst['uuid'], 500, 'boom')
        db.instance_hard_delete(ctxt, inst['uuid'])
        self.assertRaises(exception.InstanceNotFound,
                          db.instance_get_by_uuid, ctxt, inst['uuid'],
                          read_deleted='yes')


class InstanceGetTest(base.TestCase):

    def test_project_scoping(self):
        inst = make_instance(self.admin_context, project_id='p1')
        mine = nl_context.RequestContext(user_id='u1', project_id='p1',
                                         is_admin=False)
        theirs = nl_context.RequestContext(user_id='u2', project_id='p2',
                                           is_admin=False)
        self.assertEqual(inst['uuid'],
                         db.instance_get_by_uuid(mine, inst['uuid'])['uuid'])
        self.assertRaises(exception.InstanceNotFound,
                          db.instance_get_by_uuid, theirs, inst['uuid'])
        self.assertEqual(
            inst['uuid'],
            db.instance_get_by_uuid(theirs, inst['uuid'],
                                    project_only=False)['uuid'])

    def test_create_returns_extras(self):
        inst = make_instance(self.admin_context, metadata={'a': '1'},
                             tags=['z', 'y', 'z'])
        self.assertEqual({'a': '1'}, inst['metadata'])
        self.assertEqual(['y', 'z'], inst['tags'])
        self.assertIsNone(inst['fault'])
        self.assertEqual([], inst['security_groups'])
        got = db.instance_get_by_uuid(self.admin_context, inst['uuid'])
        self.assertEqual({'a': '1'}, got['metadata'])
        self.assertEqual(['y', 'z'], got['tags'])


class InstanceFiltersTest(base.TestCase):

    def setUp(self):
        super().setUp()
        c = self.admin_context
        self.web1 = make_instance(c, display_name='web-1', host='h1',
                                  tags=['a', 'b'], created_at=T0)
        self.web2 = make_instance(c, display_name='web-2', host='h2',
                                  task_state='rebooting', tags=['a'],
                                  created_at=T0 + datetime.timedelta(1))
        self.db1 = make_instance(c, display_name='db-1', host=None,
                                 vm_state='stopped', power_state=4,
                                 tags=['c'],
                                 created_at=T0 + datetime.timedelta(2))
        self.other = make_instance(c, project_id='p2', display_name='myweb',
                                   host='h3',
                                   vm_state='error', power_state=0,
                                   created_at=T0 + datetime.timedelta(3))
        self.soft = make_instance(c, display_name='soft',
                                  vm_state='soft-delete',
                                  created_at=T0 + datetime.timedelta(4))
        self.gone = make_instance(c, display_name='web-gone',
                                  created_at=T0 + datetime.timedelta(5))
        db.instance_destroy(c, self.gone['uuid'])

    def _names(self, filters, **kwargs):
        rows = db.instance_get_all_by_filters_sort(
            self.admin_context, filters, extras=(), **kwargs)
        return sorted(r['display_name'] for r in rows)

    def test_default_is_live_servers_of_all_projects(self):
        self.assertEqual(['db-1', 'myweb', 'web-1', 'web-2'],
                         self._names({}))

    def test_project_scoping(self):
        self.assertEqual(['db-1', 'web-1', 'web-2'],
                         self._names({'project_id': 'p1'}))
        self.assertEqual(['myweb'], self._names({'project_id': 'p2'}))
        self.assertEqual([], self._names({'project_id': 'p3'}))

    def test_regex_name(self):
        self.assertEqual(['myweb', 'web-1', 'web-2'],
                         self._names({'regex': {'display_name': 'web'}}))
        self.assertEqual(['web-1', 'web-2'],
                         self._names({'regex': {'display_name':
                                                '^web-[0-9]$'}}))
        self.assertEqual(['web-2'],
                         self._names({'regex': {'display_name': '2$'}}))
        self.assertEqual(['db-1', 'web-1'],
                         self._names({'regex': {'display_name': '-1'}}))
        self.assertEqual([], self._names({'regex': {'display_name':
                                                    '^eb'}}))

    def test_exact(self):
        self.assertEqual(['web-1'], self._names({'exact': {'host': 'h1'}}))
        self.assertEqual(['web-1', 'web-2'],
                         self._names({'exact': {'host': ['h1', 'h2']}}))
        self.assertEqual(['db-1'], self._names({'exact': {'host': None}}))
        self.assertEqual(['db-1', 'web-2'],
                         self._names({'exact': {'host': ['h2', None]}}))
        self.assertEqual([], self._names({'exact': {'host': []}}))
        self.assertEqual(['web-1', 'web-2'],
                         self._names({'exact': {'vm_state': 'active',
                                                'project_id': 'p1'}}))
        self.assertEqual(['web-2'],
                         self._names({'exact': {'task_state':
                                                'rebooting'}}))

    def test_status_pairs(self):
        self.assertEqual(['web-1', 'web-2'],
                         self._names({'status': [(['active'], None)]}))
        self.assertEqual(['web-2'],
                         self._names({'status': [(['active'],
                                                  ['rebooting'])]}))
        self.assertEqual(['web-1'],
                         self._names({'status': [(['active'], [None])]}))
        self.assertEqual(['db-1', 'myweb', 'web-2'],
                         self._names({'status': [
                             (['stopped'], None), (['error'], None),
                             (['active'], ['rebooting'])]}))
        self.assertEqual([], self._names({'status': []}))
        # The soft-deleted server is hidden unless asked for.
        self.assertEqual([], self._names({'status': [(['soft-delete'],
                                                      None)]}))
        self.assertEqual(['soft'],
                         self._names({'status': [(['soft-delete'], None)],
                                      'soft_deleted': True}))

    def test_tags(self):
        self.assertEqual(['web-1', 'web-2'], self._names({'tags': ['a']}))
        self.assertEqual(['web-1'], self._names({'tags': ['a', 'b']}))
        self.assertEqual([], self._names({'tags': ['a', 'c']}))
        self.assertEqual(['db-1', 'web-1'],
                         self._names({'tags-any': ['b', 'c']}))
        # not-tags: leave out servers having all of them.
        self.assertEqual(['db-1', 'myweb', 'web-2'],
                         self._names({'not-tags': ['a', 'b']}))
        self.assertEqual(['db-1', 'myweb'],
                         self._names({'not-tags': ['a']}))
        # not-tags-any: leave out servers having any of them.
        self.assertEqual(['myweb', 'web-2'],
                         self._names({'not-tags-any': ['b', 'c']}))
        self.assertEqual(['web-1'],
                         self._names({'tags': ['a'],
                                      'not-tags-any': ['x'],
                                      'tags-any': ['b', 'x']}))

    def test_changes_since_and_before(self):
        c = self.admin_context
        for i, inst in enumerate((self.web1, self.web2, self.db1,
                                  self.other)):
            db.instance_update(c, inst['uuid'], {
                'updated_at': T0 + datetime.timedelta(hours=i)})
        self.assertEqual(
            ['db-1', 'myweb'],
            self._names({'changes-since': T0 + datetime.timedelta(hours=2)}))
        self.assertEqual(
            ['web-1', 'web-2'],
            self._names({'changes-before':
                         T0 + datetime.timedelta(hours=1)}))
        self.assertEqual(
            ['web-2'],
            self._names({'changes-since': T0 + datetime.timedelta(hours=1),
                         'changes-before':
                         T0 + datetime.timedelta(hours=1)}))

    def test_deleted(self):
        self.assertEqual(['soft', 'web-gone'],
                         self._names({'deleted': True}))
        self.assertEqual(['db-1', 'myweb', 'web-1', 'web-2'],
                         self._names({'deleted': False}))
        self.assertEqual(['db-1', 'myweb', 'soft', 'web-1', 'web-2',
                          'web-gone'], self._names({'deleted': None}))
        self.assertEqual(['db-1', 'myweb', 'soft', 'web-1', 'web-2'],
                         self._names({'deleted': False,
                                      'soft_deleted': True}))

    def test_match_nothing(self):
        self.assertEqual([], self._names({'match_nothing': True}))


class InstancePaginationTest(base.TestCase):

    def setUp(self):
        super().setUp()
        c = self.admin_context
        # Names repeat and several servers share created_at: only the
        # tie-breakers make the order total.
        specs = [('b', T0), ('a', T0), ('c', T0 + datetime.timedelta(1)),
                 ('a', T0 + datetime.timedelta(1)), ('b', T0),
                 ('c', T0 + datetime.timedelta(2))]
        self.instances = [make_instance(c, display_name=name,
                                        created_at=created)
                          for name, created in specs]

    def _list(self, **kwargs):
        return [r['uuid'] for r in db.instance_get_all_by_filters_sort(
            self.admin_context, kwargs.pop('filters', {}), extras=(),
            **kwargs)]

    def _walk(self, limit, **kwargs):
        seen, marker = [], None
        for _ in range(20):
            page = self._list(limit=limit, marker=marker, **kwargs)
            self.assertLessEqual(len(page), limit)
            if not page:
                return seen
            seen.extend(page)
            marker = page[-1]
        self.fail('pagination never ended: %s' % seen)

    def test_default_order_newest_first_then_id(self):
        by_id = sorted(self.instances, key=lambda i: (i['created_at'],
                                                      i['id']))
        self.assertEqual([i['uuid'] for i in reversed(by_id)],
                         self._list())

    def test_sort_keys_order(self):
        expected = [i['uuid'] for i in sorted(
            self.instances, key=lambda i: (i['display_name'],
                                           i['created_at'], i['id']))]
        self.assertEqual(expected, self._list(sort_keys=['display_name'],
                                              sort_dirs=['asc']))

    def test_marker_walk_is_stable(self):
        for sort_keys, sort_dirs in (
                (None, None),
                (['display_name'], ['asc']),
                (['display_name'], ['desc']),
                (['display_name', 'created_at'], ['asc', 'desc'])):
            full = self._list(sort_keys=sort_keys, sort_dirs=sort_dirs)
            self.assertEqual(len(self.instances), len(full))
            for limit in (1, 2, 4):
                self.assertEqual(full, self._walk(limit, sort_keys=sort_keys,
                                                  sort_dirs=sort_dirs),
                                 '%s %s limit %d' % (sort_keys, sort_dirs,
                                                     limit))

    def test_marker_walk_on_nullable_key(self):
        # task_state and host are mostly NULL; the API lets clients sort
        # on them. Every server must be listed exactly once, in order.
        c = self.admin_context
        for inst, task in zip(self.instances, ('rebooting', None, None,
                                               'powering-off', None,
                                               'rebooting')):
            db.instance_update(c, inst['uuid'], {'task_state': task})
        tasks = dict(zip([i['uuid'] for i in self.instances],
                         ('rebooting', None, None, 'powering-off', None,
                          'rebooting')))
        # NULL sorts as the smallest value, on every backend.
        ascending = [i['uuid'] for i in sorted(
            self.instances, key=lambda i: (tasks[i['uuid']] is not None,
                                           tasks[i['uuid']] or '',
                                           i['created_at'], i['id']))]
        for direction in ('asc', 'desc'):
            full = self._list(sort_keys=['task_state'],
                              sort_dirs=[direction])
            self.assertEqual(ascending if direction == 'asc'
                             else ascending[::-1], full)
            for limit in (1, 2, 4):
                self.assertEqual(full, self._walk(
                    limit, sort_keys=['task_state'], sort_dirs=[direction]),
                    '%s limit %d' % (direction, limit))

    def test_marker_after_page(self):
        full = self._list()
        self.assertEqual(full[3:5], self._list(limit=2, marker=full[2]))
        self.assertEqual([], self._list(marker=full[-1]))
        self.assertEqual([], self._list(limit=0))

    def test_marker_not_found(self):
        self.assertRaises(exception.MarkerNotFound, self._list,
                          marker=str(uuid.uuid4()))
        # A marker from another project is not found either.
        other = make_instance(self.admin_context, project_id='p2')
        self.assertRaises(exception.MarkerNotFound, self._list,
                          marker=other['uuid'],
                          filters={'project_id': 'p1'})

    def test_deleted_marker(self):
        full = self._list()
        db.instance_destroy(self.admin_context, full[1])
        self.assertEqual(full[2:], self._list(marker=full[1]))


class ExtrasTest(base.TestCase):

    def _make_failed(self, index):
        c = self.admin_context
        inst = make_instance(c, metadata={'k': str(index)},
                             tags=['t%d' % index], vm_state='error')
        db.instance_fault_create(c, inst['uuid'], 500, 'old')
        db.instance_fault_create(c, inst['uuid'], 404, 'newest')

    def _count_list_selects(self):
        with count_selects(self.db.engine) as selects:
            rows = db.instance_get_all_by_filters_sort(self.admin_context,
                                                       {})
        return rows, len(selects)

    def test_one_query_per_extra(self):
        self._make_failed(0)
        rows, one = self._count_list_selects()
        self.assertEqual(1, len(rows))
        for index in range(1, 5):
            self._make_failed(index)
        rows, five = self._count_list_selects()
        self.assertEqual(5, len(rows))
        # main query + metadata + tags + faults + addresses, whatever the
        # page size.
        self.assertEqual((5, 5), (one, five))
        for row in rows:
            self.assertEqual(1, len(row['metadata']))
            self.assertEqual(1, len(row['tags']))
            self.assertEqual('newest', row['fault']['message'])
            self.assertEqual(404, row['fault']['code'])

    def test_contents(self):
        c = self.admin_context
        active = make_instance(c, metadata={'a': '1', 'b': '2'},
                               tags=['y', 'x'])
        failed = make_instance(c, vm_state='error')
        db.instance_fault_create(c, active['uuid'], 500, 'ignored')
        db.instance_fault_create(c, failed['uuid'], 500, 'boom',
                                 details='trace', host='h1')
        rows = {r['uuid']: r for r in db.instance_get_all_by_filters_sort(
            c, {})}
        self.assertEqual({'a': '1', 'b': '2'},
                         rows[active['uuid']]['metadata'])
        self.assertEqual(['x', 'y'], rows[active['uuid']]['tags'])
        # Faults only for servers in ERROR (or deleted).
        self.assertIsNone(rows[active['uuid']]['fault'])
        fault = rows[failed['uuid']]['fault']
        self.assertEqual((500, 'boom', 'trace', 'h1'),
                         (fault['code'], fault['message'], fault['details'],
                          fault['host']))
        self.assertEqual({}, rows[failed['uuid']]['metadata'])
        self.assertEqual([], rows[failed['uuid']]['tags'])

    def test_no_extras(self):
        make_instance(self.admin_context, metadata={'a': '1'})
        with count_selects(self.db.engine) as selects:
            rows = db.instance_get_all_by_filters_sort(self.admin_context,
                                                       {}, extras=())
        self.assertEqual(1, len(selects))
        self.assertNotIn('metadata', rows[0])

    def test_only_the_newest_fault_of_each_server_is_loaded(self):
        c = self.admin_context
        servers = [make_instance(c, vm_state='error') for _ in range(2)]
        for attempt in range(5):
            for inst in servers:
                db.instance_fault_create(c, inst['uuid'], 500,
                                         'attempt %d' % attempt)
        loaded = []

        def on_load(target, _context):
            loaded.append(target.id)

        sa.event.listen(models.InstanceFault, 'load', on_load)
        self.addCleanup(sa.event.remove, models.InstanceFault, 'load',
                        on_load)
        rows = db.instance_get_all_by_filters_sort(c, {}, extras=('fault',))
        self.assertEqual(['attempt 4', 'attempt 4'],
                         [r['fault']['message'] for r in rows])
        self.assertEqual(2, len(loaded))  # not 10

    def test_fault_message_truncated(self):
        inst = make_instance(self.admin_context, vm_state='error')
        db.instance_fault_create(self.admin_context, inst['uuid'], 500,
                                 'x' * 300)
        got = db.instance_get_by_uuid(self.admin_context, inst['uuid'])
        self.assertEqual('x' * 255, got['fault']['message'])


class UsageTest(base.TestCase):

    def test_by_project(self):
        c = self.admin_context
        make_instance(c, vcpus=2, memory_mb=1024)
        make_instance(c, vcpus=4, memory_mb=2048)
        gone = make_instance(c, vcpus=8, memory_mb=4096)
        make_instance(c, project_id='p2', vcpus=16, memory_mb=8192)
        db.instance_destroy(c, gone['uuid'])
        self.assertEqual((2, 6, 3072), db.instance_usage_by_project(c, 'p1'))
        self.assertEqual((1, 16, 8192),
                         db.instance_usage_by_project(c, 'p2'))
        self.assertEqual((0, 0, 0), db.instance_usage_by_project(c, 'p3'))

    def test_by_host(self):
        c = self.admin_context
        make_instance(c, host='h1', vcpus=2, memory_mb=1024, root_gb=10,
                      ephemeral_gb=5, swap=0)
        # Swap counts in whole GiB, rounded up.
        make_instance(c, host='h1', vcpus=1, memory_mb=512, root_gb=1,
                      swap=512)
        make_instance(c, host='h2', vcpus=1, memory_mb=256, root_gb=2,
                      swap=2048)
        make_instance(c, host=None, vcpus=64, memory_mb=1, root_gb=1)
        gone = make_instance(c, host='h2', vcpus=8, memory_mb=8, root_gb=8)
        db.instance_destroy(c, gone['uuid'])
        self.assertEqual({'h1': (3, 1536, 17), 'h2': (1, 256, 4)},
                         db.instance_usage_by_host(c))

    def test_by_host_lists_host_servers(self):
        c = self.admin_context
        here = make_instance(c, host='h1', metadata={'k': 'v'})
        make_instance(c, host='h2')
        gone = make_instance(c, host='h1')
        db.instance_destroy(c, gone['uuid'])
        rows = db.instance_get_all_by_host(c, 'h1', extras=('metadata',))
        self.assertEqual([here['uuid']], [r['uuid'] for r in rows])
        self.assertEqual({'k': 'v'}, rows[0]['metadata'])


class KeyPairTest(base.TestCase):

    def _create(self, name='key', user_id='u1', max_count=10):
        return db.key_pair_create(
            self.admin_context,
            {'name': name, 'user_id': user_id, 'fingerprint': 'fp',
             'public_key': 'ssh-rsa AAAA', 'type': 'ssh'}, max_count)

    def test_unique_per_user(self):
        self._create()
        self.assertRaises(exception.KeyPairExists, self._create)
        self._create(user_id='u2')
        self.assertEqual(
            ['key'], [k['name'] for k in db.key_pair_get_all_by_user(
                self.admin_context, 'u1')])

    def test_soft_deleted_name_reusable(self):
        first = self._create()
        db.key_pair_destroy(self.admin_context, 'u1', 'key')
        self.assertRaises(exception.KeypairNotFound, db.key_pair_get,
                          self.admin_context, 'u1', 'key')
        second = self._create()
        self.assertNotEqual(first['id'], second['id'])
        db.key_pair_destroy(self.admin_context, 'u1', 'key')
        self._create()
        self.assertEqual(second['id'] + 1,
                         db.key_pair_get(self.admin_context, 'u1',
                                         'key')['id'])
        self.assertRaises(exception.KeypairNotFound, db.key_pair_destroy,
                          self.admin_context, 'u1', 'nokey')

    def test_limit(self):
        self._create('a', max_count=2)
        self._create('b', max_count=2)
        self.assertRaises(exception.KeypairLimitExceeded, self._create, 'c',
                          max_count=2)
        self._create('c', max_count=-1)
        db.key_pair_destroy(self.admin_context, 'u1', 'a')
        self.assertRaises(exception.KeypairLimitExceeded, self._create, 'd',
                          max_count=2)
        self._create('d', max_count=3)

    def test_pagination(self):
        for name in ('c', 'a', 'b'):
            self._create(name)
        ctxt = self.admin_context
        self.assertEqual(['a', 'b', 'c'], [
            k['name'] for k in db.key_pair_get_all_by_user(ctxt, 'u1')])
        self.assertEqual(['b'], [
            k['name'] for k in db.key_pair_get_all_by_user(
                ctxt, 'u1', limit=1, marker='a')])
        self.assertRaises(exception.MarkerNotFound,
                          db.key_pair_get_all_by_user, ctxt, 'u1',
                          marker='zz')


class FlavorTest(base.TestCase):

    def test_duplicates(self):
        self.create_flavor(flavorid='1', name='tiny')
        e = self.assertRaises(exception.FlavorIdExists, self.create_flavor,
                              flavorid='1', name='other')
        self.assertEqual('Flavor with ID 1 already exists.', e.message)
        e = self.assertRaises(exception.FlavorExists, self.create_flavor,
                              flavorid='2', name='tiny')
        self.assertEqual('Flavor with name tiny already exists.', e.message)
        self.create_flavor(flavorid='2', name='small')
        self.assertEqual(['1', '2'], [
            f['flavorid'] for f in db.flavor_get_all(self.admin_context)])

    def test_get_and_destroy(self):
        flavor = self.create_flavor(flavorid='abc', name='x', vcpus=3)
        got = db.flavor_get_by_flavor_id(self.admin_context, 'abc')
        # MySQL's DATETIME keeps whole seconds.
        flavor['created_at'] = flavor['created_at'].replace(
            microsecond=got['created_at'].microsecond)
        self.assertEqual(flavor, got)
        self.assertEqual(3, got['vcpus'])
        db.flavor_destroy(self.admin_context, 'abc')
        self.assertRaises(exception.FlavorNotFound,
                          db.flavor_get_by_flavor_id, self.admin_context,
                          'abc')
        self.assertRaises(exception.FlavorNotFound, db.flavor_destroy,
                          self.admin_context, 'abc')

    def test_get_all_filters_and_marker(self):
        self.create_flavor(flavorid='1', name='a', memory_mb=512)
        self.create_flavor(flavorid='2', name='b', memory_mb=2048,
                           root_gb=20)
        self.create_flavor(flavorid='3', name='c', memory_mb=4096,
                           is_public=False)
        ctxt = self.admin_context

        def ids(**kw):
            return [f['flavorid'] for f in db.flavor_get_all(ctxt, **kw)]

        self.assertEqual(['2', '3'], ids(filters={'min_memory_mb': 1024}))
        self.assertEqual(['2'], ids(filters={'min_root_gb': 10}))
        self.assertEqual(['1', '2'], ids(filters={'is_public': True}))
        self.assertEqual(['2'], ids(marker='1', limit=1))
        self.assertEqual(['3', '2', '1'], ids(sort_dir='desc'))
        self.assertRaises(exception.MarkerNotFound, ids, marker='9')
        # A key novalite does not store sorts like all-equal values.
        self.assertEqual(['1', '2', '3'], ids(sort_key='vcpu_weight'))

    def test_marker_walk_on_nullable_key(self):
        for flavorid, description in (('1', 'b'), ('2', None), ('3', 'a'),
                                      ('4', None), ('5', 'b')):
            self.create_flavor(flavorid=flavorid, name='f' + flavorid,
                               description=description)
        expected = {'asc': ['2', '4', '3', '1', '5'],
                    'desc': ['5', '1', '3', '4', '2']}
        for direction, order in expected.items():
            seen, marker = [], None
            for _ in range(10):
                page = [f['flavorid'] for f in db.flavor_get_all(
                    self.admin_context, sort_key='description',
                    sort_dir=direction, limit=2, marker=marker)]
                if not page:
                    break
                seen.extend(page)
                marker = page[-1]
            self.assertEqual(order, seen, direction)


class ServiceTest(base.TestCase):

    def test_report_creates_then_refreshes(self):
        c = self.admin_context
        capacity = {'vcpus': 4, 'memory_mb': 2048, 'local_gb': 40}
        first = db.service_report(c, 'h1', 'novalite-compute', 'compute',
                                  capacity, 'nova')
        second = db.service_report(c, 'h1', 'novalite-compute', 'compute',
                                   None, 'az2', hypervisor_hostname='hv')
        self.assertEqual(first['id'], second['id'])
        self.assertEqual(2, second['report_count'])
        self.assertEqual(4, second['vcpus'])
        self.assertEqual('az2', second['availability_zone'])
        self.assertEqual('hv', second['hypervisor_hostname'])
        self.assertGreaterEqual(second['last_seen_up'],
                                first['last_seen_up'])
        db.service_report(c, 'h2', 'novalite-compute', 'compute', capacity,
                          'nova')
        self.assertEqual(['h1', 'h2'], [
            s['host'] for s in db.service_get_all(c, 'novalite-compute')])
        self.assertEqual(['h2'], [
            s['host'] for s in db.service_get_all(c, hosts=['h2'])])
        db.service_update(c, 'h2', 'novalite-compute', {'disabled': True})
        self.assertTrue(db.service_get_all(c, hosts=['h2'])[0]['disabled'])


class TagTest(base.TestCase):

    def test_add_delete_set(self):
        c = self.admin_context
        inst = make_instance(c)
        self.assertTrue(db.instance_tag_add(c, inst['uuid'], 'a', 2))
        self.assertFalse(db.instance_tag_add(c, inst['uuid'], 'a', 2))
        self.assertTrue(db.instance_tag_add(c, inst['uuid'], 'b', 2))
        self.assertRaises(exception.TooManyInstanceTags,
                          db.instance_tag_add, c, inst['uuid'], 'c', 2)
        db.instance_tag_delete(c, inst['uuid'], 'a')
        self.assertRaises(exception.InstanceTagNotFound,
                          db.instance_tag_delete, c, inst['uuid'], 'a')
        self.assertEqual(['x', 'y'],
                         db.instance_tag_set(c, inst['uuid'],
                                             ['y', 'x', 'y']))
        self.assertEqual(['x', 'y'], db.instance_tag_list(c, inst['uuid']))
