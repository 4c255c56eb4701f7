"""Nova's fault body: ``{"<faultName>": {"code": N, "message": "..."}}``."""

import json

import webob

FAULT_NAMES = {
    400: 'badRequest',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'itemNotFound',
    405: 'badMethod',
    409: 'conflictingRequest',
    413: 'overLimit',
    415: 'badMediaType',
    429: 'overLimit',
    501: 'notImplemented',
    503: 'serviceUnavailable',
}

ERROR_CONTENT_TYPE = 'application/json; charset=UTF-8'


def fault_body(code, message):
    return {FAULT_NAMES.get(code, 'computeFault'): {'code': code,
                                                    'message': message}}


def fault_response(code, message, headers=None):
    response = webob.Response(
        status=code, body=json.dumps(fault_body(code, message)).encode())
    # NOTE: set whole: webob drops the charset of application/json.
    response.headers['Content-Type'] = ERROR_CONTENT_TYPE
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
