"""Static DHCP reservations of a novalite network on one host.

NOTE: libvirt's own reservations (``<dhcp><host/>`` through
``virNetworkUpdate``) cost 1 to 3 s per boot and per delete here: each
update reloads the network's whole firewall ruleset, and going from no
reservation to one (or back) restarts dnsmasq. Instead the network's
dnsmasq reads a hosts file (``dhcp-hostsfile``, set through libvirt's
dnsmasq namespace) that this module writes, and re-reads it on SIGHUP:
about a millisecond.

A reservation removed while its lease is live would keep its address
from the next server's MAC for the lease's hour, so removing one also
releases the lease with ``dhcp_release`` (dnsmasq-utils), as nova-network
did.
"""

import os
import shutil
import signal
import subprocess

from oslo_log import log as logging

from novalite import utils

LOG = logging.getLogger(__name__)

PIDFILE = '/run/libvirt/network/%s.pid'


class HostsFile:
    """``<mac>,<ip>`` lines for the dnsmasq of libvirt network ``name``."""

    def __init__(self, path, network_name, bridge):
        self.path = path
        self.network_name = network_name
        self.bridge = bridge

    def entries(self):
        """{(mac, ip)} reserved now."""
        try:
            with open(self.path) as f:
                return {tuple(line.strip().split(',', 1)) for line in f
                        if ',' in line}
        except FileNotFoundError:
            return set()

    def ensure_exists(self):
        if not os.path.exists(self.path):
            self._write(set())

    def reserve(self, mac, address):
        """Reserve ``address`` for ``mac``; an entry of either (a server
        deleted while the agent was away) is replaced."""
        with utils.named_lock('dhcp-hosts-' + self.path):
            entries = self.entries()
            if (mac, address) in entries:
                return
            stale = {e for e in entries if mac == e[0] or address == e[1]}
            self._write((entries - stale) | {(mac, address)})
            for old_mac, old_address in stale:
                self._release(old_mac, old_address)

    def remove(self, mac, address):
        with utils.named_lock('dhcp-hosts-' + self.path):
            entries = self.entries()
            if (mac, address) in entries:
                self._write(entries - {(mac, address)})
            self._release(mac, address)

    def _write(self, entries):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        tmp = self.path + '.tmp'
        with open(tmp, 'w') as f:
            f.writelines('%s,%s\n' % entry for entry in sorted(entries))
        # NOTE: dnsmasq drops its privileges: the file must be readable.
        os.chmod(tmp, 0o644)
        os.rename(tmp, self.path)
        self._reload()

    def _reload(self):
        """SIGHUP the network's dnsmasq, which re-reads the file. None
        runs while the network is inactive (or under libvirt's test
        driver): it reads the file when it starts."""
        try:
            with open(PIDFILE % self.network_name) as f:
                pid = int(f.read().strip())
            os.kill(pid, signal.SIGHUP)
        except (OSError, ValueError):
            pass

    def _release(self, mac, address):
        if shutil.which('dhcp_release') is None:
            LOG.warning('dhcp_release (dnsmasq-utils) is not installed: '
                        'the lease of %s stays until it expires', address)
            return
        # A bridge that is not up (test driver, inactive network) has no
        # lease to release: nothing to say about it.
        subprocess.run(['dhcp_release', self.bridge, address, mac],
                       capture_output=True)
