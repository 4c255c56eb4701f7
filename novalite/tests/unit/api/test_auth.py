"""Authentication: keystonemiddleware auth_token (with its fixture standing
in for Keystone) and the noauth2 development mode."""

from keystoneauth1 import fixture as ks_fixture
from keystonemiddleware import fixture as ksm_fixture
import webtest

from novalite.api import app as api_app
from novalite.tests import base


class TestKeystoneAuth(base.APITestCase):

    USE_AGENT = False

    def setUp(self):
        super().setUp()
        self.flags(auth_strategy='keystone', group='api')
        self.flags(www_authenticate_uri='http://keystone.example/identity',
                   group='keystone_authtoken')
        self.tokens = self.useFixture(ksm_fixture.AuthTokenFixture())
        self.tokens.add_token_data(
            token_id='member-token', user_id='u1', project_id='a1b2',
            role_list=['member', 'reader'])
        self.tokens.add_token_data(
            token_id='admin-token', user_id='adm', project_id='p2',
            role_list=['admin', 'member', 'reader'])
        system = ks_fixture.V3Token(user_id='sys')
        system.set_system_scope()
        for role in ('admin', 'member', 'reader'):
            system.add_role(name=role)
        self.tokens.add_token(system, token_id='system-token')
        self.app = webtest.TestApp(api_app.build_app())

    def get(self, path, token=None):
        headers = {'X-Auth-Token': token} if token else {}
        return self.app.get(path, headers=headers, expect_errors=True)

    def test_valid_token(self):
        resp = self.get('/v2.1/servers', 'member-token')
        self.assertEqual(200, resp.status_int)
        self.assertEqual({'servers': []}, resp.json)

    def test_missing_or_bad_token(self):
        for token in (None, 'forged'):
            resp = self.get('/v2.1/servers', token)
            self.assertEqual(401, resp.status_int)
            self.assertIn('WWW-Authenticate', resp.headers)
            self.assertIn('x-openstack-request-id', resp.headers)
            self.assertNotIn('OpenStack-API-Version', resp.headers)

    def test_noauth_token_is_not_trusted(self):
        resp = self.get('/v2.1/servers', 'admin:admin')
        self.assertEqual(401, resp.status_int)

    def test_roles_from_keystone_drive_policy(self):
        resp = self.get('/v2.1/servers?all_tenants=1', 'member-token')
        self.assertEqual(403, resp.status_int)
        resp = self.get('/v2.1/servers?all_tenants=1', 'admin-token')
        self.assertEqual(200, resp.status_int)

    def test_system_scope_is_refused(self):
        # Nova's policies are project-scoped and enforce scope.
        resp = self.get('/v2.1/servers', 'system-token')
        self.assertEqual(403, resp.status_int)
        self.assertIn('forbidden', resp.json)

    def test_version_documents_need_no_token(self):
        self.assertEqual(200, self.get('/').status_int)
        self.assertEqual(200, self.get('/v2.1/').status_int)

    def test_project_id_in_url_must_match_token(self):
        resp = self.get('/v2.1/a1b2/servers', 'member-token')
        self.assertEqual(200, resp.status_int)
        resp = self.get('/v2.1/abc/servers', 'member-token')
        self.assertEqual(400, resp.status_int)


class TestNoAuth(base.APITestCase):

    USE_AGENT = False

    def test_roles(self):
        self.assertEqual(403, self.api.get(
            'servers?all_tenants=1').status_int)
        self.assertEqual(200, self.admin_api.get(
            'servers?all_tenants=1').status_int)
        reader = self.api.as_user('r', 'demo', roles=['reader'])
        self.assertEqual(200, reader.get('servers').status_int)
        self.assertEqual(403, reader.post('servers', {'server': {
            'name': 'x', 'flavorRef': '1',
            'imageRef': base.IMAGE_ID}}).status_int)

    def test_identity_headers_cannot_be_injected(self):
        resp = self.app.get('/v2.1/servers?all_tenants=1', headers={
            'X-Auth-Token': 'demo:demo', 'X-Project-Id': 'admin',
            'X-User-Id': 'admin'}, expect_errors=True)
        self.assertEqual(403, resp.status_int)

    def test_ids_longer_than_the_database_holds(self):
        # A 256-character project id was a 500 on MySQL ("Data too long").
        for user, project in (('u' * 256, 'p'), ('u', 'p' * 256)):
            resp = self.api.as_user(user, project).get('servers')
            self.assertEqual(401, resp.status_int)
        self.assertEqual(200, self.api.as_user('u' * 255, 'p' * 255).get(
            'servers').status_int)
