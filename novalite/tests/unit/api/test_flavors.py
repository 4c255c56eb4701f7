"""Flavors: a private flavor is an admin's only, until a project is given
access to it (test_flavor_access)."""

from oslo_policy import policy as oslo_policy
from tempest.lib.api_schema.response.compute.v2_55 import \
    flavors as flavors255
from tempest.lib.api_schema.response.compute.v2_61 import \
    flavors as flavors261

from novalite import policy
from novalite.tests import base
from novalite.tests.base import validate_response


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


class TestFlavorDescription(base.APITestCase):
    """2.55: a flavor's description, set at create and by
    PUT /flavors/{flavor_id}, shown in every flavor view."""

    USE_AGENT = False

    def test_description(self):
        admin = self.api.as_user('admin', 'admin', version='2.55')
        resp = admin.post('flavors', {'flavor': {
            'name': 'd', 'id': 'd', 'ram': 64, 'vcpus': 1, 'disk': 1,
            'description': 'small'}}, status=200)
        validate_response(flavors255.create_update_get_flavor_details, resp)
        self.assertEqual('small', resp.json['flavor']['description'])
        resp = admin.put('flavors/d', {'flavor': {'description': 'tiny'}},
                         status=200)
        validate_response(flavors255.create_update_get_flavor_details, resp)
        self.assertEqual(('d', 64, 'tiny'), tuple(resp.json['flavor'][k] for k
                                                  in ('name', 'ram',
                                                      'description')))
        member = self.api.as_user('demo', version='2.55')
        resp = member.get('flavors', status=200)
        validate_response(flavors255.list_flavors, resp)
        self.assertEqual({'1': None, 'd': 'tiny'}, {
            f['id']: f['description'] for f in resp.json['flavors']})
        resp = member.get('flavors/detail', status=200)
        validate_response(flavors255.list_flavors_details, resp)
        resp = member.get('flavors/d', status=200)
        validate_response(flavors255.create_update_get_flavor_details, resp)
        self.assertEqual('tiny', resp.json['flavor']['description'])
        # null clears it.
        admin.put('flavors/d', {'flavor': {'description': None}}, status=200)
        self.assertIsNone(member.get('flavors/d').json['flavor'][
            'description'])
        # Nothing else changes; admins only; unknown flavor.
        for body in ({'flavor': {'name': 'x', 'description': 'y'}},
                     {'flavor': {}}, {'flavor': {'description': 'x' * 65536}},
                     {'description': 'x'}):
            admin.put('flavors/d', body, status=400)
        member.put('flavors/d', {'flavor': {'description': 'x'}}, status=403)
        resp = admin.put('flavors/nope', {'flavor': {'description': 'x'}},
                         status=404)
        self.assertEqual('Flavor nope could not be found.',
                         resp.json['itemNotFound']['message'])
        # Before 2.55: no route, no description in or out.
        v254 = self.api.as_user('admin', 'admin', version='2.54')
        v254.put('flavors/d', {'flavor': {'description': 'x'}}, status=404)
        v254.post('flavors', {'flavor': {
            'name': 'e', 'ram': 64, 'vcpus': 1, 'disk': 1,
            'description': 'x'}}, status=400)
        self.assertNotIn('description', v254.get('flavors/d').json['flavor'])


class TestFlavorExtraSpecsShown(base.APITestCase):
    """2.61: the full flavor views show the extra specs, to whom
    ``os_compute_api:os-flavor-extra-specs:index`` allows."""

    USE_AGENT = False

    def test_extra_specs(self):
        admin = self.api.as_user('admin', 'admin', version='2.61')
        resp = admin.post('flavors', {'flavor': {
            'name': 'x', 'id': 'x', 'ram': 64, 'vcpus': 1, 'disk': 1}},
            status=200)
        validate_response(flavors261.create_update_get_flavor_details, resp)
        self.assertEqual({}, resp.json['flavor']['extra_specs'])
        admin.post('flavors/x/os-extra_specs', {'extra_specs': {
            'hw:cpu_policy': 'dedicated', 'a': 'b'}}, status=200)
        resp = admin.put('flavors/x', {'flavor': {'description': 'd'}},
                         status=200)
        self.assertEqual({'hw:cpu_policy': 'dedicated', 'a': 'b'},
                         resp.json['flavor']['extra_specs'])
        member = self.api.as_user('demo', version='2.61')
        resp = member.get('flavors/detail', status=200)
        validate_response(flavors261.list_flavors_details, resp)
        self.assertEqual({'1': {}, 'x': {'a': 'b',
                                         'hw:cpu_policy': 'dedicated'}},
                         {f['id']: f['extra_specs']
                          for f in resp.json['flavors']})
        resp = member.get('flavors/x', status=200)
        validate_response(flavors261.create_update_get_flavor_details, resp)
        self.assertEqual('dedicated',
                         resp.json['flavor']['extra_specs']['hw:cpu_policy'])
        # Not in the brief list, nor below 2.61, nor without the policy.
        self.assertNotIn('extra_specs',
                         member.get('flavors').json['flavors'][0])
        self.assertNotIn('extra_specs', self.api.as_user(
            'demo', version='2.60').get('flavors/x').json['flavor'])
        policy.get_enforcer().set_rules(oslo_policy.Rules.from_dict({
            'os_compute_api:os-flavor-extra-specs:index': '!'}),
            overwrite=False, use_conf=False)
        self.assertNotIn('extra_specs',
                         member.get('flavors/x').json['flavor'])
        self.assertNotIn('extra_specs',
                         member.get('flavors/detail').json['flavors'][0])


class TestFlavors2102(base.APITestCase):
    """2.102: a name filter (a regular expression), and rxtx_factor and
    OS-FLV-DISABLED:disabled gone; no query parameter on show."""

    USE_AGENT = False

    def test_name_filter_and_fields(self):
        admin = self.api.as_user('admin', 'admin', version='2.102')
        resp = admin.post('flavors', {'flavor': {
            'name': 'm1.gpu', 'id': 'g', 'ram': 64, 'vcpus': 1,
            'disk': 1}}, status=200)
        flavor = resp.json['flavor']
        self.assertNotIn('rxtx_factor', flavor)
        self.assertNotIn('OS-FLV-DISABLED:disabled', flavor)
        resp = admin.post('flavors', {'flavor': {
            'name': 'x', 'ram': 64, 'vcpus': 1, 'disk': 1,
            'rxtx_factor': 1.0}}, status=400)
        self.assertIn("'rxtx_factor' was unexpected",
                      resp.json['badRequest']['message'])
        member = self.api.as_user('demo', version='2.102')
        for path in ('flavors/g', 'flavors/detail'):
            body = member.get(path, status=200).json
            shown = body.get('flavor') or body['flavors'][0]
            self.assertNotIn('rxtx_factor', shown)
            self.assertNotIn('OS-FLV-DISABLED:disabled', shown)
        self.assertIn('rxtx_factor', self.api.as_user(
            'demo', version='2.101').get('flavors/g').json['flavor'])

        def names(query, api=member):
            return [f['name'] for f in api.get(
                'flavors?' + query, status=200).json['flavors']]

        self.create_flavor(flavorid='t2', name='m1.tiny.two')
        all_names = names('')
        self.assertEqual(['m1.tiny', 'm1.gpu', 'm1.tiny.two'], all_names)
        self.assertEqual(['m1.gpu'], names('name=gpu'))
        self.assertEqual(['m1.tiny', 'm1.tiny.two'], names('name=^m1%5C.t'))
        self.assertEqual(['m1.tiny.two'], names('name=two$'))
        # The last one counts; an empty one matches all.
        self.assertEqual(['m1.gpu'], names('name=tiny&name=gpu'))
        self.assertEqual(all_names, names('name='))
        self.assertEqual([], names('name=^nothing$'))
        resp = member.get('flavors/detail?name=%5B', status=400)
        self.assertIn("'[' is not a 'regex_or_empty'",
                      resp.json['badRequest']['message'])
        for query in ('sort_key=rxtx_factor', 'x=1'):
            member.get('flavors?' + query, status=400)
        member.get('flavors/g?x=1', status=400)
        # Before 2.102: a 400 from 2.75, ignored below.
        self.api.as_user('demo', version='2.101').get('flavors?name=gpu',
                                                      status=400)
        self.assertEqual(all_names, names('name=gpu', api=self.api.as_user(
            'demo', version='2.74')))
        self.api.as_user('demo', version='2.101').get('flavors/g?x=1',
                                                      status=200)


class TestFlavorCreate(base.APITestCase):

    USE_AGENT = False

    def test_a_number_for_an_id(self):
        # As Nova (tempest's admin tests send one): kept as its text.
        admin = self.api.as_user('admin', 'admin', version='2.86')
        for flavor_id, shown in ((130500345, '130500345'), (2.5, '2.5')):
            resp = admin.post('flavors', {'flavor': {
                'name': 'n%s' % shown, 'id': flavor_id, 'ram': 64,
                'vcpus': 1, 'disk': 1}}, status=200)
            self.assertEqual(shown, resp.json['flavor']['id'])
            admin.get('flavors/' + shown, status=200)
        # 0, as null, means a new UUID.
        resp = admin.post('flavors', {'flavor': {
            'name': 'zero', 'id': 0, 'ram': 64, 'vcpus': 1, 'disk': 1}},
            status=200)
        self.assertEqual(36, len(resp.json['flavor']['id']))
        for bad in (True, [], {}, ''):
            admin.post('flavors', {'flavor': {
                'name': 'bad', 'id': bad, 'ram': 64, 'vcpus': 1,
                'disk': 1}}, status=400)
