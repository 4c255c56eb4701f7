"""``/os-services`` and ``/os-hypervisors``: the compute services as Nova
shows and changes them (answers checked against tempest's schemas and
Nova 34's on the anchor)."""

import datetime

import fixtures

from tempest.lib.api_schema.response.compute.v2_1 import \
    hypervisors as hv_schema
from tempest.lib.api_schema.response.compute.v2_1 import \
    services as s21
from tempest.lib.api_schema.response.compute.v2_11 import \
    services as s211
from tempest.lib.api_schema.response.compute.v2_28 import \
    hypervisors as hv_schema228
from tempest.lib.api_schema.response.compute.v2_33 import \
    hypervisors as hv_schema233
from tempest.lib.api_schema.response.compute.v2_53 import \
    hypervisors as hv_schema253
from tempest.lib.api_schema.response.compute.v2_53 import \
    services as s253

from novalite.compute import rpcapi
from novalite.compute import utils as compute_utils
from novalite.db import api as db
from novalite.tests import base
from novalite.tests.unit.api import test_servers

CAPACITY = {'vcpus': 4, 'memory_mb': 4096, 'local_gb': 40}


class ServicesTestBase(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.admin = self.admin_api.as_user('admin', 'admin', version='2.1')
        self.admin211 = self.admin_api.as_user('admin', 'admin',
                                               version='2.11')
        self.host = self.agent.service.host
        self.service_id = self.service(self.host)['id']

    def service(self, host):
        [row] = [s for s in db.service_get_all(self.admin_context)
                 if s['host'] == host]
        return row

    def report(self, host, zone='nova', down=False, **values):
        db.service_report(self.admin_context, host, compute_utils.BINARY,
                          'compute', CAPACITY, zone)
        if down:
            values['last_seen_up'] = db.utcnow() - datetime.timedelta(
                hours=1)
        if values:
            db.service_update(self.admin_context, host,
                              compute_utils.BINARY, values)
        return self.service(host)

    def put(self, action, body, api=None, status=200):
        return (api or self.admin).put('os-services/' + action, body,
                                       status=status)


class TestServicesList(ServicesTestBase):

    def test_list_shows_nova_compute(self):
        other = self.report('hv-other', zone='az1', down=True,
                            disabled=True, disabled_reason='broken')
        # As Nova's, a service's updated_at is null until its first
        # heartbeat after the one that created it.
        listed = self.admin.get('os-services').json['services']
        self.assertIsNone(listed[0]['updated_at'])
        self.agent.manager.report_state()
        resp = self.admin.get('os-services', status=200)
        test_servers.validate(s21.list_services, resp)
        services = {s['host']: s for s in resp.json['services']}
        agent = services[self.host]
        self.assertEqual(
            {'id': self.service_id, 'binary': 'nova-compute',
             'host': self.host, 'zone': 'nova', 'status': 'enabled',
             'state': 'up', 'disabled_reason': None},
            {k: v for k, v in agent.items() if k != 'updated_at'})
        # Nova's format: naive, with microseconds.
        datetime.datetime.strptime(agent['updated_at'],
                                   '%Y-%m-%dT%H:%M:%S.%f')
        self.assertEqual(
            {'id': other['id'], 'binary': 'nova-compute',
             'host': 'hv-other', 'zone': 'az1', 'status': 'disabled',
             'state': 'down', 'disabled_reason': 'broken'},
            {k: v for k, v in services['hv-other'].items()
             if k != 'updated_at'})
        self.assertNotIn('forced_down', agent)

    def test_forced_down_from_2_11(self):
        resp = self.admin211.get('os-services', status=200)
        test_servers.validate(s211.list_services, resp)
        self.assertEqual([False], [s['forced_down']
                                   for s in resp.json['services']])

    def test_filters(self):
        self.report('hv-other')
        for query, hosts in (
                ('?host=hv-other', {'hv-other'}),
                ('?binary=nova-compute', {self.host, 'hv-other'}),
                ('?binary=nova-compute&host=' + self.host, {self.host}),
                ('?binary=novalite-compute', set()),
                ('?host=nope', set()),
                # As Nova: the last value counts, unknown ones are ignored.
                ('?host=nope&host=hv-other&foo=1', {'hv-other'})):
            resp = self.admin.get('os-services' + query, status=200)
            self.assertEqual(hosts, {s['host'] for s in
                                     resp.json['services']}, query)

    def test_admin_only(self):
        for api in (self.api, self.api.as_user('peek', 'demo',
                                               roles=['reader'])):
            resp = api.get('os-services', status=403)
            self.assertEqual(
                "Policy doesn't allow os_compute_api:os-services:list to "
                "be performed.", resp.json['forbidden']['message'])
            self.put('enable', {'host': self.host,
                                'binary': 'nova-compute'}, api=api,
                     status=403)
            api.delete('os-services/%d' % self.service_id, status=403)


class TestServicesUpdate(ServicesTestBase):

    def body(self, **extra):
        return dict({'host': self.host, 'binary': 'nova-compute'}, **extra)

    def test_disable_enable(self):
        resp = self.put('disable', self.body(disabled_reason='ignored'))
        test_servers.validate(s21.enable_disable_service, resp)
        self.assertEqual({'service': {'host': self.host,
                                      'binary': 'nova-compute',
                                      'status': 'disabled'}}, resp.json)
        row = self.service(self.host)
        self.assertEqual((True, None), (row['disabled'],
                                        row['disabled_reason']))
        resp = self.put('disable-log-reason',
                        self.body(disabled_reason='maintenance'))
        test_servers.validate(s21.disable_log_reason, resp)
        self.assertEqual({'service': {
            'host': self.host, 'binary': 'nova-compute',
            'status': 'disabled', 'disabled_reason': 'maintenance'}},
            resp.json)
        listed = self.admin.get('os-services').json['services'][0]
        self.assertEqual(('disabled', 'maintenance'),
                         (listed['status'], listed['disabled_reason']))
        resp = self.put('enable', self.body())
        self.assertEqual({'service': {'host': self.host,
                                      'binary': 'nova-compute',
                                      'status': 'enabled'}}, resp.json)
        row = self.service(self.host)
        self.assertEqual((False, None), (row['disabled'],
                                         row['disabled_reason']))

    def test_errors(self):
        for action, body, status, message in (
                ('disable-log-reason', self.body(), 400,
                 'Missing disabled reason field'),
                ('enable', self.body(binary='nova-scheduler'), 400,
                 'Updating a nova-scheduler service is not supported. Only '
                 'nova-compute services can be updated.'),
                ('enable', self.body(binary='novalite-compute'), 400,
                 'Updating a novalite-compute service is not supported. '
                 'Only nova-compute services can be updated.'),
                ('disable', self.body(host='nohost'), 404,
                 "Host 'nohost' is not mapped to any cell"),
                ('enable', {'host': self.host}, 400,
                 "'binary' is a required property"),
                ('enable', self.body(host='a b'), 400, None),
                ('enable', self.body(forced_down=True), 400,
                 "Additional properties are not allowed ('forced_down' was "
                 "unexpected)"),
                ('bogus', self.body(), 404, None),
                # Before 2.11 there is no force-down.
                ('force-down', self.body(), 404, 'Unknown action')):
            resp = self.put(action, body, status=status)
            if message:
                [fault] = resp.json.values()
                self.assertEqual(message, fault['message'], action)
        self.assertFalse(self.service(self.host)['disabled'])

    def test_force_down(self):
        resp = self.put('force-down', self.body(forced_down=True),
                        api=self.admin211)
        test_servers.validate(s211.update_forced_down, resp)
        self.assertEqual({'service': {'host': self.host,
                                      'binary': 'nova-compute',
                                      'forced_down': True}}, resp.json)
        listed = self.admin211.get('os-services').json['services'][0]
        self.assertEqual((True, 'down', 'enabled'),
                         (listed['forced_down'], listed['state'],
                          listed['status']))
        resp = self.put('force-down', self.body(), api=self.admin211,
                        status=400)
        self.assertEqual('Missing forced_down field',
                         resp.json['badRequest']['message'])
        resp = self.put('force-down', self.body(forced_down='false'),
                        api=self.admin211)
        self.assertFalse(resp.json['service']['forced_down'])
        self.assertEqual('up', self.admin211.get(
            'os-services').json['services'][0]['state'])

    def test_disabled_or_forced_down_host_gets_no_new_server(self):
        self.put('disable', self.body())
        server = self.create_server(wait=False)
        failed = self.wait_for_status(server['id'], 'ERROR')
        self.assertIn('No valid host', failed['fault']['message'])
        self.put('enable', self.body())
        self.create_server()
        self.put('force-down', self.body(forced_down=True),
                 api=self.admin211)
        server = self.create_server(wait=False)
        self.wait_for_status(server['id'], 'ERROR')
        self.put('force-down', self.body(forced_down=False),
                 api=self.admin211)
        self.create_server()


class TestServicesByUUID(ServicesTestBase):
    """2.53: services are named by UUID; PUT /os-services/{service_id}
    replaces the action routes."""

    def setUp(self):
        super().setUp()
        self.admin253 = self.admin_api.as_user('admin', 'admin',
                                               version='2.53')
        self.uuid = self.service(self.host)['uuid']

    def test_list_and_update(self):
        resp = self.admin253.get('os-services', status=200)
        test_servers.validate(s253.list_services, resp)
        self.assertEqual([self.uuid],
                         [s['id'] for s in resp.json['services']])
        path = 'os-services/' + self.uuid
        resp = self.admin253.put(path, {'status': 'disabled',
                                        'disabled_reason': 'maint'},
                                 status=200)
        test_servers.validate(s253.update_service, resp)
        service = resp.json['service']
        self.assertEqual(
            {'id': self.uuid, 'binary': 'nova-compute', 'host': self.host,
             'zone': 'nova', 'status': 'disabled', 'state': 'up',
             'disabled_reason': 'maint', 'forced_down': False},
            {k: v for k, v in service.items() if k != 'updated_at'})
        self.assertTrue(self.service(self.host)['disabled'])
        # Enabling forgets the reason; forced_down alone, or with a status.
        service = self.admin253.put(path, {'status': 'enabled',
                                           'forced_down': 'yes'},
                                    status=200).json['service']
        self.assertEqual(('enabled', None, True, 'down'), (
            service['status'], service['disabled_reason'],
            service['forced_down'], service['state']))
        service = self.admin253.put(path, {'forced_down': False},
                                    status=200).json['service']
        self.assertEqual((False, 'up'),
                         (service['forced_down'], service['state']))

    def test_update_errors(self):
        path = 'os-services/' + self.uuid
        for body, message in (
                ({}, "No updates were requested. Fields 'status' or "
                     "'forced_down' should be specified."),
                ({'disabled_reason': 'x'}, "No updates were requested. "
                 "Fields 'status' or 'forced_down' should be specified."),
                ({'status': 'enabled', 'disabled_reason': 'x'},
                 "Specifying 'disabled_reason' with status 'enabled' is "
                 "invalid."),
                ({'status': 'off'}, None), ({'forced_down': 'maybe'}, None),
                ({'host': self.host, 'binary': 'nova-compute'},
                 "Additional properties are not allowed ('binary', 'host' "
                 "were unexpected)")):
            resp = self.admin253.put(path, body, status=400)
            if message:
                self.assertEqual(message, resp.json['badRequest']['message'])
        self.assertFalse(self.service(self.host)['disabled'])
        # The action routes are gone: their names are not UUIDs.
        for action in ('enable', 'disable', 'disable-log-reason',
                       'force-down', '1'):
            resp = self.admin253.put('os-services/' + action,
                                     {'status': 'disabled'}, status=400)
            self.assertEqual('Invalid uuid ' + action,
                             resp.json['badRequest']['message'])
        missing = '00000000-0000-0000-0000-000000000000'
        resp = self.admin253.put('os-services/' + missing,
                                 {'status': 'disabled'}, status=404)
        self.assertEqual('Service %s could not be found.' % missing,
                         resp.json['itemNotFound']['message'])
        # Below 2.53 a UUID is no action.
        resp = self.admin_api.as_user('admin', 'admin', version='2.52').put(
            path, {'host': self.host, 'binary': 'nova-compute'}, status=404)
        self.assertEqual('Unknown action',
                         resp.json['itemNotFound']['message'])
        self.api.as_user('demo', version='2.53').put(
            path, {'status': 'disabled'}, status=403)

    def test_delete(self):
        other = self.report('hv-other')
        resp = self.admin253.delete('os-services/%d' % other['id'],
                                    status=400)
        self.assertEqual('Invalid uuid %d' % other['id'],
                         resp.json['badRequest']['message'])
        self.admin253.delete('os-services/' + other['uuid'], status=204)
        resp = self.admin253.delete('os-services/' + other['uuid'],
                                    status=404)
        self.assertEqual('Service %s not found.' % other['uuid'],
                         resp.json['itemNotFound']['message'])


class TestServicesDelete(ServicesTestBase):

    def test_delete(self):
        other = self.report('hv-other')
        self.admin.delete('os-services/%d' % other['id'], status=204)
        self.assertEqual({self.host}, {
            s['host'] for s in self.admin.get('os-services').json[
                'services']})
        resp = self.admin.delete('os-services/%d' % other['id'],
                                 status=404)
        self.assertEqual('Service %d not found.' % other['id'],
                         resp.json['itemNotFound']['message'])

    def test_a_host_with_servers_stays(self):
        server = self.create_server()
        resp = self.admin.delete('os-services/%d' % self.service_id,
                                 status=409)
        self.assertEqual(
            'Unable to delete compute service that is hosting instances. '
            'Migrate or delete the instances first.',
            resp.json['conflictingRequest']['message'])
        self.api.delete('servers/%s' % server['id'], status=204)
        self.wait_for_status(server['id'], 'DELETED')
        self.admin.delete('os-services/%d' % self.service_id, status=204)

    def test_bad_ids(self):
        for service_id, status, message in (
                ('abc', 400, 'Invalid input received: id must be an '
                             'integer'),
                ('1.5', 400, None), ('0', 404, 'Service 0 not found.'),
                ('-1', 404, None), ('99999999999999999999', 404, None)):
            resp = self.admin.delete('os-services/' + service_id,
                                     status=status)
            if message:
                [fault] = resp.json.values()
                self.assertEqual(message, fault['message'])


class TestHypervisors(ServicesTestBase):

    def setUp(self):
        super().setUp()
        self.flags(reserved_host_memory_mb=512)

    def test_list_and_detail(self):
        other = self.report('hv-other', down=True, disabled=True,
                            disabled_reason='r')
        resp = self.admin.get('os-hypervisors', status=200)
        self.assertEqual({'hypervisors': [
            {'id': self.service_id, 'hypervisor_hostname': self.host,
             'state': 'up', 'status': 'enabled'},
            {'id': other['id'], 'hypervisor_hostname': 'hv-other',
             'state': 'down', 'status': 'disabled'}]}, resp.json)
        self.create_server()
        resp = self.admin.get('os-hypervisors/detail', status=200)
        test_servers.validate(hv_schema.list_hypervisors_detail, resp)
        mine = resp.json['hypervisors'][0]
        capacity = self.agent.driver.get_available_resource()
        self.assertEqual({
            'id': self.service_id, 'hypervisor_hostname': self.host,
            'state': 'up', 'status': 'enabled',
            # What the fake driver reports, as Nova's.
            'hypervisor_type': 'fake', 'hypervisor_version': 1000,
            'host_ip': capacity['host_ip'],
            'service': {'id': self.service_id, 'host': self.host,
                        'disabled_reason': None},
            'vcpus': capacity['vcpus'], 'memory_mb': capacity['memory_mb'],
            'local_gb': capacity['local_gb'], 'vcpus_used': 1,
            # The flavor's 512 MB and the host's reserved 512 MB.
            'memory_mb_used': 1024, 'local_gb_used': 1,
            'free_ram_mb': capacity['memory_mb'] - 1024,
            'free_disk_gb': capacity['local_gb'] - 1,
            'current_workload': 0, 'running_vms': 1,
            'disk_available_least': capacity['local_gb'] - 1,
            'cpu_info': '{}'}, mine)
        self.assertEqual(list(mine), [
            'id', 'hypervisor_hostname', 'state', 'status',
            'hypervisor_type', 'hypervisor_version', 'host_ip', 'service',
            'vcpus', 'memory_mb', 'local_gb', 'vcpus_used',
            'memory_mb_used', 'local_gb_used', 'free_ram_mb',
            'free_disk_gb', 'current_workload', 'running_vms',
            'disk_available_least', 'cpu_info'])
        resp = self.admin.get('os-hypervisors/%d' % self.service_id,
                              status=200)
        test_servers.validate(hv_schema.get_hypervisor, resp)
        self.assertEqual(mine, resp.json['hypervisor'])

    def test_cpu_info_is_an_object_from_2_28(self):
        admin = self.admin_api.as_user('admin', 'admin', version='2.28')
        resp = admin.get('os-hypervisors/detail', status=200)
        test_servers.validate(hv_schema228.list_hypervisors_detail, resp)
        self.assertEqual({}, resp.json['hypervisors'][0]['cpu_info'])
        resp = admin.get('os-hypervisors/%d' % self.service_id, status=200)
        test_servers.validate(hv_schema228.get_hypervisor, resp)
        self.assertEqual({}, resp.json['hypervisor']['cpu_info'])
        # Still the JSON text at 2.27.
        resp = self.admin_api.as_user('admin', 'admin', version='2.27').get(
            'os-hypervisors/%d' % self.service_id, status=200)
        self.assertEqual('{}', resp.json['hypervisor']['cpu_info'])

    def test_pages_from_2_33(self):
        ids = [self.service_id] + [self.report('hv-%d' % i)['id']
                                   for i in range(3)]
        admin = self.admin_api.as_user('admin', 'admin', version='2.33')
        resp = admin.get('os-hypervisors?limit=2', status=200)
        test_servers.validate(hv_schema233.list_search_hypervisors, resp)
        self.assertEqual(ids[:2], [h['id'] for h in resp.json['hypervisors']])
        [link] = resp.json['hypervisors_links']
        self.assertEqual('next', link['rel'])
        self.assertTrue(link['href'].endswith(
            '/v2.1/os-hypervisors?limit=2&marker=%d' % ids[1]),
            link['href'])
        resp = admin.get('os-hypervisors/detail?limit=2&marker=%d' % ids[1],
                         status=200)
        test_servers.validate(hv_schema233.list_hypervisors_detail, resp)
        self.assertEqual(ids[2:], [h['id'] for h in resp.json['hypervisors']])
        self.assertIn('/v2.1/os-hypervisors/detail?',
                      resp.json['hypervisors_links'][0]['href'])
        # The last page is not full: no link.
        resp = admin.get('os-hypervisors?marker=%d' % ids[2], status=200)
        self.assertEqual(ids[3:], [h['id'] for h in resp.json['hypervisors']])
        self.assertNotIn('hypervisors_links', resp.json)
        for query, message in (('marker=999', 'marker [999] not found'),
                               ('marker=x', 'marker [x] not found')):
            resp = admin.get('os-hypervisors?' + query, status=400)
            self.assertEqual(message, resp.json['badRequest']['message'])
        admin.get('os-hypervisors?limit=-1', status=400)
        admin.get('os-hypervisors?limit=x', status=400)
        # Unknown parameters are still ignored, as by Nova before 2.53.
        admin.get('os-hypervisors?foo=1', status=200)
        # Before 2.33 limit and marker mean nothing.
        resp = self.admin_api.as_user('admin', 'admin', version='2.32').get(
            'os-hypervisors?limit=1&marker=999', status=200)
        self.assertEqual(ids, [h['id'] for h in resp.json['hypervisors']])
        self.assertNotIn('hypervisors_links', resp.json)

    def test_show_unknown(self):
        for hypervisor_id in ('x', '999', '0', '-1', '1e3',
                              '99999999999999999999'):
            resp = self.admin.get('os-hypervisors/' + hypervisor_id,
                                  status=404)
            self.assertEqual("Hypervisor with ID '%s' could not be found."
                             % hypervisor_id,
                             resp.json['itemNotFound']['message'])

    def test_statistics_count_enabled_services(self):
        self.report('hv-off', disabled=True)
        self.report('hv-down', down=True)
        self.create_server()
        resp = self.admin.get('os-hypervisors/statistics', status=200)
        test_servers.validate(hv_schema.get_hypervisor_statistics, resp)
        stats = resp.json['hypervisor_statistics']
        capacity = self.agent.driver.get_available_resource()
        self.assertEqual(2, stats['count'])
        self.assertEqual(capacity['vcpus'] + CAPACITY['vcpus'],
                         stats['vcpus'])
        self.assertEqual((1, 1, 1024 + 512),
                         (stats['vcpus_used'], stats['running_vms'],
                          stats['memory_mb_used']))

    def test_search_and_servers(self):
        self.report('hv_other')
        server = self.create_server()
        resp = self.admin.get('os-hypervisors/%s/search' % self.host,
                              status=200)
        test_servers.validate(hv_schema.list_search_hypervisors, resp)
        self.assertEqual([self.service_id],
                         [h['id'] for h in resp.json['hypervisors']])
        # Nova's LIKE: % and _ are wildcards.
        for pattern, count in (('%25', 2), ('hv_', 1), ('HV', 1),
                               ('host-', 1), ('_', 2)):
            resp = self.admin.get('os-hypervisors/%s/search' % pattern,
                                  status=200)
            self.assertEqual(count, len(resp.json['hypervisors']), pattern)
        resp = self.admin.get('os-hypervisors/nomatch/search', status=404)
        self.assertEqual("No hypervisor matching 'nomatch' could be found.",
                         resp.json['itemNotFound']['message'])
        resp = self.admin.get('os-hypervisors/%25/servers', status=200)
        test_servers.validate(hv_schema.get_hypervisors_servers, resp)
        by_host = {h['hypervisor_hostname']: h
                   for h in resp.json['hypervisors']}
        detail = self.admin.get('servers/%s' % server['id']).json['server']
        self.assertEqual(
            [{'name': detail['OS-EXT-SRV-ATTR:instance_name'],
              'uuid': server['id']}], by_host[self.host]['servers'])
        # No servers: no key, as Nova before 2.75.
        self.assertNotIn('servers', by_host['hv_other'])
        self.admin.get('os-hypervisors/nomatch/servers', status=404)

    def test_uptime(self):
        # The agent's host's own `uptime` line, as Nova's libvirt driver.
        resp = self.admin.get('os-hypervisors/%d/uptime' % self.service_id,
                              status=200)
        test_servers.validate(hv_schema.get_hypervisor_uptime, resp)
        hypervisor = resp.json['hypervisor']
        self.assertEqual((self.service_id, self.host, 'up', 'enabled'),
                         (hypervisor['id'], hypervisor['hypervisor_hostname'],
                          hypervisor['state'], hypervisor['status']))
        self.assertRegex(hypervisor['uptime'],
                         r'^ ?\d\d:\d\d:\d\d up .*load average: ')
        down = self.report('hv-down', down=True)
        resp = self.admin.get('os-hypervisors/%d/uptime' % down['id'],
                              status=400)
        self.assertEqual('Compute service of hv-down is unavailable at '
                         'this time.', resp.json['badRequest']['message'])
        self.admin.get('os-hypervisors/999/uptime', status=404)
        # Agents capped below RPC 1.3 cannot tell: Nova's 501.
        self.flags(compute='1.2', group='upgrade_levels')
        self.useFixture(fixtures.MonkeyPatch(
            'novalite.compute.services._RPC', rpcapi.ComputeAPI()))
        resp = self.admin.get('os-hypervisors/%d/uptime' % self.service_id,
                              status=501)
        self.assertEqual('The requested functionality is not supported.',
                         resp.json['notImplemented']['message'])

    def test_uptime_instead_of_statistics_from_2_88(self):
        # NOTE: long enough for the real agent's first answer on a busy
        # machine (its reply queue is set up then); the silent host costs
        # this much once, the calls being concurrent.
        self.useFixture(fixtures.MonkeyPatch(
            'novalite.compute.rpcapi.UPTIME_TIMEOUT', 3))
        down = self.report('hv-down', down=True)
        silent = self.report('hv-silent')  # up, but no agent answers
        admin = self.admin_api.as_user('admin', 'admin', version='2.88')
        resp = admin.get('os-hypervisors/detail', status=200)
        mine, gone, quiet = resp.json['hypervisors']
        self.assertEqual(['id', 'hypervisor_hostname', 'state', 'status',
                          'hypervisor_type', 'hypervisor_version',
                          'host_ip', 'service', 'uptime'], list(mine))
        self.assertRegex(mine['uptime'], r' up .*load average: ')
        # Nothing to tell for a host that is down or does not answer.
        self.assertEqual((down['compute_node_uuid'], None),
                         (gone['id'], gone['uptime']))
        self.assertEqual((silent['compute_node_uuid'], None),
                         (quiet['id'], quiet['uptime']))
        resp = admin.get('os-hypervisors/%s?with_servers=true'
                         % mine['id'], status=200)
        shown = resp.json['hypervisor']
        self.assertEqual([], shown.pop('servers'))
        self.assertEqual(list(mine), list(shown))
        # The brief list is as it was.
        self.assertEqual(['id', 'hypervisor_hostname', 'state', 'status'],
                         list(admin.get('os-hypervisors').json[
                             'hypervisors'][0]))
        for path in ('os-hypervisors/statistics',
                     'os-hypervisors/%s/uptime' % mine['id']):
            resp = admin.get(path, status=404)
            self.assertEqual('The resource could not be found.',
                             resp.json['itemNotFound']['message'])
        # Both still there at 2.87, the figures too.
        v287 = self.admin_api.as_user('admin', 'admin', version='2.87')
        v287.get('os-hypervisors/statistics', status=200)
        v287.get('os-hypervisors/%s/uptime' % mine['id'], status=200)
        self.assertIn('vcpus', v287.get('os-hypervisors/detail').json[
            'hypervisors'][0])

    def test_uuids_and_query_from_2_53(self):
        admin = self.admin_api.as_user('admin', 'admin', version='2.53')
        other = self.report('hv_other')
        server = self.create_server()
        mine = self.service(self.host)
        resp = admin.get('os-hypervisors', status=200)
        test_servers.validate(hv_schema253.list_search_hypervisors, resp)
        self.assertEqual([mine['compute_node_uuid'],
                          other['compute_node_uuid']],
                         [h['id'] for h in resp.json['hypervisors']])
        resp = admin.get('os-hypervisors/detail?limit=1', status=200)
        test_servers.validate(hv_schema253.list_hypervisors_detail, resp)
        [hypervisor] = resp.json['hypervisors']
        self.assertEqual((mine['compute_node_uuid'], mine['uuid']),
                         (hypervisor['id'], hypervisor['service']['id']))
        self.assertTrue(resp.json['hypervisors_links'][0]['href'].endswith(
            'os-hypervisors/detail?limit=1&marker=%s'
            % mine['compute_node_uuid']))
        resp = admin.get('os-hypervisors?marker=' + mine[
            'compute_node_uuid'], status=200)
        self.assertEqual([other['compute_node_uuid']],
                         [h['id'] for h in resp.json['hypervisors']])
        # As Nova's, an integer marker still names a row id.
        self.assertEqual(
            [other['compute_node_uuid']],
            [h['id'] for h in admin.get('os-hypervisors?marker=%d' % mine[
                'id']).json['hypervisors']])
        # The servers of each, only where there are.
        resp = admin.get('os-hypervisors?with_servers=true', status=200)
        test_servers.validate(hv_schema253.list_search_hypervisors, resp)
        detail = self.admin.get('servers/%s' % server['id']).json['server']
        self.assertEqual(
            [[{'name': detail['OS-EXT-SRV-ATTR:instance_name'],
               'uuid': server['id']}], None],
            [h.get('servers') for h in resp.json['hypervisors']])
        # The pattern, Nova's LIKE.
        resp = admin.get('os-hypervisors/detail?hypervisor_hostname_pattern='
                         'hv_&with_servers=1', status=200)
        self.assertEqual([other['compute_node_uuid']],
                         [h['id'] for h in resp.json['hypervisors']])
        self.assertNotIn('hypervisors_links', resp.json)
        resp = admin.get('os-hypervisors?hypervisor_hostname_pattern=nomatch',
                         status=404)
        self.assertEqual("No hypervisor matching 'nomatch' could be found.",
                         resp.json['itemNotFound']['message'])
        for query in ('hypervisor_hostname_pattern=hv&limit=1',
                      'hypervisor_hostname_pattern=hv&marker=x',
                      'foo=1', 'with_servers=maybe', 'limit=1&limit=2',
                      'hypervisor_hostname_pattern=a%20b', 'marker=x'):
            admin.get('os-hypervisors?' + query, status=400)
        for query, message in (
                ('limit=1&limit=2', "Invalid input for query parameters "
                 "limit. Value: ['1', '2']. ['1', '2'] is too long"),
                ('foo=1', "Additional properties are not allowed ('foo' "
                          "was unexpected)")):
            resp = admin.get('os-hypervisors?' + query, status=400)
            self.assertEqual(message, resp.json['badRequest']['message'])
        # Show: by UUID, with its servers if asked.
        path = 'os-hypervisors/' + mine['compute_node_uuid']
        resp = admin.get(path + '?with_servers=true', status=200)
        test_servers.validate(hv_schema253.get_hypervisor, resp)
        self.assertEqual(server['id'],
                         resp.json['hypervisor']['servers'][0]['uuid'])
        self.assertNotIn('servers', admin.get(path).json['hypervisor'])
        admin.get(path + '?foo=1', status=400)
        for bad in ('%d' % mine['id'], '%d/uptime' % mine['id']):
            resp = admin.get('os-hypervisors/' + bad, status=400)
            self.assertEqual('Invalid uuid %d' % mine['id'],
                             resp.json['badRequest']['message'])
        missing = '00000000-0000-0000-0000-000000000000'
        for suffix in ('', '/uptime'):
            resp = admin.get('os-hypervisors/' + missing + suffix,
                             status=404)
            self.assertEqual("Hypervisor with ID '%s' could not be found."
                             % missing, resp.json['itemNotFound']['message'])
        self.assertIn(' up ', admin.get(path + '/uptime', status=200).json[
            'hypervisor']['uptime'])
        # The search and servers routes are gone.
        for route in ('search', 'servers'):
            admin.get('os-hypervisors/%s/%s' % (self.host, route),
                      status=404)

    def test_admin_only(self):
        for path, rule in (
                ('os-hypervisors', 'list'),
                ('os-hypervisors/detail', 'list-detail'),
                ('os-hypervisors/statistics', 'statistics'),
                ('os-hypervisors/%d' % self.service_id, 'show'),
                ('os-hypervisors/%d/uptime' % self.service_id, 'uptime'),
                ('os-hypervisors/host/search', 'search'),
                ('os-hypervisors/host/servers', 'servers')):
            resp = self.api.get(path, status=403)
            self.assertEqual(
                "Policy doesn't allow os_compute_api:os-hypervisors:%s to "
                "be performed." % rule, resp.json['forbidden']['message'])
