"""Counted quotas on a real database."""

import uuid

from novalite.db import api as db
from novalite import exception
from novalite import quota
from novalite.tests import base

FLAVOR = {'vcpus': 2, 'memory_mb': 1024}


class QuotaTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.flags(instances=10, cores=20, ram=10240, group='quota')

    def use(self, count, project_id='p1', vcpus=1, memory_mb=512,
            **values):
        for _ in range(count):
            row = dict(uuid=str(uuid.uuid4()), project_id=project_id,
                       user_id='u1', vm_state='active', vcpus=vcpus,
                       memory_mb=memory_mb)
            row.update(values)
            db.instance_create(self.admin_context, row)

    def check(self, min_count=1, max_count=1, flavor=FLAVOR, **kwargs):
        return quota.check_instances(self.admin_context, 'p1', flavor,
                                     min_count, max_count, **kwargs)


class CheckInstancesTest(QuotaTestCase):

    def test_all_fit(self):
        self.assertEqual(5, self.check(1, 5))
        self.use(4)  # 4 instances, 4 cores, 2048 MB
        self.assertEqual(6, self.check(1, 6))
        self.assertEqual(1, self.check())

    def test_fit_is_limited_by_the_tightest_resource(self):
        self.use(2)
        # instances: 8 left; cores: 18 left = 9 servers; ram: 9216 = 9.
        self.assertEqual(8, self.check(1, 50))
        self.flags(cores=7, group='quota')
        # cores: 5 left = 2 servers of 2 vCPUs.
        self.assertEqual(2, self.check(1, 50))
        self.flags(ram=3072, group='quota')
        # ram: 2048 left = 2 servers; cores still 2.
        self.assertEqual(2, self.check(2, 50))

    def test_other_projects_and_deleted_servers_do_not_count(self):
        self.use(10, project_id='p2')
        self.use(3, vm_state='deleted', deleted=1)
        self.assertEqual(10, self.check(1, 10))

    def test_instances_full(self):
        self.use(10, vcpus=0, memory_mb=0)
        e = self.assertRaises(exception.TooManyInstances, self.check)
        self.assertEqual('Quota exceeded for instances: Requested 1, but '
                         'already used 10 of 10 instances', e.message)
        self.assertEqual(403, e.code)

    def test_cores_full(self):
        self.use(1, vcpus=19, memory_mb=0)
        e = self.assertRaises(exception.TooManyInstances, self.check)
        self.assertEqual('Quota exceeded for cores: Requested 2, but '
                         'already used 19 of 20 cores', e.message)

    def test_ram_full(self):
        self.use(1, vcpus=0, memory_mb=9500)
        e = self.assertRaises(exception.TooManyInstances, self.check)
        self.assertEqual('Quota exceeded for ram: Requested 1024, but '
                         'already used 9500 of 10240 ram', e.message)

    def test_min_count_does_not_fit(self):
        self.use(8, vcpus=0, memory_mb=0)
        e = self.assertRaises(exception.TooManyInstances, self.check, 3, 3)
        self.assertEqual('Quota exceeded for instances: Requested 3, but '
                         'already used 8 of 10 instances', e.message)
        # As Nova: a range is reported as such, and what is over is
        # judged for max_count.
        e = self.assertRaises(exception.TooManyInstances, self.check, 3, 5)
        self.assertEqual('Quota exceeded for instances: Requested 3-5, but '
                         'already used 8 of 10 instances', e.message)
        self.assertEqual(2, self.check(2, 5))

    def test_several_resources_over(self):
        # As Nova: every resource over quota, sorted, with its numbers.
        self.use(9, vcpus=2, memory_mb=0)
        e = self.assertRaises(exception.TooManyInstances, self.check, 2, 2)
        self.assertEqual('Quota exceeded for cores, instances: Requested '
                         '4, 2, but already used 18, 9 of 20, 10 cores, '
                         'instances', e.message)

    def test_unlimited(self):
        self.flags(instances=-1, cores=-1, ram=-1, group='quota')
        self.use(20)
        self.assertEqual(100, self.check(1, 100))
        self.flags(instances=0, group='quota')
        e = self.assertRaises(exception.TooManyInstances, self.check)
        self.assertIn('already used 20 of 0 instances', e.message)

    def test_zero_sized_flavor(self):
        self.flags(cores=0, ram=0, group='quota')
        self.assertEqual(3, self.check(1, 3, flavor={'vcpus': 0,
                                                     'memory_mb': 0}))

    def test_recheck(self):
        # The servers being created are already counted.
        self.use(10)
        self.assertEqual(1, self.check(recheck=True))
        self.use(1)
        e = self.assertRaises(exception.TooManyInstances, self.check,
                              recheck=True)
        self.assertEqual('Quota exceeded for instances: Requested 1, but '
                         'already used 10 of 10 instances', e.message)

    def test_usage_and_limits(self):
        self.use(2, vcpus=3, memory_mb=100)
        self.assertEqual({'instances': 2, 'cores': 6, 'ram': 200},
                         quota.usage(self.admin_context, 'p1'))
        limits = quota.limits()
        self.assertEqual(10, limits['instances'])
        self.assertEqual(128, limits['metadata_items'])
        self.assertEqual({'instances', 'cores', 'ram', 'metadata_items',
                          'injected_files', 'injected_file_content_bytes',
                          'injected_file_path_bytes', 'key_pairs',
                          'server_groups', 'server_group_members',
                          'fixed_ips', 'floating_ips', 'security_groups',
                          'security_group_rules'},
                         set(limits))

    def test_project_limits_override_the_defaults(self):
        quota.update(self.admin_context, 'p1', {'instances': 2, 'cores': -1,
                                                'server_groups': 3})
        limits = quota.limits(self.admin_context, 'p1')
        self.assertEqual((2, -1, 3, 10240),
                         (limits['instances'], limits['cores'],
                          limits['server_groups'], limits['ram']))
        self.assertEqual(10, quota.limits(self.admin_context,
                                          'p2')['instances'])
        self.assertEqual(10, quota.limits()['instances'])
        self.assertEqual(2, self.check(1, 5))
        self.use(2)
        self.assertRaises(exception.TooManyInstances, self.check)
        self.assertEqual(1, quota.check_instances(self.admin_context, 'p2',
                                                  FLAVOR, 1, 1))
        quota.revert_to_defaults(self.admin_context, 'p1')
        self.assertEqual(quota.defaults(),
                         quota.limits(self.admin_context, 'p1'))

    def test_update_below_usage(self):
        self.use(3)
        e = self.assertRaises(exception.QuotaLimitTooLow, quota.update,
                              self.admin_context, 'p1', {'instances': 2})
        self.assertEqual('Quota limit 2 for instances must be greater than '
                         'or equal to already used and reserved 3.',
                         e.message)
        quota.update(self.admin_context, 'p1', {'instances': 3})
        quota.update(self.admin_context, 'p1', {'instances': 0},
                     force=True)
        self.assertEqual(0, quota.limits(self.admin_context,
                                         'p1')['instances'])


class MetadataAndFilesTest(QuotaTestCase):

    def test_metadata(self):
        self.flags(metadata_items=2, group='quota')
        quota.check_metadata(None)
        quota.check_metadata({'a': '1', 'b': '2'})
        e = self.assertRaises(exception.MetadataLimitExceeded,
                              quota.check_metadata,
                              {'a': '1', 'b': '2', 'c': '3'})
        self.assertEqual('Maximum number of metadata items exceeds 2',
                         e.message)
        self.assertEqual(403, e.code)
        self.flags(metadata_items=-1, group='quota')
        quota.check_metadata({str(i): 'x' for i in range(500)})

    def test_file_count(self):
        self.flags(injected_files=1, group='quota')
        quota.check_injected_files([('/a', 'YQ==')])
        e = self.assertRaises(exception.OnsetFileLimitExceeded,
                              quota.check_injected_files,
                              [('/a', 'YQ=='), ('/b', 'Yg==')])
        self.assertEqual('Personality file limit exceeded', e.message)

    def test_path_length(self):
        self.flags(injected_file_path_length=5, group='quota')
        quota.check_injected_files([('/abcd', '')])
        e = self.assertRaises(exception.OnsetFilePathLimitExceeded,
                              quota.check_injected_files,
                              [('/abcde', '')])
        self.assertEqual('Personality file path exceeds maximum 5',
                         e.message)

    def test_content_length_counts_base64_text(self):
        self.flags(injected_file_content_bytes=8, group='quota')
        # 6 bytes decoded, 8 characters of base64: fits.
        quota.check_injected_files([('/a', 'YWJjZGVm')])
        e = self.assertRaises(exception.OnsetFileContentLimitExceeded,
                              quota.check_injected_files,
                              [('/a', 'YWJjZGVmZw==')])
        self.assertEqual('Personality file content exceeds maximum 8',
                         e.message)
        self.flags(injected_file_content_bytes=-1, injected_files=-1,
                   injected_file_path_length=-1, group='quota')
        quota.check_injected_files([('/' + 'a' * 1000, 'x' * 100000)] * 50)

    def test_project_limits(self):
        quota.update(self.admin_context, 'p1', {
            'metadata_items': 1, 'injected_files': 1,
            'injected_file_path_bytes': 3})
        quota.check_metadata({'a': '1', 'b': '2'})
        self.assertRaises(exception.MetadataLimitExceeded,
                          quota.check_metadata, {'a': '1', 'b': '2'},
                          self.admin_context, 'p1')
        files = [('/abcd', '')]
        quota.check_injected_files(files, self.admin_context, 'p2')
        self.assertRaises(exception.OnsetFilePathLimitExceeded,
                          quota.check_injected_files, files,
                          self.admin_context, 'p1')
