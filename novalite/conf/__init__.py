"""All of novalite's configuration options, registered on the global CONF.

Options live only in this package (one module per group); code elsewhere
reads ``CONF`` and never declares options itself (hacking check N302).
"""

from oslo_config import cfg
import oslo_messaging as messaging

from novalite.conf import api
from novalite.conf import compute
from novalite.conf import database
from novalite.conf import default
from novalite.conf import image_cache
from novalite.conf import image_store
from novalite.conf import libvirt
from novalite.conf import notifications
from novalite.conf import quota
from novalite.conf import upgrade_levels

CONF = cfg.CONF

# RPC traffic goes to novalite's own exchange on a shared broker.
messaging.set_transport_defaults(control_exchange='novalite')

for _module in (default, api, compute, database, image_cache, image_store,
                libvirt, notifications, quota, upgrade_levels):
    _module.register_opts(CONF)
