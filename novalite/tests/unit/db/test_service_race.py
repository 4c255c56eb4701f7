"""Agents registering one host at once, on every backend.

Two agent processes started with one ``host`` (a restart overlapping the
old process, say), or two heartbeats of one agent, may both find no
service row and both insert one: the unique (host, binary) key lets one
through and makes the other fail. That one must report again as an
update, not crash the heartbeat.
"""

import threading

from novalite.compute import utils as compute_utils
from novalite.db import api as db
from novalite.tests import base
from novalite.tests import fixtures as nl_fixtures
from novalite.tests.unit.db import test_migrations

AGENTS = 6     # concurrent reports of one new host
ROUNDS = 5     # new hosts, one after the other
CAPACITY = {'vcpus': 4, 'memory_mb': 4096, 'local_gb': 40}


class _RaceMixin:

    BACKEND = None

    def setUp(self):
        super().setUp()
        if self.BACKEND != 'sqlite':
            url = test_migrations.provision_database(self, self.BACKEND)
            self.db = self.useFixture(nl_fixtures.Database(connection=url))

    def _race(self, host):
        start = threading.Barrier(AGENTS)
        errors, rows = [], []

        def report():
            try:
                start.wait(10)
                rows.append(db.service_report(
                    self.admin_context, host, compute_utils.BINARY,
                    'compute', CAPACITY, 'nova'))
            except Exception as e:  # what the heartbeat thread would log
                errors.append(repr(e))

        threads = [threading.Thread(target=report) for _ in range(AGENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        return errors, rows

    def test_concurrent_registrations_of_one_host(self):
        for index in range(ROUNDS):
            host = 'racy-%d' % index
            errors, rows = self._race(host)
            self.assertEqual([], errors)
            self.assertEqual(AGENTS, len(rows))
            service, = db.service_get_all(self.admin_context,
                                          compute_utils.BINARY,
                                          hosts=[host])
            # Every report counted, on the one row.
            self.assertEqual(AGENTS, service['report_count'])
            self.assertEqual({service['id']}, {r['id'] for r in rows})
            self.assertEqual(4096, service['memory_mb'])


class SQLiteServiceRaceTest(_RaceMixin, base.TestCase):
    BACKEND = 'sqlite'


class MySQLServiceRaceTest(_RaceMixin, base.TestCase):
    BACKEND = 'mysql'


class PostgreSQLServiceRaceTest(_RaceMixin, base.TestCase):
    BACKEND = 'postgresql'
