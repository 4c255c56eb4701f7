"""Test fixtures on real components: SQLite files (or MySQL/PostgreSQL
databases, see ``NOVALITE_TEST_DB``), oslo.messaging's in-memory
transport, the fake or libvirt test driver."""

import atexit
import os
import shutil
import tempfile
import threading
import uuid

import fixtures
from oslo_config import cfg
from oslo_db.sqlalchemy import enginefacade
from oslo_messaging import conffixture as messaging_conffixture
import sqlalchemy as sa
import testtools

import novalite.conf  # noqa: F401
from novalite import context as nl_context
from novalite.db import api as db
from novalite.db import migration
from novalite.db import models
from novalite import policy
from novalite import rpc
from novalite import service

CONF = cfg.CONF

_TEMPLATE_LOCK = threading.Lock()
_TEMPLATE = None

BACKENDS = ('sqlite', 'mysql', 'postgresql')
# Where a test creates its databases on each server (as an administrator).
ADMIN_URLS = {
    'mysql': os.environ.get('NOVALITE_TEST_MYSQL_URL',
                            'mysql+pymysql://root@127.0.0.1/'),
    'postgresql': os.environ.get(
        'NOVALITE_TEST_POSTGRESQL_URL',
        'postgresql+psycopg2://postgres@127.0.0.1/postgres'),
}
_SHARED_LOCK = threading.Lock()
_SHARED = {}


def db_backend():
    """The backend of the tests' databases: ``NOVALITE_TEST_DB``, one of
    ``sqlite`` (the default), ``mysql`` (MariaDB) or ``postgresql``."""
    backend = os.environ.get('NOVALITE_TEST_DB') or 'sqlite'
    if backend not in BACKENDS:
        raise ValueError('NOVALITE_TEST_DB=%s: not one of %s'
                         % (backend, ', '.join(BACKENDS)))
    return backend


class BackendUnavailable(Exception):
    """The server of a backend does not answer (or has no driver)."""


def _unreachable(backend, error):
    return '%s is not reachable at %s: %s' % (
        backend, ADMIN_URLS[backend], str(error).splitlines()[0])


def create_database(backend):
    """Create a new empty database on ``backend``'s server.

    Returns its URL and a function that drops it. Raises
    BackendUnavailable when the server cannot be reached.
    """
    admin_url = ADMIN_URLS[backend]
    name = 'novalite_test_%s' % uuid.uuid4().hex[:12]
    try:
        admin = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT',
                                 poolclass=sa.pool.NullPool,
                                 connect_args={'connect_timeout': 5})
        with admin.connect() as conn:
            conn.execute(sa.text(
                'CREATE DATABASE %s%s' % (
                    name, ' CHARACTER SET utf8mb4'
                    if backend == 'mysql' else '')))
    except (ImportError, sa.exc.OperationalError) as e:
        raise BackendUnavailable(_unreachable(backend, e))

    def drop():
        with admin.connect() as conn:
            conn.execute(sa.text('DROP DATABASE IF EXISTS %s%s' % (
                name, ' WITH (FORCE)' if backend == 'postgresql' else '')))
        admin.dispose()

    url = sa.engine.make_url(admin_url).set(database=name)
    if backend == 'mysql':
        url = url.update_query_dict({'charset': 'utf8mb4'})
    return url.render_as_string(hide_password=False), drop


def provision_database(test, backend):
    """The URL of a new empty database on ``backend``, dropped when
    ``test`` (a test or a fixture) ends; skips (under CI fails) the test
    when the server cannot be reached."""
    if backend == 'sqlite':
        path = os.path.join(test.useFixture(fixtures.TempDir()).path,
                            'migrated.sqlite')
        return 'sqlite:///' + path
    try:
        url, drop = create_database(backend)
    except BackendUnavailable as e:
        require(test, False, str(e))
    test.addCleanup(drop)
    return url


def _shared_database(backend):
    """The database on ``backend``'s server that this test process's
    ``Database`` fixtures share: created and migrated at first use,
    dropped when the process exits."""
    with _SHARED_LOCK:
        if backend not in _SHARED:
            url, drop = create_database(backend)
            atexit.register(drop)
            engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
            try:
                migration.db_sync(engine)
            finally:
                engine.dispose()
            _SHARED[backend] = url
        return _SHARED[backend]


def require_test_backend(test):
    """Skip (under CI fail) ``test`` when ``NOVALITE_TEST_DB``'s server
    does not answer. Called by tests before they set up their databases:
    a skip raised inside a fixture's set-up would be an error."""
    backend = db_backend()
    if backend == 'sqlite' or backend in _SHARED:
        return
    try:
        admin = sa.create_engine(ADMIN_URLS[backend],
                                 poolclass=sa.pool.NullPool,
                                 connect_args={'connect_timeout': 5})
        with admin.connect() as conn:
            conn.execute(sa.text('SELECT 1'))
    except (ImportError, sa.exc.OperationalError) as e:
        require(test, False, _unreachable(backend, e))


def _template_db():
    """A migrated SQLite file, made once per test process and copied."""
    global _TEMPLATE
    with _TEMPLATE_LOCK:
        if _TEMPLATE is None:
            path = os.path.join(tempfile.mkdtemp(prefix='novalite-tmpl-'),
                                'template.sqlite')
            ctx = enginefacade.transaction_context()
            ctx.append_on_engine_create(db.prepare_engine)
            ctx.configure(connection='sqlite:///' + path)
            engine = ctx.writer.get_engine()
            migration.db_sync(engine)
            engine.dispose()
            _TEMPLATE = path
        return _TEMPLATE


def require(test, ok, why):
    """Skip ``test`` when a prerequisite (a service, a tool) is missing;
    under CI (``CI`` set) fail it instead: a skipped test proves nothing
    there, and CI installs and starts everything the tests need."""
    if ok:
        return
    if os.environ.get('CI'):
        raise AssertionError('%s (CI must be able to run this test)' % why)
    # NOTE: raised, not test.skipTest(): ``test`` may be a fixture.
    raise testtools.TestCase.skipException(why)


class Database(fixtures.Fixture):
    """A fresh migrated database patched into novalite.db.api.

    Without ``connection``: on SQLite a copy of a migrated file; on the
    server of ``NOVALITE_TEST_DB`` the database of this test process (see
    ``_shared_database``), emptied. Creating and migrating a database per
    test would take seconds on a server; emptying one takes milliseconds.
    """

    def __init__(self, connection=None):
        super().__init__()
        self.connection = connection

    def _setUp(self):
        migrate = empty = False
        if self.connection is None:
            backend = db_backend()
            if backend == 'sqlite':
                path = os.path.join(
                    self.useFixture(fixtures.TempDir()).path,
                    'novalite.sqlite')
                shutil.copyfile(_template_db(), path)
                self.connection = 'sqlite:///' + path
            else:
                self.connection = _shared_database(backend)
                empty = True
        else:
            migrate = True
        ctx = enginefacade.transaction_context()
        ctx.append_on_engine_create(db.prepare_engine)
        ctx.configure(connection=self.connection)
        self.engine = ctx.writer.get_engine()
        if migrate:
            migration.db_sync(self.engine)
        if empty:
            # At the start, not the end: what an earlier test left behind
            # (failed, interrupted) is gone all the same.
            with self.engine.begin() as conn:
                # NOTE: children before their parents (the reverse of the
                # foreign keys' order), so that no backend's foreign-key
                # checks need turning off.
                for table in reversed(models.Base.metadata.sorted_tables):
                    conn.execute(table.delete())
        self.addCleanup(self.engine.dispose)
        restore = db.main_context_manager.patch_factory(ctx)
        self.addCleanup(restore)


class Config(fixtures.Fixture):
    """Test configuration: noauth2, fake driver, in-memory messaging."""

    def _setUp(self):
        from oslo_config import fixture as config_fixture
        CONF([], project='novalite', default_config_files=[])
        conf = self.useFixture(config_fixture.Config(CONF))
        state = self.useFixture(fixtures.TempDir()).path
        conf.config(state_path=state, host='host-%s' % uuid.uuid4().hex[:8],
                    compute_driver='fake.FakeDriver',
                    report_interval=3600, sync_power_state_interval=-1)
        messaging = self.useFixture(messaging_conffixture.ConfFixture(CONF))
        messaging.transport_url = 'kombu+memory:///'
        conf.config(auth_strategy='noauth2', group='api')
        conf.config(connection_uri='test:///default', group='libvirt')
        conf.config(wait_soft_reboot_seconds=0, delete_shutdown_timeout=0,
                    group='libvirt')
        conf.config(shutdown_timeout=0, reserved_host_memory_mb=0)
        policy.reset()
        self.addCleanup(policy.reset)
        self.conf = conf


class RPC(fixtures.Fixture):
    """A fresh transport; cleaned up after the test."""

    def _setUp(self):
        rpc.cleanup()
        rpc.init()
        self.addCleanup(rpc.cleanup)


class UnreachableBroker(fixtures.Fixture):
    """The API's next message goes to a rabbit broker that is not there
    (a closed port), with no retry; the in-process agent keeps the
    in-memory transport it holds. The test's ``flags`` sets the options.
    """

    def __init__(self, flags):
        super().__init__()
        self.flags = flags

    def _setUp(self):
        self.flags(rpc_send_retries=0)
        self._memory_transport = rpc._TRANSPORT
        # NOTE: the API side makes a new transport from this URL at its
        # next message.
        rpc._TRANSPORT = None
        self.flags(transport_url='rabbit://guest:guest@127.0.0.1:9/')
        self.addCleanup(self.restore)

    def restore(self):
        """The broker is back: the in-memory transport again (once)."""
        if self._memory_transport is None:
            return
        rpc.cleanup()
        rpc._TRANSPORT, self._memory_transport = self._memory_transport, None
        self.flags(transport_url='kombu+memory:///')


class ComputeAgent(fixtures.Fixture):
    """A running compute service (RPC server + manager) in this process."""

    def __init__(self, host=None, driver=None):
        super().__init__()
        self.host = host
        self.driver = driver

    def _setUp(self):
        self.service = service.ComputeService(host=self.host,
                                              driver=self.driver)
        self.service.start()
        # NOTE: not graceful: waiting for the listener's last poll costs a
        # second per test; the transport is torn down right after anyway.
        self.addCleanup(self.service.stop, graceful=False)
        self.manager = self.service.manager
        self.driver = self.service.driver


def admin_context():
    return nl_context.get_admin_context()
