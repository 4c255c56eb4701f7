"""Request schemas of the flavor access actions (Nova's)."""


def _tenant_action(name):
    return {
        'type': 'object',
        'properties': {
            name: {
                'type': 'object',
                'properties': {
                    # A project id (flavor_projects.project_id).
                    'tenant': {'type': 'string', 'minLength': 1,
                               'maxLength': 255},
                },
                'required': ['tenant'],
                'additionalProperties': False,
            },
        },
        'required': [name],
        'additionalProperties': False,
    }


add_tenant_access = _tenant_action('addTenantAccess')
remove_tenant_access = _tenant_action('removeTenantAccess')
