"""Keystone's WSGI application, for gunicorn (``keystone_wsgi:application``).

NOTE: keystone parses ``sys.argv`` with oslo.config when it builds its
application; under gunicorn that is gunicorn's own command line, which
keystone refuses (the worker then exits with status 2). The configuration
comes from ``OS_KEYSTONE_CONFIG_DIR`` (keystone.conf there) instead.
"""

import sys

sys.argv = sys.argv[:1]

from keystone.wsgi.api import application  # noqa: E402,F401
