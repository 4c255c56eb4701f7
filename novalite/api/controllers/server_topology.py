"""``/servers/{id}/topology`` (from 2.78): the NUMA topology of a server.

novalite's guests have none (it does not place them on host NUMA
cells), so the answer is Nova's for a server without one.
"""

from pecan import rest

from novalite.api.controllers import base
from novalite.api import validation
from novalite.api import wsgi
from novalite.policies import server_topology as topology_policies


class ServerTopologyController(rest.RestController):

    @wsgi.expose(min_version='2.78')
    @validation.takes_no_query
    def get_all(self, req, server_id):
        base.server(req, server_id, topology_policies.BASE % 'index')
        return {'nodes': [], 'pagesize_kb': None}
