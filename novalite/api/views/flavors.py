"""The flavor views (Nova's ``views/flavors.py``)."""

from novalite.api import links
from novalite import policy

EXTRA_SPECS_POLICY = 'os_compute_api:os-flavor-extra-specs:index'


def basic(req, flavor):
    view = {'id': flavor['flavorid'], 'name': flavor['name'],
            'links': links.resource_links(req, 'flavors',
                                          flavor['flavorid'])}
    if req.is_version('2.55'):
        view['description'] = flavor['description']
    return view


def detail(req, flavor):
    """The full view; with ``extra_specs`` if the flavor has them (see
    ``extra_specs_shown``)."""
    view = basic(req, flavor)
    view.update({
        'ram': flavor['memory_mb'],
        'disk': flavor['root_gb'],
        'vcpus': flavor['vcpus'],
        # Nova shows "" for no swap until 2.75.
        'swap': flavor['swap'] if req.is_version('2.75')
        else flavor['swap'] or '',
        'OS-FLV-EXT-DATA:ephemeral': flavor['ephemeral_gb'],
        'OS-FLV-DISABLED:disabled': flavor['disabled'],
        'os-flavor-access:is_public': flavor['is_public'],
        'rxtx_factor': flavor['rxtx_factor'],
    })
    if req.is_version('2.102'):
        # Nova no longer shows them.
        del view['OS-FLV-DISABLED:disabled'], view['rxtx_factor']
    if 'extra_specs' in flavor:
        view['extra_specs'] = flavor['extra_specs']
    return view


def extra_specs_shown(req):
    """2.61: the full views show the extra specs, to whom the policy
    lets list them."""
    return req.is_version('2.61') and policy.authorize(
        req.context, EXTRA_SPECS_POLICY, fatal=False)
