"""Migrations against the models, and the DB API on every backend.

SQLite always; MySQL (MariaDB) and PostgreSQL when a server answers at
the admin URL (``NOVALITE_TEST_MYSQL_URL``/``NOVALITE_TEST_POSTGRESQL_URL``
override the defaults). Each test gets its own freshly created database,
dropped afterwards.
"""

import datetime
import uuid

from alembic import autogenerate
from alembic import migration as alembic_migration
import fixtures
import sqlalchemy as sa
import testtools

from novalite.db import api as db
from novalite.db import migration
from novalite.db import models
from novalite import exception
from novalite.tests import base
from novalite.tests import fixtures as nl_fixtures
from novalite.tests.unit.db import test_api

MYSQL_ADMIN_URL = nl_fixtures.ADMIN_URLS['mysql']
POSTGRESQL_ADMIN_URL = nl_fixtures.ADMIN_URLS['postgresql']
# The URL of a new empty database, dropped when the test ends (skipped,
# under CI failed, when the server cannot be reached).
provision_database = nl_fixtures.provision_database


class _MigrationsMixin:
    """Migrating an empty database gives exactly the models' schema."""

    BACKEND = None

    def test_migrations_match_models(self):
        url = provision_database(self, self.BACKEND)
        engine = sa.create_engine(url)
        self.addCleanup(engine.dispose)
        migration.db_sync(engine)
        # A second sync finds nothing to do.
        migration.db_sync(engine)
        self.assertEqual('0012', migration.db_version(engine))
        with engine.connect() as conn:
            context = alembic_migration.MigrationContext.configure(
                conn, opts={'compare_type': True})
            diff = autogenerate.compare_metadata(context,
                                                 models.Base.metadata)
        self.assertEqual([], diff)
        self.assertEqual(
            sorted(list(models.Base.metadata.tables) + ['alembic_version']),
            sorted(sa.inspect(engine).get_table_names()))


class SQLiteMigrationsTest(_MigrationsMixin, testtools.TestCase):
    BACKEND = 'sqlite'

    def test_test_template_is_at_head(self):
        # The template every unit test copies is migrated to the head.
        db_fixture = self.useFixture(nl_fixtures.Database())
        self.assertEqual('0012', migration.db_version(db_fixture.engine))
        with db_fixture.engine.connect() as conn:
            context = alembic_migration.MigrationContext.configure(conn)
            self.assertEqual([], autogenerate.compare_metadata(
                context, models.Base.metadata))

    def test_0007_ports_keep_the_ids_they_had(self):
        engine = sa.create_engine(provision_database(self, 'sqlite'))
        self.addCleanup(engine.dispose)
        migration.db_sync(engine, '0006')
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO networks (id, uuid, name, cidr, gateway, "
                "bridge, created_at) VALUES (1, 'n', 'n', "
                "'10.0.0.0/24', '10.0.0.1', 'br0', '2026-12-01')"))
            conn.execute(sa.text(
                "INSERT INTO fixed_ips (network_id, address, instance_uuid, "
                "mac_address, created_at) VALUES (1, '10.0.0.2', 'i', "
                "'fa:16:3e:00:00:01', '2026-12-01 00:00:00')"))
        migration.db_sync(engine)
        with engine.connect() as conn:
            port_id = conn.execute(sa.text(
                'SELECT port_id FROM fixed_ips')).scalar()
        # The id the Networking API derived from the MAC address before.
        self.assertEqual(str(uuid.uuid5(
            uuid.UUID('5b0c4f8e-3d7a-4e55-9a61-0c7e2f1d8b42'),
            'port:fa:16:3e:00:00:01')), port_id)

    def test_0009_servers_keep_their_flavors_extra_specs(self):
        engine = sa.create_engine(provision_database(self, 'sqlite'))
        self.addCleanup(engine.dispose)
        migration.db_sync(engine, '0008')
        with engine.begin() as conn:
            for row_id, flavorid in ((1, 'a'), (2, 'b')):
                conn.execute(sa.text(
                    "INSERT INTO flavors (id, flavorid, name, memory_mb, "
                    "vcpus, root_gb, ephemeral_gb, swap, rxtx_factor, "
                    "is_public, disabled, created_at) VALUES (:id, :f, :f, "
                    "1, 1, 0, 0, 0, 1.0, 1, 0, '2026-12-01')"),
                    {'id': row_id, 'f': flavorid})
            conn.execute(sa.text(
                "INSERT INTO flavor_extra_specs (flavor_id, key, value, "
                "created_at) VALUES (1, 'k', 'v', '2026-12-01')"))
            for uuid_, type_id in (('with', 1), ('without', 2)):
                conn.execute(sa.text(
                    "INSERT INTO instances (uuid, project_id, user_id, "
                    "instance_type_id, vcpus, memory_mb, root_gb, "
                    "ephemeral_gb, swap, config_drive, auto_disk_config, "
                    "vm_state, power_state, progress, locked, deleted, "
                    "created_at) VALUES (:u, 'p', 'u', :t, 1, 1, 0, 0, 0, "
                    "'', 0, 'active', 1, 0, 0, 0, '2026-12-01')"),
                    {'u': uuid_, 't': type_id})
        migration.db_sync(engine)
        with engine.connect() as conn:
            found = dict(conn.execute(sa.text(
                'SELECT uuid, flavor_extra_specs FROM instances')).all())
        self.assertEqual({'with': '{"k": "v"}', 'without': None}, found)

    def test_0010_services_get_their_uuids(self):
        engine = sa.create_engine(provision_database(self, 'sqlite'))
        self.addCleanup(engine.dispose)
        migration.db_sync(engine, '0009')
        with engine.begin() as conn:
            for host in ('a', 'b'):
                conn.execute(sa.text(
                    "INSERT INTO services (host, binary, topic, "
                    "availability_zone, report_count, disabled, "
                    "forced_down, vcpus, memory_mb, local_gb, created_at) "
                    "VALUES (:h, 'novalite-compute', 'compute', 'nova', 0, "
                    "0, 0, 1, 1, 1, '2026-12-01')"), {'h': host})
        migration.db_sync(engine)
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                'SELECT uuid, compute_node_uuid FROM services')).all()
        ids = [value for row in rows for value in row]
        self.assertEqual(4, len(set(ids)))
        for value in ids:
            self.assertEqual(value, str(uuid.UUID(value)))

    def test_0005_images_get_owner_visibility_and_hashes(self):
        engine = sa.create_engine(provision_database(self, 'sqlite'))
        self.addCleanup(engine.dispose)
        migration.db_sync(engine, '0004')
        insert = sa.text(
            "INSERT INTO images (id, name, status, disk_format, "
            "container_format, min_disk, min_ram, location, properties, "
            "checksum, created_at) VALUES (:id, :id, 'active', 'qcow2', "
            "'bare', 0, 0, '/x', :properties, :checksum, "
            "'2026-12-01 00:00:00')")
        with engine.begin() as conn:
            conn.execute(insert, {'id': 'public', 'properties': '{}',
                                  'checksum': 'a' * 64})
            conn.execute(insert, {
                'id': 'snapshot', 'checksum': None,
                'properties': '{"owner_id": "p1", "image_type": "snapshot"}'})
        migration.db_sync(engine)
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                'SELECT id, owner, visibility, protected, checksum, '
                'os_hash_algo, os_hash_value FROM images ORDER BY id')).all()
        self.assertEqual(
            [('public', None, 'public', False, None, 'sha256', 'a' * 64),
             ('snapshot', 'p1', 'private', False, None, None, None)],
            [tuple(row) for row in rows])


class MySQLMigrationsTest(_MigrationsMixin, testtools.TestCase):
    BACKEND = 'mysql'


class PostgreSQLMigrationsTest(_MigrationsMixin, testtools.TestCase):
    BACKEND = 'postgresql'


class _BackendDBAPIMixin:
    """A few DB API functions whose SQL differs per backend."""

    BACKEND = None

    def setUp(self):
        super().setUp()
        url = provision_database(self, self.BACKEND)
        self.db = self.useFixture(nl_fixtures.Database(connection=url))
        self.ctxt = self.admin_context

    def test_create_cas_update_destroy(self):
        inst = test_api.make_instance(self.ctxt, metadata={'k': 'v'},
                                      tags=['t1'])
        got = db.instance_get_by_uuid(self.ctxt, inst['uuid'])
        self.assertEqual({'k': 'v'}, got['metadata'])
        self.assertEqual(['t1'], got['tags'])
        updated = db.instance_update(self.ctxt, inst['uuid'],
                                     {'task_state': 'rebooting'},
                                     expected_task_state=None)
        self.assertEqual('rebooting', updated['task_state'])
        self.assertRaises(exception.UnexpectedTaskStateError,
                          db.instance_update, self.ctxt, inst['uuid'],
                          {'task_state': 'powering-off'},
                          expected_task_state=None)
        db.instance_update(self.ctxt, inst['uuid'],
                           {'task_state': 'deleting'},
                           expected_task_state=['rebooting', None])
        self.assertRaises(exception.UnexpectedDeletingTaskStateError,
                          db.instance_update, self.ctxt, inst['uuid'],
                          {'task_state': None}, expected_task_state=None)
        db.instance_destroy(self.ctxt, inst['uuid'])
        self.assertRaises(exception.InstanceNotFound,
                          db.instance_get_by_uuid, self.ctxt, inst['uuid'])
        row = db.instance_get_by_uuid(self.ctxt, inst['uuid'],
                                      read_deleted='yes')
        self.assertEqual(inst['id'], row['deleted'])
        self.assertEqual('deleted', row['vm_state'])

        # MySQL counts changed rows unless told to count matched ones: a
        # compare-and-swap that writes the values already there must
        # still succeed.
        inst = test_api.make_instance(self.ctxt)
        when = datetime.datetime(2026, 1, 5, 10, 0, 0)
        values = {'task_state': None, 'updated_at': when}
        db.instance_update(self.ctxt, inst['uuid'], values,
                           expected_task_state=None)
        updated = db.instance_update(self.ctxt, inst['uuid'], values,
                                     expected_task_state=None,
                                     expected_vm_state='active')
        self.assertEqual(when, updated['updated_at'])

    def test_tags_are_compared_exactly(self):
        # MySQL's default collation made 'a' and 'A' one key (a 500).
        inst = test_api.make_instance(self.ctxt, tags=['a'])
        self.assertTrue(db.instance_tag_add(self.ctxt, inst['uuid'], 'A',
                                            50))
        self.assertTrue(db.instance_tag_add(self.ctxt, inst['uuid'], 'a ',
                                            50))
        self.assertFalse(db.instance_tag_add(self.ctxt, inst['uuid'], 'a',
                                             50))
        self.assertEqual(['A', 'a', 'a '],
                         db.instance_tag_set(self.ctxt, inst['uuid'],
                                             ['a', 'A', 'a ']))
        self.assertEqual(['A', 'a', 'a '], sorted(db.instance_tag_list(
            self.ctxt, inst['uuid'])))
        db.instance_tag_delete(self.ctxt, inst['uuid'], 'A')
        self.assertEqual(['a', 'a '], sorted(db.instance_tag_list(
            self.ctxt, inst['uuid'])))

    def test_regex_filters_and_pagination(self):
        for name in ('web-1', 'web-22', 'myweb', 'db.1'):
            test_api.make_instance(self.ctxt, display_name=name,
                                   project_id='regex')

        def names(pattern):
            return sorted(i['display_name']
                          for i in db.instance_get_all_by_filters_sort(
                              self.ctxt, {'project_id': 'regex',
                                          'regex': {'display_name':
                                                    pattern}}, extras=()))

        self.assertEqual(['myweb', 'web-1', 'web-22'], names('web'))
        self.assertEqual(['web-1', 'web-22'], names('^web-[0-9]+$'))
        self.assertEqual(['web-22'], names('2{2}'))
        self.assertEqual(['db.1'], names('b[.]1'))
        self.assertEqual(['db.1', 'web-1'], names('1$'))
        self.assertEqual([], names('^eb'))

        # Filters and pagination, in project p1.
        tasks = ('rebooting', None, None, 'powering-off', None)
        created = [test_api.make_instance(
            self.ctxt, display_name='s%d' % i, task_state=task,
            tags=['even'] if i % 2 == 0 else ['odd'],
            created_at=test_api.T0 + datetime.timedelta(minutes=i))
            for i, task in enumerate(tasks)]
        rows = db.instance_get_all_by_filters_sort(
            self.ctxt, {'project_id': 'p1',
                        'status': [(['active'], [None])],
                        'tags': ['even']}, extras=())
        self.assertEqual(['s4', 's2'], [r['display_name'] for r in rows])
        rows = db.instance_get_all_by_filters_sort(
            self.ctxt, {'project_id': 'p1', 'not-tags-any': ['even']},
            extras=())
        self.assertEqual(['s3', 's1'], [r['display_name'] for r in rows])
        # Paging on a nullable key: NULLs first ascending, on every
        # backend, and every server exactly once.
        expected = ['s1', 's2', 's4', 's3', 's0']
        seen, marker = [], None
        for _ in range(len(created) + 1):
            page = db.instance_get_all_by_filters_sort(
                self.ctxt, {'project_id': 'p1'}, limit=2, marker=marker,
                extras=(),
                sort_keys=['task_state'], sort_dirs=['asc'])
            if not page:
                break
            seen.extend(r['display_name'] for r in page)
            marker = page[-1]['uuid']
        self.assertEqual(expected, seen)

    def test_usage_extras_and_unique(self):
        test_api.make_instance(self.ctxt, host='h1', vcpus=2,
                               memory_mb=1024, root_gb=10, swap=512)
        failed = test_api.make_instance(self.ctxt, host='h1',
                                        vm_state='error')
        db.instance_fault_create(self.ctxt, failed['uuid'], 500, 'x' * 300)
        self.assertEqual({'h1': (3, 1536, 12)},
                         db.instance_usage_by_host(self.ctxt))
        self.assertEqual((2, 3, 1536),
                         db.instance_usage_by_project(self.ctxt, 'p1'))
        got = db.instance_get_by_uuid(self.ctxt, failed['uuid'])
        self.assertEqual('x' * 255, got['fault']['message'])

        # Unique constraints, reported as our conflicts.
        values = {'name': 'key', 'user_id': 'u1', 'public_key': 'k'}
        db.key_pair_create(self.ctxt, dict(values), 10)
        self.assertRaises(exception.KeyPairExists, db.key_pair_create,
                          self.ctxt, dict(values), 10)
        db.key_pair_destroy(self.ctxt, 'u1', 'key')
        db.key_pair_create(self.ctxt, dict(values), 10)
        self.create_flavor(flavorid='1', name='tiny')
        self.assertRaises(exception.FlavorIdExists, self.create_flavor,
                          flavorid='1', name='other')
        self.assertRaises(exception.FlavorExists, self.create_flavor,
                          flavorid='2', name='tiny')

    def test_networks_fixed_ips_and_ip_filter(self):
        net = db.network_create(self.ctxt, {'name': 'private',
                                            'cidr': '10.0.0.0/29'})
        self.assertRaises(exception.NetworkExists, db.network_create,
                          self.ctxt, {'name': 'private',
                                      'cidr': '10.1.0.0/29'})
        servers = [test_api.make_instance(self.ctxt)['uuid']
                   for _ in range(6)]
        got = [db.fixed_ip_allocate(self.ctxt, net['uuid'], s)['address']
               for s in servers[:5]]
        self.assertEqual(['10.0.0.%d' % i for i in range(2, 7)], got)
        self.assertRaises(exception.NoMoreFixedIps, db.fixed_ip_allocate,
                          self.ctxt, net['uuid'], servers[5])
        self.assertRaises(exception.NetworkInUse, db.network_delete,
                          self.ctxt, net['uuid'])
        # A duplicate insert (a lost race) rolls back and is retried.
        real_mac = db._new_mac_address
        raced = []

        def racing_mac(context):
            if not raced:
                raced.append(True)
                return db.network_info_for_instance(
                    self.ctxt, servers[0])[0]['mac_address']
            return real_mac(context)

        db.instance_destroy(self.ctxt, servers[1])
        self.useFixture(fixtures.MonkeyPatch(
            'novalite.db.api._new_mac_address', racing_mac))
        self.assertEqual('10.0.0.3', db.fixed_ip_allocate(
            self.ctxt, net['uuid'], servers[5])['address'])
        self.assertEqual([True], raced)
        e = self.assertRaises(exception.FixedIpAlreadyInUse,
                              db.fixed_ip_allocate, self.ctxt, net['uuid'],
                              servers[1], address='10.0.0.4')
        self.assertIn(servers[2], e.message)

        def matching(pattern):
            return sorted(r['uuid'] for r in
                          db.instance_get_all_by_filters_sort(
                              self.ctxt, {'ip': pattern}, extras=()))

        self.assertEqual([servers[3]], matching(r'10\.0\.0\.5$'))
        self.assertEqual(sorted(servers[2:6]), matching('10.0.0.[3-6]'))
        self.assertEqual([], matching('0.0.2'))
        rows = db.instance_get_all_by_filters_sort(
            self.ctxt, {'exact': {'uuid': servers[0]}},
            extras=('addresses',))
        self.assertEqual('10.0.0.2', rows[0]['addresses'][0]['address'])


class SQLiteDBAPITest(_BackendDBAPIMixin, base.TestCase):
    BACKEND = 'sqlite'


class MySQLDBAPITest(_BackendDBAPIMixin, base.TestCase):
    BACKEND = 'mysql'


class PostgreSQLDBAPITest(_BackendDBAPIMixin, base.TestCase):
    BACKEND = 'postgresql'
