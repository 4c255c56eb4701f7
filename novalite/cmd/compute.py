"""``novalite-compute``: the agent on each hypervisor host."""

import signal
import sys
import threading

from oslo_config import cfg
from oslo_log import log as logging

from novalite import config
from novalite.db import api as db
from novalite import rpc
from novalite import service

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


def main(argv=None):
    config.parse_args(argv or sys.argv)
    db.configure()
    rpc.init()
    compute = service.ComputeService()
    stopped = threading.Event()

    def _stop(signum, frame):
        stopped.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    compute.start()
    stopped.wait()
    LOG.info('novalite-compute stopping')
    compute.stop()
    rpc.cleanup()
