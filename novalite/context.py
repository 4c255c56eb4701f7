"""Request context: who is calling, for policy, DB scoping and RPC."""

from oslo_context import context
from oslo_db.sqlalchemy import enginefacade

# Keystone's default role implications (admin implies member implies
# reader). A token from Keystone already carries the implied roles; the
# noauth2 mode and hand-made contexts get them expanded here so that the
# persona rules behave the same either way.
_IMPLIED_ROLES = {
    'admin': ('member', 'reader'),
    'member': ('reader',),
}


def expand_roles(roles):
    expanded = []
    for role in roles or ():
        for name in (role,) + _IMPLIED_ROLES.get(role.lower(), ()):
            if name not in expanded:
                expanded.append(name)
    return expanded


@enginefacade.transaction_context_provider
class RequestContext(context.RequestContext):
    """oslo.context's context with Nova's ``is_admin`` semantics.

    ``is_admin`` is decided by the ``context_is_admin`` policy rule when the
    context is built from a request, so an operator's policy file can move
    it; ``elevated()`` gives a copy that may see every project.
    """

    def __init__(self, *args, is_admin=None, read_deleted='no', **kwargs):
        roles = expand_roles(kwargs.pop('roles', None) or [])
        super().__init__(*args, roles=roles, is_admin=bool(is_admin),
                         **kwargs)
        self.read_deleted = read_deleted
        if is_admin is None:
            # NOTE: imported here because policy imports this module.
            from novalite import policy
            self.is_admin = policy.check_is_admin(self)

    def to_dict(self):
        values = super().to_dict()
        values['read_deleted'] = self.read_deleted
        return values

    @classmethod
    def from_dict(cls, values):
        return cls(
            user_id=values.get('user_id') or values.get('user'),
            project_id=values.get('project_id') or values.get('tenant'),
            roles=values.get('roles'),
            is_admin=values.get('is_admin'),
            read_deleted=values.get('read_deleted', 'no'),
            request_id=values.get('request_id'),
            global_request_id=values.get('global_request_id'),
            auth_token=values.get('auth_token'),
            user_name=values.get('user_name'),
            project_name=values.get('project_name'),
            system_scope=values.get('system_scope'),
            overwrite=False,
        )

    def elevated(self, read_deleted=None):
        ctx = self.from_dict(self.to_dict())
        ctx.is_admin = True
        if 'admin' not in ctx.roles:
            ctx.roles.append('admin')
        if read_deleted is not None:
            ctx.read_deleted = read_deleted
        return ctx


def get_admin_context(read_deleted='no'):
    return RequestContext(user_id=None, project_id=None, is_admin=True,
                          roles=['admin'], read_deleted=read_deleted,
                          overwrite=False)
