"""``/servers/{id}/metadata``, ``os-server-password`` and
``os-instance-actions``: Nova's bodies (tempest's schemas), codes and
messages, as the Nova anchor answers them."""

import hashlib
from unittest import mock

from tempest.lib.api_schema.response.compute.v2_1 import servers as s21
from tempest.lib.api_schema.response.compute.v2_51 import servers as s251
from tempest.lib.api_schema.response.compute.v2_58 import servers as s258
from tempest.lib.api_schema.response.compute.v2_62 import servers as s262
from tempest.lib.api_schema.response.compute.v2_84 import servers as s284

from novalite.db import api as db
from novalite import states
from novalite.tests import base
from novalite.tests.unit.api import test_servers


class TestServerMetadata(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.server = self.create_server(metadata={'a': '1', 'b': '2'})
        self.path = 'servers/%s/metadata' % self.server['id']

    def metadata(self):
        return db.instance_get_by_uuid(
            self.admin_context, self.server['id'],
            extras=('metadata',))['metadata']

    def test_list_and_show(self):
        resp = self.api.get(self.path, status=200)
        test_servers.validate(s21.list_server_metadata, resp)
        self.assertEqual({'metadata': {'a': '1', 'b': '2'}}, resp.json)
        resp = self.api.get(self.path + '/a', status=200)
        test_servers.validate(s21.set_show_server_metadata_item, resp)
        self.assertEqual({'meta': {'a': '1'}}, resp.json)
        resp = self.api.get(self.path + '/zz', status=404)
        self.assertEqual('Metadata item was not found',
                         resp.json['itemNotFound']['message'])

    def test_post_merges_and_put_replaces(self):
        resp = self.api.post(self.path, {'metadata': {'b': 'B', 'c': '3'}},
                             status=200)
        test_servers.validate(s21.update_server_metadata, resp)
        self.assertEqual({'a': '1', 'b': 'B', 'c': '3'},
                         resp.json['metadata'])
        self.assertEqual({'a': '1', 'b': 'B', 'c': '3'}, self.metadata())
        resp = self.api.put(self.path, {'metadata': {'only': 'x'}},
                            status=200)
        test_servers.validate(s21.set_server_metadata, resp)
        self.assertEqual({'metadata': {'only': 'x'}}, resp.json)
        self.assertEqual({'only': 'x'}, self.metadata())
        # The server view shows it too.
        server = self.api.get('servers/%s' % self.server['id']).json
        self.assertEqual({'only': 'x'}, server['server']['metadata'])

    def test_item_set_and_delete(self):
        resp = self.api.put(self.path + '/c', {'meta': {'c': '3'}},
                            status=200)
        test_servers.validate(s21.set_show_server_metadata_item, resp)
        self.assertEqual({'meta': {'c': '3'}}, resp.json)
        resp = self.api.put(self.path + '/c', {'meta': {'d': '3'}},
                            status=400)
        self.assertEqual('Request body and URI mismatch',
                         resp.json['badRequest']['message'])
        resp = self.api.put(self.path + '/c', {'meta': {'c': '1', 'd': '2'}},
                            status=400)
        self.assertIn('has too many properties',
                      resp.json['badRequest']['message'])
        resp = self.api.delete(self.path + '/a', status=204)
        test_servers.validate(s21.delete_server_metadata_item, resp)
        self.assertEqual({'b': '2', 'c': '3'}, self.metadata())
        resp = self.api.delete(self.path + '/a', status=404)
        self.assertEqual('Metadata item was not found',
                         resp.json['itemNotFound']['message'])

    def test_bad_keys_and_values(self):
        for body in ({'metadata': {'': 'x'}}, {'metadata': {'a': 1}},
                     {'metadata': {'k' * 256: 'x'}},
                     {'metadata': {'a': 'v' * 256}}, {'metadata': []},
                     {'meta': {'a': 'b'}}):
            self.api.post(self.path, body, status=400)
        self.assertEqual({'a': '1', 'b': '2'}, self.metadata())

    def test_quota(self):
        self.flags(metadata_items=3, group='quota')
        self.api.post(self.path, {'metadata': {'c': '3'}}, status=200)
        resp = self.api.post(self.path, {'metadata': {'d': '4'}},
                             status=403)
        self.assertEqual('Maximum number of metadata items exceeds 3',
                         resp.json['forbidden']['message'])
        # Replacing with as many is fine; nothing was half-written.
        self.assertEqual({'a': '1', 'b': '2', 'c': '3'}, self.metadata())
        self.api.put(self.path, {'metadata': {'x': '1', 'y': '2', 'z': '3'}},
                     status=200)

    def test_locked_server(self):
        self.admin_api.post('servers/%s/action' % self.server['id'],
                            {'lock': None}, status=202)
        message = 'Instance %s is locked' % self.server['id']
        for resp in (
                self.api.post(self.path, {'metadata': {'c': '3'}},
                              status=409),
                self.api.put(self.path, {'metadata': {}}, status=409),
                self.api.put(self.path + '/c', {'meta': {'c': '3'}},
                             status=409),
                self.api.delete(self.path + '/a', status=409)):
            self.assertEqual(message, resp.json['conflictingRequest']
                             ['message'])
        # Reading is fine, and so is an admin's change (Nova's lock).
        self.api.get(self.path, status=200)
        self.admin_api.delete(self.path + '/a', status=204)

    def test_state_conflict(self):
        db.instance_update(self.admin_context, self.server['id'],
                           {'task_state': states.REBOOTING})
        resp = self.api.post(self.path, {'metadata': {'c': '3'}},
                             status=409)
        self.assertEqual(
            "Cannot 'update metadata' instance %s while it is in task_state "
            "rebooting" % self.server['id'],
            resp.json['conflictingRequest']['message'])
        resp = self.api.delete(self.path + '/a', status=409)
        self.assertIn("Cannot 'delete metadata'",
                      resp.json['conflictingRequest']['message'])

    def test_stopped_server_allowed(self):
        self.api.post('servers/%s/action' % self.server['id'],
                      {'os-stop': None}, status=202)
        self.wait_for_status(self.server['id'], 'SHUTOFF')
        self.api.post(self.path, {'metadata': {'c': '3'}}, status=200)

    def test_other_project_and_reader(self):
        other = self.api.as_user('eve', 'evil')
        for method, path, body in (
                ('GET', self.path, None), ('GET', self.path + '/a', None),
                ('POST', self.path, {'metadata': {'x': 'y'}}),
                ('PUT', self.path, {'metadata': {}}),
                ('DELETE', self.path + '/a', None)):
            other.request(method, path, body, status=404)
        reader = self.api.as_user('demo', 'demo', roles=['reader'])
        reader.get(self.path, status=200)
        resp = reader.post(self.path, {'metadata': {'x': 'y'}}, status=403)
        self.assertEqual("Policy doesn't allow os_compute_api:"
                         "server-metadata:create to be performed.",
                         resp.json['forbidden']['message'])
        self.assertEqual({'a': '1', 'b': '2'}, self.metadata())


class TestServerPassword(base.APITestCase):

    def test_show_and_clear(self):
        server = self.create_server()
        path = 'servers/%s/os-server-password' % server['id']
        resp = self.api.get(path, status=200)
        test_servers.validate(s21.show_password, resp)
        self.assertEqual({'password': ''}, resp.json)
        # What a guest would have left (Nova's metadata service).
        db.instance_system_metadata_update(self.admin_context, server['id'],
                                           {'password': 'ENCRYPTED'})
        self.assertEqual({'password': 'ENCRYPTED'},
                         self.api.get(path, status=200).json)
        resp = self.api.delete(path, status=204)
        test_servers.validate(s21.server_actions_delete_password, resp)
        self.assertEqual({'password': ''}, self.api.get(path).json)
        self.api.as_user('eve', 'evil').get(path, status=404)
        self.api.as_user('demo', 'demo', roles=['reader']).delete(
            path, status=403)


class TestInstanceActions(base.APITestCase):

    def actions(self, server_id, api=None, version=None):
        api = (api or self.api)
        resp = api.get('servers/%s/os-instance-actions' % server_id,
                       status=200)
        test_servers.validate(s21.list_instance_actions, resp)
        return resp.json['instanceActions']

    def failed_build_action(self):
        """The path of the create action of a server whose build failed
        (RuntimeError: boom)."""
        with mock.patch.object(self.agent.driver, 'spawn',
                               side_effect=RuntimeError('boom')):
            server = self.create_server(wait=False)
            self.wait_for_status(server['id'], 'ERROR')
        [action] = self.actions(server['id'])
        return 'servers/%s/os-instance-actions/%s' % (
            server['id'], action['request_id'])

    def test_every_action_is_recorded_with_its_request_id(self):
        server = self.create_server()
        uuid = server['id']
        requests = {}
        for body, status in (({'os-stop': None}, 'SHUTOFF'),
                             ({'os-start': None}, 'ACTIVE'),
                             ({'reboot': {'type': 'HARD'}}, 'ACTIVE'),
                             ({'lock': None}, None),
                             ({'unlock': None}, None)):
            resp = self.api.post('servers/%s/action' % uuid, body,
                                 status=202)
            requests[next(iter(body))] = resp.headers[
                'x-openstack-request-id']
            if status:
                self.wait_for_status(uuid, status)
        actions = self.actions(uuid)
        self.assertEqual(['unlock', 'lock', 'reboot', 'start', 'stop',
                          'create'], [a['action'] for a in actions])
        by_name = {a['action']: a for a in actions}
        for name, request_id in (('stop', requests['os-stop']),
                                 ('start', requests['os-start']),
                                 ('reboot', requests['reboot'])):
            self.assertEqual(request_id, by_name[name]['request_id'])
        self.assertEqual(
            {'instance_uuid': uuid, 'user_id': 'demo', 'project_id': 'demo',
             'message': None},
            {k: by_name['stop'][k] for k in ('instance_uuid', 'user_id',
                                             'project_id', 'message')})
        # A refused action records nothing.
        self.api.post('servers/%s/action' % uuid, {'os-start': None},
                      status=409)
        self.assertEqual(6, len(self.actions(uuid)))

    def test_show_events_for_admins_only(self):
        server = self.create_server()
        resp = self.api.post('servers/%s/action' % server['id'],
                             {'os-stop': None}, status=202)
        request_id = resp.headers['x-openstack-request-id']
        self.wait_for_status(server['id'], 'SHUTOFF')
        path = 'servers/%s/os-instance-actions/%s' % (server['id'],
                                                      request_id)
        resp = self.api.get(path, status=200)
        test_servers.validate(s21.show_instance_action, resp)
        self.assertNotIn('events', resp.json['instanceAction'])
        self.assertEqual('stop', resp.json['instanceAction']['action'])
        resp = self.admin_api.get(path, status=200)
        test_servers.validate(s21.show_instance_action, resp)
        [event] = resp.json['instanceAction']['events']
        self.assertEqual(('compute_stop_instance', 'Success', None),
                         (event['event'], event['result'],
                          event['traceback']))
        self.assertIsNotNone(event['finish_time'])
        resp = self.api.get('servers/%s/os-instance-actions/req-nope'
                            % server['id'], status=404)
        self.assertEqual('Action req-nope not found',
                         resp.json['itemNotFound']['message'])

    def test_build_event_and_failure(self):
        with mock.patch.object(self.agent.driver, 'spawn',
                               side_effect=RuntimeError('boom')):
            resp = self.api.post('servers', {'server': {
                'name': 'x', 'flavorRef': '1', 'imageRef': base.IMAGE_ID}},
                status=202)
            uuid = resp.json['server']['id']
            self.wait_for_status(uuid, 'ERROR')
        [action] = self.actions(uuid)
        self.assertEqual(('create', 'Error'),
                         (action['action'], action['message']))
        resp = self.admin_api.get('servers/%s/os-instance-actions/%s' % (
            uuid, action['request_id']), status=200)
        [event] = resp.json['instanceAction']['events']
        self.assertEqual('compute__do_build_and_run_instance',
                         event['event'])
        self.assertEqual('Error', event['result'])
        self.assertIn('RuntimeError: boom', event['traceback'])

    def test_events_without_traceback_from_2_51(self):
        """From 2.51 the owner sees the events but not their tracebacks;
        the admin still sees the tracebacks."""
        path = self.failed_build_action()
        v250 = self.api.as_user('demo', 'demo', version='2.50')
        self.assertNotIn('events',
                         v250.get(path, status=200).json['instanceAction'])
        resp = self.api.as_user('demo', 'demo', version='2.51').get(
            path, status=200)
        test_servers.validate(s251.show_instance_action, resp)
        [event] = resp.json['instanceAction']['events']
        self.assertEqual(
            {'event': 'compute__do_build_and_run_instance',
             'result': 'Error'},
            {k: event[k] for k in ('event', 'result')})
        self.assertNotIn('traceback', event)
        admin251 = self.api.as_user('admin', 'admin', version='2.51')
        [event] = admin251.get(path, status=200).json[
            'instanceAction']['events']
        self.assertIn('RuntimeError: boom', event['traceback'])

    def test_pages_and_changes_since_from_2_58(self):
        server = self.create_server()
        uuid = server['id']
        for action in ('lock', 'unlock', 'lock'):
            self.api.post('servers/%s/action' % uuid, {action: None},
                          status=202)
        v258 = self.api.as_user('demo', 'demo', version='2.58')
        path = 'servers/%s/os-instance-actions' % uuid
        resp = v258.get(path, status=200)
        test_servers.validate(s258.list_instance_actions, resp)
        actions = resp.json['instanceActions']
        self.assertEqual(['lock', 'unlock', 'lock', 'create'],
                         [a['action'] for a in actions])
        self.assertNotIn('links', resp.json)
        # Two by two, newest first, the marker a request id.
        resp = v258.get(path + '?limit=2', status=200)
        self.assertEqual(actions[:2], resp.json['instanceActions'])
        [link] = resp.json['links']
        self.assertTrue(link['href'].endswith(
            '/v2.1/%s?limit=2&marker=%s' % (path, actions[1]['request_id'])),
            link['href'])
        resp = v258.get(path + '?limit=2&marker=' + actions[1]['request_id'],
                        status=200)
        self.assertEqual(actions[2:], resp.json['instanceActions'])
        self.assertEqual([], v258.get(path + '?limit=0').json[
            'instanceActions'])
        # Changed since: the create's build event came later than its
        # start, so only actions updated at or after a time.
        since = actions[1]['updated_at']
        resp = v258.get(path + '?changes-since=' + since, status=200)
        self.assertEqual(
            [a['request_id'] for a in actions if a['updated_at'] >= since],
            [a['request_id'] for a in resp.json['instanceActions']])
        for query, message in (
                ('marker=req-nope', 'Marker None could not be found.'),
                ('foo=1', "Additional properties are not allowed ('foo' "
                          "was unexpected)"),
                ('changes-since=bad', None), ('limit=-1', None),
                ('limit=1&limit=2', None)):
            resp = v258.get(path + '?' + query, status=400)
            if message:
                self.assertEqual(message,
                                 resp.json['badRequest']['message'])
        # Show has updated_at too.
        resp = v258.get('%s/%s' % (path, actions[0]['request_id']),
                        status=200)
        test_servers.validate(s258.show_instance_action, resp)
        self.assertEqual(actions[0]['updated_at'],
                         resp.json['instanceAction']['updated_at'])
        # Before 2.58 unknown parameters (and paging) are ignored.
        v257 = self.api.as_user('demo', 'demo', version='2.57')
        resp = v257.get(path + '?limit=1&foo=1', status=200)
        self.assertEqual(4, len(resp.json['instanceActions']))
        self.assertNotIn('updated_at', resp.json['instanceActions'][0])

    def test_event_hosts_from_2_62(self):
        server = self.create_server()
        [action] = self.actions(server['id'])
        path = 'servers/%s/os-instance-actions/%s' % (
            server['id'], action['request_id'])
        host = self.agent.service.host
        expected_id = hashlib.sha224(
            ('demo' + host).encode()).hexdigest()
        resp = self.api.as_user('demo', 'demo', version='2.62').get(
            path, status=200)
        test_servers.validate(s262.show_instance_action, resp)
        [event] = resp.json['instanceAction']['events']
        self.assertEqual(expected_id, event['hostId'])
        self.assertNotIn('host', event)
        self.assertEqual(expected_id, self.api.get(
            'servers/' + server['id']).json['server']['hostId'])
        [event] = self.api.as_user('admin', 'admin', version='2.62').get(
            path).json['instanceAction']['events']
        self.assertEqual((host, expected_id), (event['host'],
                                               event['hostId']))
        [event] = self.api.as_user('admin', 'admin', version='2.61').get(
            path).json['instanceAction']['events']
        self.assertNotIn('host', event)
        self.assertNotIn('hostId', event)

    def test_event_details_from_2_84(self):
        path = self.failed_build_action()
        resp = self.api.as_user('admin', 'admin', version='2.84').get(
            path, status=200)
        test_servers.validate(s284.show_instance_action, resp)
        [event] = resp.json['instanceAction']['events']
        # The words of the server's fault: only the class name of an
        # error that is not novalite's own.
        self.assertEqual('RuntimeError', event['details'])
        [event] = self.api.as_user('demo', 'demo', version='2.84').get(
            path).json['instanceAction']['events']
        self.assertNotIn('details', event)
        [event] = self.api.as_user('admin', 'admin', version='2.83').get(
            path).json['instanceAction']['events']
        self.assertNotIn('details', event)

    def test_deleted_server_from_2_21(self):
        server = self.create_server()
        self.api.delete('servers/%s' % server['id'], status=204)
        self.wait_for_status(server['id'], 'DELETED')
        self.api.get('servers/%s/os-instance-actions' % server['id'],
                     status=404)
        v221 = self.api.as_user('demo', 'demo', version='2.21')
        resp = v221.get('servers/%s/os-instance-actions' % server['id'],
                        status=200)
        self.assertEqual(['delete', 'create'],
                         [a['action'] for a in resp.json['instanceActions']])
        self.api.as_user('eve', 'evil', version='2.21').get(
            'servers/%s/os-instance-actions' % server['id'], status=404)

    def test_other_project(self):
        server = self.create_server()
        self.api.as_user('eve', 'evil').get(
            'servers/%s/os-instance-actions' % server['id'], status=404)
