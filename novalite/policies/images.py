"""The Image API v2's rules: Glance's names and secure-RBAC defaults.

Who may *see* an image (public, community, or the project's own) is
decided in code (compute/images.py), as Glance's image repository does;
these rules decide who may act. ``%(owner)s`` is the image's owner (the
caller's project for a new image).
"""

from oslo_policy import policy

from novalite.policies import base

_READER = 'role:reader and project_id:%(project_id)s'
_OWNER_MEMBER = 'role:member and project_id:%(owner)s'
_OWNER_MEMBER_OR_ADMIN = '%s or (%s)' % (base.ADMIN, _OWNER_MEMBER)


def _rule(name, check_str, description, method, path):
    return policy.DocumentedRuleDefault(
        name=name, check_str=check_str, description=description,
        operations=[{'method': method, 'path': path}],
        scope_types=['project'])


rules = [
    _rule('get_images', '%s or (%s)' % (base.ADMIN, _READER),
          'List images.', 'GET', '/image/v2/images'),
    _rule('get_image', '%s or (%s)' % (base.ADMIN, _READER),
          'Show an image.', 'GET', '/image/v2/images/{image_id}'),
    _rule('add_image', _OWNER_MEMBER_OR_ADMIN,
          'Create an image.', 'POST', '/image/v2/images'),
    _rule('publicize_image', base.ADMIN,
          'Create an image with public visibility.', 'POST',
          '/image/v2/images'),
    _rule('communitize_image', _OWNER_MEMBER_OR_ADMIN,
          'Create an image with community visibility.', 'POST',
          '/image/v2/images'),
    _rule('upload_image', _OWNER_MEMBER_OR_ADMIN,
          "Upload an image's data.", 'PUT',
          '/image/v2/images/{image_id}/file'),
    _rule('download_image', '%s or (%s)' % (base.ADMIN, _READER),
          "Download an image's data.", 'GET',
          '/image/v2/images/{image_id}/file'),
    _rule('delete_image', _OWNER_MEMBER_OR_ADMIN,
          'Delete an image.', 'DELETE', '/image/v2/images/{image_id}'),
]


def list_rules():
    return rules
