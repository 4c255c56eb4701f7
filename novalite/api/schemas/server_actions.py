"""Request schemas of the server actions of controllers/server_actions.py
(Nova's: schemas/pause_server.py, suspend_server.py, rescue.py,
deferred_delete.py, security_groups.py)."""

from novalite.api.validation import parameter_types as types


def _any_body(action):
    """``{"<action>": <anything>}``, as Nova's schemas of the actions that
    take no arguments (``{}`` and ``null`` alike)."""
    return {
        'type': 'object',
        'properties': {action: {}},
        'required': [action],
        'additionalProperties': False,
    }


pause = _any_body('pause')
unpause = _any_body('unpause')
suspend = _any_body('suspend')
resume = _any_body('resume')
unrescue = _any_body('unrescue')
restore = _any_body('restore')
force_delete = _any_body('forceDelete')

rescue = {
    'type': 'object',
    'properties': {
        'rescue': {
            'type': ['object', 'null'],
            'properties': {
                'adminPass': {'type': 'string'},
                'rescue_image_ref': types.image_id,
            },
            'additionalProperties': False,
        },
    },
    'required': ['rescue'],
    'additionalProperties': False,
}


def _security_group(action):
    return {
        'type': 'object',
        'properties': {
            action: {
                'type': 'object',
                'properties': {
                    'name': {'type': 'string', 'minLength': 1},
                },
                'required': ['name'],
                'additionalProperties': False,
            },
        },
        'required': [action],
        # NOTE: Nova's schema allows more keys; the action dispatcher
        # takes exactly one, as Nova's does.
        'additionalProperties': True,
    }


add_security_group = _security_group('addSecurityGroup')
remove_security_group = _security_group('removeSecurityGroup')
