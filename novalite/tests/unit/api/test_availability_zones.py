"""``/os-availability-zone``: zones of the compute hosts, as Nova shows
them (checked against tempest's response schemas)."""

import datetime

from tempest.lib.api_schema.response.compute.v2_1 import \
    availability_zone as schema

from novalite.compute import utils as compute_utils
from novalite.db import api as db
from novalite.tests import base
from novalite.tests.unit.api import test_servers


class TestAvailabilityZones(base.APITestCase):

    def report(self, host, zone, disabled=False, down=False):
        db.service_report(self.admin_context, host, compute_utils.BINARY,
                          'compute', {'vcpus': 1, 'memory_mb': 512,
                                      'local_gb': 1}, zone)
        values = {'disabled': disabled}
        if down:
            values['last_seen_up'] = db.utcnow() - datetime.timedelta(
                hours=1)
        db.service_update(self.admin_context, host, compute_utils.BINARY,
                          values)

    def test_list(self):
        self.report('hv-a', 'az-a')
        self.report('hv-b', 'az-b', disabled=True)
        self.report('hv-c', 'az-a', disabled=True)
        resp = self.api.get('os-availability-zone', status=200)
        test_servers.validate(schema.list_availability_zone_list, resp)
        self.assertEqual([
            {'zoneName': 'az-a', 'zoneState': {'available': True},
             'hosts': None},
            {'zoneName': 'nova', 'zoneState': {'available': True},
             'hosts': None},
            {'zoneName': 'az-b', 'zoneState': {'available': False},
             'hosts': None}], resp.json['availabilityZoneInfo'])

    def test_detail_is_for_admins(self):
        self.report('hv-a', 'az-a', down=True)
        self.report('hv-b', 'az-b', disabled=True)
        resp = self.api.get('os-availability-zone/detail', status=403)
        self.assertEqual("Policy doesn't allow os_compute_api:"
                         "os-availability-zone:detail to be performed.",
                         resp.json['forbidden']['message'])
        resp = self.admin_api.get('os-availability-zone/detail',
                                  status=200)
        test_servers.validate(schema.list_availability_zone_list_detail,
                              resp)
        zones = {z['zoneName']: z for z in resp.json['availabilityZoneInfo']}
        self.assertEqual(['az-a', 'az-b', 'nova'], sorted(zones))
        service = zones['az-a']['hosts']['hv-a']['nova-compute']
        self.assertEqual((False, True), (service['available'],
                                         service['active']))
        agent = zones['nova']['hosts'][self.agent.service.host]
        self.assertTrue(agent['nova-compute']['available'])
        self.assertIsNotNone(agent['nova-compute']['updated_at'])
        self.assertEqual({'available': False}, zones['az-b']['zoneState'])
        self.assertIsNone(zones['az-b']['hosts'])
