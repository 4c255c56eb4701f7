"""``/os-keypairs``: SSH (and X509) key pairs, per user.

A key pair belongs to a user, not a project. From 2.10 an admin may act
for another user (``user_id`` in the create body, ``?user_id=`` on the
others); the policy target is that user.
"""

from pecan import rest

from novalite.api import common
from novalite.api import links
from novalite.api.schemas import keypairs as schema
from novalite.api import validation
from novalite.api.views import keypairs as views
from novalite.api import wsgi
from novalite.compute import keypairs
from novalite import exception
from novalite import policy

POLICY = 'os_compute_api:os-keypairs:%s'


def _user_id(req):
    """The user acted on: ``?user_id=`` (first value, from 2.10)."""
    if req.is_version('2.10') and 'user_id' in req.GET:
        return req.GET.getall('user_id')[0] or req.context.user_id
    return req.context.user_id


class KeypairsController(rest.RestController):

    @wsgi.expose()
    @validation.query_schema(schema.index_query_v210, '2.1', '2.34')
    @validation.query_schema(schema.index_query_v235, '2.35', '2.74')
    @validation.query_schema(schema.index_query_v275, '2.75')
    def get_all(self, req):
        user_id = _user_id(req)
        policy.authorize(req.context, POLICY % 'index', {'user_id': user_id})
        if not req.is_version('2.35'):
            return views.index(req, keypairs.get_all(req.context, user_id))
        limit, marker = common.limit_and_marker(req)
        try:
            found = keypairs.get_all(req.context, user_id, limit=limit,
                                     marker=marker)
        except exception.MarkerNotFound:
            raise exception.ValidationError(
                detail='Marker %s could not be found.' % marker)
        result = views.index(req, found)
        next_link = links.collection_next(req, 'os-keypairs', found, limit,
                                          id_key='name')
        if next_link:
            result['keypairs_links'] = next_link
        return result

    @wsgi.expose()
    @validation.query_schema(schema.show_query, '2.1', '2.74')
    @validation.query_schema(schema.show_query_v275, '2.75')
    def get_one(self, req, name):
        user_id = _user_id(req)
        policy.authorize(req.context, POLICY % 'show', {'user_id': user_id})
        return views.show(req, keypairs.get(req.context, user_id, name))

    @wsgi.expose()
    @validation.schema(schema.create, '2.1', '2.1')
    @validation.schema(schema.create_v22, '2.2', '2.9')
    @validation.schema(schema.create_v210, '2.10', '2.91')
    @validation.schema(schema.create_v292, '2.92')
    def post(self, req):
        context = req.context
        body = req.body['keypair']
        user_id = body.get('user_id') or context.user_id
        policy.authorize(context, POLICY % 'create', {'user_id': user_id})
        keypair, private_key = keypairs.create(
            context, user_id, body['name'], body.get('type', 'ssh'),
            body.get('public_key'))
        result = views.create(req, keypair, private_key)
        return wsgi.response(result, 201 if req.is_version('2.2') else 200)

    @wsgi.expose()
    @validation.query_schema(schema.show_query, '2.1', '2.74')
    @validation.query_schema(schema.show_query_v275, '2.75')
    def delete(self, req, name):
        user_id = _user_id(req)
        policy.authorize(req.context, POLICY % 'delete', {'user_id': user_id})
        keypairs.delete(req.context, user_id, name)
        return wsgi.response(None, 204 if req.is_version('2.2') else 202)
