"""novalite as a user runs it: novalite-api and novalite-compute as
separate processes talking over RabbitMQ, SQLite, libvirt test:///default.
"""

import datetime
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
import uuid

import fixtures
from oslo_db.sqlalchemy import enginefacade
from tempest.lib import auth

from novalite import context as nl_context
from novalite.db import api as db
from novalite.db import migration
from novalite.tests import fixtures as nl_fixtures

RABBIT_URL = os.environ.get('NOVALITE_TEST_RABBIT',
                            'rabbit://guest:guest@127.0.0.1:5672/')
IMAGE_ID = '155d900f-4e14-4e4c-a73d-069cbf4541e6'


def rabbit_available():
    try:
        socket.create_connection(('127.0.0.1', 5672), timeout=1).close()
        return True
    except OSError:
        return False


def tiny_image_cache():
    """Where the tiny guest image is built once and kept between runs."""
    return os.environ.get('NOVALITE_TEST_TINY_CACHE', os.path.join(
        os.path.expanduser('~'), '.cache', 'novalite', 'tiny-image'))


def _as_datetime(value):
    """A DATETIME column's value (SQLite gives text)."""
    if isinstance(value, str):
        return datetime.datetime.fromisoformat(value)
    return value


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _script(name):
    path = os.path.join(os.path.dirname(sys.executable), name)
    return [path] if os.path.exists(path) else [
        sys.executable, '-c', 'from novalite.cmd.%s import main; main()'
        % name.split('-', 1)[1]]


class TcpProxy(fixtures.Fixture):
    """A TCP relay to ``target`` (host, port) whose link can be cut.

    Services are pointed at the proxy instead of the real RabbitMQ or
    database, so that a test can take the service away from them (and
    give it back) without touching the shared server itself.
    """

    def __init__(self, target):
        super().__init__()
        self.target = target
        self._links = set()
        self._lock = threading.Lock()
        self._cut = threading.Event()

    def _setUp(self):
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(('127.0.0.1', 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._stopped = threading.Event()
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self.addCleanup(self._stop)

    def _stop(self):
        self._stopped.set()
        self._listener.close()
        self.cut()

    def _accept(self):
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._cut.is_set():
                client.close()  # refused while cut
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._links.update((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst),
                                 daemon=True).start()

    def _pump(self, src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                self._close(sock)

    def _close(self, sock):
        with self._lock:
            self._links.discard(sock)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def cut(self):
        """Drop every open connection and refuse new ones."""
        self._cut.set()
        with self._lock:
            links = list(self._links)
        for sock in links:
            self._close(sock)

    def restore(self):
        self._cut.clear()


class Deployment(fixtures.Fixture):
    """A database, an API process and compute agent processes.

    ``transport_url``/``database_url`` replace RabbitMQ on 127.0.0.1 and
    the SQLite file (for a proxy in front of them, or another backend;
    without ``database_url``, ``NOVALITE_TEST_DB=mysql`` or ``postgresql``
    gives the deployment a new database on that server);
    ``agent_transport_url`` is the agents' own (the API keeps the other).
    ``host_conf``: {host: configuration text} of each agent's own (its
    zone, its capacity ...).
    """

    def __init__(self, compute_hosts=('hv1',), compute_driver=None,
                 extra_conf='', libvirt_uri='test:///default',
                 transport_url=None, database_url=None,
                 agent_transport_url=None, per_host_instances=False,
                 host_conf=None):
        super().__init__()
        self.host_conf = host_conf or {}
        self.agent_transport_url = agent_transport_url
        # Each agent keeps its guests' files in instances-<host>/, as
        # separate hosts would (the image store stays shared).
        self.per_host_instances = per_host_instances
        self.compute_hosts = compute_hosts
        self.compute_driver = compute_driver or 'libvirt.LibvirtDriver'
        self.extra_conf = extra_conf
        self.libvirt_uri = libvirt_uri
        self.transport_url = transport_url or RABBIT_URL
        self.database_url = database_url
        self.processes = {}

    def _setUp(self):
        self.dir = self.useFixture(fixtures.TempDir()).path
        # NOTE: qemu runs as its own user under qemu:///system and must
        # reach the disks below this directory (mkdtemp makes it 0700).
        os.chmod(self.dir, 0o755)
        self.port = _free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.tag = uuid.uuid4().hex[:8]
        backend = nl_fixtures.db_backend()
        if self.database_url is None and backend != 'sqlite':
            self.database_url = nl_fixtures.provision_database(self, backend)
        self.conf = os.path.join(self.dir, 'novalite.conf')
        with open(self.conf, 'w') as f:
            f.write(self._config())
        self._seed_database()
        # NOTE: added before the processes start, so that it runs after
        # they stopped.
        self.addCleanup(self._reap_domains)
        for host in self.compute_hosts:
            self.start_compute(host)
        self.start_api()
        self.wait_for_computes()

    def _seed_database(self):
        """Schema, flavors and an image, written from this process (the
        novalite-manage commands are covered by their own test)."""
        ctx = enginefacade.transaction_context()
        ctx.append_on_engine_create(db.prepare_engine)
        ctx.configure(connection=self.db_url)
        engine = ctx.writer.get_engine()
        migration.db_sync(engine)
        restore = db.main_context_manager.patch_factory(ctx)
        try:
            admin = nl_context.get_admin_context()
            db.flavor_create(admin, dict(flavorid='1', name='m1.tiny',
                                         vcpus=1, memory_mb=512, root_gb=1))
            db.flavor_create(admin, dict(flavorid='99', name='m1.huge',
                                         vcpus=100000, memory_mb=512,
                                         root_gb=1))
            images = os.path.join(self.dir, 'images')
            os.makedirs(images)
            image = os.path.join(images, IMAGE_ID)
            subprocess.run(['qemu-img', 'create', '-f', 'qcow2', image,
                            '64M'], check=True, capture_output=True)
            db.image_create(admin, dict(
                id=IMAGE_ID, name='cirros', disk_format='qcow2',
                container_format='bare', status='active',
                size=os.path.getsize(image), location=image))
        finally:
            restore()
            engine.dispose()

    @property
    def db_url(self):
        return self.database_url or 'sqlite:///%s/novalite.sqlite' % self.dir

    @property
    def name_prefix(self):
        """Domain names of this run: a shared libvirtd keeps persistent
        domains of other runs (and of the quick start)."""
        return 'nl%s-' % self.tag

    def _reap_domains(self):
        """Remove what a failed test left on a real hypervisor."""
        if self.libvirt_uri.startswith('test:'):
            return
        import libvirt
        conn = libvirt.open(self.libvirt_uri)
        try:
            for domain in conn.listAllDomains():
                if domain.name().startswith(self.name_prefix):
                    if domain.isActive():
                        domain.destroy()
                    domain.undefine()
        finally:
            conn.close()

    def _config(self):
        return """
[DEFAULT]
state_path = {dir}
transport_url = {rabbit}
compute_driver = {driver}
osapi_compute_listen = 127.0.0.1
osapi_compute_listen_port = {port}
report_interval = 1
sync_power_state_interval = -1
shutdown_timeout = 0
reserved_host_memory_mb = 0
instance_name_template = {prefix}%08x
[oslo_messaging_rabbit]
rabbit_transient_queues_ttl = 60
[api]
auth_strategy = noauth2
[database]
connection = {database}
[libvirt]
connection_uri = {libvirt_uri}
wait_soft_reboot_seconds = 0
delete_shutdown_timeout = 0
[quota]
instances = 1000
cores = -1
ram = 1000000
{extra}
""".format(dir=self.dir, rabbit=self.transport_url,
           database=self.db_url, driver=self.compute_driver,
           port=self.port, extra=self.extra_conf,
           libvirt_uri=self.libvirt_uri, prefix=self.name_prefix)

    def manage(self, *args):
        result = subprocess.run(_script('novalite-manage') + [
            '--config-file', self.conf] + list(args),
            capture_output=True, text=True)
        if result.returncode:
            raise RuntimeError('novalite-manage %s failed: %s'
                               % (' '.join(args), result.stderr))
        return result.stdout

    def _start(self, name, command):
        log = open(os.path.join(self.dir, '%s.out' % name), 'w')
        process = subprocess.Popen(command, stdout=log,
                                   stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes[name] = process
        self.addCleanup(self.stop, name)
        self.addCleanup(log.close)
        return process

    def start_compute(self, host):
        # NOTE: wait_for_computes waits for heartbeats after this moment,
        # not for the one an agent that died here left behind.
        self._started = time.time()
        return self._start('compute-%s' % host, _script('novalite-compute')
                           + ['--config-file', self.conf,
                              '--config-file', self._host_conf(host)])

    def _host_conf(self, host):
        path = os.path.join(self.dir, 'host-%s.conf' % host)
        with open(path, 'w') as f:
            # Host names are unique per test run: topics on the shared
            # broker never mix with another run's.
            f.write('[DEFAULT]\nhost = %s-%s\n' % (host, self.tag))
            if self.per_host_instances:
                f.write('instances_path = %s\n' % self.instances_dir(host))
            if self.agent_transport_url:
                f.write('transport_url = %s\n' % self.agent_transport_url)
            f.write(self.host_conf.get(host, ''))
        return path

    def host_name(self, host):
        return '%s-%s' % (host, self.tag)

    def instances_dir(self, host):
        """Where ``host``'s agent keeps its guests' files."""
        if self.per_host_instances:
            return os.path.join(self.dir, 'instances-%s' % host)
        return os.path.join(self.dir, 'instances')

    def start_api(self):
        self._start('api', _script('novalite-api') + ['--config-file',
                                                      self.conf])
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.url + '/', timeout=1).read()
                return
            except OSError:
                if time.monotonic() > deadline or \
                        self.processes['api'].poll() is not None:
                    raise RuntimeError('novalite-api did not start: %s'
                                       % self.log('api'))
                time.sleep(0.1)

    def wait_for_computes(self, timeout=30):
        """Wait until every agent wrote its heartbeat row."""
        wanted = {self.host_name(h) for h in self.compute_hosts}
        deadline = time.monotonic() + timeout
        while True:
            since = datetime.datetime.fromtimestamp(
                self._started, datetime.timezone.utc).replace(tzinfo=None)
            seen = {host for host, last in self.query(
                'SELECT host, last_seen_up FROM services WHERE '
                'last_seen_up IS NOT NULL')
                if _as_datetime(last) >= since}
            if wanted <= seen:
                return
            dead = [n for n, p in self.processes.items()
                    if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                raise RuntimeError('compute agents did not report: %s'
                                   % {n: (p.poll(), self.log(n)) for n, p in
                                      self.processes.items()})
            time.sleep(0.1)

    def query(self, sql):
        """Rows of ``sql`` read straight from the deployment's database."""
        if self.database_url is None:
            path = os.path.join(self.dir, 'novalite.sqlite')
            with sqlite3.connect(path) as conn:
                return conn.execute(sql).fetchall()
        import sqlalchemy as sa
        engine = getattr(self, '_query_engine', None)
        if engine is None:
            engine = self._query_engine = sa.create_engine(
                self.database_url, poolclass=sa.pool.NullPool)
        with engine.connect() as conn:
            return conn.execute(sa.text(sql)).fetchall()

    def stop(self, name, sig=signal.SIGTERM):
        process = self.processes.get(name)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def log(self, name):
        try:
            with open(os.path.join(self.dir, '%s.out' % name)) as f:
                return f.read()[-4000:]
        except OSError:
            return ''


class NoAuthProvider(auth.AuthProvider):
    """tempest.lib auth for noauth2: the token is ``user:project``."""

    def __init__(self, url, user, project):
        self.url = url + '/v2.1'
        self.token = '%s:%s' % (user, project)
        self.alt_auth_data = None
        self.alt_part = None
        self.cache = None
        self._scope = 'project'

    def _decorate_request(self, filters, method, url, headers=None,
                          body=None, auth_data=None):
        headers = dict(headers or {})
        headers['X-Auth-Token'] = self.token
        return self.url + '/' + url.lstrip('/'), headers, body

    def auth_request(self, method, url, headers=None, body=None,
                     filters=None):
        return self._decorate_request(filters, method, url, headers, body)

    def base_url(self, filters, auth_data=None):
        return self.url

    def get_token(self):
        return self.token

    def _get_auth(self):
        return self.token, {}

    def _fill_credentials(self, auth_data_body):
        pass

    def is_expired(self, auth_data):
        return False

    def check_credentials(self, credentials):
        return True
