"""Keystone as the deployment's admin: projects, users and roles made
through the Identity API with keystoneauth1, for the deployment tests."""

import os
import time
import uuid

from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session

TIMEOUT = 120
IDENTITY = {'service_type': 'identity', 'interface': 'public'}


def env(name, default=None):
    """``NOVALITE_DEPLOYMENT_<name>``: set by tools/tempest/run.sh."""
    value = os.environ.get('NOVALITE_DEPLOYMENT_' + name) or default
    if not value:
        raise AssertionError(
            'NOVALITE_DEPLOYMENT_%s is not set: run these tests through '
            'tools/tempest/run.sh (tox -e tempest)' % name)
    return value


def session(username, password, project_id=None, system_scope=None):
    """A keystoneauth session of ``username``, project- or system-scoped."""
    scope = ({'system_scope': system_scope} if system_scope
             else {'project_id': project_id})
    auth = v3.Password(auth_url=env('AUTH_URL'), username=username,
                       password=password, user_domain_id='default', **scope)
    return ks_session.Session(auth=auth)


def admin_session():
    auth = v3.Password(auth_url=env('AUTH_URL'), username='admin',
                       password=env('ADMIN_PASSWORD'),
                       user_domain_id='default', project_name='admin',
                       project_domain_id='default')
    return ks_session.Session(auth=auth)


class Identity:
    """Makes projects and users as the admin, and removes them all."""

    def __init__(self):
        self.admin = admin_session()
        self._made = []   # (path) to DELETE, newest last

    def _call(self, method, path, **kwargs):
        return self.admin.request(path, method, endpoint_filter=IDENTITY,
                                  **kwargs)

    def role_id(self, name):
        roles = self._call('GET', '/roles?name=' + name).json()['roles']
        return roles[0]['id']

    def project(self, prefix):
        name = '%s-%s' % (prefix, uuid.uuid4().hex[:8])
        project = self._call('POST', '/projects', json={'project': {
            'name': name, 'domain_id': 'default'}}).json()['project']
        self._made.append('/projects/' + project['id'])
        return project['id']

    def user(self, prefix, project_id=None, role=None, system_role=None):
        """A new user with ``role`` on ``project_id`` and/or
        ``system_role`` on the system; returns (user id, name, password).
        """
        name = '%s-%s' % (prefix, uuid.uuid4().hex[:8])
        password = uuid.uuid4().hex
        user = self._call('POST', '/users', json={'user': {
            'name': name, 'password': password,
            'domain_id': 'default'}}).json()['user']
        self._made.append('/users/' + user['id'])
        if role:
            self._call('PUT', '/projects/%s/users/%s/roles/%s' % (
                project_id, user['id'], self.role_id(role)))
        if system_role:
            self._call('PUT', '/system/users/%s/roles/%s' % (
                user['id'], self.role_id(system_role)))
        return user['id'], name, password

    def cleanup(self):
        while self._made:
            self._call('DELETE', self._made.pop(), raise_exc=False)


def wait_for(what, check, timeout=TIMEOUT, interval=0.5):
    """Call ``check()`` until it returns something true; return that."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError('timed out (%d s) waiting for %s'
                                 % (timeout, what))
        time.sleep(interval)
