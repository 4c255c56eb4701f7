"""``/servers/{id}/metadata[/{key}]``: the server's user metadata."""

from pecan import rest

from novalite.api.controllers import base
from novalite.api.schemas import server_metadata as schema
from novalite.api import validation
from novalite.api.validation import validators
from novalite.api import wsgi
from novalite import exception

POLICY = 'os_compute_api:server-metadata:%s'


class ServerMetadataController(rest.RestController):

    @wsgi.expose()
    @validation.takes_no_query
    def get_all(self, req, server_id):
        instance = base.server(req, server_id, POLICY % 'index',
                               extras=('metadata',))
        return {'metadata': instance['metadata']}

    @wsgi.expose()
    @validation.takes_no_query
    def get_one(self, req, server_id, key):
        instance = base.server(req, server_id, POLICY % 'show',
                               extras=('metadata',))
        if key not in instance['metadata']:
            raise exception.MetadataItemNotFound()
        return {'meta': {key: instance['metadata'][key]}}

    @wsgi.expose()
    @validation.schema(schema.create)
    def post(self, req, server_id):
        """Merge the items into the server's metadata (200, as Nova)."""
        instance = base.server(req, server_id, POLICY % 'create')
        return {'metadata': base.compute_api.update_metadata(
            req.context, instance, req.body['metadata'])}

    @wsgi.expose()
    def put(self, req, server_id, key=None):
        if key is None:
            validators.validate(schema.update_all, req.body)
            instance = base.server(req, server_id, POLICY % 'update_all')
            return {'metadata': base.compute_api.update_metadata(
                req.context, instance, req.body['metadata'], replace=True)}
        validators.validate(schema.update, req.body)
        instance = base.server(req, server_id, POLICY % 'update')
        item = req.body['meta']
        if key not in item:
            raise exception.ValidationError(
                detail='Request body and URI mismatch')
        base.compute_api.update_metadata(req.context, instance, item)
        return {'meta': item}

    @wsgi.expose(status=204)
    def delete(self, req, server_id, key):
        instance = base.server(req, server_id, POLICY % 'delete',
                               extras=('metadata',))
        if key not in instance['metadata']:
            raise exception.MetadataItemNotFound()
        base.compute_api.delete_metadata_item(req.context, instance, key)
