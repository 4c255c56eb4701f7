"""``/servers/{id}/os-server-password``: the encrypted password a guest
left (Nova's metadata-service password), and clearing it."""

from pecan import rest

from novalite.api.controllers import base
from novalite.api import validation
from novalite.api import wsgi

POLICY = 'os_compute_api:os-server-password:%s'


class ServerPasswordController(rest.RestController):

    @wsgi.expose()
    @validation.takes_no_query
    def get_all(self, req, server_id):
        instance = base.server(req, server_id, POLICY % 'show')
        return {'password': base.compute_api.get_password(req.context,
                                                          instance)}

    @wsgi.expose(status=204)
    def delete(self, req, server_id):
        instance = base.server(req, server_id, POLICY % 'clear')
        base.compute_api.clear_password(req.context, instance)
