"""The [compute-feature-enabled] flags of tempest.conf that follow from
what the running novalite serves, asked of novalite itself.

- A server action exists when ``POST /servers/{id}/action`` with its name
  (and a server id that exists nowhere) is answered anything but Nova's
  400 "There is no such action: NAME": novalite, like Nova, looks the
  action up before the server.
- A route exists when it is in ``routes.txt`` (``list_routes()`` of the
  code novalite-api started with).

A flag is on when everything its tests need is there. Prints one line
``flag value`` per flag, for run.sh to fill tempest.conf.in in.

Run: ``python features.py --auth-url URL --admin-password PW
--compute-url URL --routes routes.txt``.
"""

import argparse
import uuid

from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session

# flag: (the server actions its tests call, the routes they call)
FLAGS = {
    'change_password': (['changePassword'], []),
    'console_output': (['os-getConsoleOutput'], []),
    'resize': (['resize', 'confirmResize', 'revertResize'], []),
    'pause': (['pause', 'unpause'], []),
    'suspend': (['suspend', 'resume'], []),
    'shelve': (['shelve', 'shelveOffload', 'unshelve'], []),
    'rescue': (['rescue', 'unrescue'], []),
    # (tempest's test_create_backup is under this flag too)
    'snapshot': (['createImage', 'createBackup'], []),
    'cold_migration': (['migrate'], []),
    'live_migration': (['os-migrateLive'], []),
    'interface_attach': ([], ['GET /servers/{server_id}/os-interface',
                              'POST /servers/{server_id}/os-interface']),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--auth-url', required=True)
    parser.add_argument('--admin-password', required=True)
    parser.add_argument('--compute-url', required=True)
    parser.add_argument('--routes', required=True)
    args = parser.parse_args()

    with open(args.routes) as f:
        routes = {line.strip() for line in f if line.strip()}
    sess = ks_session.Session(auth=v3.Password(
        auth_url=args.auth_url, username='admin',
        password=args.admin_password, user_domain_id='default',
        project_name='admin', project_domain_id='default'))
    nowhere = str(uuid.uuid4())
    known = {}

    def has_action(name):
        if name not in known:
            response = sess.post(
                '%s/servers/%s/action' % (args.compute_url, nowhere),
                json={name: None}, raise_exc=False,
                headers={'OpenStack-API-Version': 'compute 2.1'})
            known[name] = not (response.status_code == 400 and
                               'There is no such action' in response.text)
        return known[name]

    for flag, (actions, needed_routes) in sorted(FLAGS.items()):
        enabled = (all(has_action(a) for a in actions) and
                   all(r in routes for r in needed_routes))
        print(flag, enabled)


if __name__ == '__main__':
    main()
