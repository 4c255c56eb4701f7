"""The API reference documents every route and every server action."""

import glob
import os
import re

import testtools

from novalite.api import actions
from novalite.api import api_version
from novalite.api import routes
from novalite.tests import fixtures as nl_fixtures

SOURCE = os.path.join(os.path.dirname(__file__), '..', '..', '..',
                      'api-ref', 'source')


def _read_docs():
    text = ''
    for path in sorted(glob.glob(os.path.join(SOURCE, '*.inc'))):
        with open(path) as f:
            text += f.read()
    return text


class TestAPIReference(testtools.TestCase):

    def setUp(self):
        super().setUp()
        nl_fixtures.require(self, os.path.isdir(SOURCE),
                            'api-ref sources are not in this tree')
        self.docs = _read_docs()

    def test_every_route_is_documented(self):
        documented = set(re.findall(
            r'^\.\. rest_method:: (\w+) /v2\.1(/\S*)$', self.docs, re.M))
        self.assertEqual(set(), set(routes.list_routes()) - documented)

    def test_every_action_is_documented(self):
        for action in actions.names():
            self.assertIn('{"%s":' % action, self.docs.replace(' ', ''),
                          'action %s has no example' % action)

    def test_every_microversion_is_documented(self):
        with open(os.path.join(SOURCE, 'microversions.inc')) as f:
            text = f.read()
        rows = re.findall(r'^(2\.\d+) ', text, re.M)
        self.assertEqual([version for version, _ in api_version.HISTORY],
                         rows)
        self.assertIn('microversions **2.1 to %s**'
                      % api_version.MAX_API_VERSION, text)

    def test_parameters_are_unique_and_sorted(self):
        # os-api-ref wants each group (header, path, query, body) sorted
        # by lower-case name; YAML would keep only the last of two equal
        # names, silently.
        with open(os.path.join(SOURCE, 'parameters.yaml')) as f:
            text = f.read()
        names = re.findall(r'^([A-Za-z][^\n]*):$', text, re.M)
        self.assertEqual(len(names), len(set(names)))
        groups = re.split(r'^# variables in \w+$', text, flags=re.M)[1:]
        self.assertEqual(4, len(groups))
        for group in groups:
            found = re.findall(r'^([A-Za-z][^\n]*):$', group, re.M)
            self.assertEqual(sorted(found, key=str.lower), found)
