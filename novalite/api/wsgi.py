"""The one ``expose`` decorator every API handler uses.

It gives the handler a ``Request`` (context, microversion, parsed body and
query) instead of pecan's merged keyword arguments, checks the handler's
microversion range, validates body and query against the schema for the
request's version, and renders the result (a dict, or None for an empty
body) as JSON, or a NovaliteException as Nova's fault body.
"""

import functools
import inspect
import json
import math
import re

import pecan
import webob
import webob.multidict

from novalite.api import api_version
from novalite.api import faults
from novalite.api import validation
from novalite.api.validation import validators
from novalite import exception

_JSON_TYPES = ('application/json', 'application/vnd.openstack.compute+json')

_UNSET = object()

ENV_CONTEXT = 'novalite.context'
ENV_VERSION = 'novalite.api_version'
ENV_URL_PROJECT = 'novalite.url_project_id'
ENV_BODY = 'novalite.json_body'


# \u escapes of what no text may hold: NUL (PostgreSQL refuses it in a
# string) and UTF-16 surrogates (a lone one cannot be encoded at all; a
# pair decodes to one character, and is fine).
_SUSPECT_ESCAPE = re.compile(rb'\\u(0000|[dD][89a-fA-F])')


def _holds_bad_text(value):
    """Whether a string in ``value`` (a key too) has a NUL or a lone
    surrogate."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            if '\x00' in item:
                return True
            try:
                item.encode('utf-8')
            except UnicodeEncodeError:
                return True
    return False


def _not_json(constant):
    raise ValueError('%s is not JSON' % constant)


def _finite(text):
    number = float(text)
    if not math.isfinite(number):
        raise ValueError('%s is too large' % text)
    return number


def parse_json_body(webob_request):
    """The request body parsed as JSON (None if empty), once per request.

    MalformedRequestBody if it is not UTF-8 JSON, nests deeper than the
    parser can go, has a string with a NUL or a lone surrogate
    (``"\\u0000"``, ``"\\ud800"``: JSON, but no text a database takes),
    or a number that is not finite (Python's ``NaN`` and ``Infinity`` are
    not JSON; ``1e999`` overflows).
    """
    parsed = webob_request.environ.get(ENV_BODY, _UNSET)
    if parsed is _UNSET:
        raw = webob_request.body
        try:
            parsed = json.loads(raw.decode('utf-8'), parse_float=_finite,
                                parse_constant=_not_json) if raw else None
            if _SUSPECT_ESCAPE.search(raw) and _holds_bad_text(parsed):
                parsed = exception.MalformedRequestBody()
        except (ValueError, UnicodeDecodeError, RecursionError):
            parsed = exception.MalformedRequestBody()
        webob_request.environ[ENV_BODY] = parsed
    if isinstance(parsed, exception.MalformedRequestBody):
        raise parsed
    return parsed


class PecanRequest(pecan.Request):
    """pecan's request, whose ``json`` is ``parse_json_body``.

    NOTE: pecan reads ``req.json`` of every JSON request to look for
    keyword arguments before the handler runs. With its own parse the body
    was decoded twice, and a body nested too deep or not UTF-8 failed in
    pecan (a 500, or webob's own error body) before novalite's check.
    """

    @property
    def json(self):
        try:
            return parse_json_body(self)
        except exception.MalformedRequestBody as e:
            raise ValueError(str(e)) from None  # pecan then ignores it

    @property
    def POST(self):
        """Never a form: the API speaks JSON only.

        NOTE: pecan's RestController reads ``params`` (query and form) for
        its ``_method`` verb override: a form body ``_method=DELETE`` made
        a POST a DELETE, and a multipart body without a boundary failed
        in the form parser (a 500).
        """
        return webob.multidict.NoVars('The API does not read form bodies.')


class Request:
    """What a handler needs of the HTTP request."""

    def __init__(self, webob_request):
        self._req = webob_request
        self._body = _UNSET
        self._application_url = None

    @property
    def environ(self):
        return self._req.environ

    @property
    def context(self):
        return self._req.environ[ENV_CONTEXT]

    @property
    def api_version(self):
        return self._req.environ.get(ENV_VERSION, api_version.MIN)

    def is_version(self, min_version=None, max_version=None):
        return self.api_version.matches(min_version, max_version)

    @property
    def GET(self):
        return self._req.GET

    def query_lists(self):
        """The query string as {name: [values]} (for schemas)."""
        params = {}
        for key, value in self._req.GET.items():
            params.setdefault(key, []).append(value)
        return params

    @property
    def body(self):
        """The JSON body; MalformedRequestBody if it is not JSON."""
        if self._body is _UNSET:
            raw = self._req.body
            content_type = self._req.content_type
            if content_type and content_type not in _JSON_TYPES + (
                    'text/plain',):
                raise UnsupportedMediaType()
            if not raw:
                self._body = None
                return None
            self._body = parse_json_body(self._req)
        return self._body

    @property
    def content_type(self):
        return self._req.content_type

    def body_chunks(self, size=1 << 20):
        """The raw body, read in chunks (an upload, not JSON)."""
        body = self._req.body_file
        return iter(lambda: body.read(size), b'')

    @property
    def url_project_id(self):
        return self._req.environ.get(ENV_URL_PROJECT)

    @property
    def application_url(self):
        if self._application_url is None:
            from novalite.api import links
            self._application_url = links.base_url(self._req)
        return self._application_url


class UnsupportedMediaType(exception.NovaliteException):
    msg_fmt = 'Unsupported Content-Type'
    code = 415


def _json_response(result, status):
    if result is None or status == 204:
        response = webob.Response(status=status, content_type=_JSON_TYPES[0],
                                  charset=None)
        response.body = b''
        return response
    return webob.Response(status=status, content_type=_JSON_TYPES[0],
                          charset=None,
                          body=json.dumps(result).encode('utf-8'))


# Longest fault message: as long as the schema validator's own.
MAX_MESSAGE = validators.MAX_DETAIL + len('...')


def _bounded_message(error):
    """``error.message``, with the long values it echoes shortened.

    NOTE: a message quotes what the caller sent (an id of 5000 characters
    came back whole in the 404): like the validator's, the values are cut
    (``validators.MAX_ECHO``), and the message as a last resort.
    """
    message = error.message
    if len(message) <= MAX_MESSAGE:
        return message
    kwargs = error.kwargs
    try:
        if kwargs and message == error.msg_fmt % kwargs:
            message = error.msg_fmt % {
                key: validators.shorten(value) if isinstance(value, str)
                else value for key, value in kwargs.items()}
    except (KeyError, TypeError, ValueError):
        pass
    if len(message) > MAX_MESSAGE:
        message = message[:validators.MAX_DETAIL] + '...'
    return message


def error_response(error):
    return faults.fault_response(error.code, _bounded_message(error),
                                 headers=error.headers)


def expose(status=200, min_version=None, max_version=None):
    """Expose ``func(self, req, *path_args)`` as a pecan handler."""

    def decorator(func):
        validation.check_no_gaps(func)
        signature = inspect.signature(func)

        @functools.wraps(func)
        def handler(self, *args, **_pecan_kwargs):
            # NOTE: pecan's keyword arguments (query and JSON body keys
            # merged together) are ignored on purpose: the query and the
            # body are read from the request and validated as a whole.
            req = Request(pecan.request)
            try:
                try:
                    signature.bind(self, req, *args)
                except TypeError:
                    raise exception.ResourceNotFound()
                if not req.api_version.matches(min_version, max_version):
                    raise exception.ResourceNotFound()
                query_schema = validation.query_schema_for(
                    func, req.api_version)
                if query_schema is not None:
                    validators.validate(query_schema, req.query_lists(),
                                        is_body=False)
                body_schema = validation.body_schema_for(func,
                                                         req.api_version)
                if body_schema is not None:
                    validators.validate(body_schema, req.body)
                result = func(self, req, *args)
            except exception.NovaliteException as e:
                return error_response(e)
            if isinstance(result, webob.Response):
                return result
            return _json_response(result, status)

        handler._novalite_status = status
        return pecan.expose(content_type='application/json')(handler)

    return decorator


def response(body, status=200, headers=None):
    """A response with extra headers (e.g. Location on create)."""
    resp = _json_response(body, status)
    for name, value in (headers or {}).items():
        resp.headers[name] = value
    return resp


class _EmptyOK(webob.Response):

    def __call__(self, environ, start_response):
        # pecan replaced the body (see empty_ok), dropping the length.
        self.content_length = 0
        return super().__call__(environ, start_response)


def empty_ok():
    """200 with an empty body (Nova's answer to a few deletes, e.g. of a
    flavor extra spec).

    NOTE: pecan turns an empty 200 into a 204; a body given as a
    generator that yields one empty chunk is not "empty" to it.
    """
    resp = _EmptyOK(status=200, content_type=_JSON_TYPES[0], charset=None)
    resp.app_iter = (chunk for chunk in [b''])
    return resp
