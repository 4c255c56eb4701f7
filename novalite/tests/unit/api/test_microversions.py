"""The microversion registry: one step at a time, and what is advertised."""

import testtools

from novalite.api import api_version


class TestHistory(testtools.TestCase):

    def test_steps_one_minor_at_a_time(self):
        api_version.check_history(api_version.HISTORY)
        self.assertEqual('2.1', api_version.MIN_API_VERSION)
        self.assertEqual(api_version.HISTORY[-1][0],
                         api_version.MAX_API_VERSION)

    def test_gaps_and_overlaps_are_refused(self):
        for history in ([('2.1', 'a'), ('2.3', 'b')],
                        [('2.1', 'a'), ('2.2', 'b'), ('2.2', 'c')],
                        [('2.2', 'a'), ('2.1', 'b')]):
            self.assertRaises(ValueError, api_version.check_history,
                              history)

    def test_latest_is_the_last_entry(self):
        self.assertEqual(
            api_version.APIVersionRequest(api_version.HISTORY[-1][0]),
            api_version.from_headers(
                {'OpenStack-API-Version': 'compute latest'}))
