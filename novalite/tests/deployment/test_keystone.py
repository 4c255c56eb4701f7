"""Keystone, for real: tokens, roles and scopes as novalite-api sees them
through keystonemiddleware, on the wire (plain ``requests``).

Two projects made for the test class as the deployment's admin: project
A with a member and a reader, project B with a member; a user with the
``admin`` role on the system. Needs tools/tempest/run.sh's deployment (see
test_openstack_cli.py).
"""

import time
import uuid

import requests
import testtools

from novalite.tests.deployment import identity

# keystonemiddleware's own 401 body; Nova passes it on as it is.
UNAUTHORIZED = {'error': {
    'code': 401, 'title': 'Unauthorized',
    'message': 'The request you have made requires authentication.'}}


class Caller:
    """One token against the compute endpoint of the catalog."""

    def __init__(self, compute_url, token):
        self.url = compute_url.rstrip('/')
        self.token = token
        self.http = requests.Session()

    @classmethod
    def of(cls, compute_url, ks_session):
        return cls(compute_url, ks_session.get_token())

    def __call__(self, method, path, body=None, **headers):
        if self.token is not None:
            headers.setdefault('X-Auth-Token', self.token)
        return self.http.request(method, self.url + path, json=body,
                                 headers=headers, timeout=identity.TIMEOUT)


class TestKeystone(testtools.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.identity = identity.Identity()
        try:
            cls._make_users()
        except Exception:
            cls.identity.cleanup()
            raise

    @classmethod
    def _make_users(cls):
        ids = cls.identity
        admin = ids.admin
        cls.compute_url = admin.get_endpoint(service_type='compute',
                                             interface='public')
        cls.admin = Caller.of(cls.compute_url, admin)
        cls.project_a = ids.project('ks-a')
        cls.project_b = ids.project('ks-b')

        def caller(prefix, project, role):
            user_id, name, password = ids.user(prefix, project, role)
            sess = identity.session(name, password, project_id=project)
            return Caller.of(cls.compute_url, sess), (name, password)

        cls.member_a, cls.member_a_login = caller('ks-member-a',
                                                  cls.project_a, 'member')
        cls.reader_a, _ = caller('ks-reader-a', cls.project_a, 'reader')
        cls.member_b, _ = caller('ks-member-b', cls.project_b, 'member')
        _user_id, name, password = ids.user('ks-system', system_role='admin')
        cls.system = Caller.of(cls.compute_url, identity.session(
            name, password, system_scope='all'))
        cls.image = identity.env('IMAGE')
        cls.flavor = identity.env('FLAVOR')
        cls.token_cache_time = int(identity.env('TOKEN_CACHE_TIME', '300'))

    @classmethod
    def tearDownClass(cls):
        cls.identity.cleanup()
        super().tearDownClass()

    # -------------------------------------------------------- helpers

    def create_server(self, caller, name):
        resp = caller('POST', '/servers', {'server': {
            'name': name, 'imageRef': self.image, 'flavorRef': self.flavor}})
        self.assertEqual(202, resp.status_code, resp.text)
        server_id = resp.json()['server']['id']
        self.addCleanup(self.delete_as_admin, server_id)
        identity.wait_for(
            '%s ACTIVE' % server_id,
            lambda: caller('GET', '/servers/' + server_id).json()[
                'server']['status'] == 'ACTIVE')
        return server_id

    def wait_gone(self, server_id):
        identity.wait_for(
            '%s deleted' % server_id,
            lambda: self.admin('GET', '/servers/' + server_id)
            .status_code == 404)

    def delete_as_admin(self, server_id):
        self.admin('POST', '/servers/%s/action' % server_id, {'unlock': None})
        if self.admin('DELETE', '/servers/' + server_id).status_code == 204:
            self.wait_gone(server_id)

    def assertFault(self, code, name, message, resp):
        self.assertEqual(
            (code, {name: {'code': code, 'message': message}}),
            (resp.status_code, resp.json()), resp.text)

    def assertUnauthorized(self, resp):
        self.assertEqual(401, resp.status_code, resp.text)
        self.assertEqual(UNAUTHORIZED, resp.json())
        # keystonemiddleware's: [keystone_authtoken] www_authenticate_uri.
        self.assertEqual('Keystone uri="%s"' % identity.env('AUTH_URL'),
                         resp.headers.get('WWW-Authenticate'))

    def listed(self, caller, query=''):
        resp = caller('GET', '/servers' + query)
        self.assertEqual(200, resp.status_code, resp.text)
        return {server['id'] for server in resp.json()['servers']}

    # -------------------------------------------------------- tests

    def test_no_token_and_bad_token(self):
        self.assertUnauthorized(Caller(self.compute_url, None)(
            'GET', '/servers'))
        self.assertUnauthorized(Caller(self.compute_url, uuid.uuid4().hex)(
            'GET', '/servers'))
        # A token that looks like a fernet token but is not one.
        self.assertUnauthorized(Caller(self.compute_url, 'gAAAAA' + 'x' * 180)(
            'POST', '/servers', {'server': {'name': 'x'}}))

    def test_member_lifecycle(self):
        server_id = self.create_server(self.member_a, 'ks-member')
        self.assertIn(server_id, self.listed(self.member_a))
        shown = self.member_a('GET', '/servers/' + server_id)
        self.assertEqual(
            (200, self.project_a),
            (shown.status_code, shown.json()['server']['tenant_id']))
        self.assertEqual(204, self.member_a(
            'DELETE', '/servers/' + server_id).status_code)
        self.wait_gone(server_id)
        self.assertNotIn(server_id, self.listed(self.member_a))

    def test_reader_reads_but_cannot_write(self):
        server_id = self.create_server(self.member_a, 'ks-read')
        self.assertIn(server_id, self.listed(self.reader_a))
        self.assertEqual(200, self.reader_a(
            'GET', '/servers/' + server_id).status_code)
        resp = self.reader_a('POST', '/servers', {'server': {
            'name': 'ks-reader', 'imageRef': self.image,
            'flavorRef': self.flavor}})
        self.assertFault(403, 'forbidden', "Policy doesn't allow "
                         'os_compute_api:servers:create to be performed.',
                         resp)
        resp = self.reader_a('DELETE', '/servers/' + server_id)
        self.assertFault(403, 'forbidden', "Policy doesn't allow "
                         'os_compute_api:servers:delete to be performed.',
                         resp)
        self.assertEqual('ACTIVE', self.member_a(
            'GET', '/servers/' + server_id).json()['server']['status'])

    def test_other_project_gets_404(self):
        server_id = self.create_server(self.member_a, 'ks-private')
        message = 'Instance %s could not be found.' % server_id
        for method in ('GET', 'DELETE'):
            self.assertFault(404, 'itemNotFound', message, self.member_b(
                method, '/servers/' + server_id))
        self.assertNotIn(server_id, self.listed(self.member_b))
        # all_tenants is for admins (Nova's get_all_tenants rules).
        self.assertFault(403, 'forbidden', "Policy doesn't allow "
                         'os_compute_api:servers:index:get_all_tenants to '
                         'be performed.', self.member_b(
                             'GET', '/servers?all_tenants=1'))

    def test_admin_all_tenants(self):
        server_a = self.create_server(self.member_a, 'ks-all-a')
        server_b = self.create_server(self.member_b, 'ks-all-b')
        everyone = self.listed(self.admin, '/detail?all_tenants=1')
        self.assertTrue({server_a, server_b} <= everyone, everyone)
        # Without all_tenants, an admin lists its own project's only.
        self.assertFalse({server_a, server_b} & self.listed(self.admin))

    def test_locked_server(self):
        server_id = self.create_server(self.member_a, 'ks-locked')
        self.assertEqual(202, self.member_a(
            'POST', '/servers/%s/action' % server_id,
            {'lock': None}).status_code)
        self.assertFault(409, 'conflictingRequest',
                         'Instance %s is locked' % server_id,
                         self.member_a('DELETE', '/servers/' + server_id))
        self.assertEqual(204, self.admin(
            'DELETE', '/servers/' + server_id).status_code)
        self.wait_gone(server_id)

    def test_system_scoped_token(self):
        # Nova's policies are all scope_types=['project'], and Nova (and
        # novalite) enforce the scope: a system token, even with the admin
        # role, is authenticated but refused by every project API, with
        # the policy fault of the rule it failed.
        server_id = self.create_server(self.member_a, 'ks-system')
        for method, path, rule in (
                ('GET', '/servers', 'servers:index'),
                ('GET', '/servers/detail?all_tenants=1', 'servers:detail'),
                ('GET', '/servers/' + server_id, 'servers:show'),
                ('DELETE', '/servers/' + server_id, 'servers:delete')):
            self.assertFault(
                403, 'forbidden',
                "Policy doesn't allow os_compute_api:%s to be performed."
                % rule, self.system(method, path))
        self.assertEqual('ACTIVE', self.member_a(
            'GET', '/servers/' + server_id).json()['server']['status'])

    def test_revoked_token(self):
        name, password = self.member_a_login
        sess = identity.session(name, password, project_id=self.project_a)
        caller = Caller.of(self.compute_url, sess)
        # Validated once: now in keystonemiddleware's token cache.
        self.assertEqual(200, caller('GET', '/servers').status_code)
        admin = self.identity.admin
        resp = admin.delete('/auth/tokens', endpoint_filter=identity.IDENTITY,
                            headers={'X-Subject-Token': caller.token})
        self.assertEqual(204, resp.status_code)
        resp = admin.get('/auth/tokens', endpoint_filter=identity.IDENTITY,
                         headers={'X-Subject-Token': caller.token},
                         raise_exc=False)
        self.assertEqual(404, resp.status_code)
        # NOTE: keystonemiddleware keeps a validated token for
        # [keystone_authtoken] token_cache_time seconds: until then the
        # revoked token may still be accepted, after that never.
        revoked = time.monotonic()
        answers = []

        def refused():
            # NOTE: not the response itself: a 401 response is falsy.
            answers.append(caller('GET', '/servers'))
            return answers[-1].status_code != 200

        identity.wait_for('the revoked token refused', refused,
                          timeout=self.token_cache_time + 15, interval=1)
        self.assertUnauthorized(answers[-1])
        print('revoked token refused by novalite %.1f s after its '
              'revocation (token_cache_time %d s)'
              % (time.monotonic() - revoked, self.token_cache_time))
