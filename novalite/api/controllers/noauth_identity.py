"""``/identity``: the Identity API's version documents, and nothing else,
for the ``openstack`` CLI in ``[api] auth_strategy = noauth2`` mode.

The CLI checks that the identity service speaks v3 before it lists
servers (openstacksdk's ``ensure_service_version``), even when it has a
token and every endpoint from ``clouds.yaml``. With noauth2 there is no
Keystone, so novalite answers that discovery itself; the quick start's
``clouds.yaml`` points ``identity_endpoint_override`` here. Nothing under
it authenticates or lists anything. With any other auth strategy these
routes answer 404: Keystone is the identity service then.
"""

from oslo_config import cfg

from novalite.api import wsgi
from novalite import exception

CONF = cfg.CONF

_UPDATED = '2025-01-01T00:00:00Z'


def _v3(req):
    if CONF.api.auth_strategy != 'noauth2':
        raise exception.ResourceNotFound()
    return {
        'id': 'v3.14', 'status': 'stable', 'updated': _UPDATED,
        'links': [{'rel': 'self',
                   'href': req.application_url + '/identity/v3/'}],
        'media-types': [{'base': 'application/json',
                         'type': 'application/vnd.openstack.identity-v3'
                                 '+json'}]}


class V3Controller:

    @wsgi.expose()
    def index(self, req):
        return {'version': _v3(req)}

    @wsgi.expose()
    def _default(self, req, *remainder):
        raise exception.ResourceNotFound()


class IdentityController:
    """``/identity``: Keystone's version list (300), then ``v3``."""

    v3 = V3Controller()

    @wsgi.expose(status=300)
    def index(self, req):
        return {'versions': {'values': [_v3(req)]}}

    @wsgi.expose()
    def _default(self, req, *remainder):
        raise exception.ResourceNotFound()
