# NOTE: this must run before anything imports oslo.service (oslo.messaging
# does): novalite runs threads under mod_wsgi and in the agent, never
# eventlet, so oslo.service is pinned to its threading backend.
from oslo_service import backend as _backend

_backend.init_backend(_backend.BackendType.THREADING)
