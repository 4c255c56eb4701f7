"""novalite's flake8 checks (novalite/hacking/checks.py)."""

import testtools

from novalite.hacking import checks


def _errors(check, line, filename):
    return list(check(line, filename))


class NoDBInVirtTest(testtools.TestCase):
    """N301."""

    VIRT = './novalite/virt/libvirt/driver.py'

    def test_db_imports_in_virt_are_found(self):
        for line in ('from novalite.db import api as db',
                     'import novalite.db.api',
                     'from novalite import db',
                     'from novalite import exception, db',
                     'import sqlalchemy',
                     'import sqlalchemy as sa',
                     'from sqlalchemy import orm',
                     'from oslo_db import exception as db_exc',
                     'import oslo_db.sqlalchemy'):
            errors = _errors(checks.no_db_in_virt, line, self.VIRT)
            self.assertEqual(1, len(errors), line)
            self.assertTrue(errors[0][1].startswith('N301'))

    def test_other_imports_in_virt_are_fine(self):
        for line in ('import os',
                     'from novalite import exception',
                     'from novalite.virt import driver',
                     'from novalite import dbutils',
                     'import sqlalchemy_utils_lookalike'):
            self.assertEqual(
                [], _errors(checks.no_db_in_virt, line, self.VIRT), line)

    def test_db_imports_outside_virt_are_fine(self):
        for filename in ('./novalite/compute/manager.py',
                         'novalite/api/controllers/servers.py',
                         './novalite/tests/unit/virt/test_driver.py'):
            self.assertEqual([], _errors(
                checks.no_db_in_virt, 'from novalite.db import api as db',
                filename), filename)

    def test_path_without_leading_dot(self):
        self.assertEqual(1, len(_errors(
            checks.no_db_in_virt, 'import sqlalchemy',
            'novalite/virt/fake.py')))


class NoCfgOptsOutsideConfTest(testtools.TestCase):
    """N302."""

    def test_opts_outside_conf_are_found(self):
        for line in ("opt = cfg.StrOpt('xxx')",
                     "opts = [cfg.IntOpt('xxx', default=1)]",
                     "CONF.register_opt(cfg.BoolOpt('xxx'))",
                     "x = oslo_config.cfg.ListOpt('xxx')"):
            errors = _errors(checks.no_cfg_opts_outside_conf, line,
                             './novalite/compute/manager.py')
            self.assertEqual(1, len(errors), line)
            self.assertTrue(errors[0][1].startswith('N302'))

    def test_opts_in_conf_are_fine(self):
        self.assertEqual([], _errors(
            checks.no_cfg_opts_outside_conf, "cfg.StrOpt('xxx')",
            './novalite/conf/api.py'))

    def test_opts_in_tests_are_fine(self):
        self.assertEqual([], _errors(
            checks.no_cfg_opts_outside_conf, "cfg.StrOpt('xxx')",
            './novalite/tests/unit/test_config.py'))

    def test_reading_options_is_fine(self):
        for line in ('limit = CONF.api.max_limit',
                     'cfg.CONF.set_override(x, y)',
                     "group = cfg.OptGroup('xxx')"):
            self.assertEqual([], _errors(
                checks.no_cfg_opts_outside_conf, line,
                './novalite/api/common.py'), line)

    def test_sub_command_opt_in_cmd_is_fine(self):
        line = "CONF.register_cli_opt(cfg.SubCommandOpt('xxx'))"
        self.assertEqual([], _errors(checks.no_cfg_opts_outside_conf, line,
                                     './novalite/cmd/manage.py'))
        self.assertEqual(1, len(_errors(checks.no_cfg_opts_outside_conf,
                                        line, './novalite/service.py')))


class NoPolicyRulesOutsidePoliciesTest(testtools.TestCase):
    """N303."""

    def test_rules_outside_policies_are_found(self):
        for line in ("rule = policy.RuleDefault('xxx', 'xxx')",
                     "rule = policy.DocumentedRuleDefault(name='xxx')",
                     "rules = [DocumentedRuleDefault('xxx')]",
                     "r = oslo_policy.policy.RuleDefault('xxx', 'xxx')"):
            errors = _errors(checks.no_policy_rules_outside_policies, line,
                             './novalite/api/controllers/servers.py')
            self.assertEqual(1, len(errors), line)
            self.assertTrue(errors[0][1].startswith('N303'))

    def test_rules_in_policies_are_fine(self):
        self.assertEqual([], _errors(
            checks.no_policy_rules_outside_policies,
            "policy.DocumentedRuleDefault(name='xxx')",
            './novalite/policies/servers.py'))

    def test_rules_in_tests_are_fine(self):
        self.assertEqual([], _errors(
            checks.no_policy_rules_outside_policies,
            "policy.RuleDefault('xxx', 'xxx')",
            './novalite/tests/unit/test_policy.py'))

    def test_enforcing_is_fine(self):
        for line in ("policy.authorize(ctxt, 'xxx', target)",
                     'enforcer.register_defaults(policies.list_rules())'):
            self.assertEqual([], _errors(
                checks.no_policy_rules_outside_policies, line,
                './novalite/policy.py'), line)


class NoDBInAPITest(testtools.TestCase):
    """N304."""

    API = './novalite/api/controllers/servers.py'

    def test_forbidden_imports_in_api_are_found(self):
        for line in ('from novalite.db import api as db',
                     'import novalite.db.api',
                     'from novalite import db',
                     'from novalite.compute import manager as compute_manager',
                     'from novalite.compute import api, manager',
                     'import novalite.compute.manager'):
            errors = _errors(checks.no_db_in_api, line, self.API)
            self.assertEqual(1, len(errors), line)
            self.assertTrue(errors[0][1].startswith('N304'))

    def test_allowed_imports(self):
        for line in ('from novalite.compute import api as compute',
                     'from novalite.compute import flavors',
                     'from oslo_db import exception as db_exc',
                     'from novalite.compute import managers_lookalike'):
            self.assertEqual(
                [], _errors(checks.no_db_in_api, line, self.API), line)
        for filename in ('novalite/compute/api.py',
                         'novalite/tests/unit/api/test_servers.py'):
            self.assertEqual([], _errors(
                checks.no_db_in_api, 'from novalite.db import api as db',
                filename), filename)

    def test_the_tree_keeps_it(self):
        import os
        root = os.path.join(os.path.dirname(checks.__file__), '..', 'api')
        for folder, _dirs, files in os.walk(root):
            for name in files:
                if not name.endswith('.py'):
                    continue
                path = os.path.join(folder, name)
                with open(path) as f:
                    for line in f:
                        self.assertEqual([], _errors(
                            checks.no_db_in_api, line.rstrip('\n'),
                            'novalite/api/' + name), (path, line))
