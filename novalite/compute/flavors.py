"""Flavors: what the API reads and writes of them (Nova's
``nova/compute/flavors.py`` and Flavor object), with their extra specs
(os-extra_specs) and access lists (os-flavor-access).

A private flavor (``is_public`` False) is seen and used by admins and by
the projects on its access list, as in Nova.
"""

from novalite.db import api as db
from novalite import exception


def get_by_flavor_id(context, flavor_id):
    """A flavor the caller may use (FlavorNotFound otherwise: a private
    flavor is an admin's and its access list's only)."""
    return db.flavor_get_by_flavor_id(context, flavor_id)


def get_with_extra_specs(context, flavor_id):
    """``get_by_flavor_id``'s flavor with its ``extra_specs``: what a
    server keeps of the flavor it boots or is resized to."""
    return with_extra_specs(context, [get_by_flavor_id(context,
                                                       flavor_id)])[0]


def with_extra_specs(context, flavors):
    """The flavors (already looked up), each with its ``extra_specs``.

    NOTE: by the row ids, in one query: the flavors are not looked up a
    second time.
    """
    specs = db.flavor_extra_specs_get_by_row_ids(
        context, [f['id'] for f in flavors])
    return [dict(f, extra_specs=specs[f['id']]) for f in flavors]


def get_all(context, filters, sort_key='flavorid', sort_dir='asc',
            limit=None, marker=None):
    return db.flavor_get_all(context, filters, sort_key=sort_key,
                             sort_dir=sort_dir, limit=limit, marker=marker)


def create(context, values):
    return db.flavor_create(context, values)


def update_description(context, flavor_id, description):
    return db.flavor_update(context, flavor_id,
                            {'description': description})


def destroy(context, flavor_id):
    db.flavor_destroy(context, flavor_id)


# ------------------------------------------------------------ extra specs

def spec_value(value):
    """A value as stored: numbers become their text, as Nova's string
    field makes them."""
    if isinstance(value, str):
        return value
    text = str(value)
    if len(text) > 255:
        # NOTE: the schema bounds strings; a number's text only here.
        raise exception.Invalid(
            'extra_specs value has %d characters, more than 255.'
            % len(text))
    return text


def extra_specs_get(context, flavor_id):
    """{key: value} of a flavor the caller may see (FlavorNotFound)."""
    return db.flavor_extra_specs_get(context, flavor_id)


def extra_specs_update(context, flavor_id, specs, key=None):
    """Add or change ``specs`` ({key: str or number}), keeping the other
    keys; returns all of them. ``key``: the one key the request's path
    names (PUT .../os-extra_specs/{key}), which ``specs`` must hold."""
    values = {name: spec_value(value) for name, value in specs.items()}
    if key is not None and key not in values:
        raise exception.ValidationError(
            detail='Request body and URI mismatch')
    return db.flavor_extra_specs_update_or_create(context, flavor_id,
                                                  values)


def extra_spec_get(context, flavor_id, key):
    specs = extra_specs_get(context, flavor_id)
    if key not in specs:
        raise exception.FlavorExtraSpecsNotFound(flavor_id=flavor_id,
                                                 extra_specs_key=key)
    return specs[key]


def extra_spec_delete(context, flavor_id, key):
    db.flavor_extra_specs_delete(context, flavor_id, key)


# ----------------------------------------------------------------- access

def access_list(context, flavor_id):
    """[project ids] given access to a private flavor; NotFound for a
    public one (Nova: everyone has access)."""
    flavor, projects = db.flavor_access_get(context, flavor_id)
    if flavor['is_public']:
        raise exception.NotFound(
            'Access list not available for public flavors.')
    return projects


def add_access(context, flavor_id, project_id, allow_public=False):
    """Give a project access to a flavor; returns [project ids].

    A public flavor is a Conflict unless ``allow_public`` (before 2.7
    Nova recorded the access, to no effect).
    """
    if not allow_public:
        flavor = get_by_flavor_id(context, flavor_id)
        if flavor['is_public']:
            raise exception.Conflict(
                'Can not add access to a public flavor.')
    return db.flavor_access_add(context, flavor_id, project_id)


def remove_access(context, flavor_id, project_id):
    """Take a project's access away; returns [project ids]."""
    return db.flavor_access_remove(context, flavor_id, project_id)
