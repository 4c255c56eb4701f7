"""Tenant isolation: another project walks every route with this
project's ids and names, and learns and changes nothing.

Project A (``demo``) creates data of every kind the API has: an ACTIVE
server with metadata, tags, a key pair, user data, access IPs, a
description and addresses on its own private network and on a shared
one; a locked server in ERROR with a fault; a deleted server; SSH and
X509 key pairs (generated and imported); a private network. Everything
unique to A is collected as a "secret".

Project B (``bob``, a plain member with a server and a key pair of its
own) then walks every (method, route) of the route walker at the lowest
and the highest microversion: every list with and without filters naming
A's data, every show, update, delete and action with A's ids. For each
answer the test checks

* the status: what Nova (34, checked against the Nova anchor) gives a
  foreign project: 404 for another project's server, key pair or
  network; 403 where Nova's policy runs before the lookup (server tags,
  ``all_tenants``, another user's key pairs, another project's limits);
* that none of A's secrets appears anywhere in the body (any key or
  value) or the headers, unless B sent that very string itself (a 404
  naming the id B asked for);
* that lists hold B's own things only.

Afterwards A's view of its data (and an admin's) must be what it was.

A route added to ``novalite.api.routes`` without a walk here fails
``test_walk_covers_every_route``; a server action added without a body
here fails the walk.
"""

import base64
import re
import urllib.parse

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives import serialization
from oslo_utils import uuidutils

from novalite.api import actions
from novalite.api import api_version
from novalite.api import routes
from novalite.db import api as db
from novalite.tests import base

SHARED = '3cb9bc59-5699-4588-a4b1-b87f96708bc6'
MISSING = '00000000-0000-4000-8000-000000000000'
VERSIONS = (api_version.MIN_API_VERSION, api_version.MAX_API_VERSION)
TAGS_VERSION = '2.26'
KEYPAIR_USER_VERSION = '2.10'
SINCE = '2000-01-01T00:00:00Z'

# A body for each server action, valid for the owner.
ACTION_BODIES = {
    'lock': None,
    'unlock': None,
    'reboot': {'type': 'HARD'},
    'os-start': None,
    'os-stop': None,
    'changePassword': {'adminPass': 'bravo-pass'},
    'os-getConsoleOutput': {'length': 5},
    'trigger_crash_dump': None,
    # pause, suspend, rescue, soft delete, security groups:
    'pause': None,
    'unpause': None,
    'suspend': None,
    'resume': None,
    'rescue': {'adminPass': 'bravo-rescue'},
    'unrescue': None,
    'restore': None,
    'forceDelete': None,
    'addSecurityGroup': {'name': 'default'},
    'removeSecurityGroup': {'name': 'default'},
    # rebuild, resize, migrate, shelve, snapshot:
    'createImage': {'name': 'bravo-snap'},
    'createBackup': {'name': 'bravo-backup', 'backup_type': 'daily',
                     'rotation': 0},
    'rebuild': {'imageRef': base.IMAGE_ID},
    'resize': {'flavorRef': 'big'},
    'confirmResize': None,
    'revertResize': None,
    'migrate': None,
    'shelve': None,
    'shelveOffload': None,
    'unshelve': None,
}


def _strings(value, path='$'):
    """(where, text) of every key and scalar of a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield '%s (a key)' % path, str(key)
            yield from _strings(item, '%s.%s' % (path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, '%s[%d]' % (path, index))
    elif value is not None:
        yield path, str(value)


def _chunk(key):
    """A piece of key material: the start of its longest line (of a PEM,
    or the base64 of an SSH key or a PKCS#12 bundle)."""
    return max(key.split(), key=len)[:60]


def _query(**params):
    return '?' + urllib.parse.urlencode(params) if params else ''


# Nova's proxy APIs, gone after MAX_PROXY_API_VERSION (the nova-network
# routes of os-networks answer 410 at every version).
PROXY_ROUTES = ('/images', '/os-security-groups', '/os-security-group-rules')


def route_gone(method, route, version):
    version = api_version.APIVersionRequest(version)
    if version >= '2.53' and route in (
            '/os-hypervisors/{hypervisor_id}/search',
            '/os-hypervisors/{hypervisor_id}/servers'):
        return True
    if version < '2.78' and route == '/servers/{server_id}/topology':
        return True
    if version >= '2.88' and route in (
            '/os-hypervisors/statistics',
            '/os-hypervisors/{hypervisor_id}/uptime'):
        return True
    if version.matches(max_version=api_version.MAX_PROXY_API_VERSION):
        return False
    if route.startswith('/os-networks'):
        return method == 'GET'
    return route.startswith(PROXY_ROUTES)


class _RecordingClient(base.APIClient):
    """A's client: remembers the request id of each of A's requests."""

    def __init__(self, app, request_ids, version):
        super().__init__(app, 'demo', 'demo', version=version)
        self.request_ids = request_ids

    def request(self, *args, **kwargs):
        resp = super().request(*args, **kwargs)
        self.request_ids.add(resp.headers['x-openstack-request-id'])
        return resp


class TestTenantIsolation(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.flags(instances=-1, cores=-1, ram=-1, key_pairs=-1,
                   group='quota')
        self.tag = uuidutils.generate_uuid()[:8]
        self.a_request_ids = set()
        self.alice = _RecordingClient(self.app, self.a_request_ids,
                                      api_version.MAX_API_VERSION)
        self.bob = self.api.as_user('bob', 'bob')
        self.admin = self.admin_api.as_user(
            'admin', 'admin', version=api_version.MAX_API_VERSION)
        # A and an admin at the last version of the proxy APIs (images,
        # networks, security groups), gone later.
        self.alice_proxy = _RecordingClient(
            self.app, self.a_request_ids, api_version.MAX_PROXY_API_VERSION)
        self.admin_proxy = self.admin.as_user(
            'admin', 'admin', version=api_version.MAX_PROXY_API_VERSION)
        self.create_flavor(flavorid='big', name='big', vcpus=100000)
        self.shared = db.network_create(self.admin_context, {
            'name': 'public', 'cidr': '10.5.0.0/24', 'uuid': SHARED})
        self.a_net = db.network_create(self.admin_context, {
            'name': self._name('net'), 'cidr': '10.77.0.0/24',
            'project_id': 'demo'})
        self.b_net = db.network_create(self.admin_context, {
            'name': 'bravo-net', 'cidr': '10.88.0.0/24',
            'project_id': 'bob'})
        self._create_a()
        self._create_b()
        self.secrets = self._collect_secrets()

    def _name(self, kind):
        return 'alpha-%s-%s' % (kind, self.tag)

    # ------------------------------------------------------------ A's data

    def _a_server(self, name, wait='ACTIVE', hints=None, **extra):
        body = {'server': dict({'name': name, 'flavorRef': '1',
                                'imageRef': base.IMAGE_ID}, **extra)}
        if hints:
            body['os:scheduler_hints'] = hints
        server = self.alice.post('servers', body,
                                 status=202).json['server']
        self.wait_for_status(server['id'], wait)
        return server['id']

    def _create_a(self):
        a = self.alice
        self.a_keys = {}
        for kind, body in (
                ('gen', {}),
                ('x509', {'type': 'x509'}),
                ('imp', {'public_key': self._public_key()})):
            name = self._name('key-' + kind)
            # NOTE: generated keys only until 2.91.
            resp = a.post('os-keypairs', {'keypair': dict(body, name=name)},
                          status=201, headers={
                              'OpenStack-API-Version': 'compute 2.91'})
            self.a_keys[name] = resp.json['keypair']
        # A private flavor only A's project may use, with an extra
        # spec, and a server group with A's web server in it.
        self.a_flavor = self._name('flavor')
        self.create_flavor(flavorid=self.a_flavor,
                           name=self._name('flavor-name'), is_public=False)
        db.flavor_access_add(self.admin_context, self.a_flavor, 'demo')
        db.flavor_extra_specs_update_or_create(
            self.admin_context, self.a_flavor,
            {self._name('spec-key'): self._name('spec-value')})
        group = {'name': self._name('group')}
        if api_version.APIVersionRequest(a.version) >= '2.64':
            group['policy'] = 'anti-affinity'
        else:
            group['policies'] = ['anti-affinity']
        self.a_group = a.post('os-server-groups', {'server_group': group},
                              status=200).json['server_group']['id']
        user_data = base64.b64encode(
            self._name('user-data').encode()).decode()
        self.a_web = self._a_server(
            self._name('web'), hints={'group': self.a_group},
            key_name=self._name('key-gen'),
            user_data=user_data, description=self._name('description'),
            metadata={self._name('meta-key'): self._name('meta-value')},
            accessIPv4='198.51.100.77', accessIPv6='2001:db8::77',
            networks=[{'uuid': self.a_net['uuid']}, {'uuid': SHARED}])
        a.put('servers/%s/tags' % self.a_web,
              {'tags': [self._name('tag1'), self._name('tag2')]},
              status=200)
        # A security group with a rule, that A's web server is in.
        self.a_secgroup = self.alice_proxy.post('os-security-groups', {
            'security_group': {
                'name': self._name('secgroup'),
                'description': self._name('secgroup-description')}},
            status=200).json['security_group']['id']
        self.a_secrule = self.alice_proxy.post('os-security-group-rules', {
            'security_group_rule': {
                'parent_group_id': self.a_secgroup, 'ip_protocol': 'tcp',
                'from_port': 4321, 'to_port': 4321,
                'cidr': '10.77.0.0/24'}},
            status=200).json['security_group_rule']['id']
        a.post('servers/%s/action' % self.a_web, {'addSecurityGroup': {
            'name': self._name('secgroup')}}, status=202)
        # ERROR with a fault (no host can take it), locked by its owner.
        self.a_broken = self._a_server(
            self._name('broken'), wait='ERROR', flavorRef='big',
            metadata={'role': self._name('broken-meta')},
            networks=[{'uuid': self.a_net['uuid']}])
        a.put('servers/%s/tags/%s' % (self.a_broken, self._name('tag3')),
              status=201)
        a.post('servers/%s/action' % self.a_broken, {'lock': None},
               status=202)
        self.a_gone = self._a_server(self._name('gone'), networks=[])
        a.delete('servers/%s' % self.a_gone, status=204)
        self.wait_for_status(self.a_gone, 'DELETED')
        self.a_servers = (self.a_web, self.a_broken, self.a_gone)
        shown = a.get('servers/%s' % self.a_web).json['server']
        self.a_addresses = {net: [ip['addr'] for ip in ips]
                            for net, ips in shown['addresses'].items()}
        self.assertEqual({self.a_net['name'], 'public'},
                         set(self.a_addresses))
        broken = a.get('servers/%s' % self.a_broken).json['server']
        self.assertEqual('ERROR', broken['status'])
        self.assertIn('No valid host', broken['fault']['message'])
        self.assertTrue(broken['locked'])

    @staticmethod
    def _public_key():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return key.public_key().public_bytes(
            serialization.Encoding.OpenSSH,
            serialization.PublicFormat.OpenSSH).decode() + ' alpha@host'

    # ------------------------------------------------------------ B's data

    def _create_b(self):
        resp = self.bob.post('servers', {'server': {
            'name': 'bravo-1', 'flavorRef': '1', 'imageRef': base.IMAGE_ID,
            'networks': [{'uuid': self.b_net['uuid']}, {'uuid': SHARED}]}},
            status=202)
        self.b_server = resp.json['server']['id']
        self.wait_for_status(self.b_server, 'ACTIVE')
        self.b_servers = {self.b_server}
        self.bob.post('os-keypairs', {'keypair': {'name': 'bravo-key'}},
                      status=200)
        self.b_keys = {'bravo-key'}

    # ------------------------------------------------------------- secrets

    def _collect_secrets(self):
        """{string unique to A: (what it is, pattern)}, from A's and an
        admin's views (the admin sees user data, reservation ids ...)."""
        secrets = {}

        def add(value, what, piece=False):
            """``piece``: a piece of a longer token (key material), not
            a whole word."""
            if value in (None, '', [], {}):
                return
            value = str(value)
            self.assertGreaterEqual(len(value), 4, what)
            # A whole word: 10.5.0.2 is not in 10.5.0.255.
            pattern = r'(?<![0-9A-Za-z])' + re.escape(value)
            if not piece:
                pattern += r'(?![0-9A-Za-z])'
            secrets.setdefault(value, (what, re.compile(pattern)))

        add('demo', 'project id / user id of A')
        admin_view = self.admin.get(
            'servers/detail' + _query(all_tenants=1, project_id='demo',
                                      **{'changes-since': SINCE}),
            status=200).json['servers']
        self.assertEqual(set(self.a_servers),
                         {s['id'] for s in admin_view})
        for server in admin_view:
            what = 'server %s' % server['name']
            add(server['id'], what + ': id')
            add(server['name'], what + ': name')
            add(server['description'], what + ': description')
            add(server['hostId'], what + ': hostId')
            add(server['key_name'], what + ': key_name')
            add(server['accessIPv4'], what + ': accessIPv4')
            add(server['accessIPv6'], what + ': accessIPv6')
            add(server['OS-EXT-SRV-ATTR:reservation_id'],
                what + ': reservation_id')
            add(server['OS-EXT-SRV-ATTR:hostname'], what + ': hostname')
            user_data = server['OS-EXT-SRV-ATTR:user_data']
            if user_data:
                add(user_data, what + ': user_data')
                add(base64.b64decode(user_data).decode(),
                    what + ': user_data (decoded)')
            for key, value in server['metadata'].items():
                add(key, what + ': metadata key')
                add(value, what + ': metadata value')
            for tag in server['tags']:
                add(tag, what + ': tag')
            for net, ips in server['addresses'].items():
                if net != self.shared['name']:
                    add(net, what + ': network label')
                for ip in ips:
                    add(ip['addr'], what + ': address')
                    add(ip['OS-EXT-IPS-MAC:mac_addr'], what + ': MAC')
        for name, created in self.a_keys.items():
            what = 'key pair %s' % name
            add(name, what + ': name')
            add(created['fingerprint'], what + ': fingerprint')
            add(_chunk(created['public_key']), what + ': public key', True)
            if created.get('private_key'):
                add(_chunk(created['private_key']), what + ': private key',
                    True)
        network = self.admin_proxy.get(
            'os-networks/%s' % self.a_net['uuid'],
            status=200).json['network']
        for field in ('id', 'label', 'cidr', 'gateway', 'broadcast',
                      'bridge'):
            add(network[field], 'network %s: %s' % (self.a_net['name'],
                                                    field))
        add(self.a_secgroup, 'security group: id')
        add(self._name('secgroup'), 'security group: name')
        add(self._name('secgroup-description'),
            'security group: description')
        add(self.a_secrule, 'security group rule: id')
        for group in self.alice_proxy.get('os-security-groups').json[
                'security_groups']:
            add(group['id'], 'security group %s: id' % group['name'])
            for rule in group['rules']:
                add(rule['id'], 'security group rule: id')
        add(self.a_group, 'server group: id')
        add(self._name('group'), 'server group: name')
        add(self.a_flavor, 'private flavor: id')
        add(self._name('flavor-name'), 'private flavor: name')
        add(self._name('spec-key'), 'private flavor: extra spec key')
        add(self._name('spec-value'), 'private flavor: extra spec value')
        for request_id in self.a_request_ids:
            add(request_id, "request id of A's request")
        return secrets

    # ---------------------------------------------------------- A's state

    def _a_state(self):
        """Everything A (and an admin) can see of A's data."""
        a = self.alice
        state = {}
        for path in ('servers/detail',
                     'servers/detail' + _query(**{'changes-since': SINCE}),
                     'os-keypairs', 'limits', 'os-quota-sets/demo/detail'):
            state['A ' + path] = a.get(path, status=200).json
        for path in ('os-networks', 'os-networks/%s' % self.a_net['uuid'],
                     'os-security-groups'):
            state['A ' + path] = self.alice_proxy.get(path, status=200).json
        for server in self.a_servers[:2]:
            for path in ('servers/%s/ips', 'servers/%s/tags'):
                state['A ' + path % server] = a.get(
                    path % server, status=200).json
        for name in self.a_keys:
            state['A key ' + name] = a.get('os-keypairs/' + name,
                                           status=200).json
        admin_view = self.admin.get(
            'servers/detail' + _query(all_tenants=1, project_id='demo',
                                      **{'changes-since': SINCE}),
            status=200).json
        for server in admin_view['servers']:
            server.pop('host_status', None)  # the agent's heartbeat
        state['admin servers'] = admin_view
        state['admin network'] = self.admin_proxy.get(
            'os-networks/%s' % self.a_net['uuid'], status=200).json
        state['A server groups'] = a.get('os-server-groups',
                                         status=200).json
        state['A web security groups'] = a.get(
            'servers/%s/os-security-groups' % self.a_web, status=200).json
        state['A flavor'] = a.get('flavors/' + self.a_flavor,
                                  status=200).json
        for path in ('os-flavor-access', 'os-extra_specs'):
            state['admin flavor ' + path] = self.admin.get(
                'flavors/%s/%s' % (self.a_flavor, path), status=200).json
        state['db fixed ips'] = sorted(
            (vif['address'], vif['mac_address'], vif['network_id'])
            for server in self.a_servers
            for vif in db.network_info_for_instance(self.admin_context,
                                                    server))
        return state

    # ------------------------------------------------------------ the walk
    #
    # One method per route, returning [(path, body, status, check)] for
    # version ``v``: ``path`` below /v2.1/ with its query (or a (method,
    # path) pair for a request of another route in between, e.g. B
    # deleting the key pair it just created), ``status`` what Nova answers,
    # ``check`` an optional callable(test, resp) for the answer's content.

    def _servers_lists(self, v, collection):
        a_web_addrs = [ip for ips in self.a_addresses.values()
                       for ip in ips]
        denied = 403
        lists = [
            {}, {'all_tenants': '0'}, {'all_tenants': 'false'},
            {'project_id': 'demo'}, {'tenant_id': 'demo'},
            {'all_tenants': '0', 'project_id': 'demo'},
            {'user_id': 'demo'}, {'uuid': self.a_web},
            {'name': self._name('web')}, {'name': 'alpha'}, {'name': '.'},
            {'ip': '10.'}, {'ip6': '.'},
            {'changes-since': SINCE},
            {'changes-since': SINCE, 'deleted': 'true'},
            {'deleted': 'true'}, {'deleted': 'true', 'project_id': 'demo'},
            {'soft_deleted': 'true'},
            {'status': 'ERROR'}, {'status': 'ACTIVE'},
            {'image': base.IMAGE_ID}, {'flavor': 'big'},
            {'key_name': self._name('key-gen')},
            {'host': self.agent.service.host},
            {'locked': 'true'}, {'description': 'alpha'},
            {'metadata': self._name('meta-key')},
            {'tags': self._name('tag1')},
            {'tags-any': '%s,%s' % (self._name('tag1'),
                                    self._name('tag3'))},
            {'not-tags': self._name('tag1')},
            {'not-tags-any': self._name('tag3')},
            {'sort_key': 'display_name', 'sort_dir': 'asc'},
            {'limit': '1'},
        ] + [{'ip': address} for address in a_web_addrs] + [
            {'reservation_id': r} for r in self._secrets('reservation_id')]
        probes = [(collection + _query(**q), None, 200,
                   self._only_b_servers) for q in lists]
        # Every projects' servers: admins only (Nova: the policy runs
        # before any listing).
        for q in ({'all_tenants': '1'}, {'all_tenants': 'true'},
                  {'all_tenants': ''},
                  {'all_tenants': '1', 'project_id': 'demo'},
                  {'all_tenants': '1', 'tenant_id': 'demo'},
                  {'all_tenants': '1', 'deleted': 'true'},
                  {'all_tenants': '1', 'name': self._name('web')}):
            probes.append((collection + _query(**q), None, denied, None))
        # Deleted servers of any project: admins only.
        probes.append((collection + _query(status='DELETED'), None,
                       denied, None))
        # NOTE: Nova looks a marker up in every project and pages from
        # another project's server (200: an oracle of its existence and
        # sort position, e.g. of its name with sort_key=display_name).
        # novalite only finds the caller's own markers: A's server is as
        # unknown as one that never existed (400).
        for server in self.a_servers:
            for q in ({'marker': server},
                      {'marker': server, 'sort_key': 'display_name'}):
                probes.append((collection + _query(**q), None, 400,
                               self._marker_not_found(server)))
        return probes

    def walk_get_servers(self, v):
        return self._servers_lists(v, 'servers')

    def walk_get_servers_detail(self, v):
        return self._servers_lists(v, 'servers/detail')

    def walk_post_servers(self, v):
        create = {'name': 'bravo-new', 'flavorRef': '1',
                  'imageRef': base.IMAGE_ID}
        if api_version.APIVersionRequest(v) >= '2.37':
            create['networks'] = 'none'  # required from 2.37
        a_net = self.a_net['uuid']
        a_private = self.a_addresses[self.a_net['name']][0]
        a_shared = self.a_addresses['public'][0]
        return [
            # Another user's key pair is unknown.
            ('servers', {'server': dict(create,
                                        key_name=self._name('key-gen'))},
             400, self._message('Invalid key_name provided.')),
            # Another project's network is unknown ...
            ('servers', {'server': dict(create,
                                        networks=[{'uuid': a_net}])},
             400, self._message('Network %s could not be found.' % a_net)),
            ('servers', {'server': dict(create, networks=[
                {'uuid': a_net, 'fixed_ip': a_private}])},
             400, self._message('Network %s could not be found.' % a_net)),
            # ... and an address A holds on a shared network is taken,
            # without saying by whom (as Nova, whose look-up of the port
            # holding it, with B's token, does not see A's port).
            ('servers', {'server': dict(create, networks=[
                {'uuid': SHARED, 'fixed_ip': a_shared}])},
             409, self._message('Fixed IP %s is already in use.'
                                % a_shared)),
            # Another project's server group and private flavor are
            # unknown.
            ('servers', {'server': create,
                         'os:scheduler_hints': {'group': self.a_group}},
             400, self._message('Instance group %s could not be found.'
                                % self.a_group)),
            ('servers', {'server': dict(create, flavorRef=self.a_flavor)},
             400, self._message('Flavor %s could not be found.'
                                % self.a_flavor)),
        ]

    def walk_get_server(self, v):
        return [('servers/%s' % s, None, 404, self._not_found(s))
                for s in self.a_servers]

    def walk_put_server(self, v):
        body = {'name': 'bravo-was-here'}
        if api_version.APIVersionRequest(v).matches('2.19'):
            body['description'] = 'bravo-was-here'
        return [('servers/%s' % s, {'server': body}, 404,
                 self._not_found(s)) for s in self.a_servers]

    def walk_delete_server(self, v):
        return [('servers/%s' % s, None, 404, self._not_found(s))
                for s in self.a_servers]

    def walk_post_server_action(self, v):
        probes = []
        for name in actions.names():
            min_version = actions.get(name).min_version
            self.assertIn(name, ACTION_BODIES,
                          'server action %s: add a body to ACTION_BODIES '
                          'so that the isolation walk tries it' % name)
            self.exercised_actions.add(name)
            for server in self.a_servers:
                check = self._not_found(server)
                if not api_version.APIVersionRequest(v).matches(
                        min_version):
                    # Nova: an action of a later microversion does not
                    # exist, whoever asks and for whatever server.
                    check = self._message('The resource could not be '
                                          'found.')
                probes.append(('servers/%s/action' % server,
                               {name: ACTION_BODIES[name]}, 404, check))
        probes.append(('servers/%s/action' % self.a_web,
                       {'bravo-nosuch': None}, 400, None))
        return probes

    def walk_get_ips(self, v):
        return [('servers/%s/ips' % s, None, 404, self._not_found(s))
                for s in self.a_servers]

    def walk_get_ips_label(self, v):
        probes = []
        for label in self.a_addresses:
            probes += [('servers/%s/ips/%s' % (s, label), None, 404,
                        self._not_found(s)) for s in self.a_servers]
        # B's own server is not on A's network.
        probes.append(('servers/%s/ips/%s' % (self.b_server,
                                              self.a_net['name']),
                       None, 404, self._message(
                           'Instance is not a member of specified '
                           'network')))
        probes.append(('servers/%s/ips/public' % self.b_server, None, 200,
                       None))
        return probes

    def _on_a_servers(self, suffix, body=None):
        """``servers/<A's server><suffix>`` for each of A's servers: 404,
        the server is not B's to see."""
        return [('servers/%s%s' % (s, suffix), body, 404,
                 self._not_found(s)) for s in self.a_servers]

    def walk_get_metadata(self, v):
        return self._on_a_servers('/metadata')

    def walk_post_metadata(self, v):
        return self._on_a_servers('/metadata',
                                  {'metadata': {'bravo': 'x'}})

    def walk_put_metadata(self, v):
        return self._on_a_servers('/metadata', {'metadata': {}})

    def walk_get_metadata_item(self, v):
        return self._on_a_servers('/metadata/%s' % self._name('meta-key'))

    def walk_put_metadata_item(self, v):
        return self._on_a_servers('/metadata/bravo',
                                  {'meta': {'bravo': 'x'}})

    def walk_delete_metadata_item(self, v):
        return self._on_a_servers('/metadata/%s' % self._name('meta-key'))

    def walk_get_server_password(self, v):
        return self._on_a_servers('/os-server-password')

    def walk_delete_server_password(self, v):
        return self._on_a_servers('/os-server-password')

    def walk_get_server_topology(self, v):
        return self._on_a_servers('/topology')

    def walk_get_instance_actions(self, v):
        return self._on_a_servers('/os-instance-actions')

    def walk_get_instance_action(self, v):
        return self._on_a_servers('/os-instance-actions/req-%s'
                                  % uuidutils.generate_uuid())

    def _tags(self, v, probes):
        """Below 2.26 the tag routes do not exist (404). From 2.26, as
        Nova's, the policy is checked against the server's project before
        the server is loaded: another project's server (even a deleted
        one) is 403."""
        before = not api_version.APIVersionRequest(v).matches(TAGS_VERSION)
        result = []
        for path, body in probes:
            if before:
                result.append((path, body, 404, self._message(
                    'The resource could not be found.')))
            else:
                result.append((path, body, 403, self._forbidden))
        return result

    def walk_get_tags(self, v):
        return self._tags(v, [('servers/%s/tags' % s, None)
                              for s in self.a_servers])

    def walk_put_tags(self, v):
        return self._tags(v, [('servers/%s/tags' % s,
                               {'tags': ['bravo']})
                              for s in self.a_servers])

    def walk_delete_tags(self, v):
        return self._tags(v, [('servers/%s/tags' % s, None)
                              for s in self.a_servers])

    def walk_get_tag(self, v):
        probes = self._tags(v, [
            ('servers/%s/tags/%s' % (s, tag), None)
            for s in self.a_servers
            for tag in (self._name('tag1'), self._name('tag3'), 'bravo')])
        if api_version.APIVersionRequest(v).matches(TAGS_VERSION):
            # B's own server has no tag of A's.
            tag = self._name('tag1')
            probes.append(('servers/%s/tags/%s' % (self.b_server, tag),
                           None, 404, self._message(
                               "Instance %s has no tag '%s'"
                               % (self.b_server, tag))))
        return probes

    def walk_put_tag(self, v):
        return self._tags(v, [('servers/%s/tags/bravo' % s, None)
                              for s in self.a_servers])

    def walk_delete_tag(self, v):
        return self._tags(v, [('servers/%s/tags/%s' % (s, tag), None)
                              for s in self.a_servers
                              for tag in (self._name('tag1'), 'bravo')])

    def _with_user(self, v):
        """The answer to ``?user_id=demo`` (another user's key pairs):
        ignored before 2.10, the policy's 403 from 2.10."""
        return (403 if api_version.APIVersionRequest(v).matches(
            KEYPAIR_USER_VERSION) else None)

    def walk_get_keypairs(self, v):
        probes = [('os-keypairs', None, 200, self._only_b_keys)]
        denied = self._with_user(v)
        probes.append(('os-keypairs' + _query(user_id='demo'), None,
                       denied or 200,
                       self._forbidden if denied else self._only_b_keys))
        return probes

    def walk_post_keypairs(self, v):
        version = api_version.APIVersionRequest(v)
        created = 201 if version.matches('2.2') else 200
        deleted = 204 if version.matches('2.2') else 202
        probes = []
        # NOTE: imported keys, which every version takes (2.92 no longer
        # generates them).
        public_key = self._public_key()
        # Key pair names are per user: B may use one of A's names (no
        # 409 telling B that A has it), and deleting B's own leaves A's.
        for name in self.a_keys:
            probes.append(('os-keypairs', {'keypair': {
                'name': name, 'public_key': public_key}}, created, None))
            probes.append((('DELETE', 'os-keypairs/' + name), None,
                           deleted, None))
        body = {'keypair': {'name': 'bravo-for-a', 'user_id': 'demo',
                            'public_key': public_key}}
        if version.matches(KEYPAIR_USER_VERSION):
            probes.append(('os-keypairs', body, 403, self._forbidden))
        else:
            probes.append(('os-keypairs', body, 400, None))
        return probes

    def _keypair_item(self, v):
        probes = []
        for name in self.a_keys:
            probes.append(('os-keypairs/' + name, None, 404,
                           self._message('Keypair %s not found for user '
                                         'bob' % name)))
            denied = self._with_user(v)
            probes.append(('os-keypairs/%s%s' % (name, _query(
                user_id='demo')), None, denied or 404,
                self._forbidden if denied else None))
        return probes

    def walk_get_keypair(self, v):
        return self._keypair_item(v)

    def walk_delete_keypair(self, v):
        return self._keypair_item(v)

    def walk_get_networks(self, v):
        return [('os-networks', None, 200, self._only_visible_networks)]

    def walk_get_network(self, v):
        return [('os-networks/%s' % self.a_net['uuid'], None, 404,
                 self._message('Network not found')),
                ('os-networks/%s' % SHARED, None, 200, None)]

    def _gone(self, probes):
        return [(path, body, 410, None) for path, body in probes]

    def walk_post_networks(self, v):
        return self._gone([('os-networks', {'network': {
            'label': self.a_net['name'], 'cidr': '10.77.0.0/24'}})])

    def walk_post_networks_add(self, v):
        return self._gone([('os-networks/add',
                            {'id': self.a_net['uuid']})])

    def walk_delete_network(self, v):
        return self._gone([('os-networks/%s' % self.a_net['uuid'], None)])

    def walk_post_network_action(self, v):
        return self._gone([('os-networks/%s/action' % self.a_net['uuid'],
                            {'disassociate': None})])

    def walk_get_availability_zones(self, v):
        # Zones are the deployment's, the same for every project.
        return [('os-availability-zone', None, 200, None)]

    def walk_get_availability_zones_detail(self, v):
        return [('os-availability-zone/detail', None, 403,
                 self._forbidden)]

    def walk_get_limits(self, v):
        # Asking for any project's limits, even one's own, needs the
        # admin rule (as Nova).
        return [('limits', None, 200, self._b_usage),
                ('limits' + _query(tenant_id='demo'), None, 403,
                 self._forbidden),
                ('limits' + _query(tenant_id='bob'), None, 403,
                 self._forbidden)]

    # Flavors and images belong to no project: everyone reads them, only
    # admins manage flavors.

    def walk_get_flavors(self, v):
        return [('flavors' + q, None, 200, None)
                for q in ('', _query(is_public='none'),
                          _query(is_public='false'))] + [
            # A marker B cannot see is unknown.
            ('flavors' + _query(marker=self.a_flavor), None, 400,
             self._message('marker [%s] not found' % self.a_flavor))]

    def walk_get_flavors_detail(self, v):
        return [('flavors/detail', None, 200, None)]

    def walk_get_flavor(self, v):
        return [('flavors/big', None, 200, None),
                ('flavors/' + self.a_flavor, None, 404,
                 self._message('Flavor %s could not be found.'
                               % self.a_flavor))]

    def walk_post_flavors(self, v):
        return [('flavors', {'flavor': {'name': 'bravo', 'ram': 64,
                                        'vcpus': 1, 'disk': 1}}, 403,
                 self._forbidden)]

    def walk_put_flavor(self, v):
        body = {'flavor': {'description': 'bravo'}}
        if api_version.APIVersionRequest(v) >= '2.55':
            return [('flavors/big', body, 403, self._forbidden)]
        return [('flavors/big', body, 404, None)]

    def walk_delete_flavor(self, v):
        return [('flavors/big', None, 403, self._forbidden)]

    def walk_get_images(self, v):
        return [('images', None, 200, None)]

    def walk_get_images_detail(self, v):
        return [('images/detail', None, 200, None)]

    def walk_get_image(self, v):
        return [('images/' + base.IMAGE_ID, None, 200, None)]

    # A private flavor is its access list's (and admins'): B neither
    # sees it nor its extra specs; extra specs and access lists are
    # written by admins only (the policy runs before any lookup).

    def _flavor_unknown(self):
        return self._message('Flavor %s could not be found.'
                             % self.a_flavor)

    def walk_get_flavor_extra_specs(self, v):
        return [('flavors/%s/os-extra_specs' % self.a_flavor, None, 404,
                 self._flavor_unknown()),
                ('flavors/1/os-extra_specs', None, 200, None)]

    def walk_get_flavor_extra_spec(self, v):
        key = self._name('spec-key')
        return [('flavors/%s/os-extra_specs/%s' % (self.a_flavor, key),
                 None, 404, self._flavor_unknown()),
                ('flavors/1/os-extra_specs/' + key, None, 404,
                 self._message('Flavor 1 has no extra specs with key %s.'
                               % key))]

    def _flavor_writes(self, method, suffix, body):
        return [((method, 'flavors/%s/%s' % (flavor, suffix)), body, 403,
                 self._forbidden) for flavor in (self.a_flavor, '1')]

    def walk_post_flavor_extra_specs(self, v):
        return self._flavor_writes('POST', 'os-extra_specs', {
            'extra_specs': {self._name('spec-key'): 'bravo'}})

    def walk_put_flavor_extra_spec(self, v):
        key = self._name('spec-key')
        return self._flavor_writes('PUT', 'os-extra_specs/' + key,
                                   {key: 'bravo'})

    def walk_delete_flavor_extra_spec(self, v):
        return self._flavor_writes(
            'DELETE', 'os-extra_specs/' + self._name('spec-key'), None)

    def walk_get_flavor_access(self, v):
        return self._flavor_writes('GET', 'os-flavor-access', None)

    def walk_post_flavor_action(self, v):
        return (self._flavor_writes('POST', 'action', {
            'addTenantAccess': {'tenant': 'bob'}}) +
            self._flavor_writes('POST', 'action', {
                'removeTenantAccess': {'tenant': 'demo'}}))

    # Server groups are a project's: another project's is not found.

    def walk_get_server_groups(self, v):
        queries = ['', _query(all_projects=1),
                   _query(all_projects='true', limit=5, offset=0)]
        probes = [('os-server-groups' + q, None, 200, self._only_b_groups)
                  for q in queries]
        # An unknown parameter: ignored below 2.75, a 400 from it.
        strict = api_version.APIVersionRequest(v) >= '2.75'
        probes.append(('os-server-groups' + _query(project_id='demo'), None,
                       400 if strict else 200,
                       None if strict else self._only_b_groups))
        return probes

    def walk_post_server_groups(self, v):
        group = {'name': 'bravo-group'}
        if api_version.APIVersionRequest(v) >= '2.64':
            group['policy'] = 'affinity'
        else:
            group['policies'] = ['affinity']
        return [('os-server-groups', {'server_group': group}, 200, None)]

    def walk_get_server_group(self, v):
        return [('os-server-groups/' + self.a_group, None, 404,
                 self._message('Instance group %s could not be found.'
                               % self.a_group))]

    def walk_delete_server_group(self, v):
        return self.walk_get_server_group(v)

    # Security groups are a project's (Neutron's): another project's
    # group or rule is not found; all_tenants counts for admins only.

    def _secgroup_not_found(self):
        return self._message('Security group %s does not exist'
                             % self.a_secgroup)

    def walk_get_security_groups(self, v):
        return [('os-security-groups' + q, None, 200,
                 self._only_b_secgroups)
                for q in ('', _query(all_tenants=1),
                          _query(all_tenants=1, limit=5, offset=0),
                          _query(tenant_id='demo'),
                          _query(name=self._name('secgroup')))]

    def walk_post_security_groups(self, v):
        return [('os-security-groups', {'security_group': {
            'name': 'bravo-secgroup', 'description': 'bravo'}}, 200, None)]

    def walk_get_security_group(self, v):
        return [('os-security-groups/' + self.a_secgroup, None, 404,
                 self._secgroup_not_found())]

    def walk_put_security_group(self, v):
        return [('os-security-groups/' + self.a_secgroup, {
            'security_group': {'name': 'bravo', 'description': 'b'}},
            404, self._secgroup_not_found())]

    def walk_delete_security_group(self, v):
        return self.walk_get_security_group(v)

    def walk_post_security_group_rules(self, v):
        rule = {'ip_protocol': 'tcp', 'from_port': 1, 'to_port': 2}
        own = self.bob.get('os-security-groups').json[
            'security_groups'][0]['id']
        return [
            ('os-security-group-rules', {'security_group_rule': dict(
                rule, parent_group_id=self.a_secgroup)}, 404,
             self._secgroup_not_found()),
            ('os-security-group-rules', {'security_group_rule': {
                'parent_group_id': own, 'group_id': self.a_secgroup}},
             404, self._secgroup_not_found())]

    def walk_delete_security_group_rule(self, v):
        return [('os-security-group-rules/' + self.a_secrule, None, 404,
                 self._message('Security group rule %s does not exist'
                               % self.a_secrule))]

    def walk_get_server_security_groups(self, v):
        return [('servers/%s/os-security-groups' % s, None, 404,
                 self._not_found(s)) for s in self.a_servers]

    # Admin APIs: the deployment's services and hypervisors are for
    # admins; a project's usage and quotas for its members and admins.

    def _agent_service(self):
        return {'host': self.agent.service.host, 'binary': 'nova-compute'}

    def _agent_service_id(self, v, key='id'):
        """The agent's service id, or from 2.53 its UUID (``key``
        ``compute_node_uuid``: the hypervisor's)."""
        [service] = db.service_get_all(self.admin_context,
                                       hosts=[self.agent.service.host])
        if api_version.APIVersionRequest(v) >= '2.53':
            return service['uuid' if key == 'id' else key]
        return str(service['id'])

    def walk_get_services(self, v):
        return [('os-services' + q, None, 403, self._forbidden)
                for q in ('', _query(host=self.agent.service.host))]

    def _service_update(self, v, action, body):
        if api_version.APIVersionRequest(v) >= '2.53':
            # Nova: the path must name a service by UUID, checked before
            # the policy.
            return [('os-services/' + action, {'status': 'disabled'}, 400,
                     self._message('Invalid uuid %s' % action))]
        return [('os-services/' + action, body, 403, self._forbidden)]

    def walk_put_services_enable(self, v):
        return self._service_update(v, 'enable', self._agent_service())

    def walk_put_services_disable(self, v):
        return self._service_update(v, 'disable', self._agent_service())

    def walk_put_services_disable_log_reason(self, v):
        return self._service_update(v, 'disable-log-reason', dict(
            self._agent_service(), disabled_reason='bravo'))

    def walk_put_services_force_down(self, v):
        # The policy runs before Nova finds that 2.1 has no force-down.
        return self._service_update(v, 'force-down', self._agent_service())

    def walk_put_service(self, v):
        body = self._agent_service()
        if api_version.APIVersionRequest(v) >= '2.53':
            body = {'status': 'disabled', 'disabled_reason': 'bravo'}
        return [('os-services/' + self._agent_service_id(v), body, 403,
                 self._forbidden)]

    def walk_delete_service(self, v):
        return [('os-services/' + self._agent_service_id(v), None, 403,
                 self._forbidden)]

    def walk_get_hypervisors(self, v):
        return [('os-hypervisors', None, 403, self._forbidden)]

    def walk_get_hypervisors_detail(self, v):
        return [('os-hypervisors/detail', None, 403, self._forbidden)]

    def walk_get_hypervisors_statistics(self, v):
        return [('os-hypervisors/statistics', None, 403, self._forbidden)]

    def _hypervisor_item(self, v, suffix=''):
        hypervisor = self._agent_service_id(v, 'compute_node_uuid')
        return [('os-hypervisors/%s%s' % (hypervisor, suffix), None, 403,
                 self._forbidden)]

    def walk_get_hypervisor(self, v):
        return self._hypervisor_item(v)

    def walk_get_hypervisor_uptime(self, v):
        return self._hypervisor_item(v, '/uptime')

    def walk_get_hypervisor_search(self, v):
        return [('os-hypervisors/%s/search' % self.agent.service.host,
                 None, 403, self._forbidden)]

    def walk_get_hypervisor_servers(self, v):
        return [('os-hypervisors/%s/servers' % self.agent.service.host,
                 None, 403, self._forbidden)]

    def walk_get_tenant_usages(self, v):
        return [('os-simple-tenant-usage' + _query(detailed='1'), None,
                 403, self._forbidden)]

    def walk_get_tenant_usage(self, v):
        return [('os-simple-tenant-usage/demo', None, 403, self._forbidden),
                ('os-simple-tenant-usage/bob' + _query(
                    start='2000-01-01T00:00:00'), None, 200,
                 self._only_b_usage)]

    def walk_get_quota_set(self, v):
        return [('os-quota-sets/demo', None, 403, self._forbidden),
                ('os-quota-sets/bob', None, 200, None)]

    def walk_get_quota_set_detail(self, v):
        return [('os-quota-sets/demo/detail', None, 403, self._forbidden),
                ('os-quota-sets/bob/detail', None, 200, self._b_quota)]

    def walk_get_quota_set_defaults(self, v):
        # The defaults are the deployment's, for any project.
        return [('os-quota-sets/demo/defaults', None, 200, None)]

    def walk_put_quota_set(self, v):
        return [('os-quota-sets/' + project,
                 {'quota_set': {'instances': 1000}}, 403, self._forbidden)
                for project in ('demo', 'bob')]

    def walk_delete_quota_set(self, v):
        return [('os-quota-sets/' + project, None, 403, self._forbidden)
                for project in ('demo', 'bob')]

    WALK = {
        ('GET', '/servers'): walk_get_servers,
        ('GET', '/servers/detail'): walk_get_servers_detail,
        ('POST', '/servers'): walk_post_servers,
        ('GET', '/servers/{server_id}'): walk_get_server,
        ('PUT', '/servers/{server_id}'): walk_put_server,
        ('DELETE', '/servers/{server_id}'): walk_delete_server,
        ('POST', '/servers/{server_id}/action'): walk_post_server_action,
        ('GET', '/servers/{server_id}/ips'): walk_get_ips,
        ('GET', '/servers/{server_id}/ips/{network_label}'):
            walk_get_ips_label,
        ('GET', '/servers/{server_id}/metadata'): walk_get_metadata,
        ('POST', '/servers/{server_id}/metadata'): walk_post_metadata,
        ('PUT', '/servers/{server_id}/metadata'): walk_put_metadata,
        ('GET', '/servers/{server_id}/metadata/{key}'):
            walk_get_metadata_item,
        ('PUT', '/servers/{server_id}/metadata/{key}'):
            walk_put_metadata_item,
        ('DELETE', '/servers/{server_id}/metadata/{key}'):
            walk_delete_metadata_item,
        ('GET', '/servers/{server_id}/os-server-password'):
            walk_get_server_password,
        ('DELETE', '/servers/{server_id}/os-server-password'):
            walk_delete_server_password,
        ('GET', '/servers/{server_id}/topology'): walk_get_server_topology,
        ('GET', '/servers/{server_id}/os-instance-actions'):
            walk_get_instance_actions,
        ('GET', '/servers/{server_id}/os-instance-actions/{request_id}'):
            walk_get_instance_action,
        ('GET', '/servers/{server_id}/tags'): walk_get_tags,
        ('PUT', '/servers/{server_id}/tags'): walk_put_tags,
        ('DELETE', '/servers/{server_id}/tags'): walk_delete_tags,
        ('GET', '/servers/{server_id}/tags/{tag}'): walk_get_tag,
        ('PUT', '/servers/{server_id}/tags/{tag}'): walk_put_tag,
        ('DELETE', '/servers/{server_id}/tags/{tag}'): walk_delete_tag,
        ('GET', '/os-keypairs'): walk_get_keypairs,
        ('POST', '/os-keypairs'): walk_post_keypairs,
        ('GET', '/os-keypairs/{keypair_name}'): walk_get_keypair,
        ('DELETE', '/os-keypairs/{keypair_name}'): walk_delete_keypair,
        ('GET', '/os-networks'): walk_get_networks,
        ('GET', '/os-networks/{network_id}'): walk_get_network,
        ('POST', '/os-networks'): walk_post_networks,
        ('POST', '/os-networks/add'): walk_post_networks_add,
        ('DELETE', '/os-networks/{network_id}'): walk_delete_network,
        ('POST', '/os-networks/{network_id}/action'):
            walk_post_network_action,
        ('GET', '/limits'): walk_get_limits,
        ('GET', '/os-availability-zone'): walk_get_availability_zones,
        ('GET', '/os-availability-zone/detail'):
            walk_get_availability_zones_detail,
        ('GET', '/flavors'): walk_get_flavors,
        ('GET', '/flavors/detail'): walk_get_flavors_detail,
        ('GET', '/flavors/{flavor_id}'): walk_get_flavor,
        ('POST', '/flavors'): walk_post_flavors,
        ('PUT', '/flavors/{flavor_id}'): walk_put_flavor,
        ('DELETE', '/flavors/{flavor_id}'): walk_delete_flavor,
        ('GET', '/images'): walk_get_images,
        ('GET', '/images/detail'): walk_get_images_detail,
        ('GET', '/images/{image_id}'): walk_get_image,
        ('GET', '/flavors/{flavor_id}/os-extra_specs'):
            walk_get_flavor_extra_specs,
        ('GET', '/flavors/{flavor_id}/os-extra_specs/'
                '{flavor_extra_spec_key}'): walk_get_flavor_extra_spec,
        ('POST', '/flavors/{flavor_id}/os-extra_specs'):
            walk_post_flavor_extra_specs,
        ('PUT', '/flavors/{flavor_id}/os-extra_specs/'
                '{flavor_extra_spec_key}'): walk_put_flavor_extra_spec,
        ('DELETE', '/flavors/{flavor_id}/os-extra_specs/'
                   '{flavor_extra_spec_key}'): walk_delete_flavor_extra_spec,
        ('GET', '/flavors/{flavor_id}/os-flavor-access'):
            walk_get_flavor_access,
        ('POST', '/flavors/{flavor_id}/action'): walk_post_flavor_action,
        ('GET', '/os-server-groups'): walk_get_server_groups,
        ('POST', '/os-server-groups'): walk_post_server_groups,
        ('GET', '/os-server-groups/{server_group_id}'):
            walk_get_server_group,
        ('DELETE', '/os-server-groups/{server_group_id}'):
            walk_delete_server_group,
        ('GET', '/os-security-groups'): walk_get_security_groups,
        ('POST', '/os-security-groups'): walk_post_security_groups,
        ('GET', '/os-security-groups/{security_group_id}'):
            walk_get_security_group,
        ('PUT', '/os-security-groups/{security_group_id}'):
            walk_put_security_group,
        ('DELETE', '/os-security-groups/{security_group_id}'):
            walk_delete_security_group,
        ('POST', '/os-security-group-rules'):
            walk_post_security_group_rules,
        ('DELETE', '/os-security-group-rules/{security_group_rule_id}'):
            walk_delete_security_group_rule,
        ('GET', '/servers/{server_id}/os-security-groups'):
            walk_get_server_security_groups,
        ('GET', '/os-services'): walk_get_services,
        ('PUT', '/os-services/enable'): walk_put_services_enable,
        ('PUT', '/os-services/disable'): walk_put_services_disable,
        ('PUT', '/os-services/disable-log-reason'):
            walk_put_services_disable_log_reason,
        ('PUT', '/os-services/force-down'): walk_put_services_force_down,
        ('PUT', '/os-services/{service_id}'): walk_put_service,
        ('DELETE', '/os-services/{service_id}'): walk_delete_service,
        ('GET', '/os-hypervisors'): walk_get_hypervisors,
        ('GET', '/os-hypervisors/detail'): walk_get_hypervisors_detail,
        ('GET', '/os-hypervisors/statistics'):
            walk_get_hypervisors_statistics,
        ('GET', '/os-hypervisors/{hypervisor_id}'): walk_get_hypervisor,
        ('GET', '/os-hypervisors/{hypervisor_id}/uptime'):
            walk_get_hypervisor_uptime,
        ('GET', '/os-hypervisors/{hypervisor_id}/search'):
            walk_get_hypervisor_search,
        ('GET', '/os-hypervisors/{hypervisor_id}/servers'):
            walk_get_hypervisor_servers,
        ('GET', '/os-simple-tenant-usage'): walk_get_tenant_usages,
        ('GET', '/os-simple-tenant-usage/{tenant_id}'):
            walk_get_tenant_usage,
        ('GET', '/os-quota-sets/{tenant_id}'): walk_get_quota_set,
        ('GET', '/os-quota-sets/{tenant_id}/detail'):
            walk_get_quota_set_detail,
        ('GET', '/os-quota-sets/{tenant_id}/defaults'):
            walk_get_quota_set_defaults,
        ('PUT', '/os-quota-sets/{tenant_id}'): walk_put_quota_set,
        ('DELETE', '/os-quota-sets/{tenant_id}'): walk_delete_quota_set,
    }

    # -------------------------------------------------------------- checks

    def _secrets(self, what_suffix):
        found = [s for s, (what, _re) in self.secrets.items()
                 if what.endswith(what_suffix)]
        self.assertTrue(found, what_suffix)
        return found

    def _leaks(self, resp, sent):
        """["<what> <secret> at <where>"] for each of A's secrets in the
        answer that B did not send itself."""
        places = []
        if resp.body:
            try:
                places = list(_strings(resp.json))
            except ValueError:
                places = [('the body', resp.text)]
        places += [('header ' + name, value)
                   for name, value in resp.headerlist]
        found = []
        for secret, (what, pattern) in self.secrets.items():
            if secret in sent:
                continue  # B's own words, echoed (a 404 naming the id)
            for where, text in places:
                if pattern.search(text):
                    found.append('%s %r at %s' % (what, secret, where))
        return found

    def _fault(self, resp):
        [(_name, fault)] = resp.json.items()
        return fault['message']

    def _message(self, message):
        def check(test, resp):
            test.assertEqual(message, test._fault(resp))
        return check

    def _not_found(self, server):
        return self._message('Instance %s could not be found.' % server)

    def _marker_not_found(self, server):
        return self._message('marker [%s] not found' % server)

    @staticmethod
    def _forbidden(test, resp):
        test.assertIn('forbidden', resp.json)

    @staticmethod
    def _only_b_servers(test, resp):
        servers = resp.json['servers']
        test.assertLessEqual({s['id'] for s in servers}, test.b_servers)
        for server in servers:
            if 'tenant_id' in server:
                test.assertEqual('bob', server['tenant_id'])

    @staticmethod
    def _only_b_groups(test, resp):
        for group in resp.json['server_groups']:
            test.assertNotEqual(test.a_group, group['id'])
            test.assertEqual('bob', group.get('project_id', 'bob'))

    @staticmethod
    def _only_b_secgroups(test, resp):
        test.assertTrue(resp.json['security_groups'])
        for group in resp.json['security_groups']:
            test.assertEqual('bob', group['tenant_id'])

    @staticmethod
    def _only_b_keys(test, resp):
        test.assertLessEqual(
            {k['keypair']['name'] for k in resp.json['keypairs']},
            test.b_keys)

    @staticmethod
    def _only_visible_networks(test, resp):
        test.assertEqual(
            {SHARED, test.b_net['uuid']},
            {n['id'] for n in resp.json['networks']})

    @staticmethod
    def _only_b_usage(test, resp):
        usage = resp.json['tenant_usage']
        test.assertEqual('bob', usage['tenant_id'])
        test.assertEqual(test.b_servers, {
            s['instance_id'] for s in usage['server_usages']})

    @staticmethod
    def _b_quota(test, resp):
        quota_set = resp.json['quota_set']
        test.assertEqual((1, 1, 512), (quota_set['instances']['in_use'],
                                       quota_set['cores']['in_use'],
                                       quota_set['ram']['in_use']))

    @staticmethod
    def _b_usage(test, resp):
        absolute = resp.json['limits']['absolute']
        test.assertEqual(1, absolute['totalInstancesUsed'])
        test.assertEqual(1, absolute['totalCoresUsed'])
        test.assertEqual(512, absolute['totalRAMUsed'])

    # --------------------------------------------------------------- tests

    def test_walk_covers_every_route(self):
        self.assertEqual(set(routes.list_routes()), set(self.WALK))

    def test_another_project_sees_and_changes_nothing(self):
        before = self._a_state()
        self.exercised_actions = set()
        problems = []
        walked = set()
        requests = 0
        for v in VERSIONS:
            bob = self.bob.as_user('bob', 'bob', version=v)
            for (method, route), walk in sorted(self.WALK.items()):
                probes = walk(self, v)
                self.assertTrue(probes, '%s %s at %s: nothing walked' % (
                    method, route, v))
                walked.add((method, route, v))
                if route_gone(method, route, v):
                    # Gone for everyone: Nova's 404, whatever the probe.
                    probes = [(path, body, 404, None)
                              for path, body, _s, _c in probes]
                for path, body, status, check in probes:
                    verb = method
                    if isinstance(path, tuple):
                        verb, path = path
                    resp = bob.request(verb, path, body)
                    requests += 1
                    label = '%s %s (route %s %s) at %s' % (
                        verb, urllib.parse.unquote(path), method, route, v)
                    if resp.status_int != status:
                        problems.append('%s: status %s, expected %s: %s' % (
                            label, resp.status_int, status, resp.text[:300]))
                        continue
                    sent = urllib.parse.unquote(path) + repr(body)
                    for leak in self._leaks(resp, sent):
                        problems.append('%s LEAKS %s' % (label, leak))
                    if check is not None:
                        try:
                            check(self, resp)
                        except AssertionError as e:
                            problems.append('%s: %s' % (label, e))
        if problems:
            self.fail('%d isolation problem(s):\n%s' % (
                len(problems), '\n'.join(problems)))
        self.assertEqual(len(self.WALK) * len(VERSIONS), len(walked))
        self.assertEqual(set(actions.names()),
                         self.exercised_actions)
        self.assertGreater(requests, 300)
        # Nothing of A's changed, as A and an admin see it.
        self.assertEqual(before, self._a_state())


class TestIsolationRegressions(base.APITestCase):
    """The answers the walk above found wrong, one by one."""

    def setUp(self):
        super().setUp()
        self.bob = self.api.as_user('bob', 'bob', version='2.26')
        self.alice = self.api.as_user('demo', 'demo', version='2.26')

    def test_tags_of_another_projects_server_are_403(self):
        server = self.create_server()['id']
        self.alice.put('servers/%s/tags/t' % server, status=201)
        for method, path, body, rule in (
                ('GET', 'servers/%s/tags', None, 'index'),
                ('PUT', 'servers/%s/tags', {'tags': ['x']}, 'update_all'),
                ('DELETE', 'servers/%s/tags', None, 'delete_all'),
                ('GET', 'servers/%s/tags/t', None, 'show'),
                ('PUT', 'servers/%s/tags/x', None, 'update'),
                ('DELETE', 'servers/%s/tags/t', None, 'delete')):
            resp = self.bob.request(method, path % server, body, status=403)
            self.assertEqual(
                "Policy doesn't allow os_compute_api:os-server-tags:%s to "
                "be performed." % rule, resp.json['forbidden']['message'])
            # A server that does not exist is still 404.
            self.bob.request(method, path % MISSING, body, status=404)
            self.bob.request(method, path % 'nope', body, status=404)
        self.assertEqual(['t'], self.alice.get(
            'servers/%s/tags' % server, status=200).json['tags'])
        # Deleted: still 403 for another project, 404 for its own.
        self.alice.delete('servers/%s' % server, status=204)
        self.wait_for_status(server, 'DELETED')
        self.bob.get('servers/%s/tags' % server, status=403)
        self.alice.get('servers/%s/tags' % server, status=404)
        self.admin_api.as_user('admin', 'admin', version='2.26').get(
            'servers/%s/tags' % server, status=404)

    def test_fixed_ip_conflict_names_only_a_visible_holder(self):
        db.network_create(self.admin_context, {
            'name': 'public', 'cidr': '10.0.0.0/24', 'uuid': SHARED})
        taken = {'networks': [{'uuid': SHARED, 'fixed_ip': '10.0.0.5'}]}
        holder = self.create_server(**taken)['id']
        named = ('Fixed IP address 10.0.0.5 is already in use on instance '
                 '%s.' % holder)
        for api, message in (
                (self.bob, 'Fixed IP 10.0.0.5 is already in use.'),
                (self.api.as_user('carol', 'demo'), named),
                (self.admin_api, named)):
            resp = api.post('servers', {'server': dict(
                taken, name='s', flavorRef='1', imageRef=base.IMAGE_ID)},
                status=409)
            self.assertEqual(message,
                             resp.json['conflictingRequest']['message'])
        self.assertEqual([], self.bob.get('servers').json['servers'])
