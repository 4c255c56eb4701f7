"""What every controller of a server's sub-resource or action uses.

The pattern (see ``controllers/server_metadata.py``): a handler loads the
server with ``server(req, server_id, rule)`` (404 if the caller may not
see it, then the policy ``rule`` checked against the server's project and
user), hands the work to ``compute_api`` and renders the result. No
handler reads the database or holds a business rule.
"""

from novalite.api import common
from novalite.compute import api as compute
from novalite import policy

compute_api = compute.API()


def authorize(req, rule, instance):
    """``rule`` against the server's owner (Nova's target)."""
    policy.authorize(req.context, rule, common.policy_target(instance))


def server(req, server_id, rule=None, extras=()):
    """The live server the caller may see, authorised for ``rule``."""
    instance = compute_api.get(req.context, server_id, extras=extras)
    if rule is not None:
        authorize(req, rule, instance)
    return instance


def project_target(req):
    """The target of a rule about the caller's own project."""
    return {'project_id': req.context.project_id,
            'user_id': req.context.user_id}
