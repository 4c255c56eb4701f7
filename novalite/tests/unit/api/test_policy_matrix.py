"""Every route against four callers: admin, project member, project
reader, and a member of another project.

Another project's server is 404 (the lookup is project-scoped before any
policy runs), except on the tags routes, where (as in Nova) the policy is
checked against the server's project first: 403. A reader may look but not
act.
"""

from novalite.api import routes
from novalite.compute import utils as compute_utils
from novalite.db import api as db
from novalite.tests import base

ADMIN, MEMBER, READER, OTHER = 'admin', 'member', 'reader', 'other'
PERSONAS = (ADMIN, MEMBER, READER, OTHER)

# (method, path, body, version, {persona: status}); {id} is a fresh
# server of the member's project for each persona.
_ALL_OK = {p: 200 for p in PERSONAS}
_OWN = {ADMIN: 200, MEMBER: 200, READER: 200, OTHER: 404}
_ACT = {ADMIN: 202, MEMBER: 202, READER: 403, OTHER: 404}
# Allowed, but the server's state is wrong for the action.
_ACT_409 = {ADMIN: 409, MEMBER: 409, READER: 403, OTHER: 404}
_GONE = {p: 410 for p in PERSONAS}
_TAGS_OWN = dict(_OWN, **{OTHER: 403})
_ADMIN_ONLY = {ADMIN: 200, MEMBER: 403, READER: 403, OTHER: 403}
_PROJECT_READER = {ADMIN: 200, MEMBER: 200, READER: 200, OTHER: 403}
# os-services bodies: 'AGENT' becomes the agent's host.
_SERVICE = {'host': 'AGENT', 'binary': 'nova-compute'}

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
    # pause, suspend, rescue, soft delete, security groups: the server
    # is ACTIVE, so the reverse actions pass the policy and meet the
    # state check (409); it already has the default group (400).
    ('POST', '/servers/{id}/action', {'pause': None}, None, _ACT),
    ('POST', '/servers/{id}/action', {'unpause': None}, None, _ACT_409),
    ('POST', '/servers/{id}/action', {'suspend': None}, None, _ACT),
    ('POST', '/servers/{id}/action', {'resume': None}, None, _ACT_409),
    ('POST', '/servers/{id}/action', {'rescue': None}, None,
     {ADMIN: 200, MEMBER: 200, READER: 403, OTHER: 404}),
    ('POST', '/servers/{id}/action', {'unrescue': None}, None, _ACT_409),
    ('POST', '/servers/{id}/action', {'restore': None}, None, _ACT_409),
    ('POST', '/servers/{id}/action', {'forceDelete': None}, None, _ACT),
    ('POST', '/servers/{id}/action',
     {'addSecurityGroup': {'name': 'default'}}, None,
     {ADMIN: 400, MEMBER: 400, READER: 403, OTHER: 404}),
    ('POST', '/servers/{id}/action',
     {'removeSecurityGroup': {'name': 'default'}}, None, _ACT),
    # rebuild, resize, migrate, shelve, snapshot: the server is ACTIVE on
    # the only host (a resize to its own flavor is 400, confirm/revert
    # and the unshelves meet the state check, a migration finds no other
    # host: 202 and back to ACTIVE).
    ('POST', '/servers/{id}/action', {'createImage': {'name': 's'}}, None,
     _ACT),
    ('POST', '/servers/{id}/action',
     {'createBackup': {'name': 'b', 'backup_type': 'daily', 'rotation': 1}},
     None, _ACT),
    ('POST', '/servers/{id}/action',
     {'rebuild': {'imageRef': base.IMAGE_ID}}, None, _ACT),
    ('POST', '/servers/{id}/action', {'resize': {'flavorRef': '1'}}, None,
     {ADMIN: 400, MEMBER: 400, READER: 403, OTHER: 404}),
    ('POST', '/servers/{id}/action', {'confirmResize': None}, None,
     _ACT_409),
    ('POST', '/servers/{id}/action', {'revertResize': None}, None,
     _ACT_409),
    ('POST', '/servers/{id}/action', {'migrate': None}, None,
     {ADMIN: 202, MEMBER: 403, READER: 403, OTHER: 404}),
    ('POST', '/servers/{id}/action', {'shelve': None}, None, _ACT),
    ('POST', '/servers/{id}/action', {'shelveOffload': None}, None,
     {ADMIN: 409, MEMBER: 403, READER: 403, OTHER: 404}),
    ('POST', '/servers/{id}/action', {'unshelve': None}, None, _ACT_409),
    ('GET', '/servers/{id}/ips', None, None, _OWN),
    ('GET', '/servers/{id}/ips/{label}', None, None, _OWN),
    ('GET', '/servers/{id}/metadata', None, None, _OWN),
    ('GET', '/servers/{id}/metadata/{meta}', None, None, _OWN),
    ('POST', '/servers/{id}/metadata', {'metadata': {'k': 'v'}}, None,
     {ADMIN: 200, MEMBER: 200, READER: 403, OTHER: 404}),
    ('PUT', '/servers/{id}/metadata', {'metadata': {'k': 'v'}}, None,
     {ADMIN: 200, MEMBER: 200, READER: 403, OTHER: 404}),
    ('PUT', '/servers/{id}/metadata/{meta}', {'meta': {'k': 'v'}}, None,
     {ADMIN: 200, MEMBER: 200, READER: 403, OTHER: 404}),
    ('DELETE', '/servers/{id}/metadata/{meta}', None, None,
     {ADMIN: 204, MEMBER: 204, READER: 403, OTHER: 404}),
    ('GET', '/servers/{id}/os-server-password', None, None, _OWN),
    ('GET', '/servers/{id}/topology', None, '2.78', _OWN),
    ('DELETE', '/servers/{id}/os-server-password', None, None,
     {ADMIN: 204, MEMBER: 204, READER: 403, OTHER: 404}),
    ('GET', '/servers/{id}/os-instance-actions', None, None, _OWN),
    ('GET', '/servers/{id}/os-instance-actions/{request}', None, None,
     _OWN),
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
    ('PUT', '/flavors/{flavor}', {'flavor': {'description': 'd'}}, '2.55',
     _ADMIN_ONLY),
    ('DELETE', '/flavors/{flavor}', None, None,
     {ADMIN: 202, MEMBER: 403, READER: 403, OTHER: 403}),
    # Extra specs: read by whoever sees the flavor, written by admins.
    ('GET', '/flavors/{flavor}/os-extra_specs', None, None, _ALL_OK),
    ('GET', '/flavors/{flavor}/os-extra_specs/{spec}', None, None,
     _ALL_OK),
    ('POST', '/flavors/{flavor}/os-extra_specs',
     {'extra_specs': {'a': 'b'}}, None, _ADMIN_ONLY),
    ('PUT', '/flavors/{flavor}/os-extra_specs/{spec}', {'k': 'w'}, None,
     _ADMIN_ONLY),
    ('DELETE', '/flavors/{flavor}/os-extra_specs/{spec}', None, None,
     _ADMIN_ONLY),
    # Access lists (of a private flavor the member's project may use):
    # admins only, the policy before any lookup.
    ('GET', '/flavors/{flavor}/os-flavor-access', None, None, _ADMIN_ONLY),
    ('POST', '/flavors/{flavor}/action',
     {'addTenantAccess': {'tenant': 'x'}}, None, _ADMIN_ONLY),
    ('POST', '/flavors/{flavor}/action',
     {'removeTenantAccess': {'tenant': 'demo'}}, None, _ADMIN_ONLY),
    # Server groups ({group}: a fresh one of the member's project).
    ('GET', '/os-server-groups', None, None, _ALL_OK),
    ('POST', '/os-server-groups',
     {'server_group': {'name': 'g', 'policies': ['affinity']}}, None,
     {ADMIN: 200, MEMBER: 200, READER: 403, OTHER: 200}),
    ('GET', '/os-server-groups/{group}', None, None, _OWN),
    ('DELETE', '/os-server-groups/{group}', None, None,
     {ADMIN: 204, MEMBER: 204, READER: 403, OTHER: 404}),
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
    # Admin APIs. The agent's service ends enabled and up.
    ('GET', '/os-services', None, None, _ADMIN_ONLY),
    ('PUT', '/os-services/disable', _SERVICE, None, _ADMIN_ONLY),
    ('PUT', '/os-services/disable-log-reason',
     dict(_SERVICE, disabled_reason='r'), None, _ADMIN_ONLY),
    ('PUT', '/os-services/enable', _SERVICE, None, _ADMIN_ONLY),
    ('PUT', '/os-services/force-down', dict(_SERVICE, forced_down=False),
     '2.11', _ADMIN_ONLY),
    ('PUT', '/os-services/{service}', {'status': 'enabled'}, '2.53',
     _ADMIN_ONLY),
    ('DELETE', '/os-services/{service}', None, None,
     {ADMIN: 204, MEMBER: 403, READER: 403, OTHER: 403}),
    ('GET', '/os-hypervisors', None, None, _ADMIN_ONLY),
    ('GET', '/os-hypervisors/detail', None, None, _ADMIN_ONLY),
    ('GET', '/os-hypervisors/statistics', None, None, _ADMIN_ONLY),
    ('GET', '/os-hypervisors/{hypervisor}', None, None, _ADMIN_ONLY),
    ('GET', '/os-hypervisors/{hypervisor}/search', None, None,
     _ADMIN_ONLY),
    ('GET', '/os-hypervisors/{hypervisor}/servers', None, None,
     _ADMIN_ONLY),
    ('GET', '/os-hypervisors/{hypervisor}/uptime', None, None,
     _ADMIN_ONLY),
    ('GET', '/os-simple-tenant-usage', None, None, _ADMIN_ONLY),
    ('GET', '/os-simple-tenant-usage/{tenant}', None, None,
     _PROJECT_READER),
    ('GET', '/os-quota-sets/{tenant}', None, None, _PROJECT_READER),
    ('GET', '/os-quota-sets/{tenant}/detail', None, None, _PROJECT_READER),
    ('GET', '/os-quota-sets/{tenant}/defaults', None, None, _ALL_OK),
    ('PUT', '/os-quota-sets/{tenant}',
     {'quota_set': {'security_groups': 10}}, None, _ADMIN_ONLY),
    ('DELETE', '/os-quota-sets/{tenant}', None, None,
     {ADMIN: 202, MEMBER: 403, READER: 403, OTHER: 403}),
    # Security groups (proxy APIs): each rule is checked against the
    # caller's own project; another project's group is then not found.
    ('GET', '/os-security-groups', None, None, _ALL_OK),
    ('POST', '/os-security-groups',
     {'security_group': {'name': 'sg', 'description': ''}}, None,
     {ADMIN: 200, MEMBER: 200, READER: 403, OTHER: 200}),
    ('GET', '/os-security-groups/{secgroup}', None, None, _OWN),
    ('PUT', '/os-security-groups/{secgroup}',
     {'security_group': {'name': 'sg2', 'description': ''}}, None,
     {ADMIN: 200, MEMBER: 200, READER: 403, OTHER: 404}),
    ('DELETE', '/os-security-groups/{secgroup}', None, None,
     {ADMIN: 202, MEMBER: 202, READER: 403, OTHER: 404}),
    ('POST', '/os-security-group-rules', 'secrule', None,
     {ADMIN: 200, MEMBER: 200, READER: 403, OTHER: 404}),
    ('DELETE', '/os-security-group-rules/{secrule}', None, None,
     {ADMIN: 202, MEMBER: 202, READER: 403, OTHER: 404}),
    ('GET', '/servers/{id}/os-security-groups', None, None, _OWN),
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
        # {hypervisor}: the agent's service id, also a search pattern that
        # a disabled service's name holds.
        [agent] = db.service_get_all(self.admin_context,
                                     hosts=[self.agent.service.host])
        self.hypervisor = str(agent['id'])
        self._report_service('hv' + self.hypervisor)

    def _report_service(self, host):
        db.service_report(self.admin_context, host, compute_utils.BINARY,
                          'compute', {'vcpus': 1, 'memory_mb': 512,
                                      'local_gb': 1}, 'nova')
        db.service_update(self.admin_context, host, compute_utils.BINARY,
                          {'disabled': True})
        return db.service_get_all(self.admin_context, hosts=[host])[0]

    def _admin_ids(self, path, serial, version):
        """The admin APIs' placeholders: a fresh service to delete or
        change (by UUID from 2.53), the agent's hypervisor, the member's
        project."""
        if '{service}' in path:
            service = self._report_service('gone%d' % serial)
            path = path.replace('{service}', str(
                service['uuid'] if version == '2.53' else service['id']))
        return path.replace('{hypervisor}', self.hypervisor).replace(
            '{tenant}', 'demo')

    def _body(self, body, persona, serial):
        if body == 'create':
            return {'server': {'name': 'p', 'flavorRef': '1',
                               'imageRef': base.IMAGE_ID}}
        if body == 'flavor':
            return {'flavor': {'name': 'f-%s-%d' % (persona, serial),
                               'ram': 64, 'vcpus': 1, 'disk': 1}}
        if body == 'keypair':
            return {'keypair': {'name': 'k-%s-%d' % (persona, serial)}}
        if isinstance(body, dict) and body.get('host') == 'AGENT':
            return dict(body, host=self.agent.service.host)
        return body

    def _fresh_flavor(self, path, serial):
        """A flavor with the extra spec 'k'; private, with access for the
        member's project, for the access routes."""
        private = 'access' in path or path.endswith('/action')
        flavor = self.create_flavor(
            flavorid='f%d' % serial, name='flavor%d' % serial,
            is_public=not private)['flavorid']
        db.flavor_extra_specs_update_or_create(self.admin_context, flavor,
                                               {'k': 'v'})
        if private:
            db.flavor_access_add(self.admin_context, flavor, 'demo')
        return flavor

    def _server(self, serial):
        server = self.create_server(name='m%d' % serial,
                                    metadata={'k': 'v'})
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
                    flavor = self._fresh_flavor(path, serial)
                group = None
                if '{group}' in path:
                    group = self.api.post('os-server-groups', {
                        'server_group': {'name': 'g%d' % serial,
                                         'policies': ['affinity']}},
                        status=200).json['server_group']['id']
                if '{keypair}' in path:
                    self.api.post('os-keypairs', {'keypair': {
                        'name': 'kp%d' % serial}}, status=200)
                secgroup = secrule = None
                if '{secgroup}' in path or '{secrule}' in path or \
                        body == 'secrule':
                    secgroup = self.api.post('os-security-groups', {
                        'security_group': {'name': 'sg%d' % serial,
                                           'description': ''}},
                        status=200).json['security_group']['id']
                rule_body = {'security_group_rule': {
                    'parent_group_id': secgroup, 'ip_protocol': 'tcp',
                    'from_port': 1, 'to_port': 2}}
                if '{secrule}' in path:
                    secrule = self.api.post(
                        'os-security-group-rules', rule_body, status=200
                    ).json['security_group_rule']['id']
                request = None
                if '{request}' in path:
                    request = self.callers[ADMIN].get(
                        'servers/%s/os-instance-actions' % server['id']
                    ).json['instanceActions'][-1]['request_id']
                path = self._admin_ids(path, serial, version)
                url = '/v2.1' + path.format(
                    id=server['id'], tag='t', flavor=flavor,
                    image=base.IMAGE_ID, keypair='kp%d' % serial,
                    network=self.network['uuid'], label='private',
                    meta='k', request=request, spec='k', group=group,
                    secgroup=secgroup, secrule=secrule)
                sent = rule_body if body == 'secrule' else body
                caller = self.callers[persona]
                if version:
                    caller = caller.as_user(caller.user, caller.project,
                                            roles=caller.roles,
                                            version=version)
                resp = caller.request(method, url,
                                      self._body(sent, persona, serial))
                self.assertEqual(
                    expected[persona], resp.status_int,
                    '%s %s as %s: %s' % (method, path, persona, resp.text))

    def test_matrix_covers_every_route(self):
        covered = {(method, path) for method, path, _b, _v, _e in MATRIX}
        placeholders = {'{server_id}': '{id}', '{flavor_id}': '{flavor}',
                        '{image_id}': '{image}',
                        '{keypair_name}': '{keypair}',
                        '{network_id}': '{network}',
                        '{service_id}': '{service}',
                        '{hypervisor_id}': '{hypervisor}',
                        '{tenant_id}': '{tenant}',
                        '{network_label}': '{label}',
                        '{key}': '{meta}', '{request_id}': '{request}',
                        '{flavor_extra_spec_key}': '{spec}',
                        '{server_group_id}': '{group}',
                        '{security_group_id}': '{secgroup}',
                        '{security_group_rule_id}': '{secrule}'}
        listed = set()
        for method, path in routes.list_routes():
            for old, new in placeholders.items():
                path = path.replace(old, new)
            listed.add((method, path))
        self.assertEqual(set(), listed - covered)
