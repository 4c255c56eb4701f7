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
        self.assertIn(self.flavor_alt, json.dumps(server['flavor']))
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
