"""Where the standalone API listens, and noauth2's guard rails."""

import json
import logging
import socket
import subprocess
import sys
import threading

import fixtures
import testtools

from novalite.api import app as api_app
from novalite.cmd import api as api_cmd
from novalite.tests import fixtures as nl_fixtures


class ListenAddressTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(nl_fixtures.Config()).conf

    def listen(self, strategy, host=None, **api):
        self.conf.config(auth_strategy=strategy, group='api', **api)
        self.conf.config(osapi_compute_listen=host)
        return api_cmd.listen_address()

    def test_defaults_follow_the_auth_strategy(self):
        # Nova's 0.0.0.0 with keystone; loopback only without auth.
        self.assertEqual('0.0.0.0', self.listen('keystone'))
        self.assertEqual('127.0.0.1', self.listen('noauth2'))

    def test_noauth2_refuses_a_public_address(self):
        for host in ('0.0.0.0', '::', '192.0.2.10', 'api.example.org'):
            e = self.assertRaises(SystemExit, self.listen, 'noauth2', host)
            self.assertIn('Refusing to listen on %s' % host, str(e))
        for host in ('127.0.0.1', '127.0.1.1', '::1', 'localhost'):
            self.assertEqual(host, self.listen('noauth2', host))
        self.assertEqual('0.0.0.0', self.listen('keystone', '0.0.0.0'))

    def test_an_operator_may_allow_it(self):
        self.assertEqual('0.0.0.0', self.listen(
            'noauth2', '0.0.0.0', noauth2_on_any_address=True))

    def test_noauth2_warns_loudly(self):
        log = self.useFixture(fixtures.FakeLogger(level=logging.WARNING))
        self.conf.config(auth_strategy='noauth2', group='api')
        api_app._noauth2_warned.clear()
        api_app.build_app()
        self.assertIn('NOT authenticated', log.output)


class ProcessTest(testtools.TestCase):

    def test_novalite_api_exits_with_one_clear_line(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        conf = tmp + '/n.conf'
        with open(conf, 'w') as f:
            f.write('[DEFAULT]\nosapi_compute_listen = 0.0.0.0\n'
                    'state_path = %s\n[api]\nauth_strategy = noauth2\n'
                    % tmp)
        result = subprocess.run(
            [sys.executable, '-c',
             'from novalite.cmd.api import main; main()',
             '--config-file', conf], capture_output=True, text=True,
            timeout=60)
        self.assertEqual(1, result.returncode)
        self.assertIn('Refusing to listen on 0.0.0.0', result.stderr)
        self.assertNotIn('Traceback', result.stderr)


class WaitressErrorsTest(testtools.TestCase):
    """Requests waitress itself refuses still get Nova's fault body."""

    def _exchange(self, raw):
        def app(environ, start_response):  # never reached
            start_response('200 OK', [])
            return [b'app']
        server = api_cmd.WSGIServer('127.0.0.1', 0, app, threads=1)
        thread = threading.Thread(target=server.serve_forever,
                                  kwargs={'poll_interval': 0.05})
        thread.start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        with socket.create_connection(server.server_address[:2],
                                      timeout=10) as sock:
            sock.sendall(raw)
            data = b''
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        head, _, body = data.partition(b'\r\n\r\n')
        return head.decode(), json.loads(body)

    def test_bad_chunked_body(self):
        head, body = self._exchange(
            b'POST /v2.1/servers HTTP/1.1\r\nHost: x\r\n'
            b'Transfer-Encoding: chunked\r\n\r\nzz\r\n')
        self.assertIn('400 Bad Request', head.splitlines()[0])
        self.assertIn('Content-Type: application/json', head)
        self.assertEqual(['badRequest'], list(body))
        self.assertEqual(400, body['badRequest']['code'])
