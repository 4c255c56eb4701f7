"""Base classes for novalite tests."""

import json
import time

from oslo_config import cfg
import sqlalchemy as sa
import testtools
import webtest

from novalite.api import app as api_app
from novalite import context as nl_context
from novalite.db import api as db
from novalite.db import models
from novalite.tests import fixtures as nl_fixtures

CONF = cfg.CONF

IMAGE_ID = '155d900f-4e14-4e4c-a73d-069cbf4541e6'


class TestCase(testtools.TestCase):
    """Config, a fresh database and a fresh RPC transport per test."""

    def setUp(self):
        super().setUp()
        self.config_fixture = self.useFixture(nl_fixtures.Config())
        self.flags = self.config_fixture.conf.config
        self.db = self.useFixture(self.database_fixture())
        self.useFixture(nl_fixtures.RPC())
        self.admin_context = nl_context.get_admin_context()

    def database_fixture(self):
        """A fresh database (an SQLite file, or emptied on the server that
        ``NOVALITE_TEST_DB`` names); a test may return another one."""
        nl_fixtures.require_test_backend(self)
        return nl_fixtures.Database()

    def create_flavor(self, flavorid='1', name='m1.tiny', vcpus=1,
                      memory_mb=512, root_gb=1, **kwargs):
        values = dict(flavorid=flavorid, name=name, vcpus=vcpus,
                      memory_mb=memory_mb, root_gb=root_gb)
        values.update(kwargs)
        return db.flavor_create(self.admin_context, values)

    def create_image(self, image_id=IMAGE_ID, name='cirros', path=None,
                     **kwargs):
        if path is None:
            path = self.get_temp_file()
        values = dict(id=image_id, name=name, disk_format='raw',
                      container_format='bare', status='active', size=0,
                      location=path)
        values.update(kwargs)
        return db.image_create(self.admin_context, values)

    def get_temp_file(self, data=b'\0' * 512):
        import fixtures
        tmp = self.useFixture(fixtures.TempDir()).path
        path = tmp + '/image.raw'
        with open(path, 'wb') as f:
            f.write(data)
        return path


def validate_response(schema, resp):
    """``resp`` against one of tempest's response schemas."""
    from tempest.lib.common import jsonschema_validator
    if 'response_body' in schema:
        jsonschema_validator.JSONSCHEMA_VALIDATOR(
            schema['response_body'],
            format_checker=jsonschema_validator.FORMAT_CHECKER).validate(
                resp.json)
    assert resp.status_int in schema['status_code'], resp.status


def fault_message(resp):
    """The message of a fault body ``{"name": {"code", "message"}}``."""
    [(_name, fault)] = resp.json.items()
    return fault['message']


class APIClient:
    """Thin webtest wrapper speaking as a noauth2 user."""

    def __init__(self, app, user='demo', project='demo', version=None):
        self.app = app
        self.user = user
        self.project = project
        self.version = version

    def as_user(self, user, project=None, roles=None, version=None):
        client = APIClient(self.app, user, project or user,
                           version or self.version)
        client.roles = roles
        return client

    roles = None

    def headers(self, extra=None):
        headers = {'X-Auth-Token': '%s:%s' % (self.user, self.project)}
        if self.roles is not None:
            headers['X-Roles'] = ','.join(self.roles)
        if self.version:
            headers['OpenStack-API-Version'] = 'compute %s' % self.version
        headers.update(extra or {})
        return headers

    def request(self, method, path, body=None, status=None, headers=None):
        kwargs = {'headers': self.headers(headers), 'expect_errors': True}
        if body is not None:
            kwargs['params'] = json.dumps(body)
            kwargs['content_type'] = 'application/json'
        if not path.startswith('/'):
            path = '/v2.1/' + path
        resp = getattr(self.app, method.lower())(path, **kwargs)
        if status is not None and resp.status_int != status:
            raise AssertionError('%s %s: expected %s, got %s: %s' % (
                method, path, status, resp.status_int, resp.text))
        return resp

    def get(self, path, **kw):
        return self.request('GET', path, **kw)

    def post(self, path, body=None, **kw):
        return self.request('POST', path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.request('PUT', path, body, **kw)

    def delete(self, path, **kw):
        return self.request('DELETE', path, **kw)


class APITestCase(TestCase):
    """The whole API in process, with one compute agent (fake driver)."""

    USE_AGENT = True

    def setUp(self):
        super().setUp()
        self.flavor = self.create_flavor()
        self.image = self.create_image()
        if self.USE_AGENT:
            self.agent = self.useFixture(nl_fixtures.ComputeAgent())
        self.app = webtest.TestApp(api_app.build_app())
        self.api = APIClient(self.app)
        self.admin_api = self.api.as_user('admin', 'admin')

    def create_server(self, api=None, name='server', wait=True, **extra):
        api = api or self.api
        body = {'server': dict({'name': name, 'flavorRef': '1',
                                'imageRef': IMAGE_ID}, **extra)}
        resp = api.post('servers', body, status=202)
        server = resp.json['server']
        if wait:
            return self.wait_for_status(server['id'], 'ACTIVE', api=api)
        return server

    # NOTE: the waits are generous: on a busy 2-core machine a build has
    # been seen to stall for ten seconds; they cost nothing when it does not.
    def wait_until(self, predicate, timeout=30):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError('condition not met in %ss' % timeout)
            time.sleep(0.01)

    def _events_finished(self, server_id):
        """Whether the agent has finished every event it started on the
        server. NOTE: it finishes an event (which updates its action's
        ``updated_at``) just after it writes the server's new state, so a
        test that compares actions' times waits for this too."""
        actions = models.InstanceAction.__table__
        events = models.InstanceActionEvent.__table__
        with self.db.engine.connect() as conn:
            return conn.execute(
                sa.select(events.c.id)
                .join(actions, events.c.action_id == actions.c.id)
                .where(actions.c.instance_uuid == server_id,
                       events.c.finish_time.is_(None))
                .limit(1)).first() is None

    def wait_for_status(self, server_id, status, api=None, timeout=30,
                        task_state=None):
        api = api or self.admin_api
        deadline = time.monotonic() + timeout
        while True:
            resp = api.get('servers/%s' % server_id)
            if resp.status_int == 200:
                server = resp.json['server']
                if (server['status'] == status
                        and server.get('OS-EXT-STS:task_state') == task_state
                        and self._events_finished(server_id)):
                    return server
            elif status == 'DELETED' and resp.status_int == 404:
                return None
            if time.monotonic() > deadline:
                raise AssertionError('server %s never reached %s: %s' % (
                    server_id, status, resp.text))
            time.sleep(0.02)
