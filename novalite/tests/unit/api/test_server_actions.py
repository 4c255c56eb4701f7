"""pause/unpause, suspend/resume, rescue/unrescue, soft delete
(restore/forceDelete) and add/removeSecurityGroup through the API: real
app, real SQLite, an agent with the fake driver. The answers are Nova's
(checked against the Nova anchor, and Nova's code for what it cannot
show: its stand-in Neutron has no security groups)."""

import datetime

import fixtures
from tempest.lib.api_schema.response.compute.v2_1 import servers as s21

from novalite.db import api as db
from novalite import states
from novalite.tests import base
from novalite.tests import fixtures as nl_fixtures
from novalite.tests.unit.api import test_servers

validate = test_servers.validate
ACTION_202 = s21.server_actions_common_schema


class _ActionTestCase(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.server = self.create_server()
        self.uuid = self.server['id']
        self.action = 'servers/%s/action' % self.uuid

    def act(self, body, status=202, api=None, action=None):
        resp = (api or self.api).post(action or self.action, body,
                                      status=status)
        if status == 202:
            validate(ACTION_202, resp)
            self.assertEqual(b'', resp.body)
        return resp

    def conflict(self, body, message, api=None, action=None):
        resp = self.act(body, status=409, api=api, action=action)
        self.assertEqual({'conflictingRequest': {
            'code': 409, 'message': message}}, resp.json)

    def in_state(self, action, attr, state, uuid=None):
        return "Cannot '%s' instance %s while it is in %s %s" % (
            action, uuid or self.uuid, attr, state)

    def wait(self, status, uuid=None, **kwargs):
        return self.wait_for_status(uuid or self.uuid, status, **kwargs)

    def guest(self, uuid=None):
        return self.agent.driver._guests[uuid or self.uuid]

    def last_action(self, uuid=None):
        """The newest instance action and its events, once the agent has
        finished them."""
        uuid = uuid or self.uuid

        def finished():
            action = db.actions_get(self.admin_context, uuid)[0]
            events = db.action_events_get(self.admin_context, action['id'])
            return events and all(e['finish_time'] for e in events)
        self.wait_until(finished)
        action = db.actions_get(self.admin_context, uuid)[0]
        return action, db.action_events_get(self.admin_context,
                                            action['id'])

    def assertRecorded(self, name, event, result='Success', uuid=None):
        action, events = self.last_action(uuid)
        self.assertEqual(name, action['action'])
        self.assertEqual([(event, result)],
                         [(e['event'], e['result']) for e in events])
        return action


class TestPauseSuspend(_ActionTestCase):

    def test_pause_unpause(self):
        self.act({'pause': None})
        server = self.wait('PAUSED')
        self.assertEqual(('paused', 3), (server['OS-EXT-STS:vm_state'],
                                         server['OS-EXT-STS:power_state']))
        self.assertEqual(states.PAUSED_POWER, self.guest()['state'])
        self.assertRecorded('pause', 'compute_pause_instance')
        for body in ({'pause': {}}, {'suspend': None}, {'rescue': None}):
            self.conflict(body, self.in_state(next(iter(body)), 'vm_state',
                                              'paused'))
        self.conflict({'os-stop': None},
                      self.in_state('stop', 'vm_state', 'paused'))
        self.act({'unpause': {}})
        server = self.wait('ACTIVE')
        self.assertEqual(1, server['OS-EXT-STS:power_state'])
        self.assertEqual(states.RUNNING, self.guest()['state'])
        self.assertRecorded('unpause', 'compute_unpause_instance')
        self.conflict({'unpause': None},
                      self.in_state('unpause', 'vm_state', 'active'))

    def test_suspend_resume(self):
        self.act({'suspend': None})
        server = self.wait('SUSPENDED')
        # The fake hypervisor's word (libvirt's would be SHUTDOWN).
        self.assertEqual(('suspended', 7),
                         (server['OS-EXT-STS:vm_state'],
                          server['OS-EXT-STS:power_state']))
        self.assertRecorded('suspend', 'compute_suspend_instance')
        for body in ({'suspend': None}, {'pause': None}, {'unpause': None},
                     {'rescue': {}}):
            self.conflict(body, self.in_state(next(iter(body)), 'vm_state',
                                              'suspended'))
        self.act({'resume': None})
        server = self.wait('ACTIVE')
        self.assertEqual(1, server['OS-EXT-STS:power_state'])
        self.assertRecorded('resume', 'compute_resume_instance')
        self.conflict({'resume': None},
                      self.in_state('resume', 'vm_state', 'active'))

    def test_task_in_progress_conflicts(self):
        db.instance_update(self.admin_context, self.uuid,
                           {'task_state': states.PAUSING})
        self.conflict({'pause': None},
                      self.in_state('pause', 'task_state', 'pausing'))
        self.conflict({'suspend': None},
                      self.in_state('suspend', 'task_state', 'pausing'))

    def test_locked_server(self):
        self.admin_api.post(self.action, {'lock': None}, status=202)
        locked = 'Instance %s is locked' % self.uuid
        for body in ({'pause': None}, {'suspend': None}, {'rescue': None},
                     {'unrescue': None}, {'unpause': None},
                     {'resume': None}, {'forceDelete': None}):
            self.conflict(body, locked)
        # Nova's restore says it in its own words (the anchor's answer).
        self.conflict({'restore': None},
                      "Instance %s is in an invalid state for 'restore'"
                      % self.uuid)
        # An admin may act on it.
        self.act({'pause': None}, api=self.admin_api)
        self.wait('PAUSED')

    def test_another_projects_server_is_not_found(self):
        other = self.api.as_user('eve', 'evil')
        for body in ({'pause': None}, {'unpause': None}, {'suspend': None},
                     {'resume': None}, {'rescue': None}, {'unrescue': None},
                     {'restore': None}, {'forceDelete': None},
                     {'addSecurityGroup': {'name': 'default'}},
                     {'removeSecurityGroup': {'name': 'default'}}):
            resp = self.act(body, status=404, api=other)
            self.assertEqual(
                'Instance %s could not be found.' % self.uuid,
                resp.json['itemNotFound']['message'])
        self.assertEqual('ACTIVE', self.wait('ACTIVE')['status'])

    def test_reader_may_not_act(self):
        reader = self.api.as_user('peek', 'demo', roles=['reader'])
        for body in ({'pause': None}, {'suspend': None}, {'rescue': None},
                     {'restore': None}, {'forceDelete': None},
                     {'addSecurityGroup': {'name': 'default'}}):
            self.act(body, status=403, api=reader)

    def test_driver_failure_is_error_with_fault(self):
        self.useFixture(fixtures.MockPatchObject(
            self.agent.driver, 'pause',
            side_effect=RuntimeError('/secret/host/path')))
        self.act({'pause': None})
        server = self.wait('ERROR')
        # A foreign error shows its class only (its text names the host).
        self.assertEqual('RuntimeError', server['fault']['message'])
        action = self.assertRecorded('pause', 'compute_pause_instance',
                                     result='Error')
        self.assertEqual('Error', action['message'])

    def test_bad_bodies(self):
        # No schema beyond the action's key: anything goes, as in Nova.
        for body in ({'pause': 'x'}, {'pause': []}):
            self.act(body)
            self.wait('PAUSED')
            self.act({'unpause': 5})
            self.wait('ACTIVE')
        resp = self.act({'pause': None, 'unpause': None}, status=400)
        self.assertEqual('Malformed request body',
                         resp.json['badRequest']['message'])


class TestRescue(_ActionTestCase):

    def test_rescue_unrescue(self):
        # Launched an hour ago: MySQL's DATETIME keeps whole seconds.
        launched = db.utcnow() - datetime.timedelta(hours=1)
        db.instance_update(self.admin_context, self.uuid,
                           {'launched_at': launched})
        resp = self.act({'rescue': None}, status=200)
        validate(s21.rescue_server_with_admin_pass, resp)
        password = resp.json['adminPass']
        self.assertEqual(12, len(password))
        server = self.wait('RESCUE')
        self.assertEqual(('rescued', 1), (server['OS-EXT-STS:vm_state'],
                                          server['OS-EXT-STS:power_state']))
        # The rescue's own launch time, as Nova's.
        self.assertGreater(server['OS-SRV-USG:launched_at'],
                           launched.isoformat())
        # The server's own image, and the password the user was told.
        self.assertEqual({'image': base.IMAGE_ID, 'password': password},
                         self.guest()['rescue'])
        self.assertRecorded('rescue', 'compute_rescue_instance')
        for body in ({'rescue': None}, {'pause': None}, {'suspend': None},
                     {'resume': None}, {'restore': None}):
            self.conflict(body, self.in_state(next(iter(body)), 'vm_state',
                                              'rescued'))
        self.act({'unrescue': None})
        server = self.wait('ACTIVE')
        self.assertEqual(1, server['OS-EXT-STS:power_state'])
        self.assertNotIn('rescue', self.guest())
        self.assertRecorded('unrescue', 'compute_unrescue_instance')
        self.conflict({'unrescue': None},
                      self.in_state('unrescue', 'vm_state', 'active'))

    def test_rescue_body(self):
        other_image = '0b2a9c2e-7e0c-4c59-a5b4-7e3c6d1b1f00'
        self.create_image(image_id=other_image, name='rescue')
        resp = self.act({'rescue': {'adminPass': 'r3scue',
                                    'rescue_image_ref': other_image}},
                        status=200)
        self.assertEqual({'adminPass': 'r3scue'}, resp.json)
        self.wait('RESCUE')
        self.assertEqual({'image': other_image, 'password': 'r3scue'},
                         self.guest()['rescue'])
        self.act({'unrescue': None})
        self.wait('ACTIVE')
        # An empty password is answered as given (Nova); the guest gets
        # a generated one.
        resp = self.act({'rescue': {'adminPass': ''}}, status=200)
        self.assertEqual({'adminPass': ''}, resp.json)
        self.wait('RESCUE')
        self.assertEqual(12, len(self.guest()['rescue']['password']))

    def test_rescue_without_password_in_the_answer(self):
        self.flags(enable_instance_password=False, group='api')
        resp = self.act({'rescue': {}}, status=200)
        validate(s21.rescue_server, resp)
        self.assertEqual({}, resp.json)
        self.wait('RESCUE')

    def test_rescue_errors(self):
        missing = '00000000-0000-4000-8000-000000000000'
        for body, message in (
                ({'rescue': {'rescue_image_ref': missing}},
                 "Requested rescue image '%s' is not supported" % missing),
                ({'rescue': {'rescue_image_ref': 'nope'}},
                 "Invalid input for field/attribute rescue_image_ref. "
                 "Value: nope. 'nope' is not a 'uuid'"),
                ({'rescue': {'adminPass': 5}},
                 "Invalid input for field/attribute adminPass. Value: 5. "
                 "5 is not of type 'string'"),
                ({'rescue': {'foo': 1}},
                 "Invalid input for field/attribute rescue. Value: "
                 "{'foo': 1}. Additional properties are not allowed ('foo' "
                 "was unexpected)"),
                ({'rescue': 'x'},
                 "Invalid input for field/attribute rescue. Value: x. 'x' "
                 "is not of type 'object', 'null'")):
            resp = self.act(body, status=400)
            self.assertEqual(message, resp.json['badRequest']['message'])
        self.assertEqual('ACTIVE', self.wait('ACTIVE')['status'])

    def test_rescue_of_a_stopped_server(self):
        self.act({'os-stop': None})
        self.wait('SHUTOFF')
        self.act({'rescue': None}, status=200)
        self.wait('RESCUE')
        self.assertEqual(states.RUNNING, self.guest()['state'])
        # Unrescue brings it back ACTIVE, as Nova's.
        self.act({'unrescue': None})
        self.wait('ACTIVE')

    def test_rescue_of_a_server_that_never_ran(self):
        # ERROR after NoValidHost: the anchor's answer.
        self.flags(cores=-1, group='quota')
        self.create_flavor(flavorid='big', name='big', vcpus=100000)
        server = self.api.post('servers', {'server': {
            'name': 'x', 'flavorRef': 'big', 'imageRef': base.IMAGE_ID}},
            status=202).json['server']
        self.wait('ERROR', uuid=server['id'])
        action = 'servers/%s/action' % server['id']
        self.conflict({'rescue': None},
                      "Instance %s is in an invalid state for 'rescue'"
                      % server['id'], action=action)
        self.conflict({'pause': None},
                      self.in_state('pause', 'vm_state', 'error',
                                    uuid=server['id']), action=action)

    def test_rescue_failure_is_error_with_fault(self):
        from novalite import exception
        self.useFixture(fixtures.MockPatchObject(
            self.agent.driver, 'rescue',
            side_effect=exception.VirtDriverError(
                "Could not create the guest's disk.")))
        self.act({'rescue': None}, status=200)
        server = self.wait('ERROR')
        self.assertEqual(
            "Instance %s cannot be rescued: Driver Error: Could not create "
            "the guest's disk." % self.uuid, server['fault']['message'])
        self.assertEqual(400, server['fault']['code'])
        self.assertRecorded('rescue', 'compute_rescue_instance',
                            result='Error')
        # ERROR may be rescued again (Nova's table).
        self.useFixture(fixtures.MockPatchObject(
            self.agent.driver, 'rescue', side_effect=None))
        self.act({'rescue': None}, status=200)
        self.wait('RESCUE')


class TestSoftDelete(_ActionTestCase):

    def setUp(self):
        super().setUp()
        self.flags(reclaim_instance_interval=3600)

    def soft_delete(self, uuid=None):
        self.api.delete('servers/%s' % (uuid or self.uuid), status=204)
        return self.wait('SOFT_DELETED', uuid=uuid)

    def test_delete_soft_deletes_and_restore(self):
        server = self.soft_delete()
        self.assertEqual(('soft-delete', 4),
                         (server['OS-EXT-STS:vm_state'],
                          server['OS-EXT-STS:power_state']))
        self.assertEqual(states.SHUTDOWN, self.guest()['state'])
        self.assertRecorded('delete', 'compute_soft_delete_instance')
        row = db.instance_get_by_uuid(self.admin_context, self.uuid)
        self.assertIsNotNone(row['deleted_at'])
        # Hidden from lists, but for an admin's deleted=True.
        listed = self.api.get('servers').json['servers']
        self.assertNotIn(self.uuid, [s['id'] for s in listed])
        listed = self.admin_api.get(
            'servers?deleted=True&all_tenants=1').json['servers']
        self.assertIn(self.uuid, [s['id'] for s in listed])
        for body in ({'pause': None}, {'rescue': None}):
            self.conflict(body, self.in_state(next(iter(body)), 'vm_state',
                                              'soft-delete'))
        self.act({'restore': None})
        server = self.wait('ACTIVE')
        self.assertEqual(1, server['OS-EXT-STS:power_state'])
        self.assertEqual(states.RUNNING, self.guest()['state'])
        self.assertRecorded('restore', 'compute_restore_instance')
        row = db.instance_get_by_uuid(self.admin_context, self.uuid)
        self.assertIsNone(row['deleted_at'])
        self.conflict({'restore': None},
                      self.in_state('restore', 'vm_state', 'active'))

    def test_force_delete(self):
        self.soft_delete()
        self.act({'forceDelete': None})
        self.wait('DELETED')
        self.assertNotIn(self.uuid, self.agent.driver.list_instance_uuids())
        action = db.actions_get(self.admin_context.elevated(
            read_deleted='yes'), self.uuid)[0]
        self.assertEqual('delete', action['action'])
        # Any server, soft-deleted or not.
        other = self.create_server(name='other')
        self.act({'forceDelete': {}},
                 action='servers/%s/action' % other['id'])
        self.wait('DELETED', uuid=other['id'])

    def test_reclaim(self):
        self.soft_delete()
        self.agent.manager.reclaim_queued_deletes()
        self.assertEqual('SOFT_DELETED', self.wait('SOFT_DELETED')['status'])
        db.instance_update(self.admin_context, self.uuid, {
            'deleted_at': db.utcnow() - datetime.timedelta(seconds=3601)})
        self.agent.manager.reclaim_queued_deletes()
        self.api.get('servers/%s' % self.uuid, status=404)
        self.assertNotIn(self.uuid, self.agent.driver.list_instance_uuids())

    def test_delete_again_and_while_soft_deleting(self):
        self.soft_delete()
        # A second DELETE soft-deletes again, as Nova's.
        self.soft_delete()
        db.instance_update(self.admin_context, self.uuid,
                           {'task_state': states.SOFT_DELETING})
        self.api.delete('servers/%s' % self.uuid, status=204)
        self.act({'forceDelete': None})
        shown = self.api.get('servers/%s' % self.uuid).json['server']
        self.assertEqual('soft-deleting', shown['OS-EXT-STS:task_state'])

    def test_never_launched_server_is_deleted(self):
        self.flags(cores=-1, group='quota')
        self.create_flavor(flavorid='big', name='big', vcpus=100000)
        server = self.api.post('servers', {'server': {
            'name': 'x', 'flavorRef': 'big', 'imageRef': base.IMAGE_ID}},
            status=202).json['server']
        self.wait('ERROR', uuid=server['id'])
        self.api.delete('servers/%s' % server['id'], status=204)
        self.api.get('servers/%s' % server['id'], status=404)

    def test_restore_checks_the_quota(self):
        self.soft_delete()
        # A soft-deleted server uses no quota: another fits in one.
        self.flags(instances=1, group='quota')
        self.create_server(name='second')
        resp = self.act({'restore': None}, status=403)
        self.assertEqual(
            'Quota exceeded for instances: Requested 1, but already used '
            '1 of 1 instances', resp.json['forbidden']['message'])
        self.assertEqual('SOFT_DELETED', self.wait('SOFT_DELETED')['status'])

    def test_agent_down_soft_deletes_in_the_database(self):
        db.service_update(self.admin_context, self.agent.service.host,
                          'novalite-compute', {'forced_down': True})
        self.api.delete('servers/%s' % self.uuid, status=204)
        server = self.wait('SOFT_DELETED')
        self.assertIsNotNone(server['OS-SRV-USG:terminated_at'])


class TestSecurityGroups(_ActionTestCase):

    def setUp(self):
        super().setUp()
        self.network = db.network_create(self.admin_context, {
            'name': 'private', 'cidr': '10.0.0.0/24'})
        self.wired = self.create_server(name='wired')
        self.wired_action = 'servers/%s/action' % self.wired['id']

    def groups(self, uuid):
        return self.api.get('servers/%s' % uuid).json['server'].get(
            'security_groups')

    def not_found(self, body, message, action=None):
        resp = self.act(body, status=404, action=action or self.wired_action)
        self.assertEqual({'itemNotFound': {'code': 404, 'message': message}},
                         resp.json)

    def test_remove_and_add_default(self):
        self.assertEqual([{'name': 'default'}], self.groups(self.wired['id']))
        remove = {'removeSecurityGroup': {'name': 'default'}}
        add = {'addSecurityGroup': {'name': 'default'}}
        self.act(remove, action=self.wired_action)
        # Nova shows no security_groups for a server without any.
        self.assertIsNone(self.groups(self.wired['id']))
        self.not_found(remove, 'Security group default not associated with '
                               'the instance %s' % self.wired['id'])
        self.act(add, action=self.wired_action)
        self.assertEqual([{'name': 'default'}], self.groups(self.wired['id']))
        resp = self.act(add, status=400, action=self.wired_action)
        [default] = self.api.get('os-security-groups').json[
            'security_groups']
        # Neutron's words name the group's id.
        self.assertEqual(
            "Invalid input for security_groups. Reason: Duplicate items in "
            "the list: '%s'." % default['id'],
            resp.json['badRequest']['message'])

    def test_not_found(self):
        for action in ('addSecurityGroup', 'removeSecurityGroup'):
            self.not_found({action: {'name': 'web'}},
                           'Security group web is not found for project '
                           'demo')
            # A server without a port (no fixed IP): Neutron finds none.
            self.not_found({action: {'name': 'default'}},
                           'instance_id %s could not be found as device id '
                           'on any ports' % self.uuid, action=self.action)

    def test_bad_bodies(self):
        for action in ('addSecurityGroup', 'removeSecurityGroup'):
            for value, message in (
                    ({}, "Invalid input for field/attribute %s. Value: {}. "
                         "'name' is a required property" % action),
                    ({'name': ''}, "Invalid input for field/attribute name. "
                                   "Value: . '' should be non-empty"),
                    ({'name': ' '}, 'Security group name cannot be empty'),
                    (None, "Invalid input for field/attribute %s. Value: "
                           "None. None is not of type 'object'" % action),
                    ({'name': 'default', 'x': 1},
                     "Invalid input for field/attribute %s. Value: "
                     "{'name': 'default', 'x': 1}. Additional properties "
                     "are not allowed ('x' was unexpected)" % action)):
                resp = self.act({action: value}, status=400,
                                action=self.wired_action)
                self.assertEqual(message, resp.json['badRequest']['message'],
                                 (action, value))

    def test_locked_server_is_no_obstacle(self):
        # Nova checks no lock for security groups.
        self.admin_api.post(self.wired_action, {'lock': None}, status=202)
        self.act({'removeSecurityGroup': {'name': 'default'}},
                 action=self.wired_action)


class TestBrokerUnreachable(_ActionTestCase):
    """The message cannot be sent: 503, and the server is left as it was
    (see test_servers.TestBrokerUnreachable)."""

    def setUp(self):
        super().setUp()
        self.useFixture(nl_fixtures.UnreachableBroker(self.flags))

    def test_actions_leave_no_task(self):
        self.flags(reclaim_instance_interval=3600)
        for body in ({'pause': None}, {'suspend': None}, {'rescue': None}):
            resp = self.act(body, status=503)
            self.assertEqual(503, resp.json['serviceUnavailable']['code'])
            server = self.wait('ACTIVE')
            self.assertIsNone(server['OS-EXT-STS:task_state'])
        self.api.delete('servers/%s' % self.uuid, status=503)
        self.assertIsNone(self.wait('ACTIVE')['OS-EXT-STS:task_state'])
