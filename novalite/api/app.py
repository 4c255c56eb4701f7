"""The API WSGI application: middleware around the pecan app.

NOTE: the order matters, outermost first:

1. RequestId: every answer, errors included, carries the request id.
2. FaultWrapper: anything below that raises or answers in HTML becomes
   Nova's JSON fault.
3. RequestLog, BodySizeLimit, RejectMethodOverride: cheap checks before
   authentication.
4. ProjectIdInURL: strip ``/{project_id}`` before auth, so the context
   middleware can compare it with the token's project.
5. Authentication (keystonemiddleware auth_token, or noauth2), then
   ContextFromHeaders builds the RequestContext.
6. Microversion: negotiated last, so a 401 or a 400 for the URL carries no
   version headers, as in Nova.
7. pecan.

The version documents (``/``, ``/v2.1/``, the Image API's ``/image`` and
the Networking API's ``/network``) skip authentication; ``/v2.1/`` still
negotiates a microversion, as Nova's does. ``/image/v2/...`` (the Image
API subset) and ``/network/v2.0...`` (the Networking API subset) have the
same stack less the project id in the URL and the microversions.
"""

import functools
import threading

from keystonemiddleware import auth_token
from oslo_config import cfg
from oslo_log import log as logging
import pecan

from novalite.api.controllers import root
from novalite.api import middleware
from novalite.api import wsgi

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


def _memoize_pecan_argspec():
    """Compute each handler's argument spec once, not on every request.

    NOTE: pecan inspects the handler's signature several times for every
    request, and its ``getargspec`` defines a namedtuple class each time
    (about two milliseconds of every request here). Signatures of the
    handlers never change, so the answer is kept per function.
    """
    import pecan.core
    import pecan.rest
    import pecan.routing
    import pecan.util

    original = getattr(pecan.util.getargspec, '__wrapped__',
                       pecan.util.getargspec)
    cache = {}

    @functools.wraps(original)
    def getargspec(method):
        key = getattr(method, '__func__', method)
        try:
            return cache[key]
        except (KeyError, TypeError):
            spec = original(method)
        try:
            cache[key] = spec
        except TypeError:
            pass  # not hashable: not kept
        return spec

    for module in (pecan.util, pecan.core, pecan.rest, pecan.routing):
        if getattr(module, 'getargspec', None) is not None:
            module.getargspec = getargspec


def _pecan_app():
    _memoize_pecan_argspec()
    return pecan.Pecan(root.RootController(),
                       request_cls=wsgi.PecanRequest,
                       guess_content_type_from_ext=False,
                       force_canonical=False,
                       default_renderer='json')


_noauth2_warned = threading.Event()


def _auth(app):
    if CONF.api.auth_strategy == 'noauth2':
        # Once per process: tests build many applications.
        if not _noauth2_warned.is_set():
            _noauth2_warned.set()
            LOG.warning('*** [api] auth_strategy = noauth2: requests are '
                        'NOT authenticated; the token "user:project" is '
                        'trusted as is. For development and tests only. '
                        '***')
        return middleware.NoAuth2(app)
    return auth_token.AuthProtocol(app, {'oslo_config_config': CONF})


def _is_image_upload(req):
    return (req.method == 'PUT' and req.path_info.startswith('/image/')
            and req.path_info.endswith('/file'))


class _Router:
    """Sends a request down the middleware stack its path needs."""

    def __init__(self, api, version_doc, root_doc, service_apis):
        self.api = api
        self.version_doc = version_doc
        self.root_doc = root_doc
        self.service_apis = service_apis

    def __call__(self, environ, start_response):
        # NOTE: the API speaks JSON only and, like Nova, does not negotiate
        # on Accept; pecan would answer 406 to an Accept it cannot match.
        environ['HTTP_ACCEPT'] = 'application/json'
        path = environ.get('PATH_INFO', '') or '/'
        if path in ('/v2.1', '/v2.1/'):
            app = self.version_doc
        elif path.startswith('/v2.1/'):
            app = self.api
        elif path.startswith('/image/v2'):
            app = self.service_apis
        elif path.startswith('/network/') and path != '/network/':
            # NOTE: everything under /network but its version document
            # needs a token.
            app = self.service_apis
        else:
            app = self.root_doc
        return app(environ, start_response)


def build_app():
    """A new API application (configuration must be loaded)."""
    core = _pecan_app()
    api = middleware.Microversion(core)
    api = middleware.ContextFromHeaders(api)
    api = _auth(api)
    api = middleware.ProjectIdInURL(api)
    api = middleware.RejectMethodOverride(api)
    api = middleware.BodySizeLimit(api, CONF.api.max_request_body_size)
    api = middleware.RequestLog(api)
    api = middleware.ValidEncoding(api)
    api = middleware.FaultWrapper(api)
    api = middleware.RequestId(api)

    version_doc = middleware.RequestId(middleware.FaultWrapper(
        middleware.ValidEncoding(middleware.Microversion(core))))
    root_doc = middleware.FaultWrapper(middleware.ValidEncoding(core))

    # The Image and Networking API subsets (controllers/image_v2.py,
    # network_v2.py): authenticated, no microversions, image uploads
    # streamed past the body size limit.
    service_apis = middleware.ContextFromHeaders(core)
    service_apis = _auth(service_apis)
    service_apis = middleware.RejectMethodOverride(service_apis)
    service_apis = middleware.BodySizeLimit(
        service_apis, CONF.api.max_request_body_size, exempt=_is_image_upload)
    service_apis = middleware.RequestLog(service_apis)
    service_apis = middleware.ValidEncoding(service_apis)
    service_apis = middleware.FaultWrapper(service_apis)
    service_apis = middleware.RequestId(service_apis)
    return _Router(api, version_doc, root_doc, service_apis)
