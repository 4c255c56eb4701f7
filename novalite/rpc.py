"""oslo.messaging plumbing: one transport per process, context on the wire."""

from oslo_config import cfg
import oslo_messaging as messaging

from novalite import context as nl_context

CONF = cfg.CONF

_TRANSPORT = None


def init(conf=CONF):
    global _TRANSPORT
    if _TRANSPORT is None:
        # Errors of ours raised by the agent in a call come back as
        # themselves (e.g. 501 for an unsupported password change).
        _TRANSPORT = messaging.get_rpc_transport(
            conf, allowed_remote_exmods=['novalite.exception'])
    return _TRANSPORT


def cleanup():
    global _TRANSPORT
    if _TRANSPORT is not None:
        _TRANSPORT.cleanup()
    _TRANSPORT = None


class ContextSerializer(messaging.NoOpSerializer):
    """Sends the request context as a dict; payloads are primitives."""

    def serialize_context(self, context):
        return context.to_dict()

    def deserialize_context(self, context):
        return nl_context.RequestContext.from_dict(context)


def get_client(target, version_cap=None):
    return messaging.get_rpc_client(init(), target,
                                    version_cap=version_cap,
                                    serializer=ContextSerializer())


def get_server(target, endpoints):
    # NOTE: the threading executor is oslo.messaging's default; nothing in
    # novalite uses eventlet.
    return messaging.get_rpc_server(init(), target, endpoints,
                                    serializer=ContextSerializer())
