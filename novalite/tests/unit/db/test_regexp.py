"""Regular-expression filters stay within their time budget on every
backend (SQLite always; MariaDB and PostgreSQL as in test_migrations)."""

import threading
import time
import uuid

import sqlalchemy as sa

from novalite.db import api as db
from novalite.db import regexp
from novalite import exception
from novalite.tests import base
from novalite.tests import fixtures as nl_fixtures
from novalite.tests.unit.db import test_migrations

# Exponential for a backtracking engine: each extra 'a' doubles the time.
EVIL_PATTERN = '^(a|a)+$'
EVIL_NAME = 'a' * 40 + '!'


def _server(name, project='p1'):
    return {'uuid': str(uuid.uuid4()), 'project_id': project,
            'user_id': 'u1', 'display_name': name, 'vm_state': 'active',
            'power_state': 1, 'instance_type_id': 1, 'host': None}


class _BudgetMixin:

    BACKEND = None

    def setUp(self):
        super().setUp()
        url = None
        if self.BACKEND != 'sqlite':
            url = test_migrations.provision_database(self, self.BACKEND)
        self.useFixture(nl_fixtures.Database(connection=url))
        self.ctxt = nl_fixtures.admin_context()

    def _list(self, regex_filters):
        return db.instance_get_all_by_filters_sort(
            self.ctxt, {'project_id': 'p1', 'regex': regex_filters},
            extras=())

    def test_ordinary_patterns_still_match(self):
        db.instance_create(self.ctxt, _server('web-1'))
        db.instance_create(self.ctxt, _server('db-1'))
        self.assertEqual(['web-1'], [s['display_name']
                                     for s in self._list({'display_name':
                                                          'eb'})])

    def test_overrunning_statement_is_stopped(self):
        # A statement slower than the budget is stopped on every backend
        # and reported as RegexFilterTimeout, and the connection then
        # goes back to the pool without the limit.
        sleep = {'sqlite': None,
                 'mysql': 'SELECT SLEEP(5)',
                 'postgresql': 'SELECT pg_sleep(5)'}[self.BACKEND]
        if sleep is None:
            sleep = ("SELECT 1 WHERE '%s' REGEXP '%s'"
                     % (EVIL_NAME, EVIL_PATTERN))

        @db.main_context_manager.reader
        def run(context):
            with regexp.budget(context.session, 0.5):
                context.session.execute(sa.text(sleep)).all()

        started = time.monotonic()
        self.assertRaises(exception.RegexFilterTimeout, run, self.ctxt)
        self.assertLess(time.monotonic() - started, 4.5)

        @db.main_context_manager.reader
        def unlimited(context):
            if self.BACKEND == 'postgresql':
                return context.session.execute(
                    sa.text('SHOW statement_timeout')).scalar()
            if self.BACKEND == 'mysql':
                return context.session.execute(
                    sa.text('SELECT @@max_statement_time')).scalar()
            return None
        for _ in range(3):  # whichever pooled connection comes back
            self.assertIn(unlimited(self.ctxt), (None, '0', 0, 0.0))

    def test_evil_pattern_is_refused_in_time(self):
        db.instance_create(self.ctxt, _server(EVIL_NAME))
        self.flags(regex_filter_timeout=0.5, group='api')
        started = time.monotonic()
        try:
            found = self._list({'display_name': EVIL_PATTERN})
        except exception.RegexFilterTimeout:
            pass
        else:
            # PostgreSQL's engine is not a backtracking one: it answers.
            self.assertEqual([], found)
        self.assertLess(time.monotonic() - started, 4.5)


class TestSQLite(_BudgetMixin, base.TestCase):
    BACKEND = 'sqlite'

    def test_other_requests_go_on_meanwhile(self):
        # One abusive list does not hold the process: another thread's
        # query completes while it is still matching.
        db.instance_create(self.ctxt, _server(EVIL_NAME))
        self.flags(regex_filter_timeout=3, group='api')
        done = threading.Event()
        outcome = []

        def abusive():
            try:
                self._list({'display_name': EVIL_PATTERN})
            except exception.RegexFilterTimeout as e:
                outcome.append(e)
            finally:
                done.set()

        thread = threading.Thread(target=abusive)
        thread.start()
        self.addCleanup(thread.join)
        time.sleep(0.2)
        self.assertFalse(done.is_set())
        self.assertEqual(1, len(self._list({'display_name': '^a'})))
        self.assertFalse(done.is_set(), 'the other query waited for it')
        thread.join()
        self.assertIsInstance(outcome[0], exception.RegexFilterTimeout)


class TestMySQL(_BudgetMixin, base.TestCase):
    BACKEND = 'mysql'


class TestPostgreSQL(_BudgetMixin, base.TestCase):
    BACKEND = 'postgresql'
