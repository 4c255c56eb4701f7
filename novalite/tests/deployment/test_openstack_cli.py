"""The ``openstack`` CLI against a whole deployment, through Keystone's
catalog: what a user of a Nova cloud types, unchanged.

These tests need the deployment ``tools/tempest/run.sh`` brings up
(Keystone, novalite-api with ``auth_strategy = keystone``,
novalite-compute, RabbitMQ); it runs them after tempest, with the
deployment described by the ``NOVALITE_DEPLOYMENT_*`` variables. Without
them they fail: they are not run by the unit or functional suites.
"""

import json
import os
import subprocess
import tempfile
import time
import uuid

import testtools

TIMEOUT = 120


def _env(name):
    value = os.environ.get('NOVALITE_DEPLOYMENT_' + name)
    if not value:
        raise AssertionError(
            'NOVALITE_DEPLOYMENT_%s is not set: run these tests through '
            'tools/tempest/run.sh (tox -e tempest)' % name)
    return value


class OpenStackCLI:
    """``openstack`` as one user of one project."""

    def __init__(self, username, password, project):
        self.env = dict(
            os.environ, OS_AUTH_URL=_env('AUTH_URL'),
            OS_IDENTITY_API_VERSION='3', OS_USERNAME=username,
            OS_PASSWORD=password, OS_PROJECT_NAME=project,
            OS_USER_DOMAIN_ID='default', OS_PROJECT_DOMAIN_ID='default',
            OS_REGION_NAME='RegionOne', OS_INTERFACE='public')
        for name in ('OS_CLOUD', 'OS_TOKEN', 'OS_ENDPOINT'):
            self.env.pop(name, None)

    def run(self, *args, json_output=True):
        command = ['openstack'] + list(args)
        if json_output:
            command += ['-f', 'json']
        done = subprocess.run(command, env=self.env, capture_output=True,
                              text=True, timeout=TIMEOUT)
        if done.returncode != 0:
            raise AssertionError('%s failed (%d): %s' % (
                ' '.join(command), done.returncode, done.stderr))
        if json_output and done.stdout.strip():
            return json.loads(done.stdout)
        return done.stdout


class TestOpenStackCLI(testtools.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = OpenStackCLI('admin', _env('ADMIN_PASSWORD'), 'admin')
        suffix = uuid.uuid4().hex[:8]
        project = cls.admin.run('project', 'create', 'cli-%s' % suffix)
        password = uuid.uuid4().hex
        cls.admin.run('user', 'create', '--project', project['id'],
                      '--password', password, 'cli-%s' % suffix)
        cls.admin.run('role', 'add', '--project', project['id'], '--user',
                      'cli-%s' % suffix, 'member', json_output=False)
        cls.project_id = project['id']
        cls.user = OpenStackCLI('cli-%s' % suffix, password,
                                'cli-%s' % suffix)
        cls.image = _env('IMAGE')
        cls.flavor = _env('FLAVOR')
        cls.flavor_alt = _env('FLAVOR_ALT')

    def server(self, name, *extra):
        server = self.user.run('server', 'create', '--image', self.image,
                               '--flavor', self.flavor, '--wait', *extra,
                               name)
        self.addCleanup(self.user.run, 'server', 'delete', '--wait',
                        server['id'], json_output=False)
        self.assertEqual('ACTIVE', server['status'])
        return server

    def show(self, server_id):
        return self.user.run('server', 'show', server_id)

    def wait_status(self, server_id, status):
        deadline = time.monotonic() + TIMEOUT
        while True:
            server = self.show(server_id)
            if server['status'] == status and not server.get(
                    'OS-EXT-STS:task_state'):
                return server
            if time.monotonic() > deadline:
                self.fail('%s never reached %s: %s' % (server_id, status,
                                                       server))
            time.sleep(1)

    def test_server_lifecycle(self):
        server = self.server('cli-web')
        uuid_ = server['id']
        # Properties (server metadata).
        self.user.run('server', 'set', '--property', 'role=web', uuid_,
                      json_output=False)
        self.assertEqual({'role': 'web'}, self.show(uuid_)['properties'])
        self.user.run('server', 'unset', '--property', 'role', uuid_,
                      json_output=False)
        self.assertEqual({}, self.show(uuid_)['properties'])
        # Power and state actions.
        for verb, status, undo, back in (
                ('pause', 'PAUSED', 'unpause', 'ACTIVE'),
                ('suspend', 'SUSPENDED', 'resume', 'ACTIVE'),
                ('rescue', 'RESCUE', 'unrescue', 'ACTIVE')):
            self.user.run('server', verb, uuid_, json_output=False)
            self.wait_status(uuid_, status)
            self.user.run('server', undo, uuid_, json_output=False)
            self.wait_status(uuid_, back)
        # Rebuild, resize and confirm.
        # NOTE: not --wait: its progress goes to stdout before the JSON.
        rebuilt = self.user.run('server', 'rebuild', '--image', self.image,
                                uuid_)
        self.assertEqual(uuid_, rebuilt['id'])
        self.wait_status(uuid_, 'ACTIVE')
        self.user.run('server', 'resize', '--flavor', self.flavor_alt,
                      '--wait', uuid_, json_output=False)
        self.wait_status(uuid_, 'VERIFY_RESIZE')
        self.user.run('server', 'resize', 'confirm', uuid_,
                      json_output=False)
        server = self.wait_status(uuid_, 'ACTIVE')
        # From 2.47 the server embeds its flavor, named, without its id.
        alt_name = self.user.run('flavor', 'show', self.flavor_alt)['name']
        self.assertEqual(alt_name, server['flavor']['original_name'])
        # Shelve and unshelve.
        self.user.run('server', 'shelve', '--wait', uuid_,
                      json_output=False)
        self.wait_status(uuid_, 'SHELVED_OFFLOADED')
        self.user.run('server', 'unshelve', '--wait', uuid_,
                      json_output=False)
        self.wait_status(uuid_, 'ACTIVE')
        # Every action is in the server's event list.
        events = self.user.run('server', 'event', 'list', uuid_)
        actions = [event['Action'] for event in events]
        for action in ('create', 'pause', 'unpause', 'suspend', 'resume',
                       'rescue', 'unrescue', 'rebuild', 'resize',
                       'confirmResize', 'shelve', 'unshelve'):
            self.assertIn(action, actions)

    def test_everyday_commands(self):
        # Names resolved as a Nova user's CLI resolves them: the flavor by
        # name, the image through the image service, the network through
        # the network service.
        flavors = self.user.run('flavor', 'list')
        self.assertIn(('m1.nano', 128, 1), [
            (f['Name'], f['RAM'], f['VCPUs']) for f in flavors])
        # A generated key pair: the private key on stdout.
        private = self.user.run('keypair', 'create', 'cli-key',
                                json_output=False)
        self.addCleanup(self.user.run, 'keypair', 'delete', 'cli-key',
                        json_output=False)
        self.assertIn('PRIVATE KEY-----', private)
        [key] = [k for k in self.user.run('keypair', 'list')
                 if k['Name'] == 'cli-key']
        server = self.user.run(
            'server', 'create', '--image', 'cirros', '--flavor', 'm1.nano',
            '--network', 'private', '--key-name', 'cli-key', '--wait',
            'cli-daily')
        uuid_ = server['id']
        self.addCleanup(self._delete_quietly, uuid_)
        self.assertEqual(('ACTIVE', 'cli-key'),
                         (server['status'], server['key_name']))
        # ``server list --long`` names the image and the flavor.
        [row] = self.user.run('server', 'list', '--long', '--name',
                              '^cli-daily$')
        # (From 2.47 the CLI's column is "Flavor": the embedded flavor's
        # name.)
        self.assertEqual(('cirros', 'm1.nano', 'ACTIVE'),
                         (row['Image Name'], row['Flavor'],
                          row['Status']))
        self.assertEqual(['private'], list(row['Networks']))
        # Rename.
        self.user.run('server', 'set', '--name', 'cli-renamed', uuid_,
                      json_output=False)
        self.assertEqual('cli-renamed', self.show(uuid_)['name'])
        # Lock: its owner cannot delete it until it is unlocked.
        self.user.run('server', 'lock', uuid_, json_output=False)
        self.assertTrue(self.show(uuid_)['locked'])
        self.assertRaisesRegex(AssertionError, 'locked',
                               self.user.run, 'server', 'delete', uuid_,
                               json_output=False)
        self.user.run('server', 'unlock', uuid_, json_output=False)
        self.assertFalse(self.show(uuid_)['locked'])
        # The console log, and its last lines.
        log = self.user.run('console', 'log', 'show', uuid_,
                            json_output=False)
        self.assertIn('fake console of %s' % uuid_, log)
        self.assertEqual('ANOTHER\nLAST LINE', self.user.run(
            'console', 'log', 'show', '--lines', '2', uuid_,
            json_output=False).strip())
        # Delete and wait: gone from the list.
        self.user.run('server', 'delete', '--wait', uuid_,
                      json_output=False)
        self.assertEqual([], self.user.run('server', 'list', '--name',
                                           '^cli-renamed$'))
        self.assertEqual('cli-key', key['Name'])

    def _delete_quietly(self, server_id):
        """Cleanup after a failure: the server may be gone already."""
        subprocess.run(['openstack', 'server', 'delete', '--wait',
                        server_id], env=self.user.env, capture_output=True,
                       timeout=TIMEOUT)

    def test_operator_samples(self):
        # etc/keystone/register-novalite.sh, run as the README says, in a
        # region of its own (the deployment's own catalog is RegionOne).
        root = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.dirname(os.path.abspath(__file__)))))
        region = 'Sample%s' % uuid.uuid4().hex[:6]
        user = 'novalite-%s' % region.lower()
        self.admin.run('region', 'create', region)
        self.addCleanup(self.admin.run, 'region', 'delete', region,
                        json_output=False)
        url = 'http://203.0.113.7:8774'
        done = subprocess.run(
            ['sh', os.path.join(root, 'etc', 'keystone',
                                'register-novalite.sh')],
            env=dict(self.admin.env, NOVALITE_URL=url,
                     NOVALITE_SERVICE_PASSWORD='secret',
                     NOVALITE_REGION=region, NOVALITE_SERVICE_USER=user),
            capture_output=True, text=True, timeout=10 * TIMEOUT)
        endpoints = self.admin.run('endpoint', 'list', '--region', region)
        for endpoint in endpoints:
            self.addCleanup(self.admin.run, 'endpoint', 'delete',
                            endpoint['ID'], json_output=False)
        self.addCleanup(self.admin.run, 'user', 'delete', user,
                        json_output=False)
        self.assertEqual(0, done.returncode, done.stderr)
        self.assertEqual(sorted(
            (kind, interface, url + path)
            for kind, path in (('compute', '/v2.1'), ('image', '/image'),
                               ('network', '/network'))
            for interface in ('public', 'internal', 'admin')), sorted(
            (e['Service Type'], e['Interface'], e['URL'])
            for e in endpoints))
        roles = self.admin.run('role', 'assignment', 'list', '--user', user,
                               '--project', 'service', '--names')
        self.assertEqual(['service'], [r['Role'] for r in roles])
        # etc/clouds.yaml.sample, filled in for this test's user: the
        # CLI through it, and through the catalog's compute service.
        with open(os.path.join(root, 'etc', 'clouds.yaml.sample')) as f:
            sample = f.read()
        for placeholder, value in (
                ('http://KEYSTONE_HOST:5000/v3', _env('AUTH_URL')),
                ('USERNAME', self.user.env['OS_USERNAME']),
                ('PASSWORD', self.user.env['OS_PASSWORD']),
                ('PROJECT', self.user.env['OS_PROJECT_NAME'])):
            self.assertIn(placeholder, sample)
            sample = sample.replace(placeholder, value)
        with tempfile.NamedTemporaryFile('w', suffix='.yaml') as f:
            f.write(sample)
            f.flush()
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith('OS_')}
            env['OS_CLIENT_CONFIG_FILE'] = f.name
            done = subprocess.run(
                ['openstack', '--os-cloud', 'novalite', 'flavor', 'show',
                 'm1.nano', '-f', 'json'], env=env, capture_output=True,
                text=True, timeout=TIMEOUT)
        self.assertEqual(0, done.returncode, done.stderr)
        self.assertEqual(128, json.loads(done.stdout)['ram'])

    def test_images_through_the_image_service(self):
        # An image uploaded with the CLI, found by name, booted, deleted.
        with tempfile.NamedTemporaryFile(suffix='.raw') as f:
            f.write(b'\0' * 1048576)
            f.flush()
            image = self.user.run(
                'image', 'create', '--file', f.name, '--disk-format', 'raw',
                '--container-format', 'bare', '--property', 'os_distro=none',
                'cli-image')
        self.assertEqual(('active', 1048576, self.project_id),
                         (image['status'], image['size'], image['owner']))
        listed = self.user.run('image', 'list', '--name', 'cli-image')
        self.assertEqual([image['id']], [i['ID'] for i in listed])
        shown = self.user.run('image', 'show', 'cli-image')
        self.assertEqual(image['id'], shown['id'])
        server = self.user.run('server', 'create', '--image', 'cli-image',
                               '--flavor', self.flavor, '--wait',
                               'cli-from-image')
        self.assertEqual(('ACTIVE', image['id']),
                         (server['status'], server['image'].split()[-1]
                          .strip('()')))
        self.user.run('server', 'delete', '--wait', server['id'],
                      json_output=False)
        self.user.run('image', 'delete', 'cli-image', json_output=False)
        self.assertEqual([], self.user.run('image', 'list', '--name',
                                           'cli-image'))

    def test_project_views(self):
        zones = self.user.run('availability', 'zone', 'list')
        self.assertIn('nova', [zone['Zone Name'] for zone in zones])
        quota = self.user.run('quota', 'show', '--compute')
        self.assertIn('instances', json.dumps(quota))
        self.assertIsInstance(self.admin.run('usage', 'list'), list)
        hypervisors = self.admin.run('hypervisor', 'list')
        self.assertTrue(hypervisors)
        group = self.user.run('server', 'group', 'create', '--policy',
                              'anti-affinity', 'cli-group')
        self.addCleanup(self.user.run, 'server', 'group', 'delete',
                        group['id'], json_output=False)
        self.assertIn('anti-affinity', json.dumps(group))

    def test_networks_through_the_network_service(self):
        # novalite's /network in the catalog as ``network``: the shared
        # network ``private`` run.sh made, found by name to boot on.
        networks = self.user.run('network', 'list')
        [private] = [n for n in networks if n['Name'] == 'private']
        network = self.user.run('network', 'show', 'private')
        self.assertEqual((private['ID'], 'ACTIVE', True),
                         (network['id'], network['status'],
                          network['shared']))
        [subnet_id] = network['subnets']
        subnet = self.user.run('subnet', 'show', subnet_id)
        self.assertEqual(('10.254.0.0/22', network['id']),
                         (subnet['cidr'], subnet['network_id']))

        server = self.server('cli-net', '--network', 'private')
        address = self.show(server['id'])['addresses']['private'][0]
        listed = self.user.run('server', 'list', '--long', '--name',
                               '^cli-net$')
        self.assertEqual([{'private': [address]}],
                         [s['Networks'] for s in listed])
        [port] = self.user.run('port', 'list', '--server', server['id'])
        self.assertEqual(
            [{'subnet_id': subnet_id, 'ip_address': address}],
            port['Fixed IP Addresses'])
        # Read-only: creating a network is refused.
        self.assertRaisesRegex(AssertionError, 'read-only',
                               self.user.run, 'network', 'create', 'nope')
