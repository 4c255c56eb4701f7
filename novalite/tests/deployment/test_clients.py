"""openstacksdk and python-novaclient against the deployment, through
Keystone's catalog, as a member of a fresh project: what their users'
code does, unchanged.

Each client's version and the microversion it negotiated (read from the
``OpenStack-API-Version`` header of novalite's answers) are printed for
CI's log. Needs tools/tempest/run.sh's deployment (see
test_openstack_cli.py).
"""

import sys

import novaclient
from novaclient import api_versions
from novaclient import client as nova_client
from novaclient import exceptions as nova_exc
import openstack
from openstack.compute.v2 import server as sdk_server
from openstack import connection
import openstack.version
import requests
import testtools

from novalite.tests.deployment import identity

TIMEOUT = identity.TIMEOUT


class Microversions:
    """Records the compute microversion of every answer of a session."""

    def __init__(self, ks_session, compute_url):
        self.compute_url = compute_url.rstrip('/')
        self.seen = []   # (method, path, request's, answer's header)
        ks_session.session.hooks['response'].append(self._record)

    def _record(self, resp, *args, **kwargs):
        if resp.url.startswith(self.compute_url + '/'):
            path = resp.url[len(self.compute_url):].split('?')[0]
            self.seen.append((
                resp.request.method, path,
                resp.request.headers.get('OpenStack-API-Version'),
                resp.headers.get('OpenStack-API-Version')))

    def of_servers(self):
        """The answers' versions of the /servers calls, as a set."""
        return {answer for _method, path, _sent, answer in self.seen
                if path.startswith('/servers')}


def _newest_of(*versions):
    """The oldest of microversions 'X.Y': the newest both sides know."""
    return min(versions, key=lambda v: tuple(int(n) for n in v.split('.')))


def report(line):
    # NOTE: stderr: stestr passes a worker's stderr straight to its own,
    # so the line is in CI's log whether the test passes or not.
    sys.stderr.write('deployment clients: %s\n' % line)
    sys.stderr.flush()


class TestClients(testtools.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.identity = identity.Identity()
        try:
            project = cls.identity.project('clients')
            _user_id, cls.username, cls.password = cls.identity.user(
                'clients', project, 'member')
            cls.project_id = project
        except Exception:
            cls.identity.cleanup()
            raise
        cls.image = identity.env('IMAGE')
        cls.flavor = identity.env('FLAVOR')
        compute_url = cls.identity.admin.get_endpoint(
            service_type='compute', interface='public')
        cls.compute_url = compute_url
        # The newest microversion novalite announces (GET /v2.1/).
        version = requests.get(compute_url.rstrip('/') + '/',
                               timeout=TIMEOUT).json()['version']
        cls.max_version = version['version']
        # What each client asks for: the newest microversion both it and
        # novalite know (openstacksdk's Server resource and novaclient
        # stop below Nova 34's newest).
        cls.sdk_version = _newest_of(cls.max_version,
                                     sdk_server.Server._max_microversion)
        cls.novaclient_version = _newest_of(
            cls.max_version, novaclient.API_MAX_VERSION.get_string())

    @classmethod
    def tearDownClass(cls):
        cls.identity.cleanup()
        super().tearDownClass()

    def sdk(self):
        conn = connection.Connection(
            auth_type='password', auth={
                'auth_url': identity.env('AUTH_URL'),
                'username': self.username, 'password': self.password,
                'user_domain_id': 'default', 'project_id': self.project_id},
            region_name='RegionOne', interface='public',
            identity_api_version='3')
        self.addCleanup(conn.close)
        return conn, Microversions(conn.session, self.compute_url)

    def test_openstacksdk_proxy(self):
        conn, versions = self.sdk()
        # NOTE: networks are required from 2.37 (the cloud layer and the
        # openstack CLI send "auto" themselves).
        server = conn.compute.create_server(
            name='sdk-proxy', image_id=self.image, flavor_id=self.flavor,
            networks='auto')
        self.addCleanup(conn.compute.delete_server, server,
                        ignore_missing=True)
        server = conn.compute.wait_for_server(server, wait=TIMEOUT)
        self.assertEqual(('ACTIVE', self.project_id),
                         (server.status, server.project_id))
        self.assertIn(server.id, [s.id for s in conn.compute.servers()])
        conn.compute.delete_server(server)
        conn.compute.wait_for_delete(server, wait=TIMEOUT)
        self.assertNotIn(server.id, [s.id for s in conn.compute.servers()])
        # openstacksdk asks each call for the newest microversion both
        # sides know.
        self.assertEqual({'compute %s' % self.sdk_version},
                         versions.of_servers(), versions.seen)
        report('openstacksdk %s (proxy layer): compute microversion %s'
               % (openstack.version.__version__, self.sdk_version))

    def test_openstacksdk_cloud_layer(self):
        conn, versions = self.sdk()
        server = conn.create_server('sdk-cloud', image=self.image,
                                    flavor=self.flavor, wait=True,
                                    timeout=TIMEOUT)
        self.addCleanup(conn.compute.delete_server, server.id,
                        ignore_missing=True)
        self.assertEqual('ACTIVE', server.status)
        self.assertTrue(server.private_v4, server)
        self.assertIn(server.id, [s.id for s in conn.list_servers()])
        self.assertTrue(conn.delete_server(server.id, wait=True,
                                           timeout=TIMEOUT))
        self.assertIsNone(conn.get_server(server.id))
        self.assertEqual({'compute %s' % self.sdk_version},
                         versions.of_servers(), versions.seen)
        report('openstacksdk %s (cloud layer): compute microversion %s'
               % (openstack.version.__version__, self.sdk_version))

    def test_novaclient(self):
        sess = identity.session(self.username, self.password,
                                project_id=self.project_id)
        versions = Microversions(sess, self.compute_url)
        options = {'session': sess, 'region_name': 'RegionOne',
                   'endpoint_type': 'public'}
        # As the nova CLI negotiates '2.latest': the newest microversion
        # of novaclient's and the server's (asked at 2.1), then a client
        # of that version.
        version = api_versions.discover_version(
            nova_client.Client('2.1', **options),
            api_versions.APIVersion('2.latest'))
        nova = nova_client.Client(version, **options)
        self.assertEqual(self.novaclient_version,
                         nova.api_version.get_string())
        server = nova.servers.create('novaclient', self.image, self.flavor,
                                     nics='auto')
        self.addCleanup(self._delete_quietly, nova, server.id)
        identity.wait_for(
            'the server ACTIVE',
            lambda: nova.servers.get(server.id).status == 'ACTIVE')
        self.assertIn(server.id, [s.id for s in nova.servers.list()])
        self.assertEqual(self.project_id,
                         nova.servers.get(server.id).tenant_id)
        nova.servers.delete(server.id)
        identity.wait_for('the server deleted',
                          lambda: self._gone(nova, server.id))
        self.assertEqual({'compute %s' % self.novaclient_version},
                         versions.of_servers(), versions.seen)
        report('python-novaclient %s: compute microversion %s'
               % (novaclient.__version__, nova.api_version.get_string()))

    @staticmethod
    def _gone(nova, server_id):
        try:
            nova.servers.get(server_id)
        except nova_exc.NotFound:
            return True
        return False

    @staticmethod
    def _delete_quietly(nova, server_id):
        try:
            nova.servers.delete(server_id)
        except nova_exc.NotFound:
            pass
