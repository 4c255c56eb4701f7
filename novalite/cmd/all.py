"""``novalite-all``: API and one compute agent in one process.

For a quick look or a laptop: both halves share the process and, with no
broker, oslo.messaging's in-memory ``kombu+memory:///`` transport. The RPC
path is the same cast as between separate processes.
"""

import sys
import threading

from oslo_config import cfg
from oslo_log import log as logging

from novalite.cmd import api as api_cmd
from novalite import config
from novalite import rpc
from novalite import service

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


def main(argv=None):
    config.parse_args(argv or sys.argv)
    host = api_cmd.listen_address()
    application = api_cmd.init_application()
    compute = service.ComputeService()
    compute.start()
    server = api_cmd.make_server(host, CONF.osapi_compute_listen_port,
                                 application)
    LOG.info('novalite-all listening on %s:%s', *server.server_address[:2])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        thread.join()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
        compute.stop()
        rpc.cleanup()
