"""WSGI middleware of the API; composed in ``novalite.api.app``."""

import json
import logging as std_logging
import re
import urllib.parse

from oslo_context import context as oslo_context
from oslo_db import exception as db_exc
from oslo_log import log as logging
from oslo_utils import uuidutils
import webob
import webob.dec

from novalite.api import api_version
from novalite.api import faults
from novalite.api import wsgi
from novalite import context as nl_context
from novalite import exception

LOG = logging.getLogger(__name__)

VERSION_HEADERS = ('OpenStack-API-Version', 'X-OpenStack-Nova-API-Version')
_GLOBAL_REQ_ID = re.compile(r'^req-[a-f0-9]{8}(-[a-f0-9]{4}){3}-[a-f0-9]{12}$')


class Middleware:
    def __init__(self, application):
        self.application = application


class FaultWrapper(Middleware):
    """Last resort: every error leaves as Nova's JSON fault body.

    An exception becomes a 500 ``computeFault``; a non-JSON error response
    from below (pecan's 404/405, webob's) is rewritten into the fault shape
    with the same status.
    """

    @webob.dec.wsgify
    def __call__(self, req):
        try:
            resp = req.get_response(self.application)
        except exception.NovaliteException as e:
            return wsgi.error_response(e)
        except db_exc.DBConnectionError:
            # NOTE: oslo.db reconnects by itself on a later request.
            LOG.exception('Database unreachable for %s %s', req.method,
                          req.path)
            return faults.fault_response(
                503, 'The database could not be reached. Try again later.')
        except Exception:
            LOG.exception('Unexpected API error for %s %s', req.method,
                          req.path)
            return faults.fault_response(
                500, 'Unexpected API Error. Please report this to the '
                     'novalite developers and attach the API log if '
                     'possible.')
        if resp.status_int >= 400 and not _is_fault(resp):
            message = {404: 'The resource could not be found.',
                       405: 'The method specified is not allowed for this '
                            'resource.'}.get(resp.status_int,
                                             resp.status.split(' ', 1)[-1])
            new = faults.fault_response(resp.status_int, message)
            for name in ('Allow', 'WWW-Authenticate', 'Retry-After'):
                if name in resp.headers:
                    new.headers[name] = resp.headers[name]
            return new
        return resp


def _is_fault(resp):
    """Whether ``resp`` has Nova's fault body: {name: {code, message}}.

    Other JSON errors (pecan's and webob's own) are not."""
    if not (resp.content_type or '').startswith('application/json'):
        return False
    try:
        body = json.loads(resp.body)
    except ValueError:
        return False
    if not isinstance(body, dict) or len(body) != 1:
        return False
    fault = next(iter(body.values()))
    return isinstance(fault, dict) and {'code', 'message'} <= set(fault)


class ValidEncoding(Middleware):
    """A path or query string that is not UTF-8 is a 400 in Nova's shape,
    before anything below tries to decode it (and fails with a 500); so
    is one with a NUL character, which PostgreSQL refuses in a string (a
    500 wherever an id or a filter reached the database)."""

    @webob.dec.wsgify
    def __call__(self, req):
        try:
            # NOTE: WSGI hands both over as latin-1 strings of the raw
            # bytes; the path is already percent-decoded, the query not.
            path = req.environ.get('PATH_INFO', '').encode(
                'latin-1').decode('utf-8')
            query = urllib.parse.parse_qsl(
                req.environ.get('QUERY_STRING', ''), keep_blank_values=True,
                encoding='utf-8', errors='strict')
        except (UnicodeError, ValueError):
            return faults.fault_response(
                400, 'The request URL is not valid UTF-8.')
        if '\x00' in path + ''.join(key + value for key, value in query):
            return faults.fault_response(
                400, 'The request URL must not contain NUL characters.')
        return req.get_response(self.application)


class RequestId(Middleware):
    """A fresh ``req-<uuid>`` per request, in both of Nova's headers.

    A caller's well-formed ``X-OpenStack-Request-ID`` is kept as the global
    request id (for logs) but is not echoed.
    """

    @webob.dec.wsgify
    def __call__(self, req):
        request_id = 'req-' + uuidutils.generate_uuid()
        req.environ['openstack.request_id'] = request_id
        inbound = req.headers.get('X-OpenStack-Request-ID')
        if inbound and _GLOBAL_REQ_ID.match(inbound):
            req.environ['openstack.global_request_id'] = inbound
        resp = req.get_response(self.application)
        resp.headers['x-openstack-request-id'] = request_id
        resp.headers['x-compute-request-id'] = request_id
        return resp


class RequestLog(Middleware):
    @webob.dec.wsgify
    def __call__(self, req):
        resp = req.get_response(self.application)
        if LOG.isEnabledFor(std_logging.INFO):
            LOG.info('%s "%s %s" status: %s len: %s microversion: %s',
                     req.remote_addr or '-', req.method, req.path_qs,
                     resp.status_int, resp.content_length,
                     req.environ.get(wsgi.ENV_VERSION, '-'))
        return resp


class BodySizeLimit(Middleware):
    """413 for a body over ``limit`` bytes, unless ``exempt(req)`` (an
    image upload, which is streamed to its file and has its own cap)."""

    def __init__(self, application, limit, exempt=None):
        super().__init__(application)
        self.limit = limit
        self.exempt = exempt

    @webob.dec.wsgify
    def __call__(self, req):
        if self.exempt is not None and self.exempt(req):
            return req.get_response(self.application)
        if req.content_length is not None and req.content_length > \
                self.limit:
            return faults.fault_response(413, 'Request is too large.')
        if req.content_length is None and req.is_body_readable:
            body = req.body_file.read(self.limit + 1)
            if len(body) > self.limit:
                return faults.fault_response(413, 'Request is too large.')
            req.body = body
        return req.get_response(self.application)


class RejectMethodOverride(Middleware):
    """Refuse pecan's ``?_method=`` verb override: the verb is the verb."""

    @webob.dec.wsgify
    def __call__(self, req):
        if '_method' in req.GET:
            return faults.fault_response(
                400, 'The _method query parameter is not supported.')
        return req.get_response(self.application)


class ProjectIdInURL(Middleware):
    """Accept ``/v2.1/{project_id}/...`` as well as ``/v2.1/...``.

    The project segment (hex and dashes, as Nova's route requirement) is
    removed before routing and remembered, so that links repeat it and the
    context check can compare it with the token's project.
    """

    _SEGMENT = re.compile(r'^/v2\.1/([0-9a-f-]+)(/.+)$')

    @webob.dec.wsgify
    def __call__(self, req):
        match = self._SEGMENT.match(req.path_info)
        if match:
            req.environ[wsgi.ENV_URL_PROJECT] = match.group(1)
            req.path_info = '/v2.1' + match.group(2)
        return req.get_response(self.application)


def _unauthorized():
    resp = webob.Response(status=401, content_type='application/json',
                          charset='UTF-8')
    resp.body = json.dumps({'error': {
        'code': 401, 'title': 'Unauthorized',
        'message': 'The request you have made requires authentication.'}}
    ).encode()
    return resp


# Longest user or project id noauth2 accepts (the database's columns).
MAX_ID_LENGTH = 255


class NoAuth2(Middleware):
    """Development auth: ``X-Auth-Token: user:project`` is trusted.

    User ``admin`` gets the roles admin, member, reader; anyone else
    member and reader, unless ``X-Roles`` says otherwise. Never use this
    where the API is reachable by untrusted clients.
    """

    @webob.dec.wsgify
    def __call__(self, req):
        token = req.headers.get('X-Auth-Token')
        if not token:
            return _unauthorized()
        user_id, _sep, project_id = token.partition(':')
        project_id = project_id or user_id
        if len(user_id) > MAX_ID_LENGTH or len(project_id) > MAX_ID_LENGTH:
            # Keystone's ids are at most 64 characters; the database's
            # columns hold 255.
            return _unauthorized()
        if req.headers.get('X-Roles'):
            roles = [r.strip() for r in req.headers['X-Roles'].split(',')
                     if r.strip()]
        elif user_id == 'admin':
            roles = ['admin', 'member', 'reader']
        else:
            roles = ['member', 'reader']
        req.headers['X-User-Id'] = user_id
        req.headers['X-Project-Id'] = project_id
        req.headers['X-Roles'] = ','.join(roles)
        req.headers['X-Identity-Status'] = 'Confirmed'
        return req.get_response(self.application)


class ContextFromHeaders(Middleware):
    """Builds the RequestContext from the auth headers (keystone or
    noauth2) and checks a project id in the URL against it."""

    @webob.dec.wsgify
    def __call__(self, req):
        if req.headers.get('X-Identity-Status', 'Confirmed') != 'Confirmed':
            return _unauthorized()
        values = oslo_context.RequestContext.from_environ(req.environ)
        ctx = nl_context.RequestContext(
            user_id=values.user_id, project_id=values.project_id,
            roles=values.roles, auth_token=values.auth_token,
            user_name=values.user_name, project_name=values.project_name,
            system_scope=values.system_scope,
            request_id=req.environ.get('openstack.request_id'),
            global_request_id=req.environ.get(
                'openstack.global_request_id'),
            overwrite=False)
        if not ctx.user_id and not ctx.project_id:
            return _unauthorized()
        req.environ[wsgi.ENV_CONTEXT] = ctx
        url_project = req.environ.get(wsgi.ENV_URL_PROJECT)
        if url_project and url_project != ctx.project_id:
            return wsgi.error_response(exception.ProjectIdMismatch(
                url=url_project, context=ctx.project_id))
        return req.get_response(self.application)


class Microversion(Middleware):
    """Negotiates the microversion and adds Nova's version headers.

    A malformed version is a 400 without version headers; an unsupported
    one a 406 that echoes the requested version, as Nova does.
    """

    @webob.dec.wsgify
    def __call__(self, req):
        try:
            version = api_version.from_headers(req.headers)
        except exception.InvalidAPIVersionString as e:
            return wsgi.error_response(e)
        except exception.VersionNotSupported as e:
            resp = wsgi.error_response(e)
            _add_version_headers(resp, e.kwargs['version'])
            return resp
        req.environ[wsgi.ENV_VERSION] = version
        resp = req.get_response(self.application)
        _add_version_headers(resp, str(version))
        return resp


def _add_version_headers(resp, version):
    resp.headers['OpenStack-API-Version'] = 'compute %s' % version
    resp.headers['X-OpenStack-Nova-API-Version'] = version
    resp.headers.add('Vary', 'OpenStack-API-Version')
    resp.headers.add('Vary', 'X-OpenStack-Nova-API-Version')
