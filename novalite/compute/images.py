"""Images of novalite's local catalogue, as the API reads them (Nova reads
Glance through ``nova/image/glance.py``)."""

from novalite.db import api as db


def get(context, image_id):
    """An image; ImageNotFound otherwise."""
    return db.image_get(context, image_id)


def get_all(context, limit=None, marker=None):
    return db.image_get_all(context, limit=limit, marker=marker)
