#!/usr/bin/env python3
"""Side-by-side benchmark of novalite and the Nova reference API.

Prints numbers; it is not a test. In one run it measures, for novalite and
for Nova (the anchor in /work/shared/anchors/nova):

1. POST /v2.1/servers -> ACTIVE latency over ``--creates`` servers, created
   one after the other: from sending the POST to receiving the first
   GET /v2.1/servers/{id} that says ACTIVE. The GET is repeated every
   ``--poll-ms`` (novalite, default 2 ms) or ``--nova-poll-ms`` (Nova,
   default 10 ms) after the previous answer, so the figure is late by up
   to one interval plus one GET (the resolution of the measurement).
2. GET /v2.1/servers/detail with ``--servers`` servers in the project:
   requests/s and latency of one sequential client, per microversion
   (``--versions``; ``latest`` is each API's maximum: novalite's
   ``api_version.MAX_API_VERSION`` and 2.104 for Nova 34).
3. novalite only (``--scale``): GET /v2.1/servers/detail?limit=10 with
   ``--servers`` and then ``--scale`` servers present; its cost should
   follow the page size, not the number of servers.
4. novalite only (``--profile``): a profile of the API process during a
   detail-list run with ``--servers`` servers (py-spy, pyinstrument or
   cProfile); prints the hot spots.

All requests go over one persistent connection per system
(``http.client.HTTPConnection``); the connection counts tell whether the
server kept it open (novalite's old wsgiref server did not).

By default the script starts its own novalite in a temporary state
directory (fake driver, SQLite, noauth2, unlimited quota) and the Nova
anchor if it is not already answering, and stops what it started at the
end. It creates its servers in project ``--token`` under a name prefix
unique to the run, and deletes them at the end.

    /opt/nl-venv/bin/python tools/benchmark.py
    /opt/nl-venv/bin/python tools/benchmark.py --transport both --profile
    /opt/nl-venv/bin/python tools/benchmark.py --no-nova --transport memory
    /opt/nl-venv/bin/python tools/benchmark.py \\
        --novalite-url http://127.0.0.1:8774 --nova-url http://127.0.0.1:18774

``--transport rabbit`` runs novalite-api and novalite-compute as two
processes over RabbitMQ at 127.0.0.1:5672 (the deployment shape; the
default when the broker answers); ``memory`` runs novalite-all, one
process on the in-memory transport; ``both`` measures the two in turn.
``--database mysql`` or ``postgresql`` puts our novalite on a database
created for the run on the local MariaDB (root) or PostgreSQL (postgres)
and dropped at the end; ``--agents N`` starts N novalite-compute
processes, each with its own host name.

Load mode (``--load``; no Nova): ``--clients`` (50) threads, each with
its own persistent connection, for ``--duration`` (300) seconds after a
``--warmup`` (10 s), against novalite-api (waitress, default workers)
with ``--agents`` (2) agents over RabbitMQ on a fresh MariaDB database
(``--database``, default mysql here); fake driver, unlimited quota. Each
client loops over a weighted mix:

- 50% GET /v2.1/servers/detail?limit=50 (the project's newest servers);
- 25% GET /v2.1/servers/{id} of one of its own servers (a create if it
  has none yet);
- 15% POST /v2.1/servers (m1.tiny, one server);
- 10% DELETE /v2.1/servers/{id} of one of its own servers last seen
  ACTIVE (a show of one of its servers if none is known to be ACTIVE).

Any answer but 200/200/202/204 and any exception is an error (a sample
of the messages is printed). At the end the clients stop and the script
waits up to ``--settle`` (120 s) for every server of the run to settle,
then counts the servers in a wrong state: ERROR, still BUILD, a task
left, another status, a deleted server still listed or not 404, a live
one missing, one that no create answered for. It prints per operation
the count, p50, p99, max and errors, the totals, requests/s, the servers
per agent, and the API's RSS (VmRSS) after the warm-up and at the end
against ``--rss-bound`` (50 MiB of growth). The exit status is 1 if a
request failed or a server ended in a wrong state (or any other error
was seen), 0 otherwise; the RSS bound is reported, not enforced.

    .venv/bin/python tools/benchmark.py --load
    .venv/bin/python tools/benchmark.py --load --clients 10 --duration 30
"""

import argparse
import http.client
import json
import math
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

from novalite.api import api_version

IMAGE = '155d900f-4e14-4e4c-a73d-069cbf4541e6'
FLAVOR = '1'
RABBIT = ('127.0.0.1', 5672)
RABBIT_URL = 'rabbit://guest:guest@127.0.0.1:5672/'
NOVA_DIR = '/work/shared/anchors/nova'
NOVA_URL = 'http://127.0.0.1:18774'
NOVALITE_MAX = api_version.MAX_API_VERSION
TARGET_THROUGHPUT = 20.0  # novalite detail req/s >= 20 x Nova's
TARGET_ACTIVE_MS = 30.0   # novalite POST->ACTIVE p50 <= 30 ms (issue 9)
TARGET_ACTIVE_P99_MS = 100.0  # and p99 <= 100 ms
TARGET_POST_MS = 10.0     # the POST itself p50 <= 10 ms
DATABASES = {
    'mysql': 'mysql+pymysql://root@127.0.0.1/%s?charset=utf8mb4',
    'postgresql': 'postgresql+psycopg2://postgres@127.0.0.1/%s',
}
DATABASE_ADMIN = {  # where CREATE/DROP DATABASE run
    'mysql': 'mysql+pymysql://root@127.0.0.1/?charset=utf8mb4',
    'postgresql': 'postgresql+psycopg2://postgres@127.0.0.1/postgres',
}

ERRORS = {}  # line: times seen (insertion-ordered)


def error(system, message):
    line = '[%s] %s' % (system, message)
    if line not in ERRORS:
        print('  ERROR ' + line, flush=True)
    ERRORS[line] = ERRORS.get(line, 0) + 1


def note(message):
    print(message, flush=True)


# ---------------------------------------------------------------- HTTP


class _CountingConnection(http.client.HTTPConnection):

    opened = 0

    def connect(self):
        super().connect()
        self.opened += 1


class Client:
    """One persistent HTTP connection to one API, JSON in and out."""

    def __init__(self, system, url, token, timeout=300):
        parts = urllib.parse.urlsplit(url)
        self.system = system
        self.base = parts.path.rstrip('/')
        self.conn = _CountingConnection(parts.hostname, parts.port or 80,
                                        timeout=timeout)
        self.token = token
        self.requests = 0

    def call(self, method, path, body=None, version=None, headers=None):
        """(status, body bytes); reconnects once for a dropped GET."""
        # NOTE: no Accept header by default: novalite once answered 406
        # to "Accept: application/json" (probe_accept checks it).
        hdrs = {'X-Auth-Token': self.token}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            hdrs['Content-Type'] = 'application/json'
        if version:
            hdrs['OpenStack-API-Version'] = 'compute %s' % version
            hdrs['X-OpenStack-Nova-API-Version'] = version
        hdrs.update(headers or {})
        for attempt in (1, 2):
            try:
                self.conn.request(method, self.base + path, body=data,
                                  headers=hdrs)
                resp = self.conn.getresponse()
                payload = resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError,
                    BrokenPipeError):
                self.conn.close()
                if attempt == 2 or method not in ('GET', 'DELETE'):
                    raise
                continue
            self.requests += 1
            return resp.status, payload

    def json(self, method, path, body=None, version=None, expect=None,
             headers=None):
        """Decoded body; records an error for an unexpected status."""
        status, payload = self.call(method, path, body, version, headers)
        if expect and status not in expect:
            error(self.system, '%s %s -> %d %s' % (
                method, path, status,
                payload.decode('utf-8', 'replace')[:500]))
            return status, None
        try:
            return status, json.loads(payload) if payload else None
        except ValueError:
            error(self.system, '%s %s -> %d, not JSON: %r' % (
                method, path, status, payload[:300]))
            return status, None

    @property
    def connections(self):
        return self.conn.opened

    def close(self):
        self.conn.close()


def wait_http(url, timeout, proc=None):
    parts = urllib.parse.urlsplit(url)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port,
                                              timeout=2)
            conn.request('GET', '/')
            conn.getresponse().read()
            conn.close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def port_open(address):
    try:
        with socket.create_connection(address, timeout=1):
            return True
    except OSError:
        return False


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------ statistics


def pct(values, fraction):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary(values):
    if not values:
        return None
    return {'n': len(values), 'p50': statistics.median(values),
            'p90': pct(values, 0.9), 'p99': pct(values, 0.99),
            'mean': statistics.fmean(values),
            'min': min(values), 'max': max(values)}


# --------------------------------------------------------------- servers


class Servers:
    """Create, wait for and delete servers of one run in one system."""

    def __init__(self, client, prefix, nova, poll):
        self.client = client
        self.prefix = prefix
        self.nova = nova
        self.poll = poll
        self.count = 0
        self.refused = False  # a create was refused (403: quota)

    def create_body(self, name, count=1):
        server = {'name': name, 'flavorRef': FLAVOR, 'imageRef': IMAGE}
        if count > 1:
            server['min_count'] = 1
            server['max_count'] = count
        if self.nova:
            server['networks'] = 'none'
        return {'server': server}

    def create(self, count=1):
        """POST one request; the first server's id or None."""
        self.count += 1
        name = '%s-%d' % (self.prefix, self.count)
        # Nova needs 2.37 for networks=none; novalite takes no networks.
        version = '2.37' if self.nova else None
        status, body = self.client.json(
            'POST', '/v2.1/servers', self.create_body(name, count),
            version=version, expect=(202,))
        if body is None:
            self.refused = self.refused or status == 403
            return None
        return body['server']['id']

    def show(self, server_id):
        status, body = self.client.json(
            'GET', '/v2.1/servers/' + server_id, expect=(200,))
        return body and body['server']

    def wait(self, server_id, timeout, poll=None):
        """Final status of the server ('ACTIVE', 'ERROR', None)."""
        poll = self.poll if poll is None else poll
        end = time.perf_counter() + timeout
        while True:
            server = self.show(server_id)
            if server is None:
                return None
            if server['status'] in ('ACTIVE', 'ERROR'):
                if server['status'] == 'ERROR':
                    error(self.client.system, 'server %s went ERROR: %s' % (
                        server_id, json.dumps(server.get('fault'))))
                return server['status']
            if time.perf_counter() > end:
                error(self.client.system,
                      'server %s stuck in %s/%s after %.0f s' % (
                          server_id, server['status'],
                          server.get('OS-EXT-STS:task_state'), timeout))
                return None
            if poll:
                time.sleep(poll)

    def mine(self, status=None):
        """Ids of this run's servers (optionally in one status)."""
        query = {'name': '^' + self.prefix + '-'}
        if status:
            query['status'] = status
        ids = []
        marker = None
        while True:
            if marker:
                query['marker'] = marker
            status_code, body = self.client.json(
                'GET', '/v2.1/servers?' + urllib.parse.urlencode(query),
                expect=(200,))
            if body is None:
                return ids
            page = [s['id'] for s in body['servers']]
            ids.extend(page)
            if not body.get('servers_links') or not page:
                return ids
            marker = page[-1]

    def total(self):
        """Servers in the project, any name (the list benchmark sees all)."""
        ids = []
        marker = None
        while True:
            path = '/v2.1/servers?limit=1000'
            if marker:
                path += '&marker=' + marker
            status, body = self.client.json('GET', path, expect=(200,))
            if body is None:
                return len(ids)
            page = [s['id'] for s in body['servers']]
            ids.extend(page)
            if not body.get('servers_links') or not page:
                return len(ids)
            marker = page[-1]

    def fill(self, target, batch, timeout):
        """Create servers until the project holds ``target``."""
        have = self.total()
        need = target - have
        if need <= 0:
            return have, 0
        started = time.perf_counter()
        made = 0
        while made < need:
            count = min(batch, need - made)
            if self.create(count) is None:
                break
            made += count
        # Wait while the number of servers in BUILD goes down; give up
        # after ``timeout`` seconds without progress.
        building, since = None, time.monotonic()
        while True:
            now = len(self.mine(status='BUILD'))
            if not now:
                break
            if building is None or now < building:
                building, since = now, time.monotonic()
            elif time.monotonic() - since > timeout:
                stuck = self.mine(status='BUILD')
                server = self.show(stuck[0]) or {}
                error(self.client.system, '%d servers stuck in BUILD (no '
                      'progress for %.0f s), e.g. %s task_state %s' % (
                          len(stuck), timeout, stuck[0],
                          server.get('OS-EXT-STS:task_state')))
                break
            time.sleep(0.2 if not self.nova else 1.0)
        failed = self.mine(status='ERROR')
        if failed:
            error(self.client.system, '%d servers in ERROR after fill, '
                  'e.g. %s' % (len(failed), failed[0]))
        elapsed = time.perf_counter() - started
        have = self.total()
        note('  filled %d servers in %.1f s (batches of %d); project has %d'
             % (made, elapsed, batch, have))
        return have, made

    def delete_all(self, wait):
        ids = self.mine()
        started = time.perf_counter()
        for server_id in ids:
            self.client.json('DELETE', '/v2.1/servers/' + server_id,
                             expect=(204, 404))
        left = []
        end = time.monotonic() + wait
        while wait and time.monotonic() < end:
            left = self.mine()
            if not left:
                break
            time.sleep(0.5)
        note('  deleted %d servers in %.1f s%s' % (
            len(ids), time.perf_counter() - started,
            '; %d still listed after %.0f s' % (len(left), wait)
            if left else ''))
        if left:
            states = {}
            for server_id in left:
                server = self.show(server_id) or {}
                state = '%s/%s/%s' % (
                    server.get('status'), server.get('OS-EXT-STS:vm_state'),
                    server.get('OS-EXT-STS:task_state'))
                states[state] = states.get(state, 0) + 1
            error(self.client.system, '%d deleted servers still listed '
                  'after %.0f s (status/vm_state/task_state: %s), e.g. %s'
                  % (len(left), wait, ', '.join(
                      '%s x%d' % i for i in sorted(states.items())),
                     left[0]))


# ------------------------------------------------------------ measuring


def measure_active(servers, creates, timeout):
    """POST->ACTIVE and POST latencies in seconds."""
    client = servers.client
    to_active = []
    post = []
    for _ in range(creates):
        started = time.perf_counter()
        server_id = servers.create()
        posted = time.perf_counter()
        if server_id is None:
            if servers.refused:
                break
            continue
        if servers.wait(server_id, timeout) == 'ACTIVE':
            to_active.append(time.perf_counter() - started)
            post.append(posted - started)
    note('  POST->ACTIVE: %d of %d creates ACTIVE; %d requests on %d '
         'connections so far' % (len(to_active), creates, client.requests,
                                 client.connections))
    return summary(to_active), summary(post)


def measure_get(client, path, version, requests, seconds, warmup=2,
                headers=None):
    """Sequential GETs: (req/s, latency summary, body size, items)."""
    for _ in range(warmup):
        client.call('GET', path, version=version, headers=headers)
    times = []
    size = items = 0
    connections = client.connections
    started = time.perf_counter()
    deadline = started + seconds if seconds else None
    while len(times) < requests or (deadline and
                                    time.perf_counter() < deadline):
        if deadline and time.perf_counter() >= deadline and times:
            break
        begin = time.perf_counter()
        status, payload = client.call('GET', path, version=version,
                                      headers=headers)
        times.append(time.perf_counter() - begin)
        if status != 200:
            error(client.system, 'GET %s (%s) -> %d %s' % (
                path, version, status, payload[:300]))
            break
        size = len(payload)
    elapsed = time.perf_counter() - started
    if times:
        body = json.loads(payload) if status == 200 else {}
        items = len(body.get('servers', ()))
    return {'rps': len(times) / elapsed, 'lat': summary(times),
            'size': size, 'items': items,
            'connections': client.connections - connections}


# ------------------------------------------------------------- novalite

# For --profile pyinstrument or cprofile: runs a novalite entry point with
# the WSGI application wrapped in a per-request profiler, for the requests
# that carry X-Bench-Profile: 1 (pyinstrument samples every 0.5 ms in the
# request's thread; cProfile is deterministic; both slow call-heavy code
# down most, so it looks heavier than it is).
# When the process ends on SIGINT or SIGTERM it writes, as JSON, the
# profiled wall time and each function's own and inclusive time.
_PROFILE_BOOT = r'''
import json, signal, sys, threading, time
from novalite.cmd import api as api_cmd
out, entry, kind = sys.argv[1], sys.argv[2], sys.argv[3]
argv = ['novalite-' + entry] + sys.argv[4:]
lock = threading.Lock()
state = {'requests': 0, 'wall': 0.0, 'sampled': 0.0, 'own': {}, 'incl': {}}
profiles = []
if kind == 'pyinstrument':
    import pyinstrument
else:
    import cProfile
    import pstats


def key(ident):
    func, path, line = ident.split('\x01')[0].split('\x00')[:3]
    return '%s:%s:%s' % (path, line, func)


def add_records(records):
    own, incl = state['own'], state['incl']
    for stack, spent in records:
        keys = [key(i) for i in stack]
        state['sampled'] += spent
        own[keys[-1]] = own.get(keys[-1], 0.0) + spent
        for k in set(keys):
            incl[k] = incl.get(k, 0.0) + spent


def start():
    if kind == 'pyinstrument':
        prof = pyinstrument.Profiler(interval=0.0005, async_mode='disabled')
    else:
        prof = cProfile.Profile()
    prof.start() if kind == 'pyinstrument' else prof.enable()
    return prof


def stop(prof, wall):
    if kind == 'pyinstrument':
        records = prof.stop().frame_records
    else:
        prof.disable()
    with lock:
        state['requests'] += 1
        state['wall'] += wall
        if kind == 'pyinstrument':
            add_records(records)
        else:
            profiles.append(prof)


original = api_cmd.init_application


def init_application():
    app = original()

    def profiled(environ, start_response):
        if environ.get('HTTP_X_BENCH_PROFILE') != '1':
            return app(environ, start_response)
        begin = time.perf_counter()
        prof = start()
        try:
            result = app(environ, start_response)
            try:
                data = b''.join(result)
            finally:
                if hasattr(result, 'close'):
                    result.close()
        finally:
            stop(prof, time.perf_counter() - begin)
        return [data]
    return profiled


def on_term(signum, frame):
    raise KeyboardInterrupt


def dump():
    with lock:
        if profiles:
            stats = pstats.Stats(profiles[0])
            for prof in profiles[1:]:
                stats.add(prof)
            for (path, line, func), row in stats.stats.items():
                k = '%s:%s:%s' % (path, line, func)
                state['own'][k] = row[2]
                state['incl'][k] = row[3]
            state['sampled'] = state['wall']
        state['profiler'] = kind
        with open(out, 'w') as f:
            json.dump(state, f)


api_cmd.init_application = init_application
signal.signal(signal.SIGTERM, on_term)
if entry == 'all':
    from novalite.cmd import all as main_mod
else:
    main_mod = api_cmd
try:
    main_mod.main(argv)
except KeyboardInterrupt:
    pass
finally:
    dump()
'''


def _py_spy():
    here = os.path.join(os.path.dirname(sys.executable), 'py-spy')
    return here if os.path.exists(here) else shutil.which('py-spy')


def profiler_kind(choice):
    """py-spy (external sampler, no overhead in the API), pyinstrument or
    cProfile (both in-process, call-heavy code looks heavier)."""
    if choice != 'auto':
        return choice
    if _py_spy():
        return 'py-spy'
    try:
        import pyinstrument  # noqa: F401
        return 'pyinstrument'
    except ImportError:
        return 'cprofile'


class Profiling:
    """Profiles the API process of our novalite during one run.

    py-spy samples only the thread holding the GIL (``--gil``): the shares
    are of the CPU time spent running Python code in the API process.
    """

    def __init__(self, kind, novalite):
        self.kind = kind
        self.novalite = novalite
        self.proc = None
        self.raw = os.path.join(novalite.dir, 'py-spy.txt')
        # the in-process profilers only look at requests with this header
        self.headers = {} if kind == 'py-spy' else {'X-Bench-Profile': '1'}

    def begin(self):
        if self.kind != 'py-spy':
            return
        pid = [p.pid for n, p in self.novalite.procs if n in ('api', 'all')]
        self.proc = subprocess.Popen(
            [_py_spy(), 'record', '--pid', str(pid[0]), '--rate', '1000',
             '--function', '--gil', '--nonblocking', '--format', 'raw',
             '--output', self.raw], stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, start_new_session=True)
        time.sleep(0.5)  # attached

    def end(self, requests, wall):
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            _out, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _out, err = self.proc.communicate()
        self.proc = None
        state = {'profiler': 'py-spy', 'requests': requests, 'wall': wall,
                 'sampled': 0, 'own': {}, 'incl': {}}
        try:
            with open(self.raw) as f:
                lines = f.read().splitlines()
        except OSError as exc:
            error('novalite', 'py-spy wrote nothing (%s): %s' % (
                exc, err.decode('utf-8', 'replace')[-500:]))
            return
        for line in lines:
            stack, _sep, count = line.rpartition(' ')
            count = int(count)
            keys = []
            for frame in stack.split(';'):
                func, _sep, where = frame.rpartition(' (')
                path, _sep, lineno = where.rstrip(')').rpartition(':')
                keys.append('%s:%s:%s' % (path, lineno, func))
            state['sampled'] += count
            state['own'][keys[-1]] = state['own'].get(keys[-1], 0) + count
            for key in set(keys):
                state['incl'][key] = state['incl'].get(key, 0) + count
        with open(self.novalite.profile_out, 'w') as f:
            json.dump(state, f)


class Novalite:
    """A novalite of our own in a temporary state directory."""

    def __init__(self, transport, profile, keep_dir=False,
                 database='sqlite', agents=1):
        self.transport = transport
        self.profile = profile
        self.keep_dir = keep_dir
        self.dir = tempfile.mkdtemp(prefix='novalite-bench-')
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.conf = os.path.join(self.dir, 'novalite.conf')
        self.procs = []
        # Host names (and so the agents' topics on the shared broker) are
        # unique to the run: two runs at once never take each other's
        # messages.
        self.tag = uuid.uuid4().hex[:8]
        self.host = 'bench-%s' % self.tag
        self.agents = agents if transport == 'rabbit' else 1
        self.hosts = [self.host] if self.agents == 1 else [
            '%s-%d' % (self.host, n) for n in range(1, self.agents + 1)]
        self.database = database
        self.db_name = None
        self.db_created = False
        if database == 'sqlite':
            self.db_url = 'sqlite:///%s/novalite.sqlite' % self.dir
        else:
            self.db_name = 'novalite_bench_%s' % self.tag
            self.db_url = DATABASES[database] % self.db_name
        self.profile_out = os.path.join(self.dir, 'api-profile.json')
        bindir = os.path.dirname(sys.executable)
        self.bindir = bindir if os.path.exists(
            os.path.join(bindir, 'novalite-api')) else None

    def _script(self, name):
        if self.bindir:
            return [os.path.join(self.bindir, name)]
        found = shutil.which(name)
        if not found:
            raise SystemExit('%s not found: run with the novalite venv '
                             '(/opt/nl-venv/bin/python)' % name)
        return [found]

    def write_config(self):
        url = RABBIT_URL if self.transport == 'rabbit' else 'kombu+memory:///'
        with open(self.conf, 'w') as f:
            f.write('[DEFAULT]\n'
                    'state_path = %(dir)s\n'
                    'host = %(host)s\n'
                    'compute_driver = fake.FakeDriver\n'
                    'osapi_compute_listen = 127.0.0.1\n'
                    'osapi_compute_listen_port = %(port)d\n'
                    'transport_url = %(url)s\n'
                    # room for the --scale servers on one fake host
                    'fake_vcpus = 16384\n'
                    'fake_memory_mb = 16777216\n'
                    'fake_local_gb = 1000000\n'
                    '[oslo_messaging_rabbit]\n'
                    'rabbit_transient_queues_ttl = 60\n'
                    '[api]\n'
                    'auth_strategy = noauth2\n'
                    '[database]\n'
                    'connection = %(db)s\n'
                    '[quota]\n'
                    'instances = -1\n'
                    'cores = -1\n'
                    'ram = -1\n'
                    % {'dir': self.dir, 'port': self.port, 'url': url,
                       'host': self.host, 'db': self.db_url})

    def _admin_engine(self):
        import sqlalchemy as sa
        return sa.create_engine(DATABASE_ADMIN[self.database],
                                isolation_level='AUTOCOMMIT',
                                poolclass=sa.pool.NullPool)

    def create_database(self):
        """A fresh MariaDB/PostgreSQL database for the run (SQLite: the
        file novalite-manage db sync creates)."""
        if not self.db_name:
            return
        import sqlalchemy as sa
        charset = ' CHARACTER SET utf8mb4' if self.database == 'mysql' \
            else ''
        engine = self._admin_engine()
        try:
            with engine.connect() as conn:
                conn.execute(sa.text('CREATE DATABASE %s%s' % (
                    self.db_name, charset)))
        except sa.exc.SQLAlchemyError as exc:
            raise SystemExit('cannot create database %s on %s: %s' % (
                self.db_name, DATABASE_ADMIN[self.database], exc))
        finally:
            engine.dispose()
        self.db_created = True

    def drop_database(self):
        if not self.db_created:
            return
        import sqlalchemy as sa
        engine = self._admin_engine()
        try:
            with engine.connect() as conn:
                conn.execute(sa.text('DROP DATABASE IF EXISTS %s'
                                     % self.db_name))
            self.db_created = False
        except sa.exc.SQLAlchemyError as exc:
            error('novalite', 'cannot drop database %s: %s' % (
                self.db_name, exc))
        finally:
            engine.dispose()

    def manage(self, *args):
        cmd = self._script('novalite-manage') + ['--config-file',
                                                 self.conf] + list(args)
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode:
            raise SystemExit('%s failed (%d):\n%s%s' % (
                ' '.join(cmd), result.returncode, result.stdout,
                result.stderr))
        return result.stdout

    def host_conf(self, host):
        """A second config file that names one agent's host."""
        path = os.path.join(self.dir, 'host-%s.conf' % host)
        with open(path, 'w') as f:
            f.write('[DEFAULT]\nhost = %s\n' % host)
        return path

    def spawn(self, entry, name=None, host=None):
        name = name or entry
        log = os.path.join(self.dir, name + '.log')
        args = ['--config-file', self.conf, '--log-file', log]
        if host and host != self.host:
            args[2:2] = ['--config-file', self.host_conf(host)]
        if self.profile in ('pyinstrument', 'cprofile') and \
                entry in ('api', 'all'):
            cmd = [sys.executable, '-c', _PROFILE_BOOT, self.profile_out,
                   entry, self.profile] + args
        else:
            cmd = self._script('novalite-' + entry) + args
        out = open(os.path.join(self.dir, name + '.out'), 'w')
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL,
                                start_new_session=True)
        out.close()
        self.procs.append((name, proc))
        return proc

    def pid(self, name):
        return dict(self.procs)[name].pid

    def start(self):
        self.write_config()
        self.create_database()
        self.manage('db', 'sync')
        self.manage('flavor', 'create', '--name', 'm1.tiny', '--id', FLAVOR,
                    '--ram', '512', '--vcpus', '1', '--disk', '1')
        image = os.path.join(self.dir, 'cirros.raw')
        with open(image, 'wb') as f:
            f.write(b'\0' * 65536)
        self.manage('image', 'create', '--name', 'cirros', '--file', image,
                    '--disk-format', 'raw', '--id', IMAGE)
        if self.transport == 'rabbit':
            for n, host in enumerate(self.hosts, 1):
                self.spawn('compute', 'compute' if self.agents == 1
                           else 'compute-%d' % n, host)
            api = self.spawn('api')
        else:
            api = self.spawn('all')
        if not wait_http(self.url, 60, api):
            self.stop()
            raise SystemExit('novalite API did not answer on %s; see %s'
                             % (self.url, self.dir))
        note('  novalite (%s, %s) on %s, state %s, pids %s' % (
            self.transport, self.database, self.url, self.dir,
            ' '.join('%s=%d' % (n, p.pid) for n, p in self.procs)))

    def wait_agents(self, timeout):
        """Wait until every agent is up in novalite-manage service list."""
        end = time.monotonic() + timeout
        while True:
            up = set()
            for line in self.manage('service', 'list').splitlines()[1:]:
                fields = line.split()
                if len(fields) > 4 and fields[4] == 'up':
                    up.add(fields[0])
            if set(self.hosts) <= up:
                return True
            if time.monotonic() > end or any(
                    p.poll() is not None for n, p in self.procs):
                error('novalite', 'agents up after %.0f s: %s of %s' % (
                    timeout, sorted(up), self.hosts))
                return False
            time.sleep(0.5)

    def check_alive(self):
        for name, proc in self.procs:
            if proc.poll() is not None:
                error('novalite', 'process %s exited with %s; see %s' % (
                    name, proc.returncode, self.dir))

    def stop(self):
        # API first; the profiling wrapper writes its stats on SIGTERM.
        for name, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.procs = []

    def cleanup(self, label):
        """Remove the state directory and the database, unless kept or
        errors were seen."""
        if self.keep_dir or any(line.startswith('[%s]' % label)
                                for line in ERRORS):
            note('  novalite state, config and logs kept in %s' % self.dir)
            if self.db_created:
                note('  novalite database kept: %s (DROP DATABASE %s)'
                     % (self.db_url, self.db_name))
        else:
            self.drop_database()
            shutil.rmtree(self.dir, ignore_errors=True)


def probe_accept(client):
    """Record whether 'Accept: application/json' is accepted."""
    for path in ('/', '/v2.1/servers'):
        status, payload = client.call(
            'GET', path, headers={'Accept': 'application/json'})
        if status != 200:
            error(client.system, 'GET %s with Accept: application/json -> '
                  '%d %s' % (path, status, payload[:200].decode(
                      'utf-8', 'replace')))


def wait_agent(client, servers, timeout):
    """Wait until a create succeeds (the agent has reported in)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        status, payload = client.call(
            'POST', '/v2.1/servers', servers.create_body(
                servers.prefix + '-warmup'))
        if status == 202:
            server_id = json.loads(payload)['server']['id']
            server = None
            for _ in range(2000):
                server = servers.show(server_id)
                if server and server['status'] != 'BUILD':
                    break
                time.sleep(0.01)
            status = server and server['status']
            client.json('DELETE', '/v2.1/servers/' + server_id,
                        expect=(204, 404))
            if status == 'ACTIVE':
                return True
        time.sleep(0.5)
    error(client.system, 'no create succeeded in %.0f s' % timeout)
    return False


# ----------------------------------------------------------------- Nova


class NovaAnchor:
    """The Nova anchor: the one already running, or one we start.

    A running anchor is used if its quota lets the project hold the
    servers; otherwise (it was started with Nova's default quota of 10
    instances) a private one is started on a free port, with its own
    pid file and logs, and the shared venv.
    """

    def __init__(self, directory):
        self.dir = directory
        self.home = os.environ.get('NOVA_ANCHOR_HOME', '/tmp/nova-anchor')
        self.env = None
        self.private = None

    def _room(self, url, token, need):
        client = Client('nova', url, token)
        status, body = client.json('GET', '/v2.1/limits', expect=(200,))
        client.close()
        absolute = (body or {}).get('limits', {}).get('absolute', {})
        most = absolute.get('maxTotalInstances', 0)
        return most == -1 or most - absolute.get(
            'totalInstancesUsed', 0) >= need

    def start(self, url, token, need):
        """The URL of an anchor with room for ``need`` more servers."""
        env = dict(os.environ, ANCHOR_QUOTA='unlimited')
        if wait_http(url, 1):
            if self._room(url, token, need):
                note('  Nova anchor already answering on %s: using it' % url)
                return url
            self.private = tempfile.mkdtemp(prefix='nova-anchor-bench-')
            os.symlink(os.path.join(self.home, '.venv'),
                       os.path.join(self.private, '.venv'))
            port = free_port()
            url = 'http://127.0.0.1:%d' % port
            env.update(NOVA_ANCHOR_HOME=self.private, ANCHOR_PORT=str(port),
                       ANCHOR_PIDFILE=os.path.join(self.private, 'pid'),
                       ANCHOR_LOG=os.path.join(self.private, 'anchor.log'))
            note('  Nova anchor on %s lacks quota for %d servers: starting '
                 'a private one on %s' % (NOVA_URL, need, url))
        else:
            port = urllib.parse.urlsplit(url).port
            if port:
                env['ANCHOR_PORT'] = str(port)
        result = subprocess.run(['./start.sh'], cwd=self.dir, env=env,
                                capture_output=True, text=True)
        if result.returncode:
            raise SystemExit('Nova anchor start failed:\n%s%s' % (
                result.stdout, result.stderr))
        if 'already running' not in result.stdout:
            self.env = env
        note('  ' + result.stdout.strip())
        return url

    def stop(self):
        if self.env:
            result = subprocess.run(['./stop.sh'], cwd=self.dir,
                                    env=self.env, capture_output=True,
                                    text=True)
            note('  Nova anchor: ' + result.stdout.strip())
            self.env = None
        if self.private:
            shutil.rmtree(self.private, ignore_errors=True)
            self.private = None


# ------------------------------------------------------------- profiles


def _short(path):
    """A path from the package root: novalite/..., webob/..., json/..."""
    if '/novalite/' in path:
        return 'novalite/' + path.rsplit('/novalite/', 1)[1]
    if 'site-packages/' in path:
        return path.rsplit('site-packages/', 1)[1]
    if '/lib/python3' in path:
        return path.split('/lib/python3', 1)[1].split('/', 1)[-1]
    return path


def _where(key):
    path, line, func = key.rsplit(':', 2)
    if path.startswith('~') or path == '<built-in>':
        return func
    return '%s:%s:%s' % (path, line, func)


def _package(key):
    path = key.rsplit(':', 2)[0]
    if path.startswith('~') or path == '<built-in>':
        return 'builtins (C)'
    if not path:
        return '(unknown)'
    if path.startswith('novalite/'):
        return path.rsplit('/', 1)[0]
    return path.split('/', 1)[0]


def report_profile(path, top):
    try:
        with open(path) as f:
            prof = json.load(f)
    except (OSError, ValueError) as exc:
        note('  no profile written (%s)' % exc)
        return
    total = prof['sampled'] or 1e-9
    requests = prof['requests'] or 1
    note('\nProfile of the API process (%s): %d profiled requests, '
         '%.1f ms each under the profiler; shares of profiled time' % (
             prof['profiler'], prof['requests'],
             1e3 * prof['wall'] / requests))
    own, incl = {}, {}
    for source, target in ((prof['own'], own), (prof['incl'], incl)):
        for key, spent in source.items():
            path, line, func = key.rsplit(':', 2)
            key = '%s:%s:%s' % (_short(path), line, func)
            target[key] = target.get(key, 0) + spent
    ours = sorted(((t, k) for k, t in incl.items()
                   if k.startswith('novalite/')), reverse=True)
    note('  novalite functions by inclusive time (incl / own):')
    for spent, key in ours[:top]:
        note('    %5.1f%% %5.1f%%  %s' % (
            100 * spent / total, 100 * own.get(key, 0) / total,
            _where(key)))
    note('  any code by own time:')
    for spent, key in sorted(((t, k) for k, t in own.items()),
                             reverse=True)[:top]:
        note('    %5.1f%%  %s' % (100 * spent / total, _where(key)))
    groups = {}
    for key, spent in own.items():
        group = _package(key)
        groups[group] = groups.get(group, 0.0) + spent
    note('  own time by package:')
    for group, spent in sorted(groups.items(), key=lambda i: -i[1])[:top]:
        note('    %5.1f%%  %s' % (100 * spent / total, group))


# ------------------------------------------------------------- a system


def run_system(label, url, args, nova, profiling=None):
    """All measurements on one system; a dict of results."""
    note('\n== %s (%s) ==' % (label, url))
    client = Client(label, url, args.token)
    prefix = 'nlbench-%s' % uuid.uuid4().hex[:8]
    poll = (args.nova_poll_ms if nova else args.poll_ms) / 1000.0
    servers = Servers(client, prefix, nova, poll)
    timeout = 120 if nova else 30
    res = {'label': label}
    try:
        probe_accept(client)
        status, body = client.json('GET', '/v2.1/', expect=(200,))
        res['max'] = (body or {}).get('version', {}).get('version', '?')
        if not nova and not wait_agent(client, servers, 60):
            return res
        creates = args.nova_creates if nova else args.creates
        res['active'], res['post'] = measure_active(servers, creates,
                                                    timeout)
        have, made = servers.fill(args.servers,
                                  1 if nova else args.batch, timeout)
        res['present'] = have
        requests = args.nova_requests if nova else args.requests
        seconds = args.nova_seconds if nova else args.seconds
        for version in args.versions:
            m = measure_get(client, '/v2.1/servers/detail', version,
                            requests, seconds, warmup=1 if nova else 3)
            shown = version
            if version == 'latest':
                shown = 'latest=%s' % res['max']
            note('  GET /servers/detail [%s]: %d servers, %d B: %.1f req/s,'
                 ' p50 %.1f ms, p90 %.1f ms (n=%d, %d new connections)' % (
                     shown, m['items'], m['size'], m['rps'],
                     1e3 * m['lat']['p50'], 1e3 * m['lat']['p90'],
                     m['lat']['n'], m['connections']))
            res['detail ' + version] = m
        if profiling and not nova:
            profiling.begin()
            started = time.perf_counter()
            m = measure_get(client, '/v2.1/servers/detail', None,
                            args.requests, 0, warmup=0,
                            headers=profiling.headers)
            profiling.end(m['lat']['n'], time.perf_counter() - started)
            note('  profiled run: %.1f req/s under %s' % (m['rps'],
                                                          profiling.kind))
        if not nova and args.scale:
            measure_scale(client, servers, args, res)
    finally:
        if not args.keep:
            servers.delete_all(wait=0 if nova else 60)
        res['requests'] = client.requests
        res['connections'] = client.connections
        client.close()
    return res


def measure_scale(client, servers, args, res):
    path = '/v2.1/servers/detail?limit=10'
    small = measure_get(client, path, None, args.requests, 0)
    before = servers.total()
    have, made = servers.fill(args.scale, args.batch, 30)
    large = measure_get(client, path, None, args.requests, 0)
    full = measure_get(client, '/v2.1/servers/detail', None,
                       max(3, args.requests // 20), 0, warmup=1)
    res['scale'] = (before, small, have, large, full)
    note('  detail?limit=10: p50 %.2f ms with %d servers, %.2f ms with %d '
         '(x%.2f); full detail of %d: p50 %.1f ms, %.1f req/s' % (
             1e3 * small['lat']['p50'], before, 1e3 * large['lat']['p50'],
             have, large['lat']['p50'] / small['lat']['p50'],
             full['items'], 1e3 * full['lat']['p50'], full['rps']))


# ------------------------------------------------------------------ load

# The load mode's mix: (operation, weight). A client that has no server
# of its own to show shows... nothing: it creates one instead; one that has
# no server known to be ACTIVE to delete shows one of its servers instead
# (which is how it learns that they became ACTIVE). The table gives the
# mix that was actually run.
LOAD_MIX = (('list', 50), ('show', 25), ('create', 15), ('delete', 10))
LOAD_LABELS = {'list': 'GET /servers/detail?limit=50',
               'show': 'GET /servers/{id}',
               'create': 'POST /servers',
               'delete': 'DELETE /servers/{id}'}
LOAD_EXPECT = {'list': 200, 'show': 200, 'create': 202, 'delete': 204}
LOAD_SAMPLES = 5  # error messages kept per client


class LoadRun:
    """What the load clients share: when to measure, when to stop."""

    def __init__(self):
        self.began = time.perf_counter()
        self.since = math.inf  # perf_counter() from which to measure
        self.stop = threading.Event()


class LoadClient(threading.Thread):
    """One user of the load mode: a persistent connection, its own
    servers and the weighted mix of operations on them."""

    def __init__(self, index, url, token, prefix, run):
        super().__init__(name='load-%d' % index, daemon=True)
        self.client = Client('load-%d' % index, url, token, timeout=60)
        self.run_state = run
        self.rng = random.Random('%s-%d' % (prefix, index))
        self.prefix = '%s-c%d' % (prefix, index)
        self.made = 0
        self.own = {}         # server id: status last seen
        self.deleted = set()  # answered 204 to DELETE
        self.unsure = set()   # DELETE without an answer: gone or not
        self.times = {op: [] for op, _w in LOAD_MIX}
        self.errors = {op: 0 for op, _w in LOAD_MIX}
        self.kinds = {}       # (op, status or exception): times
        self.samples = []     # first few error messages

    def run(self):
        ops = [op for op, _w in LOAD_MIX]
        weights = [w for _op, w in LOAD_MIX]
        try:
            while not self.run_state.stop.is_set():
                self.step(self.rng.choices(ops, weights)[0])
        finally:
            self.client.close()

    def step(self, op):
        server_id = None
        if op == 'delete':
            ready = [i for i, s in self.own.items() if s == 'ACTIVE']
            if ready:
                server_id = self.rng.choice(ready)
            else:
                op = 'show'
        if op == 'show' and server_id is None:
            if self.own:
                server_id = self.rng.choice(list(self.own))
            else:
                op = 'create'
        body = None
        if op == 'list':
            method, path = 'GET', '/v2.1/servers/detail?limit=50'
        elif op == 'show':
            method, path = 'GET', '/v2.1/servers/' + server_id
        elif op == 'create':
            self.made += 1
            method, path = 'POST', '/v2.1/servers'
            body = {'server': {'name': '%s-%d' % (self.prefix, self.made),
                               'flavorRef': FLAVOR, 'imageRef': IMAGE}}
        else:
            method, path = 'DELETE', '/v2.1/servers/' + server_id
        begin = time.perf_counter()
        try:
            status, payload = self.client.call(method, path, body)
        except (OSError, http.client.HTTPException) as exc:
            self.client.conn.close()
            if op == 'delete':
                del self.own[server_id]
                self.unsure.add(server_id)
            self.failed(op, type(exc).__name__, '%s %s -> %s: %s' % (
                method, path, type(exc).__name__, exc))
            self.run_state.stop.wait(0.1)  # no busy loop on a dead API
            return
        spent = time.perf_counter() - begin
        if begin >= self.run_state.since:
            self.times[op].append(spent)
        if status != LOAD_EXPECT[op]:
            self.failed(op, status, '%s %s -> %d %s' % (
                method, path, status,
                payload[:300].decode('utf-8', 'replace')))
            return
        try:
            answer = json.loads(payload) if payload else None
        except ValueError:
            self.failed(op, 'not JSON', '%s %s -> %d, not JSON: %r' % (
                method, path, status, payload[:200]))
            return
        if op == 'list':
            for server in answer['servers']:
                if server['id'] in self.own:
                    self.own[server['id']] = server['status']
        elif op == 'show':
            self.own[server_id] = answer['server']['status']
        elif op == 'create':
            self.own[answer['server']['id']] = 'BUILD'
        else:
            del self.own[server_id]
            self.deleted.add(server_id)

    def failed(self, op, kind, message):
        self.errors[op] += 1
        key = (op, kind)
        self.kinds[key] = self.kinds.get(key, 0) + 1
        if len(self.samples) < LOAD_SAMPLES:
            self.samples.append('%.1f s: %s' % (
                time.perf_counter() - self.run_state.began, message))


def rss_kib(pid):
    """VmRSS of a process in KiB (None once it is gone)."""
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid):
    """User + system CPU time of a process so far (None once gone)."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def list_run(client, prefix):
    """{id: server} of the servers named after the run (detail, paged);
    None when a page was refused."""
    found = {}
    query = {'name': '^%s-' % prefix, 'limit': 1000}
    while True:
        try:
            status, body = client.call('GET', '/v2.1/servers/detail?' +
                                       urllib.parse.urlencode(query))
        except (OSError, http.client.HTTPException):
            client.conn.close()
            return None
        if status != 200:
            return None
        body = json.loads(body)
        found.update((s['id'], s) for s in body['servers'])
        if not body['servers'] or not body.get('servers_links'):
            return found
        query['marker'] = body['servers'][-1]['id']


def show_statuses(url, token, ids, threads=8):
    """{id: status of GET /servers/{id}} over a few connections."""
    ids = list(ids)
    statuses = {}

    def work(part):
        client = Client('novalite', url, token)
        try:
            for server_id in part:
                try:
                    statuses[server_id] = client.call(
                        'GET', '/v2.1/servers/' + server_id)[0]
                except (OSError, http.client.HTTPException) as exc:
                    client.conn.close()
                    statuses[server_id] = type(exc).__name__
        finally:
            client.close()
    workers = [threading.Thread(target=work, args=(ids[n::threads],))
               for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return statuses


def settle(url, token, prefix, clients, timeout):
    """Wait until the run's servers have settled; what is wrong then.

    Settled: no task_state, not BUILD, deleted servers no longer listed.
    Wrong: ERROR, still BUILD, a task_state left, any other status, a
    deleted server still listed or not 404, a server neither deleted nor
    listed, a listed server that no create answered for.
    """
    alive, deleted, unsure = set(), set(), set()
    for c in clients:
        alive.update(c.own)
        deleted.update(c.deleted)
        unsure.update(c.unsure)
    project = token.split(':')[-1]
    # admin of the same project: sees OS-EXT-SRV-ATTR:host
    check = Client('novalite', url, 'admin:%s' % project)
    started = time.monotonic()
    listed = {}
    while True:
        scan = list_run(check, prefix)
        if scan is not None:
            listed = scan
            pending = [i for i, s in listed.items()
                       if s['status'] == 'BUILD' or i in deleted
                       or s.get('OS-EXT-STS:task_state')]
            if not pending:
                break
        if time.monotonic() - started > timeout:
            break
        time.sleep(1.0)
    waited = time.monotonic() - started
    wrong = {}  # kind: [server ids]
    hosts = {}
    for server_id, server in listed.items():
        status = server['status']
        task = server.get('OS-EXT-STS:task_state')
        if server_id in deleted:
            kind = 'deleted (204), still listed as %s/%s' % (status, task)
        elif server_id not in alive and server_id not in unsure:
            kind = 'listed, but no create answered 202 for it (%s/%s)' % (
                status, task)
        elif status == 'ERROR':
            kind = 'ERROR'
        elif task:
            kind = '%s with task_state %s' % (status, task)
        elif status != 'ACTIVE':
            kind = status
        else:
            host = server.get('OS-EXT-SRV-ATTR:host')
            hosts[host] = hosts.get(host, 0) + 1
            continue
        wrong.setdefault(kind, []).append(server_id)
    for server_id in alive - set(listed):
        wrong.setdefault('not deleted, but not listed', []).append(server_id)
    gone = deleted - set(listed)
    for server_id, status in show_statuses(url, token, gone).items():
        if status != 404:
            wrong.setdefault('deleted (204), GET /servers/{id} -> %s'
                             % status, []).append(server_id)
    faults = {}
    for server_id in wrong.get('ERROR', ())[:3]:
        faults[server_id] = listed[server_id].get('fault')
    check.close()
    return {'waited': waited, 'wrong': wrong, 'hosts': hosts,
            'alive': len(alive), 'deleted': len(deleted),
            'unsure': len(unsure), 'listed': len(listed), 'faults': faults}


def run_load(args):
    """The load mode: our own novalite with agents; a dict of results."""
    transport = args.transport
    if transport in ('auto', 'both'):
        transport = 'rabbit'
    if transport == 'rabbit' and not port_open(RABBIT):
        raise SystemExit('RabbitMQ does not answer on %s:%d' % RABBIT)
    note('\n== load: %d clients for %.0f s (+%.0f s warm-up), novalite-api '
         '+ %d agents over %s, %s ==' % (
             args.clients, args.duration, args.warmup, args.agents,
             transport, args.database))
    own = Novalite(transport, None, keep_dir=args.keep,
                   database=args.database, agents=args.agents)
    res = None
    try:
        own.start()
        if transport == 'rabbit' and not own.wait_agents(60):
            return None
        probe = Servers(Client('novalite', own.url, args.token),
                        'nlprobe-%s' % own.tag, False, 0.01)
        if not wait_agent(probe.client, probe, 60):
            return None
        probe.client.close()
        res = load(own, args)
        own.check_alive()
        load_verdict(res)  # before cleanup: errors keep the logs
    finally:
        own.stop()
        own.cleanup('novalite')
    return res


def load_verdict(res):
    """(failed requests, servers in a wrong state); records them."""
    failed = sum(sum(c.errors.values()) for c in res['clients'])
    if res['settle'] is None:
        error('novalite', 'load: servers not checked, the API exited')
        return failed, None
    wrong = sum(len(ids) for ids in res['settle']['wrong'].values())
    if failed:
        error('novalite', 'load: %d requests failed' % failed)
    if wrong:
        error('novalite', 'load: %d servers in a wrong state' % wrong)
    return failed, wrong


def load(own, args):
    prefix = 'nlload-%s' % own.tag
    run = LoadRun()
    clients = [LoadClient(n, own.url, args.token, prefix, run)
               for n in range(args.clients)]
    pids = {name: proc.pid for name, proc in own.procs}
    api = 'api' if 'api' in pids else 'all'
    for client in clients:
        client.start()
    note('  %d clients started; warm-up %.0f s' % (len(clients),
                                                   args.warmup))
    time.sleep(args.warmup)
    rss = {name: [rss_kib(pid)] for name, pid in pids.items()}
    cpu = {name: [cpu_seconds(pid)] for name, pid in pids.items()}
    cpu['clients'] = [cpu_seconds(os.getpid())]  # this process
    loadavg = [os.getloadavg()[0]]
    run.since = started = time.perf_counter()
    end = started + args.duration
    last = started
    while True:
        now = time.perf_counter()
        if now >= end:
            break
        time.sleep(min(5.0, end - now))
        for name, pid in pids.items():
            rss[name].append(rss_kib(pid))
        dead = [n for n, p in own.procs if p.poll() is not None]
        if dead:
            error('novalite', 'process %s exited during the load; see %s'
                  % (', '.join(dead), own.dir))
            break
        if time.perf_counter() - last >= 30:
            last = time.perf_counter()
            done = sum(len(t) for c in clients for t in c.times.values())
            note('  %4.0f s: %d requests (%.0f/s), %d errors, API RSS %.1f '
                 'MiB' % (last - started, done, done / (last - started),
                          sum(sum(c.errors.values()) for c in clients),
                          (rss[api][-1] or 0) / 1024.0))
    run.stop.set()
    stopped = time.perf_counter()
    for name, pid in pids.items():
        rss[name].append(rss_kib(pid))
        cpu[name].append(cpu_seconds(pid))
    cpu['clients'].append(cpu_seconds(os.getpid()))
    loadavg.append(os.getloadavg()[0])
    for client in clients:
        client.join(max(1.0, stopped + 90 - time.perf_counter()))
    stuck = [c.name for c in clients if c.is_alive()]
    if stuck:
        error('novalite', '%d clients still in a request 90 s after the '
              'end' % len(stuck))
    res = {'seconds': stopped - started, 'rss': rss, 'api': api,
           'clients': clients, 'cpu': cpu, 'loadavg': loadavg,
           'connections': sum(c.client.connections for c in clients)}
    if dict(own.procs)[api].poll() is not None:
        res['settle'] = None  # nothing to ask
        return res
    note('  clients stopped after %.1f s; waiting up to %.0f s for the '
         'servers to settle' % (stopped - started, args.settle))
    res['settle'] = settle(own.url, args.token, prefix, clients,
                           args.settle)
    return res


def load_table(res, args):
    clients = res['clients']
    rows = []
    everything = []
    total_errors = 0
    counts = {op: sum(len(c.times[op]) for c in clients)
              for op, _w in LOAD_MIX}
    measured = sum(counts.values()) or 1
    for op, weight in LOAD_MIX:
        times = [t for c in clients for t in c.times[op]]
        errors = sum(c.errors[op] for c in clients)
        total_errors += errors
        everything.extend(times)
        rows.append(_load_row(LOAD_LABELS[op] + ' (%d%%)' % weight, times,
                              measured, errors))
    rows.append(_load_row('total', everything, measured, total_errors))
    header = ['operation (mix)', 'count', 'share', 'p50 ms', 'p99 ms',
              'max ms', 'errors']
    print_table(header, rows)
    seconds = res['seconds']
    deletes = sum(len(c.deleted) for c in clients)
    note('\n%d clients, %d agents, %s: %.1f s measured after a %.0f s '
         'warm-up; %.1f requests/s; %d connections opened by %d clients '
         '(waitress closes the connection after a 204: %d DELETEs)'
         % (len(clients), args.agents, args.database, seconds, args.warmup,
            len(everything) / seconds, res['connections'], len(clients),
            deletes))
    busy = ['%s %s%%' % (name, fmt(None if None in v else
                                   100 * (v[1] - v[0]) / seconds, 0))
            for name, v in sorted(res['cpu'].items(),
                                  key=lambda i: i[0] != res['api'])]
    note('CPU over the measured part (100%% = one core): %s; load average '
         '(1 min) %.1f at the start, %.1f at the end, %d CPUs' % (
             ', '.join(busy), res['loadavg'][0], res['loadavg'][1],
             os.cpu_count()))
    note('Errors count the whole run (warm-up too); latencies only the '
         'measured part.')
    s = res['settle']
    made = sum(c.made for c in clients)
    wrong = None
    if s is None:
        note('Servers: %d creates sent, %d deleted (204); not checked: the '
             'API exited' % (made, deletes))
    else:
        note('Servers: %d creates sent, %d deleted (204), %d left; %d '
             'listed at the end, settled after %.1f s; ACTIVE per agent '
             'host: %s' % (made, s['deleted'], s['alive'], s['listed'],
                           s['waited'], ', '.join(
                               '%s %d' % (h, n) for h, n in
                               sorted(s['hosts'].items(), key=str)) or '-'))
        wrong = sum(len(ids) for ids in s['wrong'].values())
        note('Servers in a wrong state: %d%s' % (wrong, ':' if wrong
                                                 else ''))
        for kind, ids in sorted(s['wrong'].items()):
            note('  %d %s, e.g. %s' % (len(ids), kind, ', '.join(ids[:3])))
        for server_id, fault in s['faults'].items():
            note('  fault of %s: %s' % (server_id,
                                        json.dumps(fault)[:300]))
    rss = res['rss']
    bound = args.rss_bound
    start = rss[res['api']][0]
    final = rss[res['api']][-1]
    growth = None
    if start and final:
        growth = (final - start) / 1024.0
    peak = max([v for v in rss[res['api']] if v] or [0]) / 1024.0
    note('API RSS: %s MiB after the warm-up, %s MiB at the end, peak %.1f '
         'MiB; growth %s MiB (bound %.0f MiB: %s)' % (
             fmt(start and start / 1024.0), fmt(final and final / 1024.0),
             peak, fmt(growth), bound,
             'within' if growth is not None and growth <= bound
             else 'EXCEEDED'))
    agents = ['%s %s->%s' % (name, fmt(v[0] and v[0] / 1024.0),
                             fmt(v[-1] and v[-1] / 1024.0))
              for name, v in sorted(rss.items()) if name != res['api']]
    if agents:
        note('Agents RSS (MiB): ' + ', '.join(agents))
    kinds = {}
    for c in clients:
        for key, times in c.kinds.items():
            kinds[key] = kinds.get(key, 0) + times
    if kinds:
        note('Errors by operation and answer: ' + ', '.join(
            '%s %s x%d' % (op, kind, times)
            for (op, kind), times in sorted(kinds.items(), key=str)))
        note('Error samples:')
        samples = [m for c in clients for m in c.samples]
        for message in sorted(samples, key=lambda m: float(
                m.split(' s:')[0]))[:12]:
            note('  ' + message)
    note('Targets:')
    note('  errors %d = 0: %s' % (total_errors,
                                  'MET' if not total_errors else 'NOT MET'))
    note('  servers in a wrong state %s = 0: %s' % (
        '-' if wrong is None else wrong,
        'MET' if wrong == 0 else 'NOT MET'))
    note('  API RSS growth %s MiB <= %.0f MiB: %s' % (
        fmt(growth), bound, 'MET' if growth is not None and growth <= bound
        else 'NOT MET'))


def _load_row(name, times, measured, errors):
    if not times:
        return [name, 0, '-', '-', '-', '-', errors]
    return [name, len(times), '%.1f%%' % (100.0 * len(times) / measured),
            fmt(1e3 * statistics.median(times)),
            fmt(1e3 * pct(times, 0.99)), fmt(1e3 * max(times)), errors]


# ----------------------------------------------------------------- table


def print_table(header, rows):
    """``rows`` under ``header``: first column left, the others right."""
    widths = [max(len(str(row[i])) for row in rows + [header])
              for i in range(len(header))]
    note('')
    line = '  '.join(h.ljust(widths[0]) if i == 0 else h.rjust(widths[i])
                     for i, h in enumerate(header))
    note(line)
    note('-' * len(line))
    for row in rows:
        note('  '.join(str(c).ljust(widths[0]) if i == 0
                       else str(c).rjust(widths[i])
                       for i, c in enumerate(row)))


def ratio(a, b):
    if a is None or b is None or not b:
        return None
    return a / b


def fmt(value, digits=1):
    if value is None:
        return '-'
    return '%.*f' % (digits, value)


def table(results, nova, args):
    lites = [r for r in results]
    header = ['metric'] + [r['label'] for r in lites]
    if nova:
        header.append(nova['label'])
        header += ['ratio %s' % r['label'].split()[-1] for r in lites]
    rows = []
    targets = []

    def latency(key, field, name):
        vals = [r.get(key) and 1e3 * r[key][field] for r in lites]
        nv = nova and nova.get(key) and 1e3 * nova[key][field]
        row = [name] + [fmt(v) for v in vals]
        if nova:
            row.append(fmt(nv))
            row += [fmt(ratio(nv, v), 1) + 'x' for v in vals]
        rows.append(row)
        return vals

    p50 = latency('active', 'p50', 'POST->ACTIVE p50 ms')
    latency('active', 'p90', 'POST->ACTIVE p90 ms')
    p99 = latency('active', 'p99', 'POST->ACTIVE p99 ms')
    latency('active', 'mean', 'POST->ACTIVE mean ms')
    post = latency('post', 'p50', 'POST (202) p50 ms')
    latency('post', 'p99', 'POST (202) p99 ms')
    for r, v, v99, vpost in zip(lites, p50, p99, post):
        for what, value, target in (
                ('POST->ACTIVE p50', v, TARGET_ACTIVE_MS),
                ('POST->ACTIVE p99', v99, TARGET_ACTIVE_P99_MS),
                ('POST p50', vpost, TARGET_POST_MS)):
            ok = value is not None and value <= target
            targets.append('%s: %s %s ms <= %.0f ms: %s' % (
                r['label'], what, fmt(value), target,
                'MET' if ok else 'NOT MET'))
    for version in args.versions:
        key = 'detail ' + version
        shown = version
        if version == 'latest':
            shown = 'latest (%s)' % '/'.join(
                r.get('max', '?') for r in lites + ([nova] if nova else []))
        vals = [r.get(key) and r[key]['rps'] for r in lites]
        nv = nova and nova.get(key) and nova[key]['rps']
        row = ['detail %s req/s' % shown] + [fmt(v) for v in vals]
        if nova:
            row.append(fmt(nv, 2))
            row += [fmt(ratio(v, nv), 1) + 'x' for v in vals]
            for r, v in zip(lites, vals):
                x = ratio(v, nv)
                targets.append(
                    '%s: detail %s throughput %sx Nova >= %.0fx: %s' % (
                        r['label'], version, fmt(x), TARGET_THROUGHPUT,
                        'MET' if x and x >= TARGET_THROUGHPUT
                        else 'NOT MET'))
        rows.append(row)
        vals = [r.get(key) and 1e3 * r[key]['lat']['p50'] for r in lites]
        nv = nova and nova.get(key) and 1e3 * nova[key]['lat']['p50']
        row = ['detail %s p50 ms' % shown] + [fmt(v) for v in vals]
        if nova:
            row.append(fmt(nv))
            row += [fmt(ratio(nv, v), 1) + 'x' for v in vals]
        rows.append(row)
    if any('scale' in r for r in lites):
        for index, name in ((1, 'limit=10 p50 ms @%s'),
                            (3, 'limit=10 p50 ms @%s')):
            vals = []
            counts = set()
            for r in lites:
                s = r.get('scale')
                vals.append(s and 1e3 * s[index]['lat']['p50'])
                if s:
                    counts.add(str(s[index - 1]))
            row = [name % '/'.join(sorted(counts))] + [
                fmt(v, 2) for v in vals]
            if nova:
                row.append('-')
                row += ['' for _ in vals]
            rows.append(row)
    row = ['HTTP requests/connections'] + [
        '%d/%d' % (r.get('requests', 0), r.get('connections', 0))
        for r in lites]
    if nova:
        row.append('%d/%d' % (nova.get('requests', 0),
                              nova.get('connections', 0)))
        row += ['' for _ in lites]
    rows.append(row)
    print_table(header, rows)
    note('\nRatios: nova/novalite for latency, novalite/nova for '
         'throughput.  Polling: novalite every %.1f ms, Nova every %.1f ms '
         '(POST->ACTIVE resolution).' % (args.poll_ms, args.nova_poll_ms))
    note('Targets:')
    for target in targets:
        note('  ' + target)


# ------------------------------------------------------------------ main


def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--transport', default='auto',
                   choices=('auto', 'rabbit', 'memory', 'both'),
                   help='how to run our own novalite; auto = rabbit if '
                        'RabbitMQ answers on 127.0.0.1:5672, else memory')
    p.add_argument('--servers', type=int, default=100,
                   help='servers present for the list benchmark')
    p.add_argument('--creates', type=int, default=30,
                   help='POST->ACTIVE samples on novalite')
    p.add_argument('--nova-creates', type=int, default=None,
                   help='POST->ACTIVE samples on Nova (default --creates)')
    p.add_argument('--requests', type=int, default=200,
                   help='GET /servers/detail requests on novalite')
    p.add_argument('--nova-requests', type=int, default=10,
                   help='GET /servers/detail requests on Nova')
    p.add_argument('--seconds', type=float, default=0,
                   help='measure novalite lists for at least this long')
    p.add_argument('--nova-seconds', type=float, default=0,
                   help='measure Nova lists for at least this long')
    p.add_argument('--versions', default='2.1,%s,latest' % NOVALITE_MAX,
                   help='microversions of the list runs, comma-separated')
    p.add_argument('--poll-ms', type=float, default=2.0,
                   help='novalite GET /servers/{id} polling interval')
    p.add_argument('--nova-poll-ms', type=float, default=10.0,
                   help='Nova GET /servers/{id} polling interval')
    p.add_argument('--scale', type=int, default=1000,
                   help='novalite: servers for the limit=10 check; 0 = skip')
    p.add_argument('--batch', type=int, default=50,
                   help='novalite: max_count of the creates that fill')
    p.add_argument('--profile', nargs='?', const='auto', default=None,
                   choices=('auto', 'py-spy', 'pyinstrument', 'cprofile'),
                   help='profile our novalite API during a detail run '
                        '(auto: py-spy, pyinstrument or cProfile, the '
                        'first installed)')
    p.add_argument('--profile-top', type=int, default=15)
    p.add_argument('--novalite-url',
                   help='use this running novalite instead of starting one')
    p.add_argument('--nova-url', default=None,
                   help='Nova API (default %s, started if not answering)'
                        % NOVA_URL)
    p.add_argument('--nova-dir', default=NOVA_DIR)
    p.add_argument('--no-nova', action='store_true')
    p.add_argument('--token', default='nlbench:nlbench',
                   help='X-Auth-Token (user:project) for both systems')
    p.add_argument('--keep', action='store_true',
                   help='keep servers, the novalite state directory and '
                        'its database')
    p.add_argument('--database', default=None,
                   choices=('sqlite', 'mysql', 'postgresql'),
                   help='database of our own novalite, created for the run '
                        'and dropped at the end (default: mysql with '
                        '--load, sqlite otherwise)')
    p.add_argument('--agents', type=int, default=None,
                   help='novalite-compute processes (rabbit transport; '
                        'default 2 with --load, 1 otherwise)')
    load = p.add_argument_group('load mode')
    load.add_argument('--load', action='store_true',
                      help='run the load mode instead of the comparison')
    load.add_argument('--clients', type=int, default=50,
                      help='concurrent clients')
    load.add_argument('--duration', type=float, default=300,
                      help='seconds measured, after the warm-up')
    load.add_argument('--warmup', type=float, default=10,
                      help='seconds of load before the measured part')
    load.add_argument('--settle', type=float, default=120,
                      help='seconds to wait for servers to settle at the '
                           'end')
    load.add_argument('--rss-bound', type=float, default=50,
                      help='API RSS growth allowed, MiB')
    args = p.parse_args(argv)
    if args.database is None:
        args.database = 'mysql' if args.load else 'sqlite'
    if args.agents is None:
        args.agents = 2 if args.load else 1
    args.versions = [v.strip() for v in args.versions.split(',')
                     if v.strip()]
    if args.nova_creates is None:
        args.nova_creates = args.creates
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.load:
        res = run_load(args)
        if res:
            load_table(res, args)
        return report_errors()
    transports = [args.transport]
    if args.transport == 'auto':
        transports = ['rabbit' if port_open(RABBIT) else 'memory']
    elif args.transport == 'both':
        transports = ['rabbit', 'memory']
    if 'rabbit' in transports and not port_open(RABBIT) \
            and not args.novalite_url:
        raise SystemExit('RabbitMQ does not answer on %s:%d' % RABBIT)
    results = []
    if args.novalite_url:
        results.append(run_system('novalite', args.novalite_url, args,
                                  nova=False))
    else:
        for transport in transports:
            label = 'novalite %s' % transport
            kind = args.profile and profiler_kind(args.profile)
            own = Novalite(transport, kind, keep_dir=args.keep,
                           database=args.database, agents=args.agents)
            profiling = kind and Profiling(kind, own)
            try:
                own.start()
                results.append(run_system(label, own.url, args, nova=False,
                                          profiling=profiling))
                own.check_alive()
            finally:
                own.stop()
            if args.profile:
                report_profile(own.profile_out, args.profile_top)
            own.cleanup(label)
    nova = None
    if not args.no_nova:
        anchor = NovaAnchor(args.nova_dir)
        url = args.nova_url or NOVA_URL
        try:
            if not args.nova_url:
                url = anchor.start(url, args.token,
                                   max(args.servers, args.nova_creates))
            nova = run_system('nova', url, args, nova=True)
        finally:
            anchor.stop()
    table(results, nova, args)
    return report_errors()


def report_errors():
    """Print the errors seen; the exit status (1 if any)."""
    if ERRORS:
        note('\nErrors (%d):' % len(ERRORS))
        for line, times in ERRORS.items():
            note('  %s%s' % (line, ' (x%d)' % times if times > 1 else ''))
    return 1 if ERRORS else 0


if __name__ == '__main__':
    sys.exit(main())
