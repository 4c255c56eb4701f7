"""A stand-in for the Networking (Neutron) API, for tempest only.

tempest runs most compute server test classes only when
``[service_available] neutron = True`` (they set
``create_default_network``). novalite has no Neutron: its networks are its
own (``novalite-manage network create``, read through ``GET
/v2.1/os-networks``). With ``[auth] create_isolated_networks = False``,
tempest 47 then makes exactly these calls on the ``network`` service of
the catalog for the compute API tests:

- ``GET /v2.0/networks`` (``tempest.lib.common.fixed_network``), to turn
  ``[compute] fixed_network_name`` into the network id it boots servers
  on: answered from novalite's ``GET /v2.1/os-networks`` with the caller's
  own token, each network's ``label`` as ``name``.
- ``GET /v2.0/security-groups?project_id=P&name=default``
  (``cred_provider.cleanup_default_secgroup``), when the dynamic
  credentials are cleared: novalite has no security groups, so the list
  is empty and there is nothing to delete.

Every answer needs a token that novalite itself accepts (novalite's
keystonemiddleware checks it; a 401 is passed on). Other reads are 404 in
Neutron's error shape; anything that would create, change or delete a
network resource is 501: the tests that need Neutron for real (multiple
networks, ports, interfaces) fail with that, rather than pass on
something that is not there.

Run: ``python network_standin.py --port PORT --compute URL`` (URL: the
novalite endpoint ending in /v2.1). It serves on 127.0.0.1 only.
"""

import argparse
import json
import socketserver
import sys
import urllib.error
import urllib.parse
import urllib.request
from wsgiref import simple_server


def _neutron_error(status, kind, message):
    return status, {'NeutronError': {'type': kind, 'message': message,
                                     'detail': ''}}


class StandIn:

    def __init__(self, compute_url):
        self.compute_url = compute_url.rstrip('/')

    def _compute_get(self, token, path):
        """(status, JSON body) of a GET on novalite, as the caller."""
        request = urllib.request.Request(
            self.compute_url + path,
            headers={'X-Auth-Token': token, 'Accept': 'application/json'})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b'{}')

    @staticmethod
    def _network(net):
        """A novalite (nova-network shaped) network as Neutron shows one."""
        project = net.get('project_id')
        return {
            'id': net['id'], 'name': net['label'], 'status': 'ACTIVE',
            'admin_state_up': True, 'shared': project is None,
            'subnets': [], 'router:external': False,
            'project_id': project, 'tenant_id': project,
            'description': 'novalite network %s (%s)' % (net['label'],
                                                         net['cidr']),
        }

    def _networks(self, token, query):
        status, body = self._compute_get(token, '/os-networks')
        if status != 200:
            return status, body
        networks = [self._network(n) for n in body['networks']]
        # Neutron's simple equality filters, for the fields shown.
        for key, values in query.items():
            if key in ('fields', 'limit', 'marker', 'sort_key', 'sort_dir'):
                continue
            networks = [n for n in networks if str(n.get(key)) in values]
        return 200, {'networks': networks}

    def _network_show(self, token, network_id):
        status, body = self._compute_get(
            token, '/os-networks/' + urllib.parse.quote(network_id))
        if status == 404:
            return _neutron_error(404, 'NetworkNotFound',
                                  'Network %s could not be found.'
                                  % network_id)
        if status != 200:
            return status, body
        return 200, {'network': self._network(body['network'])}

    def _security_groups(self, token):
        # Only to check the token the way every other answer does.
        status, body = self._compute_get(token, '/os-networks')
        if status != 200:
            return status, body
        return 200, {'security_groups': []}

    def route(self, method, path, token, query):
        parts = [p for p in path.split('/') if p]
        if parts[:1] != ['v2.0'] or len(parts) < 2:
            return _neutron_error(404, 'HTTPNotFound',
                                  'The resource could not be found.')
        resource = parts[1].removesuffix('.json')
        if method not in ('GET', 'HEAD'):
            return _neutron_error(
                501, 'HTTPNotImplemented',
                "novalite's network stand-in cannot %s %s: novalite has "
                "no Networking API (its networks are made with "
                "novalite-manage)" % (method, '/'.join(parts[1:])))
        if resource == 'networks' and len(parts) == 2:
            return self._networks(token, query)
        if resource == 'networks' and len(parts) == 3:
            return self._network_show(token, parts[2])
        if resource == 'security-groups' and len(parts) == 2:
            return self._security_groups(token)
        return _neutron_error(404, 'HTTPNotFound',
                              'The resource could not be found.')

    def __call__(self, environ, start_response):
        method = environ['REQUEST_METHOD']
        token = environ.get('HTTP_X_AUTH_TOKEN', '')
        query = urllib.parse.parse_qs(environ.get('QUERY_STRING', ''))
        if not token:
            status, body = 401, {'error': {'code': 401, 'title':
                                           'Unauthorized', 'message':
                                           'No X-Auth-Token'}}
        else:
            status, body = self.route(method, environ['PATH_INFO'], token,
                                      query)
        data = json.dumps(body).encode()
        start_response('%d %s' % (status, _REASONS.get(status, 'Error')),
                       [('Content-Type', 'application/json'),
                        ('Content-Length', str(len(data)))])
        return [data] if method != 'HEAD' else []


_REASONS = {200: 'OK', 401: 'Unauthorized', 403: 'Forbidden',
            404: 'Not Found', 501: 'Not Implemented',
            503: 'Service Unavailable'}


class _Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True


class _Handler(simple_server.WSGIRequestHandler):
    # HTTP/1.1 with Content-Length: clients keep their connection.
    protocol_version = 'HTTP/1.1'

    def log_message(self, format, *args):
        sys.stderr.write('%s %s\n' % (self.log_date_time_string(),
                                      format % args))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--compute', required=True,
                        help='novalite endpoint, e.g. '
                             'http://127.0.0.1:18780/v2.1')
    args = parser.parse_args()
    server = simple_server.make_server(
        '127.0.0.1', args.port, StandIn(args.compute),
        server_class=_Server, handler_class=_Handler)
    print('network stand-in on http://127.0.0.1:%d/ for %s'
          % (args.port, args.compute), flush=True)
    server.serve_forever()


if __name__ == '__main__':
    main()
