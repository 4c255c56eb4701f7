"""``/os-simple-tenant-usage``: server hours per project, computed as Nova
does (answers checked against tempest's schemas and Nova 34's on the
anchor)."""

import datetime
import uuid

from tempest.lib.api_schema.response.compute.v2_1 import \
    tenant_usages as schema

from novalite.db import api as db
from novalite.tests import base
from novalite.tests.unit.api import test_servers

T0 = datetime.datetime(2024, 1, 1)
QUERY = '?start=2024-01-01T00:00:00&end=2024-01-02T00:00:00'


def _at(hours):
    return T0 + datetime.timedelta(hours=hours)


class TestSimpleTenantUsage(base.APITestCase):

    USE_AGENT = False

    def server(self, project='demo', launched=None, terminated=None,
               vcpus=2, memory_mb=1024, root_gb=10, ephemeral_gb=5,
               name='s', vm_state='active'):
        values = dict(
            uuid=str(uuid.uuid4()), project_id=project, user_id=project,
            display_name=name, vm_state=vm_state, vcpus=vcpus,
            memory_mb=memory_mb, root_gb=root_gb,
            ephemeral_gb=ephemeral_gb, flavor_name='m1.test',
            launched_at=launched, terminated_at=terminated)
        if terminated is not None:
            values.update(vm_state='deleted', deleted=1,
                          deleted_at=terminated)
        return db.instance_create(self.admin_context, values)['uuid']

    def test_hours_within_the_period(self):
        # Ran all day; launched at 6:00; deleted at 12:00 after running
        # from the day before; launched after the period; deleted before
        # it; never launched.
        all_day = self.server(launched=_at(-5), name='all-day')
        late = self.server(launched=_at(6), vcpus=1, name='late')
        gone = self.server(launched=_at(-3), terminated=_at(12),
                           name='gone')
        self.server(launched=_at(30))
        self.server(launched=_at(-9), terminated=_at(-1))
        self.server(launched=None, vm_state='error')
        self.server(project='other', launched=_at(0))
        resp = self.api.get('os-simple-tenant-usage/demo' + QUERY,
                            status=200)
        test_servers.validate(schema.get_tenant_usage, resp)
        usage = resp.json['tenant_usage']
        self.assertEqual('demo', usage['tenant_id'])
        self.assertEqual(('2024-01-01T00:00:00.000000',
                          '2024-01-02T00:00:00.000000'),
                         (usage['start'], usage['stop']))
        by_name = {s['name']: s for s in usage['server_usages']}
        self.assertEqual({'all-day', 'late', 'gone'}, set(by_name))
        self.assertEqual((24.0, 18.0, 12.0),
                         (by_name['all-day']['hours'],
                          by_name['late']['hours'],
                          by_name['gone']['hours']))
        self.assertEqual(54.0, usage['total_hours'])
        self.assertEqual(24 * 2 + 18 * 1 + 12 * 2,
                         usage['total_vcpus_usage'])
        self.assertEqual(54 * 1024, usage['total_memory_mb_usage'])
        self.assertEqual(54 * 15, usage['total_local_gb_usage'])
        self.assertEqual({
            'hours': 12.0, 'flavor': 'm1.test', 'instance_id': gone,
            'name': 'gone', 'tenant_id': 'demo', 'memory_mb': 1024,
            'local_gb': 15, 'vcpus': 2,
            'started_at': '2023-12-31T21:00:00.000000',
            'ended_at': '2024-01-01T12:00:00.000000',
            'state': 'terminated', 'uptime': 15 * 3600}, by_name['gone'])
        self.assertEqual(('active', None), (by_name['all-day']['state'],
                                            by_name['all-day']['ended_at']))
        # Sorted by uuid, as Nova.
        self.assertEqual(sorted([all_day, late, gone]),
                         [s['instance_id'] for s in usage['server_usages']])

    def test_list_every_project(self):
        self.server(launched=_at(0))
        self.server(project='other', launched=_at(12))
        resp = self.admin_api.get('os-simple-tenant-usage' + QUERY,
                                  status=200)
        test_servers.validate(schema.list_tenant_usage, resp)
        usages = resp.json['tenant_usages']
        self.assertEqual([('demo', 24.0), ('other', 12.0)],
                         [(u['tenant_id'], u['total_hours'])
                          for u in usages])
        self.assertNotIn('server_usages', usages[0])
        self.assertEqual(list(usages[0]), [
            'tenant_id', 'total_local_gb_usage', 'total_vcpus_usage',
            'total_memory_mb_usage', 'total_hours', 'start', 'stop'])
        resp = self.admin_api.get(
            'os-simple-tenant-usage' + QUERY + '&detailed=1', status=200)
        test_servers.validate(schema.list_tenant_usage, resp)
        self.assertEqual([1, 1], [len(u['server_usages'])
                                  for u in resp.json['tenant_usages']])

    def test_pages_of_servers_from_2_40(self):
        demo = sorted(self.server(launched=_at(0), name='d%d' % i)
                      for i in range(3))
        other = self.server(project='other', launched=_at(12))
        admin = self.admin_api.as_user('admin', 'admin', version='2.40')
        resp = admin.get('os-simple-tenant-usage' + QUERY +
                         '&detailed=1&limit=2', status=200)
        self.assertEqual([('demo', demo[:2])], [
            (u['tenant_id'], [s['instance_id'] for s in u['server_usages']])
            for u in resp.json['tenant_usages']])
        [link] = resp.json['tenant_usages_links']
        self.assertIn('/v2.1/os-simple-tenant-usage?', link['href'])
        self.assertIn('marker=%s' % demo[1], link['href'])
        # The next page: demo's last server, then the other project's.
        resp = admin.get('os-simple-tenant-usage' + QUERY +
                         '&detailed=1&limit=2&marker=' + demo[1],
                         status=200)
        self.assertEqual([('demo', [demo[2]]), ('other', [other])], [
            (u['tenant_id'], [s['instance_id'] for s in u['server_usages']])
            for u in resp.json['tenant_usages']])
        self.assertIn('tenant_usages_links', resp.json)  # a full page
        # One project's, paged too.
        api = self.api.as_user('demo', version='2.40')
        resp = api.get('os-simple-tenant-usage/demo' + QUERY + '&limit=1',
                       status=200)
        self.assertEqual([demo[0]], [
            s['instance_id']
            for s in resp.json['tenant_usage']['server_usages']])
        self.assertIn('/v2.1/os-simple-tenant-usage/demo?',
                      resp.json['tenant_usage_links'][0]['href'])
        resp = api.get('os-simple-tenant-usage/demo' + QUERY +
                       '&marker=' + demo[0], status=200)
        self.assertEqual(2, len(resp.json['tenant_usage']['server_usages']))
        self.assertNotIn('tenant_usage_links', resp.json)
        missing = str(uuid.uuid4())
        resp = api.get('os-simple-tenant-usage/demo?marker=' + missing,
                       status=400)
        self.assertEqual('Marker %s could not be found.' % missing,
                         resp.json['badRequest']['message'])
        api.get('os-simple-tenant-usage/demo?limit=-1', status=400)
        # Before 2.40: no paging, no links.
        resp = self.api.get('os-simple-tenant-usage/demo' + QUERY +
                            '&limit=1&marker=' + missing, status=200)
        test_servers.validate(schema.get_tenant_usage, resp)
        self.assertEqual(3, len(resp.json['tenant_usage']['server_usages']))

    def test_default_period_ends_now(self):
        self.server(launched=db.utcnow() - datetime.timedelta(hours=1))
        resp = self.api.get(
            'os-simple-tenant-usage/demo?start=2000-01-01T00:00:00'
            '&end=2999-01-01T00:00:00', status=200)
        usage = resp.json['tenant_usage']
        self.assertAlmostEqual(1.0, usage['total_hours'], places=2)
        stop = datetime.datetime.strptime(usage['stop'],
                                          '%Y-%m-%dT%H:%M:%S.%f')
        self.assertLess(abs((db.utcnow() - stop).total_seconds()), 60)

    def test_no_usage_is_an_empty_object(self):
        # NOTE: Nova's own answer, which tempest's schema (it requires
        # the totals) does not allow.
        resp = self.api.get('os-simple-tenant-usage/demo' + QUERY,
                            status=200)
        self.assertEqual({'tenant_usage': {}}, resp.json)
        resp = self.admin_api.get('os-simple-tenant-usage', status=200)
        self.assertEqual({'tenant_usages': []}, resp.json)

    def test_bad_times(self):
        for query, message in (
                ('?start=bad', 'Invalid datetime string: Datetime is in '
                               'invalid format'),
                ('?start=2020-01-01T00:00:00Z', 'Invalid datetime string: '
                 'Datetime is in invalid format'),
                ('?start=2030-01-01T00:00:00&end=2020-01-01T00:00:00',
                 'Invalid start time. The start time cannot occur after '
                 'the end time.'),
                ('?start=2020-01-01T00:00:00&end=2020-01-01T00:00:00',
                 'Invalid start time. The start time cannot occur after '
                 'the end time.')):
            for api, path in ((self.admin_api, 'os-simple-tenant-usage'),
                              (self.api, 'os-simple-tenant-usage/demo')):
                resp = api.get(path + query, status=400)
                self.assertEqual(message, resp.json['badRequest']['message'])
        # Nova reads the first value of each; the other formats.
        self.api.get('os-simple-tenant-usage/demo?start='
                     '2020-01-01T00:00:00.5&start=bad&end='
                     '2020-01-02%2000:00:00.000001', status=200)

    def test_policies(self):
        self.server(launched=_at(0))
        reader = self.api.as_user('peek', 'demo', roles=['reader'])
        reader.get('os-simple-tenant-usage/demo' + QUERY, status=200)
        for api in (self.api, reader):
            resp = api.get('os-simple-tenant-usage', status=403)
            self.assertEqual(
                "Policy doesn't allow os_compute_api:os-simple-tenant-"
                "usage:list to be performed.",
                resp.json['forbidden']['message'])
        resp = self.api.as_user('eve', 'evil').get(
            'os-simple-tenant-usage/demo' + QUERY, status=403)
        self.assertEqual(
            "Policy doesn't allow os_compute_api:os-simple-tenant-usage:"
            "show to be performed.", resp.json['forbidden']['message'])
        self.admin_api.get('os-simple-tenant-usage/demo' + QUERY,
                           status=200)
