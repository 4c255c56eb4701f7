"""Several writers on one SQLite file, as the API and agents are.

With oslo.db's deferred BEGIN, a compare-and-swap (read, then write) that
meets another writer fails at once with "database is locked"; novalite's
engine set-up opens writer transactions with BEGIN IMMEDIATE instead.
"""

import threading
import uuid

from novalite.db import api as db
from novalite.tests import base


class TestConcurrentWriters(base.TestCase):

    def _instance(self):
        return db.instance_create(self.admin_context, {
            'uuid': str(uuid.uuid4()), 'project_id': 'p', 'user_id': 'u',
            'vm_state': 'active', 'task_state': None, 'power_state': 1,
            'host': 'h'})

    def test_writers_in_parallel_never_see_locked(self):
        instances = [self._instance() for _ in range(8)]
        errors = []

        def churn(instance):
            try:
                for _ in range(15):
                    db.instance_update(self.admin_context,
                                       instance['uuid'],
                                       {'task_state': 'rebooting'},
                                       expected_task_state=None)
                    db.instance_update(self.admin_context,
                                       instance['uuid'],
                                       {'task_state': None},
                                       expected_task_state='rebooting')
                    db.instance_fault_create(self.admin_context,
                                             instance['uuid'], 500, 'x')
                db.instance_destroy(self.admin_context, instance['uuid'])
            except Exception as e:  # noqa: B902 - any error fails the test
                errors.append(e)

        threads = [threading.Thread(target=churn, args=(i,))
                   for i in instances]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual([], errors)
        self.assertEqual((0, 0, 0), db.instance_usage_by_project(
            self.admin_context, 'p'))

    def test_journal_is_wal(self):
        with self.db.engine.connect() as conn:
            mode = conn.exec_driver_sql('PRAGMA journal_mode').scalar()
        self.assertEqual('wal', mode)
