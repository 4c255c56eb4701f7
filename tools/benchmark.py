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
   (``--versions``; ``latest`` is each API's maximum: 2.26 for novalite
   and 2.104 for Nova at the time of writing).
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
"""

import argparse
import http.client
import json
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

IMAGE = '155d900f-4e14-4e4c-a73d-069cbf4541e6'
FLAVOR = '1'
RABBIT = ('127.0.0.1', 5672)
RABBIT_URL = 'rabbit://guest:guest@127.0.0.1:5672/'
NOVA_DIR = '/work/shared/anchors/nova'
NOVA_URL = 'http://127.0.0.1:18774'
NOVALITE_MAX = '2.26'
TARGET_THROUGHPUT = 20.0  # novalite detail req/s >= 20 x Nova's
TARGET_ACTIVE_MS = 50.0   # novalite POST->ACTIVE p50 <= 50 ms

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
            'p90': pct(values, 0.9), 'mean': statistics.fmean(values),
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

    def __init__(self, transport, profile, keep_dir=False):
        self.transport = transport
        self.profile = profile
        self.keep_dir = keep_dir
        self.dir = tempfile.mkdtemp(prefix='novalite-bench-')
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.conf = os.path.join(self.dir, 'novalite.conf')
        self.procs = []
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
                    'host = bench-host\n'
                    'compute_driver = fake.FakeDriver\n'
                    'osapi_compute_listen = 127.0.0.1\n'
                    'osapi_compute_listen_port = %(port)d\n'
                    'transport_url = %(url)s\n'
                    # room for the --scale servers on one fake host
                    'fake_vcpus = 4096\n'
                    'fake_memory_mb = 4194304\n'
                    'fake_local_gb = 100000\n'
                    '[api]\n'
                    'auth_strategy = noauth2\n'
                    '[database]\n'
                    'connection = sqlite:///%(dir)s/novalite.sqlite\n'
                    '[quota]\n'
                    'instances = -1\n'
                    'cores = -1\n'
                    'ram = -1\n'
                    % {'dir': self.dir, 'port': self.port, 'url': url})

    def manage(self, *args):
        cmd = self._script('novalite-manage') + ['--config-file',
                                                 self.conf] + list(args)
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode:
            raise SystemExit('%s failed (%d):\n%s%s' % (
                ' '.join(cmd), result.returncode, result.stdout,
                result.stderr))

    def spawn(self, entry):
        log = os.path.join(self.dir, entry + '.log')
        args = ['--config-file', self.conf, '--log-file', log]
        if self.profile in ('pyinstrument', 'cprofile') and \
                entry in ('api', 'all'):
            cmd = [sys.executable, '-c', _PROFILE_BOOT, self.profile_out,
                   entry, self.profile] + args
        else:
            cmd = self._script('novalite-' + entry) + args
        out = open(os.path.join(self.dir, entry + '.out'), 'w')
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL,
                                start_new_session=True)
        out.close()
        self.procs.append((entry, proc))
        return proc

    def start(self):
        self.write_config()
        self.manage('db', 'sync')
        self.manage('flavor', 'create', '--name', 'm1.tiny', '--id', FLAVOR,
                    '--ram', '512', '--vcpus', '1', '--disk', '1')
        image = os.path.join(self.dir, 'cirros.raw')
        with open(image, 'wb') as f:
            f.write(b'\0' * 65536)
        self.manage('image', 'create', '--name', 'cirros', '--file', image,
                    '--disk-format', 'raw', '--id', IMAGE)
        if self.transport == 'rabbit':
            self.spawn('compute')
            api = self.spawn('api')
        else:
            api = self.spawn('all')
        if not wait_http(self.url, 60, api):
            self.stop()
            raise SystemExit('novalite API did not answer on %s; see %s'
                             % (self.url, self.dir))
        note('  novalite (%s) on %s, state %s, pids %s' % (
            self.transport, self.url, self.dir,
            ' '.join('%s=%d' % (n, p.pid) for n, p in self.procs)))

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
        """Remove the state directory, unless kept or errors were seen."""
        if self.keep_dir or any(line.startswith('[%s]' % label)
                                for line in ERRORS):
            note('  novalite state, config and logs kept in %s' % self.dir)
        else:
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


# ----------------------------------------------------------------- table


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
    latency('active', 'mean', 'POST->ACTIVE mean ms')
    latency('post', 'p50', 'POST (202) p50 ms')
    for r, v in zip(lites, p50):
        ok = v is not None and v <= TARGET_ACTIVE_MS
        targets.append('%s: POST->ACTIVE p50 %s ms <= %.0f ms: %s' % (
            r['label'], fmt(v), TARGET_ACTIVE_MS, 'MET' if ok else 'NOT MET'))
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
                   help='keep servers and the novalite state directory')
    args = p.parse_args(argv)
    args.versions = [v.strip() for v in args.versions.split(',')
                     if v.strip()]
    if args.nova_creates is None:
        args.nova_creates = args.creates
    return args


def main(argv=None):
    args = parse_args(argv)
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
            own = Novalite(transport, kind, keep_dir=args.keep)
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
    if ERRORS:
        note('\nErrors (%d):' % len(ERRORS))
        for line, times in ERRORS.items():
            note('  %s%s' % (line, ' (x%d)' % times if times > 1 else ''))
    return 1 if ERRORS else 0


if __name__ == '__main__':
    sys.exit(main())
