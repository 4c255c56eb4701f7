"""URLs in responses: self and bookmark links, collection next links."""

import urllib.parse

from oslo_config import cfg

CONF = cfg.CONF


def base_url(webob_request):
    """Where the API is mounted, e.g. http://host:8774 (no version)."""
    if CONF.api.compute_link_prefix:
        return CONF.api.compute_link_prefix.rstrip('/')
    return webob_request.environ.get('novalite.base_url') or \
        webob_request.application_url


def _project_part(req):
    # Links carry the project id only if the request URL did.
    return '/' + req.url_project_id if req.url_project_id else ''


def resource_links(req, collection, resource_id):
    base = req.application_url
    project = _project_part(req)
    return [
        {'rel': 'self',
         'href': '%s/v2.1%s/%s/%s' % (base, project, collection,
                                      resource_id)},
        {'rel': 'bookmark',
         'href': '%s%s/%s/%s' % (base, project, collection, resource_id)},
    ]


def bookmark_link(req, collection, resource_id):
    return [{'rel': 'bookmark',
             'href': '%s%s/%s/%s' % (req.application_url,
                                     _project_part(req), collection,
                                     resource_id)}]


def paged(req, key, collection_path, items, page_size):
    """``{key: items}``, plus ``<key>_links`` when the page is full."""
    result = {key: items}
    next_link = collection_next(req, collection_path, items, page_size)
    if next_link:
        result[key + '_links'] = next_link
    return result


def collection_next(req, collection_path, items, page_size,
                    id_key='id'):
    """[{"rel": "next", ...}] when the page is full, else [].

    The href repeats every query parameter of the request, sorted by name,
    with ``marker`` set to the last item's id (as Nova does).
    """
    if not items or page_size is None or len(items) < page_size:
        return []
    # One value per parameter (the last), as Nova's dict of them.
    params = dict(req.GET.items())
    params['marker'] = items[-1][id_key]
    params = sorted(params.items())
    return [{'rel': 'next',
             'href': '%s/v2.1%s/%s?%s' % (
                 req.application_url, _project_part(req), collection_path,
                 urllib.parse.urlencode(params))}]
