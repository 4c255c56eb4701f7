"""``/os-networks``: the networks a project may use, read-only.

Nova's proxy API: a project sees the shared networks and its own, an
admin every network. Creating, deleting, associating networks is gone
from Nova (410); novalite-manage does it here.
"""

from pecan import rest

from novalite.api import api_version
from novalite.api.views import networks as views
from novalite.api import wsgi
from novalite.compute import api as compute
from novalite import exception
from novalite import policy

POLICY = 'os_compute_api:os-networks:%s'

_compute_api = compute.API()


def _authorize(req, action):
    context = req.context
    policy.authorize(context, POLICY % action,
                     {'project_id': context.project_id})


class NetworkActionController(rest.RestController):
    """``POST /os-networks/{id}/action`` (disassociate): gone."""

    @wsgi.expose()
    def post(self, req, network_id):
        raise exception.Gone()


class NetworksController(rest.RestController):

    _custom_actions = {'add': ['POST']}

    action = NetworkActionController()

    @wsgi.expose(max_version=api_version.MAX_PROXY_API_VERSION)
    def get_all(self, req):
        _authorize(req, 'list')
        return {'networks': [
            views.network(req.context, network)
            for network in _compute_api.network_get_all(req.context)]}

    @wsgi.expose(max_version=api_version.MAX_PROXY_API_VERSION)
    def get_one(self, req, network_id):
        _authorize(req, 'show')
        try:
            network = _compute_api.network_get(req.context, network_id)
        except exception.NetworkNotFound:
            raise exception.NotFound('Network not found')  # Nova's words
        return {'network': views.network(req.context, network)}

    @wsgi.expose()
    def post(self, req):
        raise exception.Gone()

    @wsgi.expose()
    def add(self, req):
        raise exception.Gone()

    @wsgi.expose()
    def delete(self, req, network_id):
        raise exception.Gone()
