"""novalite-api under a real Apache with mod_wsgi, from
etc/apache2/novalite-api.conf, next to a ``novalite-api`` process.

Each test starts a private Apache (its own ServerRoot, PidFile, logs and
loopback port; never the system's apache2 service) that includes the
operators' config file as is, filling in its ``NOVALITE_*`` variables
with Define lines: 2 daemon processes of 4 threads (the file's values),
MariaDB and RabbitMQ shared with a ``novalite-api`` process and one
``novalite-compute`` agent (fake driver) of the functional fixtures.

The module is Debian's libapache2-mod-wsgi-py3, built against Debian's
libpython3.11. mod_wsgi refuses to run its daemon processes as root, so
they run as www-data, who must read the interpreter and its standard
library: a virtualenv made from /usr/bin/python3.11 is used as is (the
operators' case); any other one (pyenv's, under /root, which www-data
cannot enter) is served through a package-less virtualenv of
/usr/bin/python3.11 that adds the test virtualenv's site-packages (same
minor version, so its compiled modules load).
"""

import concurrent.futures
import grp
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request

import fixtures
from tempest.lib import exceptions as lib_exc
import testtools

from novalite.tests.functional import base
from novalite.tests.functional import fixtures as func_fixtures
from novalite.tests.unit.db import test_migrations

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
SITE_CONF = os.path.join(SOURCE, 'etc', 'apache2', 'novalite-api.conf')
APACHE = shutil.which('apache2', path=os.environ.get('PATH', '') +
                      ':/usr/sbin:/sbin') or '/usr/sbin/apache2'
MODULES = '/usr/lib/apache2/modules'
MOD_WSGI = os.path.join(MODULES, 'mod_wsgi.so')
# What etc/apache2/novalite-api.conf configures (asserted, not assumed).
PROCESSES = 2
THREADS = 4

# The API's request log line, as oslo.log writes it to Apache's error log:
#   ... 2026-12-04 02:47:13.326 9546 INFO novalite.api.middleware
#   [None req-53903dcd-... a b - - - -] 127.0.0.1 "GET /v2.1/servers" ...
_REQUEST_LINE = re.compile(
    r' (\d+) INFO novalite\.api\.middleware \[\S+ (req-[0-9a-f-]+) ')


def _mod_wsgi_python():
    """(major, minor) of the libpython mod_wsgi.so links, or None."""
    try:
        out = subprocess.run(['ldd', MOD_WSGI], capture_output=True,
                             text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    found = re.search(r'libpython(\d+)\.(\d+)', out)
    return (int(found.group(1)), int(found.group(2))) if found else None


class Apache(fixtures.Fixture):
    """A private Apache serving etc/apache2/novalite-api.conf."""

    def __init__(self, config_file):
        super().__init__()
        self.config_file = config_file

    def _setUp(self):
        self.dir = self.useFixture(fixtures.TempDir()).path
        os.chmod(self.dir, 0o755)
        self.port = func_fixtures._free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        if os.geteuid() == 0:
            # NOTE: Apache and mod_wsgi both refuse to serve as root.
            user = 'www-data'
            group = 'www-data'
        else:
            # Not root: no switch of user, the processes run as ours.
            user = pwd.getpwuid(os.getuid()).pw_name
            group = grp.getgrgid(os.getgid()).gr_name
        self.user = user
        python_home = self._python_home()
        conf = os.path.join(self.dir, 'httpd.conf')
        with open(conf, 'w') as f:
            f.write(self._main_config(user, group, python_home))
        # NOTE: a clean environment: nothing of the test's Python
        # (PYTHONPATH, VIRTUAL_ENV...) reaches mod_wsgi's interpreter. The
        # daemon processes inherit it: NOVALITE_CONFIG_FILES as operators
        # set it in /etc/apache2/envvars.
        env = {'PATH': '/usr/sbin:/usr/bin:/sbin:/bin', 'LANG': 'C.UTF-8',
               'NOVALITE_CONFIG_FILES': self.config_file}
        self._out = open(os.path.join(self.dir, 'apache.out'), 'w')
        self.addCleanup(self._out.close)
        self.process = subprocess.Popen(
            [APACHE, '-f', conf, '-DFOREGROUND'], env=env, stdout=self._out,
            stderr=subprocess.STDOUT, start_new_session=True)
        self.addCleanup(self._stop)
        self._wait_ready()

    def _python_home(self):
        """The python-home for mod_wsgi (see the module docstring)."""
        if os.path.realpath(sys.base_prefix) == '/usr':
            return sys.prefix
        home = os.path.join(self.dir, 'python-home')
        version = 'python%d.%d' % sys.version_info[:2]
        subprocess.run(['/usr/bin/%s' % version, '-m', 'venv',
                        '--without-pip', home], check=True,
                       capture_output=True)
        site_dirs = [self._readable(d, index) for index, d in enumerate(
            sorted({sysconfig.get_paths()[k]
                    for k in ('purelib', 'platlib')}))]
        pth = os.path.join(home, 'lib', version, 'site-packages',
                           'novalite-test-venv.pth')
        with open(pth, 'w') as f:
            # addsitedir, not a bare path: the venv's own .pth files (the
            # editable install of novalite among them) are read too.
            f.write('import site; %s\n' % '; '.join(
                'site.addsitedir(%r)' % d for d in site_dirs))
        if os.geteuid() == 0:
            # A clear failure when www-data cannot read the packages or
            # the source tree (the daemons would only fail to import).
            wanted = [os.path.join(SOURCE, 'novalite', 'wsgi', 'api.py')]
            wanted += [os.path.join(d, 'oslo_config', '__init__.py')
                       for d in site_dirs if os.path.isdir(
                           os.path.join(d, 'oslo_config'))]
            test = [shutil.which('runuser') or '/usr/sbin/runuser', '-u',
                    self.user, '--', 'test', '-r', wanted[0]]
            for path in wanted[1:]:
                test += ['-a', '-r', path]
            if subprocess.run(test).returncode:
                raise RuntimeError('%s cannot read %s' % (self.user,
                                                          wanted))
        return home

    def _can_read(self, path):
        runuser = shutil.which('runuser') or '/usr/sbin/runuser'
        return subprocess.run([runuser, '-u', self.user, '--', 'test',
                               '-r', path]).returncode == 0

    def _readable(self, site_dir, index):
        """``site_dir``, or a hard-linked copy of it in the test's own
        directory when the daemons' user cannot reach it.

        NOTE: tox makes ``.tox`` mode 0700, so as root the packages of a
        tox environment are out of www-data's reach. A copy made of hard
        links (same file system) costs a second and changes no
        permission of the checkout.
        """
        probe = os.path.join(site_dir, 'oslo_config', '__init__.py')
        if (os.geteuid() != 0 or not os.path.exists(probe)
                or self._can_read(probe)):
            return site_dir
        copy = os.path.join(self.dir, 'site-%d' % index)
        subprocess.run(['cp', '-al', site_dir, copy], check=True)
        return copy

    def _main_config(self, user, group, python_home):
        wsgi_dir = os.path.join(SOURCE, 'novalite', 'wsgi')
        return """
ServerRoot {dir}
ServerName 127.0.0.1
PidFile {dir}/httpd.pid
DefaultRuntimeDir {dir}
Mutex file:{dir}
WSGISocketPrefix {dir}/wsgi
ErrorLog {dir}/error.log
LogLevel info
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule wsgi_module {mod_wsgi}
User {user}
Group {group}

Define NOVALITE_API_HOST 127.0.0.1
Define NOVALITE_API_PORT {port}
Define NOVALITE_VENV {python_home}
Define NOVALITE_WSGI_DIR {wsgi_dir}
Define NOVALITE_USER {user}
Define NOVALITE_GROUP {group}
Define NOVALITE_LOG_DIR {dir}
Include {site_conf}
""".format(dir=self.dir, modules=MODULES, mod_wsgi=MOD_WSGI, user=user,
           group=group, port=self.port, python_home=python_home,
           wsgi_dir=wsgi_dir, site_conf=SITE_CONF)

    def _wait_ready(self, timeout=90):
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(self.url + '/', timeout=2).read()
                return
            except (OSError, urllib.error.HTTPError):
                if self.process.poll() is not None or \
                        time.monotonic() > deadline:
                    raise RuntimeError('Apache did not serve novalite-api: '
                                       '%s' % self.logs())
                time.sleep(0.2)

    def _stop(self):
        if self.process.poll() is not None:
            return
        # NOTE: SIGTERM to the parent: it stops its children (workers
        # and the mod_wsgi daemon processes) itself.
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def read(self, name):
        try:
            with open(os.path.join(self.dir, name)) as f:
                return f.read()
        except OSError:
            return ''

    def logs(self):
        return '\n'.join('--- %s\n%s' % (name, self.read(name)[-6000:])
                         for name in ('apache.out', 'error.log',
                                      'novalite-api-error.log'))

    def daemon_pids(self):
        """Pids of the mod_wsgi daemon processes (children of Apache's
        parent process that loaded the WSGI script)."""
        return {int(pid) for pid in re.findall(
            r'mod_wsgi \(pid=(\d+), process=\'novalite-api\'.*Loading '
            r'Python script file', self.read('novalite-api-error.log'))}


class TestApache(base.FunctionalTestCase):

    def make_deployment(self):
        # NOTE: every temporary file in /tmp, not $TMPDIR: tox points that
        # into .tox (mode 0700), where the daemons' user (www-data) could
        # read neither their config nor novalite.conf.
        self.useFixture(fixtures.MonkeyPatch('tempfile.tempdir', '/tmp'))
        self.require(os.path.exists(APACHE) and os.path.exists(MOD_WSGI),
                     'Apache with mod_wsgi is not installed (Debian: '
                     'apache2, libapache2-mod-wsgi-py3)')
        self.require(_mod_wsgi_python() == sys.version_info[:2],
                     'mod_wsgi is built for Python %s, the tests run on %s'
                     % (_mod_wsgi_python(), sys.version_info[:2]))
        self.require(os.path.exists('/usr/bin/python%d.%d'
                                    % sys.version_info[:2]),
                     'no /usr/bin/python%d.%d for mod_wsgi'
                     % sys.version_info[:2])
        url = test_migrations.provision_database(self, 'mysql')
        return func_fixtures.Deployment(compute_hosts=self.COMPUTE_HOSTS,
                                        compute_driver='fake.FakeDriver',
                                        database_url=url)

    def setUp(self):
        super().setUp()
        self.apache = self.useFixture(Apache(self.deployment.conf))
        self.addOnException(self._apache_logs)
        self.via_apache = base.Clients(self.apache.url, 'demo', 'demo')
        self.via_api = self.user  # the novalite-api process

    def _apache_logs(self, exc_info):
        self.addDetail('apache.log', testtools.content.text_content(
            self.apache.logs()))

    def _get(self, path):
        """GET through Apache: (status, X-Openstack-Request-Id)."""
        request = urllib.request.Request(
            self.apache.url + path, headers={'X-Auth-Token': 'demo:demo'})
        with urllib.request.urlopen(request, timeout=30) as response:
            json.load(response)
            return (response.status,
                    response.headers['X-Openstack-Request-Id'])

    def _create(self, clients, name):
        created = clients.servers.create_server(
            name=name, flavorRef='1',
            imageRef=func_fixtures.IMAGE_ID)['server']
        self.addCleanup(self._delete_quietly, created['id'])
        return created

    def _delete_quietly(self, server_id):
        try:
            self.admin.servers.delete_server(server_id)
        except lib_exc.NotFound:
            pass

    def test_client_flows_through_apache(self):
        servers = self.via_apache.servers
        created = self._create(self.via_apache, 'apache-1')
        self.assertIn('adminPass', created)
        server = self.wait_for_status(servers, created['id'], 'ACTIVE')
        self.assertEqual(self.deployment.host_name('hv1'),
                         self.admin.servers.show_server(
                             created['id'])['server']['OS-EXT-SRV-ATTR:host'])
        self.assertEqual('apache-1', server['name'])
        self.assertIn(created['id'],
                      [s['id'] for s in servers.list_servers()['servers']])
        detail = servers.list_servers(detail=True)['servers']
        self.assertEqual(['ACTIVE'], [s['status'] for s in detail
                                      if s['id'] == created['id']])

        updated = servers.update_server(created['id'],
                                        name='apache-renamed')['server']
        self.assertEqual('apache-renamed', updated['name'])
        self.assertEqual('apache-renamed', servers.show_server(
            created['id'])['server']['name'])

        servers.lock_server(created['id'])
        # A locked server refuses its owner's delete (409), as Nova's.
        self.assertRaises(lib_exc.Conflict, servers.delete_server,
                          created['id'])
        servers.unlock_server(created['id'])
        servers.delete_server(created['id'])
        self.wait_for_deletion(servers, created['id'])
        self.assertNotIn(created['id'], [
            s['id'] for s in servers.list_servers()['servers']])

        # A burst of concurrent requests: more than one process's threads
        # can hold, so both daemon processes answer some.
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(
                lambda _: self._get('/v2.1/servers/detail'), range(48)))
        self.assertEqual({200}, {status for status, _ in answers})
        request_ids = {request_id for _, request_id in answers}
        self.assertEqual(48, len(request_ids))
        self._assert_processes(request_ids)

    def _assert_processes(self, request_ids):
        """The request ids the burst got back were logged by 2 mod_wsgi
        daemon processes, each of which loaded the application once."""
        apache_log = self.apache.read('error.log')
        self.assertIn("Starting process 'novalite-api' with", apache_log)
        self.assertEqual(
            {str(THREADS)},
            set(re.findall(r"Starting process 'novalite-api' with "
                           r"uid=\d+, gid=\d+ and threads=(\d+)",
                           apache_log)))
        daemons = self.apache.daemon_pids()
        api_log = self.apache.read('novalite-api-error.log')
        # Once per process: one script load and one noauth2 warning each.
        loads = re.findall(r'mod_wsgi \(pid=(\d+), process=\'novalite-api\''
                           r'.*Loading Python script file', api_log)
        self.assertEqual(PROCESSES, len(loads), api_log[-4000:])
        self.assertEqual(PROCESSES, len(daemons))
        warnings = re.findall(r' (\d+) WARNING novalite\.api\.app .*noauth2',
                              api_log)
        self.assertEqual(sorted(daemons), sorted(int(p) for p in warnings))
        served = {}
        # NOTE: the log lines of the last requests may still be on their
        # way to Apache's error log.
        deadline = time.monotonic() + 10
        while True:
            served = {request_id: int(pid) for pid, request_id in
                      _REQUEST_LINE.findall(
                          self.apache.read('novalite-api-error.log'))
                      if request_id in request_ids}
            if len(served) == len(request_ids) or \
                    time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(request_ids, set(served))
        self.assertEqual(daemons, set(served.values()))
        for pid in daemons:
            with open('/proc/%d/status' % pid) as f:
                status = f.read()
            self.assertIn('PPid:\t%d\n' % self.apache.process.pid, status)
            uid = int(re.search(r'Uid:\t(\d+)', status).group(1))
            self.assertEqual(self.apache.user, pwd.getpwuid(uid).pw_name)

    def test_two_endpoints_one_database_and_broker(self):
        """Apache (A) and novalite-api (B) at once: the same servers."""
        a, b = self.via_apache.servers, self.via_api.servers
        created = self._create(self.via_apache, 'from-a')
        self.wait_for_status(b, created['id'], 'ACTIVE')
        self.assertEqual('from-a', b.show_server(created['id'])['server'][
            'name'])

        b.update_server(created['id'], name='renamed-by-b')
        self.assertEqual('renamed-by-b', a.show_server(created['id'])[
            'server']['name'])

        other = self._create(self.via_api, 'from-b')
        self.wait_for_status(a, other['id'], 'ACTIVE')

        def listing(client):
            return sorted((s['id'], s['name'], s['status'])
                          for s in client.list_servers(
                              detail=True)['servers'])

        self.assertEqual(listing(a), listing(b))
        self.assertEqual(
            {(created['id'], 'renamed-by-b'), (other['id'], 'from-b')},
            {(i, n) for i, n, _ in listing(a)})
        usage = [c.limits.show_limits()['limits']['absolute'][
            'totalInstancesUsed'] for c in (self.via_apache, self.via_api)]
        self.assertEqual([2, 2], usage)

        a.delete_server(created['id'])
        self.wait_for_deletion(b, created['id'])
        self.assertRaises(lib_exc.NotFound, a.show_server, created['id'])
        b.delete_server(other['id'])
        self.wait_for_deletion(a, other['id'])
        self.assertEqual([], listing(a))
        self.assertEqual([], listing(b))
