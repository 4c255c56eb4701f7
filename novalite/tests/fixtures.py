"""Test fixtures on real components: SQLite (or MySQL/PostgreSQL) files,
oslo.messaging's in-memory transport, the fake or libvirt test driver."""

import os
import shutil
import tempfile
import threading
import uuid

import fixtures
from oslo_config import cfg
from oslo_db.sqlalchemy import enginefacade
from oslo_messaging import conffixture as messaging_conffixture

import novalite.conf  # noqa: F401
from novalite import context as nl_context
from novalite.db import api as db
from novalite.db import migration
from novalite import policy
from novalite import rpc
from novalite import service

CONF = cfg.CONF

_TEMPLATE_LOCK = threading.Lock()
_TEMPLATE = None


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
        test.fail('%s (CI must be able to run this test)' % why)
    test.skipTest(why)


class Database(fixtures.Fixture):
    """A fresh migrated database patched into novalite.db.api."""

    def __init__(self, connection=None):
        super().__init__()
        self.connection = connection

    def _setUp(self):
        if self.connection is None:
            path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                'novalite.sqlite')
            shutil.copyfile(_template_db(), path)
            self.connection = 'sqlite:///' + path
            migrate = False
        else:
            migrate = True
        ctx = enginefacade.transaction_context()
        ctx.append_on_engine_create(db.prepare_engine)
        ctx.configure(connection=self.connection)
        self.engine = ctx.writer.get_engine()
        if migrate:
            migration.db_sync(self.engine)
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
