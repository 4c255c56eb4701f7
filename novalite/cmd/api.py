"""``novalite-api``: the API in waitress, a small threaded WSGI server.

For development and tests. Production runs ``novalite.wsgi.api:application``
under Apache mod_wsgi (see etc/apache2/novalite-api.conf).
"""

import ipaddress
import json
import sys
import threading

from oslo_config import cfg
from oslo_log import log as logging
from waitress import channel as waitress_channel
from waitress import server as waitress_server
from waitress import task as waitress_task
from waitress import wasyncore

from novalite.api import app as api_app
from novalite.api import faults
from novalite import config
from novalite.db import api as db
from novalite import rpc

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


class _FaultErrorTask(waitress_task.ErrorTask):
    """waitress's own error answers in Nova's fault shape.

    waitress refuses some requests before the application sees them (a
    malformed request line or chunked body, headers over its limit) with
    a text/plain page of its own; clients of a Nova API expect JSON.
    """

    def execute(self):
        error = self.request.error
        message = '%s: %s' % (error.reason, error.body) if error.body \
            else error.reason
        body = json.dumps(faults.fault_body(error.code, message)).encode()
        self.status = '%d %s' % (error.code, error.reason)
        self.response_headers.append(('Content-Type',
                                      faults.ERROR_CONTENT_TYPE))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class _Channel(waitress_channel.HTTPChannel):
    error_task_class = _FaultErrorTask


class WSGIServer:
    """waitress behind the part of socketserver's interface we use.

    waitress speaks HTTP/1.1 with keep-alive (wsgiref's server closes the
    connection after each request) and runs the application in a fixed
    pool of ``CONF.osapi_compute_workers`` threads.
    """

    def __init__(self, host, port, app, threads):
        self._map = {}
        # NOTE: proxy headers reach the application untouched, as with
        # wsgiref (waitress would drop X-Forwarded-* from untrusted peers).
        self._server = waitress_server.create_server(
            app, map=self._map, host=host, port=port, threads=threads,
            backlog=128, clear_untrusted_proxy_headers=False)
        # NOTE: every listening socket's server, before the first accept.
        for dispatcher in list(self._map.values()):
            if hasattr(dispatcher, 'channel_class'):
                dispatcher.channel_class = _Channel
        listen = getattr(self._server, 'effective_listen', None)
        if listen:
            self.server_address = tuple(listen[0])
        else:
            self.server_address = (self._server.effective_host,
                                   self._server.effective_port)
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()

    def serve_forever(self, poll_interval=0.5):
        """Serve until shutdown() (from another thread) or an exception."""
        self._stop.clear()
        self._stopped.clear()
        try:
            while not self._stop.is_set():
                wasyncore.loop(timeout=poll_interval, map=self._map,
                               use_poll=True, count=1)
        finally:
            self._stopped.set()

    def shutdown(self):
        """Stop serve_forever() and wait for it (as socketserver's)."""
        self._stop.set()
        self._stopped.wait()

    def server_close(self):
        """Close the sockets and stop the worker threads."""
        wasyncore.close_all(self._map)
        self._server.task_dispatcher.shutdown()


def make_server(host, port, app):
    """A server for ``app``: serve_forever(), shutdown(), server_close()."""
    return WSGIServer(host, port, app, CONF.osapi_compute_workers)


def listen_address():
    """The address to listen on; refuses a public one in noauth2 mode.

    NOTE: noauth2 trusts the token "user:project" as is, so anyone who
    reaches the API is whoever they claim, admin included.
    """
    noauth = CONF.api.auth_strategy == 'noauth2'
    host = CONF.osapi_compute_listen
    if host is None:
        host = '127.0.0.1' if noauth else '0.0.0.0'
    if not noauth:
        return host
    if not _is_loopback(host) and not CONF.api.noauth2_on_any_address:
        raise SystemExit(
            'Refusing to listen on %s with [api] auth_strategy = noauth2: '
            'anyone reaching it could act as admin. Listen on 127.0.0.1, '
            'use keystone, or set [api] noauth2_on_any_address = true.'
            % host)
    return host


def _is_loopback(host):
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def init_application():
    db.configure()
    rpc.init()
    return api_app.build_app()


def main(argv=None):
    config.parse_args(argv or sys.argv)
    host = listen_address()
    application = init_application()
    server = make_server(host, CONF.osapi_compute_listen_port, application)
    LOG.info('novalite-api listening on %s:%s', *server.server_address[:2])
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        rpc.cleanup()
