"""The server actions of ``POST /servers/{id}/action``.

One way to add an action: a function ``handler(req, instance, body)``
registered with ``@action(name, schema, min_version)`` (or, for an
action whose body changes with the microversion, with ``validation.schema``
decorators under ``@action(name)``), in the
controller module of its concern (``controllers/servers.py`` for power
and lock actions, ``controllers/server_actions.py`` for the others). The
servers controller looks the body's single key up here, answers 404 for
an action of a later microversion before loading the server (as Nova),
loads the server (404 if the caller may not see it), validates the body
against ``schema`` and calls the handler, which authorises against the
loaded server and hands over to ``compute.api``. The handler returns
None (202, empty body) or a response.
"""

import collections

from novalite.api import validation

Action = collections.namedtuple(
    'Action', ['handler', 'schema', 'min_version', 'max_version'])

_REGISTRY = {}


def action(name, schema=None, min_version='2.1', max_version=None):
    """Register the decorated function as the handler of ``name``."""

    def register(handler):
        if name in _REGISTRY:
            raise ValueError('Server action %s registered twice' % name)
        if validation.has_body_schema(handler):
            if schema is not None:
                raise ValueError('Server action %s: a schema, and schemas '
                                 'per microversion' % name)
            validation.check_no_gaps(handler)
        _REGISTRY[name] = Action(handler, schema, min_version, max_version)
        return handler
    return register


def body_schema(found, version):
    """The schema of the action ``found`` at ``version`` (or None)."""
    if validation.has_body_schema(found.handler):
        return validation.body_schema_for(found.handler, version)
    return found.schema


def get(name):
    """The Action registered as ``name``, or None."""
    return _REGISTRY.get(name)


def names():
    return sorted(_REGISTRY)
