"""JSON-schema validation of bodies and query strings, per microversion.

``schema``/``query_schema`` only record a schema and its version range on
the handler; ``novalite.api.wsgi.expose`` picks the one that matches the
request's microversion and validates before the handler runs. Ranges of one
handler may neither overlap nor leave gaps (checked at import time), so
every version has exactly one schema.
"""

from novalite.api import api_version

_BODY = '_novalite_body_schemas'
_QUERY = '_novalite_query_schemas'


def _register(attr, schema, min_version, max_version):
    def decorator(func):
        entries = getattr(func, attr, [])
        low = api_version.APIVersionRequest(min_version or
                                            api_version.MIN_API_VERSION)
        high = api_version.APIVersionRequest(max_version or
                                             api_version.MAX_API_VERSION)
        for other_low, other_high, _ in entries:
            if not (high < other_low or low > other_high):
                raise ValueError('%s: schema ranges %s-%s and %s-%s overlap'
                                 % (func.__name__, low, high, other_low,
                                    other_high))
        entries = sorted(entries + [(low, high, schema)],
                         key=lambda e: e[0])
        setattr(func, attr, entries)
        return func
    return decorator


def schema(request_body_schema, min_version=None, max_version=None):
    return _register(_BODY, request_body_schema, min_version, max_version)


def query_schema(request_query_schema, min_version=None, max_version=None):
    return _register(_QUERY, request_query_schema, min_version,
                     max_version)


# Nova's show_query_v2102 and the like: no query parameter at all.
_NO_QUERY = {'type': 'object', 'properties': {},
             'additionalProperties': False}


def takes_no_query(func):
    """For a route that takes no query parameter: any is ignored below
    2.102 and a 400 from 2.102, as Nova's."""
    func = query_schema(None, api_version.MIN_API_VERSION, '2.101')(func)
    return query_schema(_NO_QUERY, '2.102')(func)


def check_no_gaps(func):
    """Raise if the schemas of ``func`` leave a microversion uncovered."""
    for attr in (_BODY, _QUERY):
        entries = getattr(func, attr, None)
        if not entries:
            continue
        if entries[0][0] != api_version.MIN:
            raise ValueError('%s: no schema from %s' % (func.__name__,
                                                        api_version.MIN))
        for (_, high, _), (low, _, _) in zip(entries, entries[1:]):
            if (high.major, high.minor + 1) != (low.major, low.minor):
                raise ValueError('%s: schema gap after %s'
                                 % (func.__name__, high))
        if entries[-1][1] != api_version.MAX:
            raise ValueError('%s: no schema up to %s'
                             % (func.__name__, api_version.MAX))


def body_schema_for(func, version):
    return _pick(getattr(func, _BODY, None), version)


def query_schema_for(func, version):
    return _pick(getattr(func, _QUERY, None), version)


def has_body_schema(func):
    return bool(getattr(func, _BODY, None))


def has_query_schema(func):
    return bool(getattr(func, _QUERY, None))


def _pick(entries, version):
    for low, high, chosen in entries or ():
        if version.matches(low, high):
            return chosen
    return None
