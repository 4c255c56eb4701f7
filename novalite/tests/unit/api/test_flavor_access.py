"""Private flavors and their access lists (/flavors/{id}/os-flavor-access
and the addTenantAccess/removeTenantAccess actions), as Nova: a private
flavor is seen and used by admins and by the projects it was given to.
"""

from tempest.lib.api_schema.response.compute.v2_1 import \
    flavors_access as schemas
from tempest.lib.common import jsonschema_validator

from novalite.tests import base
from novalite.tests.base import fault_message as _fault


def _validate(resp):
    schema = schemas.add_remove_list_flavor_access
    jsonschema_validator.JSONSCHEMA_VALIDATOR(
        schema['response_body'],
        format_checker=jsonschema_validator.FORMAT_CHECKER).validate(
            resp.json)
    assert resp.status_int in schema['status_code'], resp.status


def _ids(resp):
    return [f['id'] for f in resp.json['flavors']]


class TestFlavorAccess(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.flags(instances=-1, cores=-1, ram=-1, group='quota')
        self.private = self.create_flavor(flavorid='priv', name='priv',
                                          is_public=False)

    def grant(self, tenant, flavor='priv', api=None, status=200,
              version=None):
        api = api or self.admin_api
        if version:
            api = api.as_user(api.user, api.project, version=version)
        return api.post('flavors/%s/action' % flavor,
                        {'addTenantAccess': {'tenant': tenant}},
                        status=status)

    def revoke(self, tenant, flavor='priv', api=None, status=200):
        return (api or self.admin_api).post(
            'flavors/%s/action' % flavor,
            {'removeTenantAccess': {'tenant': tenant}}, status=status)

    def test_add_list_remove(self):
        resp = self.admin_api.get('flavors/priv/os-flavor-access',
                                  status=200)
        _validate(resp)
        self.assertEqual({'flavor_access': []}, resp.json)
        resp = self.grant('demo')
        _validate(resp)
        self.assertEqual({'flavor_access': [
            {'flavor_id': 'priv', 'tenant_id': 'demo'}]}, resp.json)
        resp = self.grant('other')
        self.assertEqual(['demo', 'other'],
                         [a['tenant_id'] for a in resp.json['flavor_access']])
        self.assertEqual(resp.json, self.admin_api.get(
            'flavors/priv/os-flavor-access', status=200).json)
        # Nova's messages name the flavor by its database id.
        resp = self.grant('demo', status=409)
        self.assertEqual('Flavor access already exists for flavor %d and '
                         'project demo combination.' % self.private['id'],
                         _fault(resp))
        resp = self.revoke('demo')
        _validate(resp)
        self.assertEqual({'flavor_access': [
            {'flavor_id': 'priv', 'tenant_id': 'other'}]}, resp.json)
        resp = self.revoke('demo', status=404)
        self.assertEqual('Flavor access not found for %d / demo '
                         'combination.' % self.private['id'], _fault(resp))

    def test_public_flavors(self):
        resp = self.admin_api.get('flavors/1/os-flavor-access', status=404)
        self.assertEqual('Access list not available for public flavors.',
                         _fault(resp))
        # From 2.7 a public flavor takes no access; before, Nova records
        # it, to no effect.
        resp = self.grant('demo', flavor='1', version='2.7', status=409)
        self.assertEqual('Can not add access to a public flavor.',
                         _fault(resp))
        self.grant('demo', flavor='1', version='2.6')
        self.grant('demo', flavor='1', version='2.6', status=409)
        self.revoke('demo', flavor='1')
        self.revoke('demo', flavor='1', status=404)

    def test_admins_only(self):
        self.grant('demo')
        for api in (self.api, self.api.as_user('peek', 'demo',
                                               roles=['reader']),
                    self.api.as_user('eve', 'evil')):
            resp = api.get('flavors/priv/os-flavor-access', status=403)
            self.assertEqual("Policy doesn't allow os_compute_api:os-"
                             "flavor-access to be performed.", _fault(resp))
            resp = self.grant('x', api=api, status=403)
            self.assertEqual("Policy doesn't allow os_compute_api:os-flavor-"
                             "access:add_tenant_access to be performed.",
                             _fault(resp))
            resp = self.revoke('demo', api=api, status=403)
            self.assertEqual("Policy doesn't allow os_compute_api:os-flavor-"
                             "access:remove_tenant_access to be performed.",
                             _fault(resp))
        self.assertEqual(['demo'], [a['tenant_id'] for a in self.admin_api.get(
            'flavors/priv/os-flavor-access').json['flavor_access']])

    def test_bad_actions(self):
        for body in ({'addTenantAccess': {}},
                     {'addTenantAccess': {'tenant': ''}},
                     {'addTenantAccess': {'tenant': 'x' * 256}},
                     {'addTenantAccess': {'tenant': 5}},
                     {'addTenantAccess': {'tenant': 'a', 'x': 1}},
                     {'addTenantAccess': None},
                     {'removeTenantAccess': {'tenant': None}},
                     {'addTenantAccess': {'tenant': 'a'},
                      'removeTenantAccess': {'tenant': 'a'}},
                     {}, [], 'x', None):
            resp = self.admin_api.post('flavors/priv/action', body,
                                       status=400)
            self.assertIn('badRequest', resp.json, body)
        resp = self.admin_api.post('flavors/priv/action',
                                   {'fooAccess': {'tenant': 'a'}}, status=400)
        self.assertEqual('There is no such action: fooAccess', _fault(resp))
        for action in ('addTenantAccess', 'removeTenantAccess'):
            resp = self.admin_api.post('flavors/nope/action', {
                action: {'tenant': 'demo'}}, status=404)
            self.assertEqual('Flavor nope could not be found.',
                             _fault(resp))
        resp = self.admin_api.get('flavors/nope/os-flavor-access',
                                  status=404)
        self.assertEqual('Flavor nope could not be found.', _fault(resp))
        self.assertEqual([], self.admin_api.get(
            'flavors/priv/os-flavor-access').json['flavor_access'])

    def test_access_makes_it_visible_and_bootable(self):
        eve = self.api.as_user('eve', 'evil')
        boot = {'server': {'name': 's', 'flavorRef': 'priv',
                           'imageRef': base.IMAGE_ID}}
        for api in (self.api, eve):
            resp = api.get('flavors/priv', status=404)
            self.assertEqual('Flavor priv could not be found.',
                             _fault(resp))
            self.assertNotIn('priv', _ids(api.get('flavors')))
            self.assertNotIn('priv', _ids(api.get('flavors/detail')))
            resp = api.post('servers', boot, status=400)
            self.assertEqual('Flavor priv could not be found.',
                             _fault(resp))
        self.grant('demo')
        shown = self.api.get('flavors/priv', status=200).json['flavor']
        self.assertFalse(shown['os-flavor-access:is_public'])
        self.assertEqual(['1', 'priv'], _ids(self.api.get('flavors')))
        # The is_public filter is an admin's: a member's is ignored.
        for query in ('false', 'none', 'true', 'bogus'):
            self.assertEqual(['1', 'priv'], _ids(self.api.get(
                'flavors?is_public=' + query, status=200)))
        # A marker of a flavor one cannot see is unknown.
        self.api.get('flavors?marker=priv', status=200)
        eve.get('flavors?marker=priv', status=400)
        server = self.api.post('servers', boot, status=202).json['server']
        self.wait_for_status(server['id'], 'ACTIVE')
        # Another project still neither sees nor uses it.
        eve.get('flavors/priv', status=404)
        eve.post('servers', boot, status=400)
        # Taken back: hidden again; the server keeps running.
        self.revoke('demo')
        self.api.get('flavors/priv', status=404)
        self.assertEqual('ACTIVE', self.api.get(
            'servers/%s' % server['id']).json['server']['status'])

    def test_admin_is_public_filter(self):
        self.create_flavor(flavorid='mine', name='mine', is_public=False)
        admin = self.admin_api
        self.grant('admin', flavor='mine')
        # By default: the public flavors and those of the admin's
        # project's access list (Nova's query).
        self.assertEqual(['1', 'mine'], _ids(admin.get('flavors')))
        self.assertEqual(['1', 'mine'], _ids(admin.get(
            'flavors?is_public=true')))
        self.assertEqual(['mine', 'priv'], _ids(admin.get(
            'flavors?is_public=false')))
        self.assertEqual(['1', 'mine', 'priv'], _ids(admin.get(
            'flavors?is_public=None')))
        resp = admin.get('flavors?is_public=bogus', status=400)
        self.assertEqual('Invalid is_public filter [bogus]', _fault(resp))
        # Admins see and use every flavor.
        admin.get('flavors/priv', status=200)

    def test_flavor_delete(self):
        self.grant('demo')
        server = self.api.post('servers', {'server': {
            'name': 's', 'flavorRef': 'priv', 'imageRef': base.IMAGE_ID}},
            status=202).json['server']
        self.wait_for_status(server['id'], 'ACTIVE')
        self.admin_api.post('flavors/priv/os-extra_specs',
                            {'extra_specs': {'a': 'b'}}, status=200)
        self.admin_api.delete('flavors/priv', status=202)
        self.admin_api.get('flavors/priv/os-flavor-access', status=404)
        # Its running server keeps its sizes and its actions.
        shown = self.api.get('servers/%s' % server['id'],
                             status=200).json['server']
        self.assertEqual('priv', shown['flavor']['id'])
        self.api.post('servers/%s/action' % server['id'],
                      {'reboot': {'type': 'HARD'}}, status=202)
        self.wait_for_status(server['id'], 'ACTIVE')
        # A new flavor of the same id starts with no access and no specs.
        self.create_flavor(flavorid='priv', name='priv', is_public=False)
        self.assertEqual([], self.admin_api.get(
            'flavors/priv/os-flavor-access').json['flavor_access'])
        self.assertEqual({}, self.admin_api.get(
            'flavors/priv/os-extra_specs').json['extra_specs'])
        self.api.get('flavors/priv', status=404)
        self.api.delete('servers/%s' % server['id'], status=204)
        self.wait_for_status(server['id'], 'DELETED')
