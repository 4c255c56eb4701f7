"""``novalite-api``: the API in a small threaded WSGI server.

For development and tests. Production runs ``novalite.wsgi.api:application``
under Apache mod_wsgi (see etc/apache2/novalite-api.conf).
"""

import socketserver
import sys
import wsgiref.simple_server

from oslo_config import cfg
from oslo_log import log as logging

from novalite.api import app as api_app
from novalite import config
from novalite.db import api as db
from novalite import rpc

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


class _QuietHandler(wsgiref.simple_server.WSGIRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, format, *args):
        pass  # RequestLog middleware logs each request


class ThreadingWSGIServer(socketserver.ThreadingMixIn,
                          wsgiref.simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def make_server(host, port, app):
    server = wsgiref.simple_server.make_server(
        host, port, app, server_class=ThreadingWSGIServer,
        handler_class=_QuietHandler)
    return server


def init_application():
    db.configure()
    rpc.init()
    return api_app.build_app()


def main(argv=None):
    config.parse_args(argv or sys.argv)
    application = init_application()
    server = make_server(CONF.osapi_compute_listen,
                         CONF.osapi_compute_listen_port, application)
    LOG.info('novalite-api listening on %s:%s', *server.server_address[:2])
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        rpc.cleanup()
