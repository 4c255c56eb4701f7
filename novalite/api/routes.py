"""Every (method, path) the API serves, found by walking the pecan tree.

Used by tests (the policy matrix and the api-ref must cover each route)
so that a new handler cannot go unnoticed.
"""

import inspect

from pecan import rest

from novalite.api.controllers import root

_REST_METHODS = (('get_all', 'GET', False), ('get_one', 'GET', True),
                 ('post', 'POST', False), ('put', 'PUT', None),
                 ('delete', 'DELETE', None))

_ID_NAMES = {'servers': '{server_id}', 'flavors': '{flavor_id}',
             'images': '{image_id}', 'os-keypairs': '{keypair_name}',
             'tags': '{tag}', 'ips': '{network_label}',
             'os-networks': '{network_id}', 'metadata': '{key}',
             'os-instance-actions': '{request_id}',
             'os-services': '{service_id}',
             'os-hypervisors': '{hypervisor_id}',
             'os-simple-tenant-usage': '{tenant_id}',
             'os-quota-sets': '{tenant_id}',
             'os-extra_specs': '{flavor_extra_spec_key}',
             'os-server-groups': '{server_group_id}',
             'os-security-groups': '{security_group_id}',
             'os-security-group-rules': '{security_group_rule_id}'}


def _own_handlers(controller):
    cls = type(controller)
    return {name for name in dir(cls)
            if getattr(getattr(cls, name), 'exposed', False)}


def _walk(controller, prefix, name, parent_ids=0):
    """``parent_ids``: path ids handed to this controller's handlers by
    the controllers above it (e.g. server_id for /servers/{id}/tags)."""
    found = []
    handlers = _own_handlers(controller)
    item = prefix + '/' + _ID_NAMES.get(name, '{id}')
    for method_name, verb, with_id in _REST_METHODS:
        if method_name not in handlers:
            continue
        func = getattr(controller, method_name)
        params = [p for p in inspect.signature(func).parameters.values()
                  if p.name != 'req']
        takes_id = len(params) > parent_ids
        optional = any(p.default is not p.empty for p in params)
        if with_id is None:
            # put/delete: on the item, and on the collection if the id
            # is optional (e.g. PUT /servers/{id}/tags replaces all).
            if takes_id:
                found.append((verb, item))
            if optional or not takes_id:
                found.append((verb, prefix))
        elif with_id:
            found.append((verb, item))
        else:
            found.append((verb, prefix))
    for action, verbs in getattr(controller, '_custom_actions', {}).items():
        for verb in verbs:
            found.append((verb, prefix + '/' + action))
    for attr in dir(type(controller)):
        child = getattr(controller, attr, None)
        if isinstance(child, rest.RestController) and attr not in handlers:
            found.extend(_walk(child, item + '/' + attr, attr,
                               parent_ids + 1))
    return found


def list_routes():
    """[(method, path)] relative to /v2.1, e.g. ('GET', '/servers')."""
    v21 = root.V21Controller()
    found = []
    for name in dir(type(v21)):
        controller = getattr(v21, name)
        if isinstance(controller, rest.RestController):
            # NOTE: pecan.route() names (``os-keypairs``) are class
            # attributes too, found here with the others.
            found.extend(_walk(controller, '/' + name, name))
    return sorted(set(found))
