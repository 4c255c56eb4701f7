"""``/identity``: the version documents the openstack CLI checks, served
only in noauth2 mode."""

from novalite.tests import base


class NoAuthIdentityTest(base.APITestCase):

    USE_AGENT = False

    def test_v3_document_in_noauth2_mode(self):
        resp = self.app.get('/identity/v3')
        self.assertEqual(200, resp.status_int)
        version = resp.json['version']
        self.assertEqual(('v3.14', 'stable',
                          'http://localhost/identity/v3/'),
                         (version['id'], version['status'],
                          version['links'][0]['href']))
        resp = self.app.get('/identity', status=300)
        self.assertEqual([version], resp.json['versions']['values'])
        # Nothing else: no tokens, no projects.
        self.assertEqual(404, self.app.get(
            '/identity/v3/auth/tokens', expect_errors=True).status_int)

    def test_absent_behind_keystone(self):
        self.flags(auth_strategy='keystone', group='api')
        for path in ('/identity', '/identity/v3'):
            self.assertEqual(404, self.app.get(
                path, expect_errors=True).status_int)
