"""Every route against four callers: admin, project member, project
reader, and a member of another project.

Another project's server is 404 (the lookup is project-scoped before any
policy runs), except on the tags routes, where (as in Nova) the policy is
checked against the server's project first: 403. A reader may look but not
act.
"""

from novalite.api import routes
from novalite.db import api as db
from novalite.tests import base

ADMIN, MEMBER, READER, OTHER = 'admin', 'member', 'reader', 'other'
PERSONAS = (ADMIN, MEMBER, READER, OTHER)

# (method, path, body, version, {persona: status}); {id} is a fresh
# server of the member's project for each persona.
_ALL_OK = {p: 200 for p in PERSONAS}
_OWN = {ADMIN: 200, MEMBER: 200, READER: 200, OTHER: 404}
_ACT = {ADMIN: 202, MEMBER: 202, READER: 403, OTHER: 404}
_GONE = {p: 410 for p in PERSONAS}
_TAGS_OWN = dict(_OWN, **{OTHER: 403})

MATRIX = [
    ('GET', '/servers', None, None, _ALL_OK),
    ('GET', '/servers/detail', None, None, _ALL_OK),
    ('POST', '/servers', 'create', None,
     {ADMIN: 202, MEMBER: 202, READER: 403, OTHER: 202}),
    ('GET', '/servers/{id}', None, None, _OWN),
    ('PUT', '/servers/{id}', {'server': {'name': 'n'}}, None,
     {ADMIN: 200, MEMBER: 200, READER: 403, OTHER: 404}),
    ('DELETE', '/servers/{id}', None, None,
     {ADMIN: 204, MEMBER: 204, READER: 403, OTHER: 404}),
    ('POST', '/servers/{id}/action', {'lock': None}, None, _ACT),
    ('POST', '/servers/{id}/action', {'unlock': None}, None, _ACT),
    ('POST', '/servers/{id}/action', {'reboot': {'type': 'HARD'}}, None,
     _ACT),
    ('POST', '/servers/{id}/action', {'os-stop': None}, None, _ACT),
    ('POST', '/servers/{id}/action', {'changePassword': {'adminPass': 'x'}},
     None, _ACT),
    ('POST', '/servers/{id}/action', {'trigger_crash_dump': None}, '2.17',
     _ACT),
    ('POST', '/servers/{id}/action', {'os-getConsoleOutput': {}}, None,
     {ADMIN: 200, MEMBER: 200, READER: 403, OTHER: 404}),
    ('GET', '/servers/{id}/ips', None, None, _OWN),
    ('GET', '/servers/{id}/ips/{label}', None, None, _OWN),
    ('GET', '/servers/{id}/tags', None, '2.26', _TAGS_OWN),
    ('PUT', '/servers/{id}/tags', {'tags': ['a']}, '2.26',
     {ADMIN: 200, MEMBER: 200, READER: 403, OTHER: 403}),
    ('DELETE', '/servers/{id}/tags', None, '2.26',
     {ADMIN: 204, MEMBER: 204, READER: 403, OTHER: 403}),
    ('GET', '/servers/{id}/tags/{tag}', None, '2.26',
     {ADMIN: 204, MEMBER: 204, READER: 204, OTHER: 403}),
    ('PUT', '/servers/{id}/tags/{tag}', None, '2.26',
     {ADMIN: 204, MEMBER: 204, READER: 403, OTHER: 403}),
    ('DELETE', '/servers/{id}/tags/{tag}', None, '2.26',
     {ADMIN: 204, MEMBER: 204, READER: 403, OTHER: 403}),
    ('GET', '/flavors', None, None, _ALL_OK),
    ('GET', '/flavors/detail', None, None, _ALL_OK),
    ('GET', '/flavors/{flavor}', None, None, _ALL_OK),
    ('POST', '/flavors', 'flavor', None,
     {ADMIN: 200, MEMBER: 403, READER: 403, OTHER: 403}),
    ('DELETE', '/flavors/{flavor}', None, None,
     {ADMIN: 202, MEMBER: 403, READER: 403, OTHER: 403}),
    ('GET', '/images', None, None, _ALL_OK),
    ('GET', '/images/detail', None, None, _ALL_OK),
    ('GET', '/images/{image}', None, None, _ALL_OK),
    ('GET', '/limits', None, None, _ALL_OK),
    ('GET', '/os-availability-zone', None, None, _ALL_OK),
    ('GET', '/os-availability-zone/detail', None, None,
     {ADMIN: 200, MEMBER: 403, READER: 403, OTHER: 403}),
    ('GET', '/os-keypairs', None, None, _ALL_OK),
    ('POST', '/os-keypairs', 'keypair', None, _ALL_OK),
    ('GET', '/os-keypairs/{keypair}', None, None,
     {ADMIN: 404, MEMBER: 200, READER: 404, OTHER: 404}),
    ('DELETE', '/os-keypairs/{keypair}', None, None,
     {ADMIN: 404, MEMBER: 202, READER: 404, OTHER: 404}),
    ('GET', '/os-networks', None, None, _ALL_OK),
    ('GET', '/os-networks/{network}', None, None, _ALL_OK),
    # Removed from Nova: 410 for everyone.
    ('POST', '/os-networks', {'network': {'label': 'x'}}, None, _GONE),
    ('POST', '/os-networks/add', {'id': None}, None, _GONE),
    ('DELETE', '/os-networks/{network}', None, None, _GONE),
    ('POST', '/os-networks/{network}/action', {'disassociate': None}, None,
     _GONE),
]


class TestPolicyMatrix(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.flags(instances=-1, cores=-1, ram=-1, key_pairs=-1,
                   group='quota')
        self.callers = {
            ADMIN: self.api.as_user('admin', 'admin'),
            MEMBER: self.api,
            READER: self.api.as_user('peek', 'demo', roles=['reader']),
            OTHER: self.api.as_user('eve', 'evil'),
        }
        # Every server gets an address on this shared network.
        self.network = db.network_create(self.admin_context, {
            'name': 'private', 'cidr': '10.0.0.0/22'})

    def _body(self, body, persona, serial):
        if body == 'create':
            return {'server': {'name': 'p', 'flavorRef': '1',
                               'imageRef': base.IMAGE_ID}}
        if body == 'flavor':
            return {'flavor': {'name': 'f-%s-%d' % (persona, serial),
                               'ram': 64, 'vcpus': 1, 'disk': 1}}
        if body == 'keypair':
            return {'keypair': {'name': 'k-%s-%d' % (persona, serial)}}
        return body

    def _server(self, serial):
        server = self.create_server(name='m%d' % serial)
        self.api.as_user('demo', version='2.26').put(
            'servers/%s/tags/t' % server['id'], status=201)
        return server

    def test_matrix(self):
        serial = 0
        shared = self._server(0)
        for method, path, body, version, expected in MATRIX:
            for persona in PERSONAS:
                serial += 1
                # Fresh resources for anything that may change them.
                server = shared
                if '{id}' in path and method != 'GET':
                    server = self._server(serial)
                flavor = '1'
                if '{flavor}' in path:
                    flavor = self.create_flavor(
                        flavorid='f%d' % serial,
                        name='flavor%d' % serial)['flavorid']
                if '{keypair}' in path:
                    self.api.post('os-keypairs', {'keypair': {
                        'name': 'kp%d' % serial}}, status=200)
                url = '/v2.1' + path.format(
                    id=server['id'], tag='t', flavor=flavor,
                    image=base.IMAGE_ID, keypair='kp%d' % serial,
                    network=self.network['uuid'], label='private')
                caller = self.callers[persona]
                if version:
                    caller = caller.as_user(caller.user, caller.project,
                                            roles=caller.roles,
                                            version=version)
                resp = caller.request(method, url,
                                      self._body(body, persona, serial))
                self.assertEqual(
                    expected[persona], resp.status_int,
                    '%s %s as %s: %s' % (method, path, persona, resp.text))

    def test_matrix_covers_every_route(self):
        covered = {(method, path) for method, path, _b, _v, _e in MATRIX}
        placeholders = {'{server_id}': '{id}', '{flavor_id}': '{flavor}',
                        '{image_id}': '{image}',
                        '{keypair_name}': '{keypair}',
                        '{network_id}': '{network}',
                        '{network_label}': '{label}'}
        listed = set()
        for method, path in routes.list_routes():
            for old, new in placeholders.items():
                path = path.replace(old, new)
            listed.add((method, path))
        self.assertEqual(set(), listed - covered)
