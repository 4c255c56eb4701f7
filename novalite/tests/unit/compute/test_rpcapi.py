"""The compute RPC client: topic, server and the version cap."""

import oslo_messaging as messaging

from novalite.compute import rpcapi
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
