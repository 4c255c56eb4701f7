"""``/image``: the subset of the Image API v2 (Glance's) that clients use
to list, show, upload, download and delete images of novalite's image
catalogue, so that ``openstack image create --file``, ``server create
--image NAME`` and openstacksdk's image calls work through the catalog.

Served: the version document (``/image``), ``GET/POST /v2/images``,
``GET/DELETE /v2/images/{id}``, ``GET/PUT /v2/images/{id}/file``, and
``GET /v2/images/{id}/tasks`` (always empty: novalite runs no import
tasks). Not served (404): image updates (PATCH), tags, members, the
import workflow (``/stage``, ``/import``, ``/v2/info/...``), the tasks
API, metadefs, schemas. Faults have Nova's JSON body, not Glance's.
"""

import re

from pecan import rest
import webob
import webob.static

from novalite.api.schemas import image_v2 as schema
from novalite.api import validation
from novalite.api.views import image_v2 as views
from novalite.api import wsgi
from novalite.compute import images
from novalite import exception
from novalite import policy

# Glance's limit_param_default and api_limit_max.
DEFAULT_LIMIT = 25
MAX_LIMIT = 1000
# Glance's image API minor versions are not microversions; novalite
# serves the part of v2 all of them share.
VERSION = 'v2.0'

_COLUMN_FILTERS = ('name', 'status', 'visibility', 'owner', 'disk_format',
                   'container_format', 'id')
# Glance's filters that take an operator, ``eq:`` (the default) or
# ``in:`` with a comma-separated list; ``openstack server list`` looks
# its servers' image names up with one ``id=in:...`` query.
_OPERATOR_FILTERS = ('name', 'id', 'status', 'container_format',
                     'disk_format')
# An item of an ``in:`` list: a double-quoted string (which may hold
# commas and backslash-escaped quotes) or anything up to the next comma.
_LIST_ITEM = re.compile(r'"((?:[^"\\]|\\.)*)"(?:,|$)|([^,"]*)(?:,|$)')
# Query parameters that are not filters.
_NOT_FILTERS = ('limit', 'marker', 'sort_key', 'sort_dir', 'sort',
                'member_status', 'os_hidden', 'protected')


def _target(image):
    """The policy target of an image: its owner."""
    return {'project_id': image['owner'] or '', 'owner': image['owner'] or ''}


def _last(req, name):
    values = req.GET.getall(name)
    return values[-1] if values else None


def _sort(req):
    """(key, direction) of the list; Glance's ``sort=key:dir`` or
    ``sort_key``/``sort_dir`` (the first key counts)."""
    if _last(req, 'sort'):
        key, _, direction = _last(req, 'sort').split(',')[0].partition(':')
        return key, direction or 'desc'
    return _last(req, 'sort_key') or 'created_at', \
        _last(req, 'sort_dir') or 'desc'


def _split_list(value):
    """The items of an ``in:`` value, as Glance splits them."""
    items, position = [], 0
    while position < len(value):
        match = _LIST_ITEM.match(value, position)
        if match is None or match.end() == position:
            raise exception.ValidationError(
                detail='Invalid filter value %s.' % value)
        quoted, plain = match.groups()
        # NOTE: as Glance, escaped quotes stay escaped.
        items.append(quoted if quoted is not None else plain)
        position = match.end()
    return items


def _operator_value(value):
    """``value`` of an operator filter: a string (``eq``) or a list
    (``in``). As in Glance, whatever precedes the first colon is the
    operator, and an unknown one is a 400."""
    operator, colon, rest = value.partition(':')
    if not colon:
        return value
    if operator == 'eq':
        return rest
    if operator == 'in':
        return _split_list(rest)
    raise exception.ValidationError(
        detail="Unable to filter by unknown operator '%s'." % operator)


def _filters(req):
    """The list's filters; None when nothing can match (novalite has no
    hidden images and no tags)."""
    filters, properties = {}, {}
    for key, value in req.GET.items():
        if key in _NOT_FILTERS:
            continue
        if key == 'tag':
            return None
        if key in _OPERATOR_FILTERS:
            value = _operator_value(value)
        (filters if key in _COLUMN_FILTERS else properties)[key] = value
    if (_last(req, 'os_hidden') or 'false').lower() == 'true':
        return None
    if _last(req, 'protected'):
        filters['protected'] = _last(req, 'protected').lower() == 'true'
    filters['properties'] = properties
    return filters


class ImageFileController(rest.RestController):
    """``/v2/images/{id}/file``: an image's data."""

    @wsgi.expose()
    def get_all(self, req, image_id):
        image = images.get(req.context, image_id)
        policy.authorize(req.context, 'download_image', _target(image))
        if image['status'] != 'active':
            return webob.Response(status=204)
        try:
            data = open(image['location'], 'rb')
        except FileNotFoundError:
            raise exception.ImageNotFound(image_id=image_id)
        resp = webob.Response(status=200,
                              content_type='application/octet-stream')
        resp.app_iter = webob.static.FileIter(data)
        resp.content_length = image['size']
        if image['checksum']:
            resp.headers['Content-MD5'] = image['checksum']
        return resp

    @wsgi.expose(status=204)
    def put(self, req, image_id):
        image = images.get(req.context, image_id)
        policy.authorize(req.context, 'upload_image', _target(image))
        if req.content_type != 'application/octet-stream':
            raise wsgi.UnsupportedMediaType()
        if not (image['disk_format'] and image['container_format']):
            raise exception.ValidationError(
                detail='Properties disk_format, container_format must be '
                       'set prior to saving data.')
        images.upload(req.context, image, req.body_chunks())


class ImageTasksController(rest.RestController):
    """``/v2/images/{id}/tasks``: the image's import tasks (none)."""

    @wsgi.expose()
    def get_all(self, req, image_id):
        images.get(req.context, image_id)
        policy.authorize(req.context, 'get_image')
        return {'tasks': []}


class ImagesController(rest.RestController):
    """``/v2/images``."""

    file = ImageFileController()
    tasks = ImageTasksController()

    @wsgi.expose()
    @validation.query_schema(schema.index_query)
    def get_all(self, req):
        policy.authorize(req.context, 'get_images')
        limit = min(int(_last(req, 'limit') or DEFAULT_LIMIT), MAX_LIMIT)
        filters = _filters(req)
        if filters is None or limit == 0:
            found = []
        else:
            sort_key, sort_dir = _sort(req)
            found = images.get_all(
                req.context, filters=filters, limit=limit,
                marker=_last(req, 'marker'), sort_key=sort_key,
                sort_dir=sort_dir)
        return views.index(found, list(req.GET.items()), limit)

    @wsgi.expose()
    def get_one(self, req, image_id):
        image = images.get(req.context, image_id)
        policy.authorize(req.context, 'get_image')
        return views.image(image)

    @wsgi.expose(status=201)
    @validation.schema(schema.create)
    def post(self, req):
        body = dict(req.body)
        for name in schema.READ_ONLY:
            if name in body:
                raise exception.ImageAttributeReadOnly(name=name)
        for name in schema.RESERVED:
            if name in body:
                raise exception.ImageAttributeReserved(name=name)
        context = req.context
        owner = body.pop('owner', None) or context.project_id
        if owner != context.project_id and not context.is_admin:
            raise exception.NotAuthorized(
                "You are not permitted to create images owned by '%s'."
                % owner)
        target = {'project_id': owner, 'owner': owner}
        policy.authorize(context, 'add_image', target)
        visibility = body.get('visibility')
        if visibility == 'public':
            policy.authorize(context, 'publicize_image', target)
        elif visibility == 'community':
            policy.authorize(context, 'communitize_image', target)
        body.pop('tags', None)
        body.pop('os_hidden', None)
        values = {key: body.pop(key) for key in list(body)
                  if key in schema.ATTRIBUTES}
        image = images.create(context, values, properties=body, owner=owner)
        return wsgi.response(views.image(image), status=201, headers={
            'Location': '%s/image/v2/images/%s' % (req.application_url,
                                                   image['id'])})

    @wsgi.expose(status=204)
    def delete(self, req, image_id):
        image = images.get(req.context, image_id)
        policy.authorize(req.context, 'delete_image', _target(image))
        images.user_delete(req.context, image)


class V2Controller:
    images = ImagesController()

    @wsgi.expose()
    def _default(self, req, *remainder):
        raise exception.ResourceNotFound()


class ImageController:
    """``/image``: the version document and ``v2``."""

    v2 = V2Controller()

    @wsgi.expose(status=300)
    def index(self, req):
        """Glance's version document (300 Multiple Choices)."""
        return {'versions': [{
            'id': VERSION, 'status': 'CURRENT',
            'links': [{'rel': 'self',
                       'href': req.application_url + '/image/v2/'}]}]}

    @wsgi.expose()
    def _default(self, req, *remainder):
        raise exception.ResourceNotFound()
