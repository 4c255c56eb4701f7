"""What the API and the compute agent share about compute hosts: the
agent's service name and how a server's fault is recorded."""

import json
import traceback

from novalite.db import api as db
from novalite import exception

BINARY = 'novalite-compute'
# The name the API shows and takes for it, the one clients know: tempest
# and ``openstack compute service set`` name ``nova-compute``, and Nova
# refuses any other.
API_BINARY = 'nova-compute'

# The system metadata key of the root disk's device tag (a create's tag on
# its image mapping, 2.32 and 2.42), for the guest's device metadata.
ROOT_DEVICE_TAG = 'root_device_tag'


def fault_message(error):
    """(code, message) of a fault for ``error`` (see record_fault); also
    an action event's ``details`` (2.84)."""
    if isinstance(error, exception.NovaliteException):
        return error.code, error.message
    return 500, error.__class__.__name__


def record_fault(context, instance_uuid, error, host=None):
    """Store a fault for the server, as Nova's instance_faults rows.

    ``message`` is for the server's owner: only novalite's own exceptions
    lend theirs (they say what failed in novalite's words); any other
    error's text (an OSError's path, a libvirt message) may reveal the
    host, so the owner sees just its class name, as in Nova. ``details``,
    the traceback with every chained error's own text, is kept only for
    500 faults, as in Nova (``_get_fault_details``), and only admins see
    it.
    """
    code, message = fault_message(error)
    details = ''
    if code == 500:
        details = ''.join(traceback.format_exception(error))
    db.instance_fault_create(context, instance_uuid, code, message,
                             details=details, host=host)


def flavor_of(instance):
    """The flavor a server runs with, as its row keeps it."""
    return {'id': instance['instance_type_id'],
            'extra_specs': json.loads(instance['flavor_extra_specs'] or
                                      '{}'),
            'flavorid': instance['flavorid'],
            'name': instance['flavor_name'],
            'vcpus': instance['vcpus'],
            'memory_mb': instance['memory_mb'],
            'root_gb': instance['root_gb'],
            'ephemeral_gb': instance['ephemeral_gb'],
            'swap': instance['swap']}
