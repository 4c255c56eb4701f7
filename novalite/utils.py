"""Small helpers shared by the API, the agent and the drivers."""

import contextlib
import hashlib
import threading

from oslo_config import cfg
from oslo_log import log as logging

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

_LOCKS = {}
_LOCKS_GUARD = threading.Lock()


def named_lock(name):
    """The process-wide lock called ``name`` (a cached image, a network)."""
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(name, threading.Lock())


def generate_hostid(host, project_id):
    """Nova's ``hostId``: a host name hidden per project (sha224 of the
    project and the host), "" without a host."""
    if not host:
        return ''
    return hashlib.sha224((project_id + host).encode('utf-8')).hexdigest()


def instance_name(instance):
    """The hypervisor name of a server, from ``instance_name_template``."""
    template = CONF.instance_name_template
    try:
        return template % instance['id']
    except TypeError:
        # A template with named fields, e.g. "uuid-%(uuid)s".
        return template % {'id': instance['id'], 'uuid': instance['uuid'],
                           'hostname': instance.get('hostname')}


@contextlib.contextmanager
def ignore_errors(doing):
    """Swallow and log any error of a best-effort step (a cleanup)."""
    try:
        yield
    except Exception as e:
        LOG.warning('Ignoring an error while %s: %s', doing, e)
