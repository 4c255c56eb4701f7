from novalite.api import common

_INDEX = ('name', 'public_key', 'fingerprint')
_CREATE = _INDEX + ('user_id',)
_SHOW = _CREATE + ('created_at', 'deleted', 'deleted_at', 'id',
                   'updated_at')


def _fields(keypair, names, with_type):
    view = {name: keypair[name] for name in names}
    if with_type:
        view['type'] = keypair['type']
    return view


def create(req, keypair, private_key=None):
    view = {}
    if private_key is not None:
        view['private_key'] = private_key
    if req.is_version('2.2'):
        view['type'] = keypair['type']
    view.update(_fields(keypair, _CREATE, False))
    return {'keypair': view}


def index(req, keypairs):
    return {'keypairs': [
        {'keypair': _fields(keypair, _INDEX, req.is_version('2.2'))}
        for keypair in keypairs]}


def show(req, keypair):
    keypair = dict(keypair,
                   # Nova's naive microsecond format; never updated or
                   # deleted while visible.
                   created_at=common.usage_time(keypair['created_at']),
                   updated_at=common.usage_time(keypair['updated_at']),
                   deleted_at=common.usage_time(keypair['deleted_at']),
                   deleted=bool(keypair['deleted']))
    return {'keypair': _fields(keypair, _SHOW, req.is_version('2.2'))}
