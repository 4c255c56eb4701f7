# NOTE: this must run before anything imports oslo.service (oslo.messaging
# does): novalite runs threads under mod_wsgi and in the agent, never
# eventlet, so oslo.service is pinned to its threading backend.
import warnings

from oslo_service import backend as _backend

# futurist imports eventlet when it is installed (oslo.service depends on
# it); novalite never uses it, so its deprecation banner is only noise.
warnings.filterwarnings('ignore', message='\nEventlet is deprecated')

try:
    _backend.init_backend(_backend.BackendType.THREADING)
except _backend.exceptions.BackendAlreadySelected:
    # Only tools that load oslo.service before novalite (the config
    # generator) get here; they run none of novalite's services.
    pass
