"""The compute RPC client: topic, server and the version cap."""

import oslo_messaging as messaging

from novalite.compute import rpcapi
from novalite import exception
from novalite.tests import base


class TestComputeRPCAPI(base.TestCase):

    def test_target_is_versioned_and_per_host(self):
        client = rpcapi.ComputeAPI().client
        self.assertEqual('compute', client.target.topic)
        self.assertEqual('1.0', client.target.version)
        prepared = rpcapi.ComputeAPI()._prepare('hv9')
        self.assertEqual('hv9', prepared.target.server)

    def test_version_cap_from_upgrade_levels(self):
        self.flags(compute='1.0', group='upgrade_levels')
        client = rpcapi.ComputeAPI().client
        self.assertTrue(client.can_send_version('1.0'))
        self.assertFalse(client.can_send_version('1.1'))
        self.assertRaises(messaging.RPCVersionCapError,
                          client.prepare(version='1.1').cast,
                          self.admin_context, 'x')

    def test_no_cap_by_default(self):
        self.assertTrue(rpcapi.ComputeAPI().client.can_send_version('1.9'))

    def test_no_message_without_a_host(self):
        # A message with no server would reach any agent of the topic.
        api = rpcapi.ComputeAPI()
        for host in (None, ''):
            self.assertRaises(exception.NovaliteException,
                              api.reboot_instance, self.admin_context, host,
                              'b5e5ba5c-3c54-4c2f-a0a4-2c8d2b2a7d1e', 'HARD')

    def test_reconnection_is_bounded(self):
        # oslo.messaging retries forever by default: a request would wait
        # as long as the broker is down.
        self.assertEqual(2, rpcapi.ComputeAPI()._prepare('hv9')
                         ._prepared.retry)
        self.flags(rpc_send_retries=-1)
        self.assertIsNone(rpcapi.ComputeAPI()._prepare('hv9')
                          ._prepared.retry)

    def test_actions_of_1_1_need_the_agent_at_1_1(self):
        # Capped at 1.0 (agents not upgraded yet): nothing is sent.
        self.flags(compute='1.0', group='upgrade_levels')
        api = rpcapi.ComputeAPI()
        uuid = 'b5e5ba5c-3c54-4c2f-a0a4-2c8d2b2a7d1e'
        for method in ('pause_instance', 'unpause_instance',
                       'suspend_instance', 'resume_instance',
                       'unrescue_instance', 'soft_delete_instance',
                       'restore_instance'):
            self.assertRaises(messaging.RPCVersionCapError,
                              getattr(api, method), self.admin_context,
                              'hv9', uuid)
        self.assertRaises(messaging.RPCVersionCapError,
                          api.rescue_instance, self.admin_context, 'hv9',
                          uuid, 'pw')

    def test_backup_needs_the_agent_at_1_2(self):
        self.flags(compute='1.1', group='upgrade_levels')
        self.assertRaises(messaging.RPCVersionCapError,
                          rpcapi.ComputeAPI().backup_instance,
                          self.admin_context, 'hv9',
                          'b5e5ba5c-3c54-4c2f-a0a4-2c8d2b2a7d1e',
                          'f2a6f5a4-0c53-4a4e-9d7b-3f1e3c2b1a00', 'daily', 1)
