"""Versioned notifications on the wire: novalite-api and novalite-compute
send them through RabbitMQ, and an oslo.messaging notification listener
in this process receives them, as a consumer of Nova's would."""

import queue
import time
import uuid

import kombu
from oslo_config import cfg
import oslo_messaging as messaging

from novalite.tests.functional import base
from novalite.tests.functional import fixtures as func_fixtures

# The keys of nova_object.data in Nova's samples (doc/notification_samples
# of openstack/nova, with their $ref chains resolved):
# common_payloads/InstancePayload.json (version 1.9) ...
INSTANCE_KEYS = frozenset([
    'action_initiator_project', 'action_initiator_user', 'architecture',
    'auto_disk_config', 'availability_zone', 'block_devices', 'created_at',
    'deleted_at', 'display_description', 'display_name', 'flavor', 'host',
    'host_name', 'image_uuid', 'ip_addresses', 'kernel_id', 'key_name',
    'launched_at', 'locked', 'locked_reason', 'metadata', 'node', 'os_type',
    'power_state', 'progress', 'ramdisk_id', 'request_id',
    'reservation_id', 'shares', 'state', 'task_state', 'tenant_id',
    'terminated_at', 'updated_at', 'user_id', 'uuid'])
# ... common_payloads/InstanceActionPayload.json (1.9): instance-power_off-
# end.json, instance-power_on-*.json, instance-reboot-*.json,
# instance-delete-*.json ...
ACTION_KEYS = INSTANCE_KEYS | {'fault'}
# ... common_payloads/InstanceCreatePayload.json (1.13):
# instance-create-start.json, instance-create-end.json ...
CREATE_KEYS = ACTION_KEYS | {'keypairs', 'tags',
                             'trusted_image_certificates', 'instance_name'}
# ... common_payloads/InstanceUpdatePayload.json (2.1): instance-update.json
UPDATE_KEYS = INSTANCE_KEYS | {'audit_period', 'old_display_name',
                               'state_update', 'tags'}
# common_payloads/FlavorPayload.json (1.4)
FLAVOR_KEYS = frozenset([
    'description', 'disabled', 'ephemeral_gb', 'extra_specs', 'flavorid',
    'is_public', 'memory_mb', 'name', 'projects', 'root_gb', 'rxtx_factor',
    'swap', 'vcpu_weight', 'vcpus'])
STATE_UPDATE_KEYS = frozenset(['old_state', 'state', 'old_task_state',
                               'new_task_state'])

PAYLOADS = {'instance.update': ('InstanceUpdatePayload', '2.1',
                                UPDATE_KEYS),
            'instance.create.start': ('InstanceCreatePayload', '1.13',
                                      CREATE_KEYS),
            'instance.create.end': ('InstanceCreatePayload', '1.13',
                                    CREATE_KEYS)}
ACTION_PAYLOAD = ('InstanceActionPayload', '1.9', ACTION_KEYS)


class _Endpoint:
    def __init__(self):
        self.received = queue.Queue()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self.received.put((event_type, 'INFO', publisher_id, payload))

    def error(self, ctxt, publisher_id, event_type, payload, metadata):
        self.received.put((event_type, 'ERROR', publisher_id, payload))


class TestVersionedNotifications(base.FunctionalTestCase):

    def make_deployment(self):
        # NOTE: a topic of this test's own on the shared broker, and the
        # listener on it before any service sends.
        suffix = uuid.uuid4().hex[:8]
        self.topic = 'nl-notifications-%s' % suffix
        self.api_host = 'api-%s' % suffix
        self._listen()
        return func_fixtures.Deployment(
            compute_hosts=self.COMPUTE_HOSTS, extra_conf="""
[DEFAULT]
host = {api_host}
[oslo_messaging_notifications]
driver = messagingv2
[notifications]
notification_format = versioned
notify_on_state_change = vm_and_task_state
versioned_notifications_topics = {topic}
""".format(api_host=self.api_host, topic=self.topic))

    def _listen(self):
        conf = cfg.ConfigOpts()
        conf([], project='novalite-test', default_config_files=[])
        transport = messaging.get_notification_transport(
            conf, url=func_fixtures.RABBIT_URL)
        self.addCleanup(transport.cleanup)
        self.endpoint = _Endpoint()
        listener = messaging.get_notification_listener(
            transport, [messaging.Target(topic=self.topic,
                                         exchange='novalite')],
            [self.endpoint], executor='threading')
        listener.start()
        self.addCleanup(self._delete_queues)
        self.addCleanup(listener.wait)
        self.addCleanup(listener.stop)

    def _delete_queues(self):
        # NOTE: the listener's queues (<topic>.<priority>) outlive it.
        url = func_fixtures.RABBIT_URL.replace('rabbit://', 'amqp://', 1)
        with kombu.Connection(url) as conn:
            channel = conn.channel()
            for priority in ('info', 'error'):
                channel.queue_delete('%s.%s' % (self.topic, priority))

    def receive(self, until, timeout=30):
        """The notifications up to the first ``until`` event."""
        got = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                got.append(self.endpoint.received.get(
                    timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                self.fail('no %s within %ss; got %s' % (
                    until, timeout, [g[0] for g in got]))
            if got[-1][0] == until:
                return got

    def assertPayload(self, event_type, payload):
        name, version, keys = PAYLOADS.get(event_type, ACTION_PAYLOAD)
        self.assertEqual(
            (name, 'nova', version),
            (payload['nova_object.name'], payload['nova_object.namespace'],
             payload['nova_object.version']), event_type)
        data = payload['nova_object.data']
        self.assertEqual(sorted(keys), sorted(data), event_type)
        flavor = data['flavor']
        self.assertEqual(('FlavorPayload', '1.4'),
                         (flavor['nova_object.name'],
                          flavor['nova_object.version']))
        self.assertEqual(sorted(FLAVOR_KEYS),
                         sorted(flavor['nova_object.data']))
        self.assertEqual(('1', 'm1.tiny', 512, 1),
                         tuple(flavor['nova_object.data'][k] for k in
                               ('flavorid', 'name', 'memory_mb', 'vcpus')))
        return data

    def states(self, got):
        """(event, publisher, state, task_state[, old states]) of each."""
        rows = []
        for event, priority, publisher, payload in got:
            self.assertEqual('INFO', priority, event)
            data = self.assertPayload(event, payload)
            self.assertEqual((self.server_id, 'demo', 'demo'),
                             (data['uuid'], data['tenant_id'],
                              data['user_id']))
            row = (event, publisher, data['state'], data['task_state'])
            if event == 'instance.update':
                update = data['state_update']
                self.assertEqual(('InstanceStateUpdatePayload', '1.0'),
                                 (update['nova_object.name'],
                                  update['nova_object.version']))
                update = update['nova_object.data']
                self.assertEqual(sorted(STATE_UPDATE_KEYS), sorted(update))
                self.assertEqual((data['state'], data['task_state']),
                                 (update['state'],
                                  update['new_task_state']))
                row += (update['old_state'], update['old_task_state'])
            rows.append(row)
        return rows

    def test_server_lifecycle_notifications(self):
        servers = self.user.servers
        compute = 'nova-compute:%s' % self.deployment.host_name('hv1')
        # NOTE: Nova's instance.update from the API names nova-compute
        # too (Instance.save sends for the service "compute").
        api_update = 'nova-compute:%s' % self.api_host
        self.server_id = servers.create_server(
            name='notified', flavorRef='1',
            imageRef=func_fixtures.IMAGE_ID)['server']['id']
        got = self.receive('instance.create.end')
        self.wait_for_status(servers, self.server_id, 'ACTIVE')
        self.assertEqual([
            ('instance.update', compute, 'building', 'spawning',
             'building', 'scheduling'),
            ('instance.create.start', compute, 'building', 'spawning'),
            ('instance.update', compute, 'active', None,
             'building', 'spawning'),
            ('instance.create.end', compute, 'active', None),
        ], self.states(got))
        end = got[-1][3]['nova_object.data']
        self.assertEqual(('running', self.deployment.host_name('hv1'),
                          'notified', []),
                         (end['power_state'], end['host'],
                          end['display_name'], end['keypairs']))
        self.assertTrue(end['instance_name'].startswith(
            self.deployment.name_prefix), end['instance_name'])
        self.assertIsNone(end['fault'])
        self.assertIsNotNone(end['request_id'])

        servers.stop_server(self.server_id)
        self.assertEqual([
            ('instance.update', api_update, 'active', 'powering-off',
             'active', None),
            ('instance.power_off.start', compute, 'active', 'powering-off'),
            ('instance.update', compute, 'stopped', None,
             'active', 'powering-off'),
            ('instance.power_off.end', compute, 'stopped', None),
        ], self.states(self.receive('instance.power_off.end')))

        servers.start_server(self.server_id)
        self.assertEqual([
            ('instance.update', api_update, 'stopped', 'powering-on',
             'stopped', None),
            ('instance.power_on.start', compute, 'stopped', 'powering-on'),
            ('instance.update', compute, 'active', None,
             'stopped', 'powering-on'),
            ('instance.power_on.end', compute, 'active', None),
        ], self.states(self.receive('instance.power_on.end')))

        servers.reboot_server(self.server_id, type='HARD')
        self.assertEqual([
            ('instance.update', api_update, 'active', 'rebooting_hard',
             'active', None),
            ('instance.reboot.start', compute, 'active', 'rebooting_hard'),
            ('instance.update', compute, 'active', None,
             'active', 'rebooting_hard'),
            ('instance.reboot.end', compute, 'active', None),
        ], self.states(self.receive('instance.reboot.end')))

        servers.delete_server(self.server_id)
        got = self.receive('instance.delete.end')
        self.assertEqual([
            ('instance.update', api_update, 'active', 'deleting',
             'active', None),
            ('instance.delete.start', compute, 'active', 'deleting'),
            ('instance.update', compute, 'deleted', None,
             'active', 'deleting'),
            ('instance.delete.end', compute, 'deleted', None),
        ], self.states(got))
        end = got[-1][3]['nova_object.data']
        self.assertEqual('pending', end['power_state'])
        self.assertIsNotNone(end['deleted_at'])
        self.assertIsNotNone(end['terminated_at'])
        self.wait_for_deletion(servers, self.server_id)
