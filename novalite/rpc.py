"""oslo.messaging plumbing: one transport per process, context on the wire."""

from oslo_config import cfg
import oslo_messaging as messaging

from novalite import context as nl_context

CONF = cfg.CONF

_TRANSPORT = None
_NOTIFIER = None


# Seconds the in-memory transport waits between polls for messages.
_MEMORY_POLL_INTERVAL = 0.005


def _pace_memory_transport():
    """Keep kombu's in-memory transport from spinning a core.

    oslo.messaging sets the memory transport's polling interval to 0 (a
    kludge for its own tests), so an idle listener busy-loops; novalite-all
    and the tests would burn a core doing nothing. A short pause costs a
    few milliseconds per message instead.
    """
    from kombu.transport import memory

    def _get(transport):
        return transport.__dict__.get('_novalite_polling_interval',
                                      _MEMORY_POLL_INTERVAL)

    def _set(transport, value):
        transport.__dict__['_novalite_polling_interval'] = max(
            value or 0, _MEMORY_POLL_INTERVAL)

    memory.Transport.polling_interval = property(_get, _set)


def init(conf=CONF):
    global _TRANSPORT
    if _TRANSPORT is None:
        # Errors of ours raised by the agent in a call come back as
        # themselves (e.g. 501 for an unsupported password change).
        _TRANSPORT = messaging.get_rpc_transport(
            conf, allowed_remote_exmods=['novalite.exception'])
        # NOTE: after get_rpc_transport, which registers transport_url,
        # and before any connection exists.
        if (conf.transport_url or '').startswith(('kombu+memory:',
                                                  'memory:')):
            _pace_memory_transport()
    return _TRANSPORT


def cleanup():
    global _TRANSPORT, _NOTIFIER
    if _NOTIFIER is not None:
        _NOTIFIER.transport.cleanup()
    _NOTIFIER = None
    if _TRANSPORT is not None:
        _TRANSPORT.cleanup()
    _TRANSPORT = None


def get_versioned_notifier(publisher_id):
    """The notifier of the versioned notifications (Nova's), made at first
    use: oslo.messaging's ``[oslo_messaging_notifications]`` driver (none
    by default: nothing is sent) and transport (its ``transport_url``, else
    the RPC one), to ``[notifications] versioned_notifications_topics``.
    """
    global _NOTIFIER
    if _NOTIFIER is None:
        transport = messaging.get_notification_transport(CONF)
        _NOTIFIER = messaging.Notifier(
            transport, serializer=ContextSerializer(),
            topics=CONF.notifications.versioned_notifications_topics)
    return _NOTIFIER.prepare(publisher_id=publisher_id)


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
