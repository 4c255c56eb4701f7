"""What each microversion after 2.26 changes in /servers, version by
version (the answers compared with Nova 34's on the anchor)."""

from novalite.compute import utils as compute_utils
from novalite.db import api as db
from novalite.tests import base


class MicroversionTestCase(base.APITestCase):

    def api_at(self, version, user='demo', project=None):
        return self.api.as_user(user, project, version=version)

    def server_body(self, **kw):
        return {'server': dict({'name': 's', 'flavorRef': '1',
                                'imageRef': base.IMAGE_ID}, **kw)}

    def assertBadRequest(self, resp, fragment):
        self.assertEqual(400, resp.status_int)
        self.assertIn(fragment, resp.json['badRequest']['message'])


class TestDeviceTags(MicroversionTestCase):
    """2.32: ``tag`` on ``networks[]`` and ``block_device_mapping_v2[]``;
    2.33-2.36: on networks only (Nova's bug, kept by its versions)."""

    def setUp(self):
        super().setUp()
        self.network = db.network_create(self.admin_context, {
            'name': 'private', 'cidr': '10.0.0.0/24'})
        self.bdm = {'uuid': base.IMAGE_ID, 'boot_index': 0,
                    'source_type': 'image', 'destination_type': 'local'}

    def _create(self, version, status, network_tag=None, bdm_tag=None):
        network = {'uuid': self.network['uuid']}
        if network_tag is not None:
            network['tag'] = network_tag
        bdm = dict(self.bdm)
        if bdm_tag is not None:
            bdm['tag'] = bdm_tag
        return self.api_at(version).post('servers', self.server_body(
            networks=[network], block_device_mapping_v2=[bdm]),
            status=status)

    def test_tags_at_2_32_reach_the_agent(self):
        server = self._create('2.32', 202, network_tag='nic1',
                              bdm_tag='root').json['server']
        self.wait_for_status(server['id'], 'ACTIVE')
        [vif] = db.network_info_for_instance(self.admin_context,
                                             server['id'])
        self.assertEqual('nic1', vif['tag'])
        self.assertEqual('root', db.instance_system_metadata_get(
            self.admin_context, server['id'])[compute_utils.ROOT_DEVICE_TAG])

    def test_untagged_create_records_no_tag(self):
        server = self._create('2.32', 202).json['server']
        [vif] = db.network_info_for_instance(self.admin_context,
                                             server['id'])
        self.assertIsNone(vif['tag'])
        self.assertNotIn(compute_utils.ROOT_DEVICE_TAG,
                         db.instance_system_metadata_get(
                             self.admin_context, server['id']))

    def test_tags_by_version(self):
        # Before 2.32 neither tag is a known key.
        for kw in ({'network_tag': 'a'}, {'bdm_tag': 'a'}):
            resp = self._create('2.31', 400, **kw)
            self.assertBadRequest(resp, "Additional properties are not "
                                        "allowed ('tag' was unexpected)")
        # From 2.33 the mapping's tag is gone again, the network's stays.
        resp = self._create('2.33', 400, bdm_tag='a')
        self.assertBadRequest(resp, "('tag' was unexpected)")
        self._create('2.33', 202, network_tag='a')

    def test_tag_form(self):
        for bad in ('a,b', 'a/b', '', 'x' * 61):
            self._create('2.32', 400, network_tag=bad)
            self._create('2.32', 400, bdm_tag=bad)
        self._create('2.32', 202, network_tag='x' * 60)
