"""Where the standalone API listens, and noauth2's guard rails."""

import logging
import subprocess
import sys

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
