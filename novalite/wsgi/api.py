"""``application`` for Apache mod_wsgi (or any WSGI server).

Configuration comes from /etc/novalite/novalite.conf, or the files named
in NOVALITE_CONFIG_FILES (comma separated). Each WSGI process initialises
itself once on import: config, logging, database engine, RPC transport.
"""

import os
import sys

from novalite.cmd import api as api_cmd
from novalite import config


def _init():
    files = os.environ.get('NOVALITE_CONFIG_FILES')
    default_files = [f for f in (files or '').split(',') if f] or None
    # NOTE: argv is not the WSGI server's: oslo.config would parse it.
    config.parse_args([sys.argv[0] if sys.argv else 'novalite-api'],
                      default_config_files=default_files)
    return api_cmd.init_application()


application = _init()
