"""Flavors: what the API reads and writes of them (Nova's
``nova/compute/flavors.py`` and Flavor object)."""

from novalite.db import api as db


def get_by_flavor_id(context, flavor_id):
    """A flavor the caller may use (FlavorNotFound otherwise: a private
    flavor is an admin's only)."""
    return db.flavor_get_by_flavor_id(context, flavor_id)


def get_all(context, filters, sort_key='flavorid', sort_dir='asc',
            limit=None, marker=None):
    return db.flavor_get_all(context, filters, sort_key=sort_key,
                             sort_dir=sort_dir, limit=limit, marker=marker)


def create(context, values):
    return db.flavor_create(context, values)


def destroy(context, flavor_id):
    db.flavor_destroy(context, flavor_id)
