from novalite.api import links


def basic(req, flavor):
    view = {'id': flavor['flavorid'], 'name': flavor['name'],
            'links': links.resource_links(req, 'flavors',
                                          flavor['flavorid'])}
    if req.is_version('2.55'):
        view['description'] = flavor['description']
    return view


def detail(req, flavor):
    view = basic(req, flavor)
    view.update({
        'ram': flavor['memory_mb'],
        'disk': flavor['root_gb'],
        'vcpus': flavor['vcpus'],
        # Nova shows "" for no swap until 2.75.
        'swap': flavor['swap'] or '',
        'OS-FLV-EXT-DATA:ephemeral': flavor['ephemeral_gb'],
        'OS-FLV-DISABLED:disabled': flavor['disabled'],
        'os-flavor-access:is_public': flavor['is_public'],
        'rxtx_factor': flavor['rxtx_factor'],
    })
    return view
