"""The libvirt connection of one compute host.

NOTE: libvirt words its errors with host details (a socket path, say),
and a driver error may become a server's fault, which its owner reads:
errors raised here say in novalite's words what failed, with libvirt's
text logged and kept as the cause (see ``novalite/virt/driver.py``).
"""

import threading

from oslo_config import cfg
from oslo_log import log as logging

from novalite import exception

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

try:
    import libvirt
except ImportError:  # pragma: no cover - checked at driver start
    libvirt = None
else:
    # libvirt prints every error on stderr by default; novalite handles
    # (and logs) the exceptions itself.
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)


class Host:

    def __init__(self, uri):
        self._uri = uri or 'qemu:///system'
        self._conn = None
        self._lock = threading.Lock()

    @property
    def uri(self):
        return self._uri

    def get_connection(self):
        if libvirt is None:
            raise exception.VirtDriverError(
                reason='libvirt-python is not installed')
        with self._lock:
            if self._conn is None or not self._conn.isAlive():
                try:
                    self._conn = libvirt.open(self._uri)
                except libvirt.libvirtError as e:
                    LOG.error('Could not connect to libvirt at %s: %s',
                              self._uri, e)
                    raise exception.VirtDriverError(
                        'Could not connect to the hypervisor.') from e
            return self._conn

    def close(self):
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.close()
                except libvirt.libvirtError:
                    pass
                self._conn = None

    def lookup(self, uuid):
        """The virDomain of a server, or None if the host has none."""
        try:
            return self.get_connection().lookupByUUIDString(uuid)
        except libvirt.libvirtError as e:
            if e.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN:
                return None
            LOG.error('Could not look up the domain of %s: %s', uuid, e)
            raise exception.VirtDriverError(
                'Could not find the guest on the hypervisor.') from e

    def list_uuids(self):
        return [dom.UUIDString()
                for dom in self.get_connection().listAllDomains()]

    def get_capacity(self):
        # getInfo(): [model, memory MiB, cpus, mhz, nodes, sockets, cores,
        # threads]
        connection = self.get_connection()
        info = connection.getInfo()
        # getType(): 'QEMU' for the qemu driver, 'TEST' for test:///;
        # getVersion(): the hypervisor's, as major * 10**6 + minor * 1000
        # + micro (Nova's hypervisor_version).
        return {'vcpus': int(info[2]), 'memory_mb': int(info[1]),
                'hypervisor_type': connection.getType(),
                'hypervisor_version': int(connection.getVersion())}

    def get_hostname(self):
        return self.get_connection().getHostname()
