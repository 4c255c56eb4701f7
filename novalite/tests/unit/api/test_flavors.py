"""Flavors: a private flavor is an admin's only, until a project is given
access to it (test_flavor_access)."""

from novalite.tests import base


class TestPrivateFlavors(base.APITestCase):

    USE_AGENT = False

    def setUp(self):
        super().setUp()
        self.admin_api.post('flavors', {'flavor': {
            'name': 'priv', 'id': 'priv', 'ram': 64, 'vcpus': 1, 'disk': 1,
            'os-flavor-access:is_public': False}}, status=200)

    def test_hidden_from_users_as_in_nova(self):
        resp = self.api.get('flavors/priv', status=404)
        self.assertEqual('Flavor priv could not be found.',
                         resp.json['itemNotFound']['message'])
        self.assertNotIn('priv', [f['id'] for f in
                                  self.api.get('flavors').json['flavors']])
        resp = self.api.post('servers', {'server': {
            'name': 'x', 'flavorRef': 'priv', 'imageRef': base.IMAGE_ID}},
            status=400)
        self.assertEqual('Flavor priv could not be found.',
                         resp.json['badRequest']['message'])
        self.assertEqual([], self.api.get('servers').json['servers'])

    def test_admins_see_and_use_it(self):
        self.admin_api.get('flavors/priv', status=200)
        self.admin_api.post('servers', {'server': {
            'name': 'x', 'flavorRef': 'priv', 'imageRef': base.IMAGE_ID}},
            status=202)
