"""``/images``: Nova's read-only image proxy over the local catalogue.

Anyone authenticated may read every image (Nova has no policy here).
"""

from pecan import rest

from novalite.api import api_version
from novalite.api import common
from novalite.api import links
from novalite.api.schemas import images as schema
from novalite.api import validation
from novalite.api.views import images as views
from novalite.api import wsgi
from novalite.compute import images
from novalite import exception


def _list(req, collection, view):
    limit, marker = common.limit_and_marker(req)
    found = images.get_all(req.context, limit=limit, marker=marker)
    return links.paged(req, 'images', collection,
                       [view(req, image) for image in found], limit)


class ImagesController(rest.RestController):

    _custom_actions = {'detail': ['GET']}

    @wsgi.expose(max_version=api_version.MAX_PROXY_API_VERSION)
    @validation.query_schema(schema.index_query)
    def get_all(self, req):
        return _list(req, 'images', views.basic)

    @wsgi.expose(max_version=api_version.MAX_PROXY_API_VERSION)
    @validation.query_schema(schema.index_query)
    def detail(self, req):
        return _list(req, 'images/detail', views.detail)

    @wsgi.expose(max_version=api_version.MAX_PROXY_API_VERSION)
    def get_one(self, req, image_id):
        try:
            image = images.get(req.context, image_id)
        except exception.ImageNotFound:
            raise exception.ImageNotFoundProxy()
        return {'image': views.detail(req, image)}
