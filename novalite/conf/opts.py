"""Entry points for oslo-config-generator (namespace ``novalite``)."""

import collections

from oslo_log import log

from novalite.conf import api
from novalite.conf import compute
from novalite.conf import default
from novalite.conf import image_cache
from novalite.conf import image_store
from novalite.conf import libvirt
from novalite.conf import notifications
from novalite.conf import quota
from novalite.conf import upgrade_levels

_MODULES = (default, compute, api, image_cache, image_store, libvirt,
            notifications, quota, upgrade_levels)


def list_opts():
    grouped = collections.defaultdict(list)
    for module in _MODULES:
        for group, opts in module.list_opts().items():
            grouped[group].extend(opts)
    return list(grouped.items())


def set_defaults():
    log.set_defaults()
