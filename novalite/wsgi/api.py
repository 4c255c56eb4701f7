"""``application`` for Apache mod_wsgi (or any WSGI server).

Configuration comes from /etc/novalite/novalite.conf, or the files named
in NOVALITE_CONFIG_FILES (comma separated). Each WSGI process initialises
itself once on import: config, logging, database engine, RPC transport
(the policy enforcer at its first request). Nothing is shared between
processes but the database and the broker, so any number of them, and
novalite-api processes, can serve the same deployment
(novalite/tests/functional/test_apache.py runs Apache's two next to one).
"""

import atexit
import os
import sys

from novalite.cmd import api as api_cmd
from novalite import config
from novalite import rpc


def _init():
    files = os.environ.get('NOVALITE_CONFIG_FILES')
    default_files = [f for f in (files or '').split(',') if f] or None
    # NOTE: argv is not the WSGI server's: oslo.config would parse it.
    config.parse_args([sys.argv[0] if sys.argv else 'novalite-api'],
                      default_config_files=default_files)
    application = api_cmd.init_application()
    # NOTE: mod_wsgi runs these when it stops or restarts the process:
    # the broker connections close as novalite-api's do on exit.
    atexit.register(rpc.cleanup)
    return application


application = _init()
