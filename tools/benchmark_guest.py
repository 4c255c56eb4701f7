#!/usr/bin/env python3
"""A real qemu guest: novalite's boot next to raw libvirt createXML().

Prints numbers, no asserts. Starts its own novalite in a temporary
directory (api + compute over RabbitMQ, or novalite-all with ``--transport
memory``; SQLite, noauth2, qemu:///system) with the tiny guest, a flavor and
a network, then alternates, one guest at a time, ``--rounds`` times:

novalite  POST /v2.1/servers (a NIC, user data); GET every 2 ms until
          ACTIVE; os-getConsoleOutput every 100 ms until the console says
          ``novalite-tiny: booted`` and ``ready``; DELETE, GET until 404.
raw       the domain XML novalite defined for its first server, with fresh
          copies of its files (qcow2 overlay on the same _base, kernel,
          ramdisk, config drive, console log), new name and UUID, same MAC
          (and DHCP reservation): createXML(), console log until ``booted`` and
          ``ready``, destroy().

Target: novalite's POST->ACTIVE within 150 ms of createXML().
"""

import argparse
import base64
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

import libvirt

from novalite.virt.libvirt import dhcp

URI = 'qemu:///system'
MARK = 'novalite-tiny: '
TARGET_MS = 150.0
USER_DATA = b'#!/bin/sh\necho "bench user-data $((6 * 7))"\n'
CONFIG = """[DEFAULT]
host = {tag}
instance_name_template = {tag}-%08x
state_path = {dir}
transport_url = {transport}
osapi_compute_listen = 127.0.0.1
osapi_compute_listen_port = {port}
report_interval = 1
sync_power_state_interval = -1
shutdown_timeout = 0
[api]
auth_strategy = noauth2
[database]
connection = sqlite:///{dir}/novalite.sqlite
[libvirt]
connection_uri = {uri}
virt_type = qemu
delete_shutdown_timeout = 0
"""
now = time.monotonic


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--rounds', type=int, default=3, help='guests booted by '
                   'each of novalite and raw libvirt (default 3)')
    p.add_argument('--transport', choices=('rabbit', 'memory'),
                   default='rabbit', help='rabbit (default): novalite-api '
                   'and novalite-compute over RabbitMQ at 127.0.0.1:5672; '
                   'memory: novalite-all on kombu+memory:///')
    p.add_argument('--cidr', default='10.214.0.0/24',
                   help='the network (default %(default)s)')
    p.add_argument('--tiny-cache', default=os.environ.get(
        'NOVALITE_TEST_TINY_CACHE',
        os.path.expanduser('~/.cache/novalite/tiny-image')),
        help='tiny image build cache (default %(default)s, from '
             '$NOVALITE_TEST_TINY_CACHE if set)')
    p.add_argument('--timeout', type=float, default=300, help='seconds to '
                   'wait for any one step (default 300)')
    p.add_argument('--keep', action='store_true', help='keep the temporary '
                   'directory (logs, database, raw/template/domain.xml)')
    return p.parse_args()


def ms(start, end):
    return (end - start) * 1000.0


def kvm_trap():
    """Whether libvirt re-probes QEMU at every capabilities lookup: its probe
    (CAP_DAC_OVERRIDE) opens a root-only /dev/kvm, its cache check can't."""
    return os.path.exists('/dev/kvm') and subprocess.run(
        ['runuser', '-u', 'libvirt-qemu', '--', 'test', '-w', '/dev/kvm']
    ).returncode != 0


class Deployment:
    """novalite in a temporary directory; stop() undoes everything."""

    def __init__(self, args):
        self.args = args
        self.dir = tempfile.mkdtemp(prefix='nl-bench-guest-')
        # NOTE: qemu runs as libvirt-qemu and must reach the disks below.
        os.chmod(self.dir, 0o755)
        self.bin = os.path.dirname(sys.executable)
        self.conf = os.path.join(self.dir, 'novalite.conf')
        self.procs, self.network = [], None
        with socket.socket() as sock:
            sock.bind(('127.0.0.1', 0))
            self.port = sock.getsockname()[1]

    def manage(self, *args):
        out = subprocess.run([os.path.join(self.bin, 'novalite-manage'),
                              '--config-file', self.conf] + list(args),
                             capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError('novalite-manage %s: %s'
                               % (' '.join(args), out.stderr[-2000:]))
        return out.stdout

    def start(self):
        memory = self.args.transport == 'memory'
        with open(self.conf, 'w') as f:
            # NOTE: a host and domain names of its own: another novalite
            # on this broker and libvirtd may be running.
            f.write(CONFIG.format(
                dir=self.dir, port=self.port, uri=URI,
                tag='bench-' + uuid.uuid4().hex[:8], transport=(
                    'kombu+memory:///' if memory else
                    'rabbit://guest:guest@127.0.0.1:5672/')))
        self.manage('db', 'sync')
        self.image = self.manage('image', 'build-tiny', '--name', 'tiny',
                                 '--cache-dir', self.args.tiny_cache
                                 ).split()[-1]
        self.manage('flavor', 'create', '--name', 'm1.nano', '--id', '42',
                    '--ram', '128', '--vcpus', '1', '--disk', '1')
        self.network = re.search(r'[0-9a-f-]{36}', self.manage(
            'network', 'create', '--name', 'bench', '--cidr',
            self.args.cidr)).group(0)
        for name in (['novalite-all'] if memory else
                     ['novalite-api', 'novalite-compute']):
            with open(os.path.join(self.dir, name + '.log'), 'w') as log:
                self.procs.append(subprocess.Popen(
                    [os.path.join(self.bin, name), '--config-file',
                     self.conf], stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True))
        wait('novalite to start (logs in %s)' % self.dir, self.up, 0.2, 60)

    def up(self):
        if any(p.poll() is not None for p in self.procs):
            raise RuntimeError('novalite exited; logs in %s' % self.dir)
        try:
            return (self.api('GET', '/flavors')[0] == 200 and
                    ' up ' in self.manage('service', 'list'))
        except OSError:
            return False

    def stop(self, conn):
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
        for dom in conn.listAllDomains():
            if self.dir in dom.XMLDesc(0):
                if dom.isActive():
                    dom.destroy()
                if dom.isPersistent():
                    dom.undefineFlags(0)
        with contextlib.suppress(libvirt.libvirtError):
            net = conn.networkLookupByName('novalite-%s' % self.network)
            if net.isActive():
                net.destroy()
            net.undefine()
        if self.args.keep:
            print('kept %s' % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def api(self, method, path, body=None):
        """(status, decoded body) of one request to novalite's API."""
        conn = http.client.HTTPConnection('127.0.0.1', self.port,
                                          timeout=120)
        conn.request(method, '/v2.1' + path, body and json.dumps(body),
                     {'X-Auth-Token': 'bench:bench',
                      'OpenStack-API-Version': 'compute 2.26',
                      'Content-Type': 'application/json'})
        resp = conn.getresponse()
        payload = resp.read()
        conn.close()
        return resp.status, json.loads(payload) if payload else None


def wait(what, poll, interval, timeout):
    """Call poll() every interval s until it is true: (when, value)."""
    deadline = now() + timeout
    while True:
        value = poll()
        if value:
            return now(), value
        if now() > deadline:
            raise RuntimeError('timed out waiting for %s' % what)
        time.sleep(interval)


def wait_markers(read, t0, timeout):
    """ms from t0 to the console's booted and ready lines, and eth0's IP."""
    booted, _ = wait('booted', lambda: MARK + 'booted' in read(), 0.1,
                     timeout)
    ready, out = wait('ready', lambda: (lambda o: MARK + 'ready' in o and o)(
        read()), 0.1, timeout)
    eth0 = re.search(MARK + r'eth0 (\S+)', out)
    return ms(t0, booted), ms(t0, ready), eth0 and eth0.group(1)


def novalite_round(dep, conn, i, template):
    body = {'server': {
        'name': 'bench-%d' % i, 'imageRef': dep.image, 'flavorRef': '42',
        'networks': [{'uuid': dep.network}],
        'user_data': base64.b64encode(USER_DATA).decode()}}
    t0 = now()
    status, created = dep.api('POST', '/servers', body)
    t_post = now()
    if status != 202:
        raise RuntimeError('POST /servers -> %d %s' % (status, created))
    sid = created['server']['id']

    def active():
        server = dep.api('GET', '/servers/' + sid)[1]['server']
        if server['status'] == 'ERROR':
            raise RuntimeError('server went to ERROR: %s' % server)
        return server['status'] == 'ACTIVE' and server

    t_active, server = wait('ACTIVE', active, 0.002, dep.args.timeout)
    booted, ready, eth0 = wait_markers(lambda: dep.api(
        'POST', '/servers/%s/action' % sid,
        {'os-getConsoleOutput': {}})[1]['output'], t0, dep.args.timeout)
    if not template:
        template.update(capture(dep, conn, sid, server))
    t_del = now()
    dep.api('DELETE', '/servers/' + sid)
    t_gone, _ = wait('404', lambda: dep.api('GET', '/servers/' + sid)[0]
                     == 404, 0.002, dep.args.timeout)
    return dict(create=ms(t0, t_post), active=ms(t0, t_active),
                booted=booted, ready=ready, gone=ms(t_del, t_gone),
                eth0=eth0)


def capture(dep, conn, sid, server):
    """What the raw rounds need, taken while novalite's server exists."""
    xml = conn.lookupByUUIDString(sid).XMLDesc(
        libvirt.VIR_DOMAIN_XML_INACTIVE)
    inst_dir = os.path.join(dep.dir, 'instances', sid)
    keep = os.path.join(dep.dir, 'raw', 'template')
    os.makedirs(keep)
    with open(os.path.join(keep, 'domain.xml'), 'w') as f:
        f.write(xml)
    for name in set(os.listdir(inst_dir)) - {'disk', 'console.log'}:
        shutil.copy(os.path.join(inst_dir, name), keep)
    info = json.loads(subprocess.run(
        ['qemu-img', 'info', '--output=json', '-U',
         os.path.join(inst_dir, 'disk')],
        check=True, capture_output=True, text=True).stdout)
    (vif,), = server['addresses'].values()
    return dict(xml=xml, inst_dir=inst_dir, files=keep,
                base=info['full-backing-filename'],
                size=str(info['virtual-size']),
                mac=vif['OS-EXT-IPS-MAC:mac_addr'], addr=vif['addr'])


def raw_round(dep, conn, i, tpl):
    rdir = os.path.join(dep.dir, 'raw', str(i))
    shutil.copytree(tpl['files'], rdir)
    os.chmod(rdir, 0o755)
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-F',
                    'qcow2', '-b', tpl['base'], os.path.join(rdir, 'disk'),
                    tpl['size']], check=True)
    xml = tpl['xml'].replace(tpl['inst_dir'], rdir)
    xml = re.sub(r'<name>[^<]*</name>', '<name>bench-raw-%d</name>' % i,
                 xml, count=1)
    xml = re.sub(r'<uuid>[^<]*</uuid>', '<uuid>%s</uuid>' % uuid.uuid4(),
                 xml, count=1)
    name = 'novalite-' + dep.network
    # The reservation novalite's driver makes, in the same hosts file.
    hosts = dhcp.HostsFile(
        os.path.join(dep.dir, 'instances', '_networks', name + '.hosts'),
        name, 'nlbr' + dep.network[:8])

    def read():
        try:
            with open(os.path.join(rdir, 'console.log'), 'rb') as f:
                return f.read().decode('utf-8', 'replace')
        except FileNotFoundError:
            return ''

    hosts.reserve(tpl['mac'], tpl['addr'])
    try:
        t0 = now()
        dom = conn.createXML(xml, 0)
        t_created = now()
        booted, ready, eth0 = wait_markers(read, t0, dep.args.timeout)
        t_del = now()
        dom.destroy()
        t_gone = now()
    finally:
        hosts.remove(tpl['mac'], tpl['addr'])
    return dict(create=ms(t0, t_created), active=ms(t0, t_created),
                booted=booted, ready=ready, gone=ms(t_del, t_gone),
                eth0=eth0)


def report(results):
    rows = (('create', 'POST answered / createXML() returned'),
            ('active', 'POST->ACTIVE / createXML() returned'),
            ('booted', 'start->console "booted"'),
            ('ready', 'start->console "ready"'),
            ('gone', 'DELETE->404 / destroy() returned'))
    print('\n%-38s %-27s %s' % ('ms, %d rounds' % len(results['raw']),
                                'novalite p50/min/max',
                                'raw libvirt p50/min/max'))
    for key, label in rows:
        print('%-38s' % label + '   '.join(
            '%8.0f %8.0f %8.0f' % (statistics.median(v), min(v), max(v))
            for v in ([r[key] for r in results[k]]
                      for k in ('novalite', 'raw'))))
    diffs = [a['active'] - b['active']
             for a, b in zip(results['novalite'], results['raw'])]
    p50 = (statistics.median(r['active'] for r in results['novalite']) -
           statistics.median(r['active'] for r in results['raw']))
    print('\nPOST->ACTIVE minus createXML(): p50 %+.0f ms (rounds: %s)'
          % (p50, ', '.join('%+.0f' % d for d in diffs)))
    verdict = ('MET' if p50 <= TARGET_MS else
               'NOT MET (%.0f ms over)' % (p50 - TARGET_MS))
    print('target: within %.0f ms: %s' % (TARGET_MS, verdict))
    lost = [i + 1 for i, r in enumerate(results['novalite'])
            if r['eth0'] == 'no-dhcp']
    if lost:
        print('novalite rounds %s: the guest got no DHCP lease, so its '
              '"ready" includes\nudhcpc giving up (about 18 s)' % lost)


def main():
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    dep, conn = Deployment(args), libvirt.open(URI)
    libvirt.registerErrorHandler(lambda *a: None, None)  # we report them
    results, template = {'novalite': [], 'raw': []}, {}
    try:
        if kvm_trap():
            print('NOTE: /dev/kvm exists but libvirt-qemu cannot open it: '
                  'libvirt re-probes QEMU (seconds)\n      on each '
                  'capabilities lookup, several per domain start.')
        dep.start()
        print('novalite (%s) in %s; image %s, network %s' % (
            args.transport, dep.dir, dep.image, dep.network), flush=True)
        for i in range(1, args.rounds + 1):
            for kind, run in (('novalite', novalite_round),
                              ('raw', raw_round)):
                r = run(dep, conn, i, template)
                results[kind].append(r)
                print('round %d %-8s create %6.0f  active %6.0f  booted '
                      '%6.0f  ready %6.0f  gone %5.0f ms  eth0 %s'
                      % (i, kind, r['create'], r['active'], r['booted'],
                         r['ready'], r['gone'], r['eth0']), flush=True)
        report(results)
    except KeyboardInterrupt:
        print('interrupted', file=sys.stderr)
        return 130
    finally:
        dep.stop(conn)
        conn.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
