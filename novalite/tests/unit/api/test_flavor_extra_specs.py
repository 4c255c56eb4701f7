"""/flavors/{flavor_id}/os-extra_specs as Nova answers it (checked
against the Nova anchor and tempest's schemas)."""

from tempest.lib.api_schema.response.compute.v2_1 import \
    flavors_extra_specs as schemas

from novalite.tests import base
from novalite.tests.base import fault_message as _fault
from novalite.tests.base import validate_response as _validate

SPECS = 'flavors/1/os-extra_specs'


class TestFlavorExtraSpecs(base.APITestCase):

    USE_AGENT = False

    def test_set_list_show_update_delete(self):
        admin = self.admin_api
        resp = admin.get(SPECS, status=200)
        _validate(schemas.set_get_flavor_extra_specs, resp)
        self.assertEqual({'extra_specs': {}}, resp.json)
        # The body comes back as sent; numbers are text once stored.
        body = {'extra_specs': {'hw:cpu_policy': 'dedicated', 'n': 1.5,
                                'i': 10, 'key with. spaces-_:': 'v'}}
        resp = admin.post(SPECS, body, status=200)
        self.assertEqual(body, resp.json)
        resp = admin.get(SPECS, status=200)
        _validate(schemas.set_get_flavor_extra_specs, resp)
        self.assertEqual({'hw:cpu_policy': 'dedicated', 'n': '1.5',
                          'i': '10', 'key with. spaces-_:': 'v'},
                         resp.json['extra_specs'])
        self.assertEqual(sorted(resp.json['extra_specs']),
                         list(resp.json['extra_specs']))
        # A create adds and overwrites, keeping the other keys.
        admin.post(SPECS, {'extra_specs': {'n': 'two', 'new': 'x'}},
                   status=200)
        self.assertEqual('two', admin.get(SPECS).json['extra_specs']['n'])
        self.assertEqual(5, len(admin.get(SPECS).json['extra_specs']))
        resp = admin.get(SPECS + '/i', status=200)
        _validate(schemas.set_get_flavor_extra_specs_key, resp)
        self.assertEqual({'i': '10'}, resp.json)
        resp = admin.put(SPECS + '/i', {'i': 7}, status=200)
        self.assertEqual({'i': 7}, resp.json)
        self.assertEqual({'i': '7'}, admin.get(SPECS + '/i').json)
        # PUT may create a key, too.
        admin.put(SPECS + '/fresh', {'fresh': 'yes'}, status=200)
        self.assertEqual({'fresh': 'yes'},
                         admin.get(SPECS + '/fresh').json)
        # DELETE: 200 and no body, as in Nova.
        resp = admin.delete(SPECS + '/i', status=200)
        _validate(schemas.unset_flavor_extra_specs, resp)
        self.assertEqual(b'', resp.body)
        self.assertEqual('0', resp.headers['Content-Length'])
        for method in ('get', 'delete'):
            resp = getattr(admin, method)(SPECS + '/i', status=404)
            self.assertEqual('Flavor 1 has no extra specs with key i.',
                             _fault(resp))
        # An empty create changes nothing.
        before = admin.get(SPECS).json
        self.assertEqual({'extra_specs': {}}, admin.post(
            SPECS, {'extra_specs': {}}, status=200).json)
        self.assertEqual(before, admin.get(SPECS).json)

    def test_everyone_reads_admins_write(self):
        self.admin_api.post(SPECS, {'extra_specs': {'a': 'b'}}, status=200)
        for api in (self.api, self.api.as_user('peek', 'demo',
                                               roles=['reader']),
                    self.api.as_user('eve', 'evil')):
            self.assertEqual({'a': 'b'}, api.get(SPECS, status=200).json[
                'extra_specs'])
            self.assertEqual({'a': 'b'}, api.get(SPECS + '/a',
                                                 status=200).json)
            for method, path, body, rule in (
                    ('POST', SPECS, {'extra_specs': {'a': 'c'}}, 'create'),
                    ('PUT', SPECS + '/a', {'a': 'c'}, 'update'),
                    ('DELETE', SPECS + '/a', None, 'delete')):
                resp = api.request(method, path, body, status=403)
                self.assertEqual(
                    "Policy doesn't allow os_compute_api:os-flavor-extra-"
                    "specs:%s to be performed." % rule, _fault(resp))
        self.assertEqual({'a': 'b'}, self.api.get(SPECS).json['extra_specs'])

    def test_bad_requests(self):
        admin = self.admin_api
        long_text = 'x' * 256
        for body in ({'extra_specs': {'a/b': 'x'}},
                     {'extra_specs': {'': 'x'}},
                     {'extra_specs': {'k' * 256: 'x'}},
                     {'extra_specs': {'a': long_text}},
                     {'extra_specs': {'a': True}},
                     {'extra_specs': {'a': None}},
                     {'extra_specs': {'a': ['x']}},
                     {'extra_specs': {'a': {'b': 'c'}}},
                     {'extra_specs': []}, {'extra_specs': 'a'},
                     {'extra_specs': {}, 'other': 1}, {}, None, []):
            resp = admin.post(SPECS, body, status=400)
            self.assertIn('badRequest', resp.json, body)
        resp = admin.post(SPECS, {'extra_specs': {'a/b': 'b'}}, status=400)
        self.assertEqual(
            "Invalid input for field/attribute extra_specs. Value: "
            "{'a/b': 'b'}. 'a/b' does not match any of the regexes: "
            "'^[a-zA-Z0-9-_:. ]{1,255}$'", _fault(resp))
        # A number's text is bounded too.
        resp = admin.post(SPECS, {'extra_specs': {'a': 10 ** 300}},
                          status=400)
        self.assertEqual('extra_specs value has 301 characters, more '
                         'than 255.', _fault(resp))
        resp = admin.put(SPECS + '/a', {'b': 'c'}, status=400)
        self.assertEqual('Request body and URI mismatch', _fault(resp))
        for body in ({}, {'a': 'c', 'b': 'd'}, {'a': long_text},
                     {'a': False}, None):
            admin.put(SPECS + '/a', body, status=400)
        self.assertEqual({}, admin.get(SPECS).json['extra_specs'])
        # Only the item takes PUT and DELETE; no deeper paths.
        admin.put(SPECS, {'a': 'x'}, status=404)
        admin.delete(SPECS, status=404)
        admin.put(SPECS + '/a/b', {'a/b': 'x'}, status=404)

    def test_unknown_and_private_flavors(self):
        for method, path, body in (
                ('GET', 'flavors/nope/os-extra_specs', None),
                ('GET', 'flavors/nope/os-extra_specs/a', None),
                ('POST', 'flavors/nope/os-extra_specs',
                 {'extra_specs': {'a': 'x'}}),
                ('PUT', 'flavors/nope/os-extra_specs/a', {'a': 'x'}),
                ('DELETE', 'flavors/nope/os-extra_specs/a', None)):
            resp = self.admin_api.request(method, path, body, status=404)
            self.assertEqual('Flavor nope could not be found.',
                             _fault(resp))
        self.create_flavor(flavorid='priv', name='priv', is_public=False)
        self.admin_api.post('flavors/priv/os-extra_specs',
                            {'extra_specs': {'a': 'x'}}, status=200)
        # A private flavor's specs are its access list's and admins'.
        resp = self.api.get('flavors/priv/os-extra_specs', status=404)
        self.assertEqual('Flavor priv could not be found.', _fault(resp))
        self.api.get('flavors/priv/os-extra_specs/a', status=404)
        self.admin_api.post('flavors/priv/action', {
            'addTenantAccess': {'tenant': 'demo'}}, status=200)
        self.assertEqual({'a': 'x'}, self.api.get(
            'flavors/priv/os-extra_specs', status=200).json['extra_specs'])

    def test_flavor_delete_drops_its_specs(self):
        self.create_flavor(flavorid='f2', name='f2')
        self.admin_api.post('flavors/f2/os-extra_specs',
                            {'extra_specs': {'a': 'x'}}, status=200)
        self.admin_api.delete('flavors/f2', status=202)
        # A new flavor of that id starts with none.
        self.create_flavor(flavorid='f2', name='f2')
        self.assertEqual({}, self.admin_api.get(
            'flavors/f2/os-extra_specs').json['extra_specs'])


class TestKnownExtraSpecs(base.APITestCase):
    """2.86: the extra specs Nova knows must have values it accepts;
    other names pass unless their namespace is one Nova knows."""

    USE_AGENT = False

    def test_values_checked_from_2_86(self):
        v286 = self.admin_api.as_user('admin', version='2.86')
        good = {'hw:cpu_policy': 'dedicated', 'hw:numa_nodes': 2,
                'hw:numa_cpus.0': '0-1', 'hw_rng:allowed': 'yes',
                'trait:HW_CPU_X86_AVX': 'required',
                'trait1:CUSTOM_GOLD': 'forbidden',
                'resources_gpu:VGPU': '1', 'resources:CUSTOM_FPGA': 2,
                'capabilities:cpu_info:features': 'avx',
                'aggregate_instance_extra_specs:ssd': 'true',
                'pci_passthrough:alias': 'a1:2, a2:1',
                'group_policy': 'none', 'mine': 'anything',
                'other:thing': 'anything'}
        v286.post(SPECS, {'extra_specs': good}, status=200)
        self.assertEqual(len(good), len(v286.get(SPECS).json['extra_specs']))
        for name, value, message in (
                ('hw:cpu_policy', 'fast',
                 "'fast' is not one of: dedicated, shared, mixed."),
                ('hw:numa_nodes', 'two',
                 "'two' is not a valid integer value."),
                ('hw:numa_nodes', 0,
                 "'0' is less than the min value of '1'."),
                ('hw:redirected_usb_ports', '16',
                 "'16' is greater than the max value of '15'."),
                ('hw_rng:allowed', 'maybe',
                 "'maybe' is not a valid boolean-like value."),
                ('hw:mem_page_size', 'huge',
                 "'huge' is not of the format "
                 r"'(large|small|any|\d+([kKMGT]i?)?(b|bit|B)?)'."),
                ('hw:no_such', 'x', "extra spec 'hw:no_such' does not "
                 "appear to be a valid extra spec."),
                ('trait2:NOT_A_TRAIT', 'required', "extra spec "
                 "'trait2:NOT_A_TRAIT' does not appear to be a valid "
                 "extra spec."),
                ('trait:CUSTOM_X', 'wanted',
                 "'wanted' is not one of: required, forbidden.")):
            resp = v286.post(SPECS, {'extra_specs': {'ok': '1',
                                                     name: value}},
                             status=400)
            self.assertEqual('Validation failed; ' + message, _fault(resp))
            resp = v286.put(SPECS + '/' + name, {name: value}, status=400)
            self.assertEqual('Validation failed; ' + message, _fault(resp))
            # Before 2.86 anything goes.
            self.admin_api.put(SPECS + '/' + name, {name: value},
                               status=200)
        # Nothing of a refused request was written.
        self.assertNotIn('ok', v286.get(SPECS).json['extra_specs'])
        # Checked before the flavor is looked up, as in Nova.
        resp = v286.post('flavors/nope/os-extra_specs',
                         {'extra_specs': {'hw:numa_nodes': 'x'}},
                         status=400)
        self.assertEqual("Validation failed; 'x' is not a valid integer "
                         "value.", _fault(resp))
