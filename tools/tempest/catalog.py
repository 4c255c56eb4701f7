"""Register novalite in a freshly bootstrapped Keystone.

- the project ``service`` and novalite's service user (``[keystone_authtoken]``
  of novalite.conf), with the role ``service``: enough for
  keystonemiddleware to validate tokens;
- the ``compute`` service (novalite), the ``image`` service (novalite's
  Image API subset, under ``/image`` of the same endpoint) and the
  ``network`` service (novalite's read-only Networking API subset, under
  ``/network``), each with public, internal and admin endpoints in
  RegionOne.

All in one process through the REST API (an ``openstack`` CLI call takes
~5 s here).

Run: ``python catalog.py --auth-url URL --admin-password PW
--service-user NAME --service-password PW --compute-url URL
[--image-url URL] [--network-url URL]``.
"""

import argparse

from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session

REGION = 'RegionOne'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--auth-url', required=True)
    parser.add_argument('--admin-password', required=True)
    parser.add_argument('--service-user', required=True)
    parser.add_argument('--service-password', required=True)
    parser.add_argument('--compute-url', required=True)
    parser.add_argument('--image-url',
                        help="novalite's Image API; none: no image service "
                             'in the catalog')
    parser.add_argument('--network-url',
                        help="novalite's Networking API; none: no network "
                             'service in the catalog')
    args = parser.parse_args()

    auth = v3.Password(auth_url=args.auth_url, username='admin',
                       password=args.admin_password,
                       user_domain_id='default', project_name='admin',
                       project_domain_id='default')
    sess = ks_session.Session(auth=auth)
    identity = {'service_type': 'identity', 'interface': 'public'}

    def post(path, body):
        return sess.post(path, json=body, endpoint_filter=identity).json()

    def role_id(name):
        roles = sess.get('/roles?name=' + name,
                         endpoint_filter=identity).json()['roles']
        return roles[0]['id']

    project = post('/projects', {'project': {
        'name': 'service', 'domain_id': 'default',
        'description': 'novalite service users'}})['project']
    user = post('/users', {'user': {
        'name': args.service_user, 'password': args.service_password,
        'domain_id': 'default',
        'default_project_id': project['id']}})['user']
    sess.put('/projects/%s/users/%s/roles/%s'
             % (project['id'], user['id'], role_id('service')),
             endpoint_filter=identity)

    services = [('nova', 'compute', args.compute_url,
                 'novalite: OpenStack Compute API v2.1')]
    if args.image_url:
        services.append((
            'glance', 'image', args.image_url,
            "novalite's Image API v2 subset over its image catalogue"))
    if args.network_url:
        services.append((
            'neutron', 'network', args.network_url,
            "novalite's read-only Networking API v2.0 subset over its own "
            "networks"))
    for name, kind, url, description in services:
        service = post('/services', {'service': {
            'name': name, 'type': kind,
            'description': description}})['service']
        for interface in ('public', 'internal', 'admin'):
            post('/endpoints', {'endpoint': {
                'service_id': service['id'], 'interface': interface,
                'region_id': REGION, 'url': url}})
        print('%s (%s): %s' % (name, kind, url))


if __name__ == '__main__':
    main()
