"""Availability zones and forced hosts on create, with two agents in two
zones (a zone is each agent's ``default_availability_zone``)."""

import datetime

from novalite.compute import utils as compute_utils
from novalite.db import api as db
from novalite.tests import base
from novalite.tests import fixtures as nl_fixtures


class ZonesAndForcedHostsTest(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.flags(service_down_time=10)
        # The base agent is in the default zone ('nova'); a second one
        # (reported here, no process needed to place servers) in 'az2'.
        self.other = 'other-host'
        db.service_report(self.admin_context, self.other,
                          compute_utils.BINARY, 'compute',
                          {'vcpus': 64, 'memory_mb': 65536,
                           'local_gb': 1000}, 'az2')
        self.home = self.agent.service.host

    def create(self, zone, status=202, api=None):
        resp = (api or self.admin_api).post('servers', {'server': {
            'name': 's', 'flavorRef': '1', 'imageRef': base.IMAGE_ID,
            'availability_zone': zone}}, status=status)
        return resp.json

    def shown(self, body):
        return self.admin_api.get(
            'servers/%s' % body['server']['id']).json['server']

    def silence(self, host):
        db.service_update(self.admin_context, host, compute_utils.BINARY, {
            'last_seen_up': db.utcnow() - datetime.timedelta(seconds=60)})

    def test_zone_is_honoured(self):
        server = self.shown(self.create('az2'))
        self.assertEqual((self.other, 'az2'), (
            server['OS-EXT-SRV-ATTR:host'],
            server['OS-EXT-AZ:availability_zone']))
        server = self.shown(self.create('nova'))
        self.assertEqual(self.home, server['OS-EXT-SRV-ATTR:host'])

    def test_zone_of_disabled_hosts_only_is_not_available(self):
        # Nova accepts only zones with an enabled host.
        db.service_update(self.admin_context, self.other,
                          compute_utils.BINARY, {'disabled': True})
        body = self.admin_api.post('servers', {'server': {
            'name': 's', 'flavorRef': '1', 'imageRef': base.IMAGE_ID,
            'availability_zone': 'az2'}}, status=400).json
        self.assertEqual('The requested availability zone is not available',
                         body['badRequest']['message'])

    def test_forced_host_must_be_in_a_named_zone(self):
        # az2 is a zone of its own (Nova: an aggregate's zone): a host
        # elsewhere is not in it.
        server = self.shown(self.create('az2:%s' % self.home))
        self.assertEqual('ERROR', server['status'])
        self.assertIsNone(server['OS-EXT-SRV-ATTR:host'])
        self.assertIn('No valid host', server['fault']['message'])

    def test_forced_host_in_the_default_zone_may_be_any(self):
        # The default zone has no aggregate in Nova: the zone named with a
        # forced host restricts nothing, and is not even checked; the
        # server takes its host's zone.
        for zone in ('nova', 'mars'):
            server = self.shown(self.create('%s:%s' % (zone, self.other)))
            self.assertEqual((self.other, 'az2'), (
                server['OS-EXT-SRV-ATTR:host'],
                server['OS-EXT-AZ:availability_zone']))

    def test_forced_host_that_stopped_reporting_gets_the_server(self):
        self.silence(self.other)
        server = self.shown(self.create('az2'))
        self.assertEqual('ERROR', server['status'])
        server = self.shown(self.create('az2:%s' % self.other))
        self.assertEqual(self.other, server['OS-EXT-SRV-ATTR:host'])
        self.assertEqual('BUILD', server['status'])
        self.assertEqual('UNKNOWN', self.admin_api.as_user(
            'admin', 'admin', version='2.16').get(
            'servers/%s' % server['id']).json['server']['host_status'])


class HostStatusOrderTest(base.APITestCase):

    def test_disabled_host_that_stopped_reporting_is_in_maintenance(self):
        # Nova: forced down is DOWN, then disabled is MAINTENANCE, and only
        # then does a silent host show UNKNOWN.
        server = self.create_server()
        api = self.admin_api.as_user('admin', 'admin', version='2.16')
        host = self.agent.service.host
        self.useFixture(nl_fixtures.Config()).conf.config(
            service_down_time=10)
        db.service_update(self.admin_context, host, compute_utils.BINARY, {
            'last_seen_up': db.utcnow() - datetime.timedelta(seconds=60),
            'disabled': True})
        self.assertEqual('MAINTENANCE', api.get(
            'servers/%s' % server['id']).json['server']['host_status'])
        db.service_update(self.admin_context, host, compute_utils.BINARY,
                          {'forced_down': True})
        self.assertEqual('DOWN', api.get(
            'servers/%s' % server['id']).json['server']['host_status'])
