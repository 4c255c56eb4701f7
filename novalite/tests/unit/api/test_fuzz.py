"""A fuzzer over every route of the API, driven by Hypothesis.

Each example is one request: a route of ``novalite.api.routes`` (its ids
real, of another project, deleted, or garbage), a method (often one the
route does not allow), a microversion header (valid, out of range,
garbage or absent), a query string (known filter names with hostile
values, repeated) and a body (a valid one, one generated from the
route's JSON schema, a mutation of either, any JSON, or bytes that are
not JSON or not UTF-8), as one of several users.

Every answer must be below 500 (501 only where the API documents it) and
every error must be in Nova's fault shape. After the run, once the agent
has settled, the database must be consistent (states, addresses, tags,
quota usage against the rows).

``NOVALITE_FUZZ_EXAMPLES`` is the number of requests (a few hundred by
default, for CI), ``NOVALITE_FUZZ_SEED`` the seed (fixed by default, so a
run is reproducible), ``NOVALITE_FUZZ_DB`` the database (SQLite by
default; ``mysql`` or ``postgresql``), ``NOVALITE_FUZZ_TRACE`` a file for
every request and answer. ``tox -e fuzz`` makes the long run and prints
its figures.
"""

import base64
import collections
import json
import logging
import os
import string
import time
import urllib.parse
import warnings

import hypothesis
from hypothesis import strategies as st
import sqlalchemy as sa
import webtest
from webtest import lint

from novalite.api import actions
from novalite.api import api_version
from novalite.api.controllers import root
from novalite.api import faults
from novalite.api import routes
from novalite.api.schemas import flavor_access as flavor_access_schema
from novalite.api.schemas import server_metadata as \
    server_metadata_schema
from novalite.api.schemas import servers as servers_schema
from novalite.api import validation
from novalite.api.validation import parameter_types as types
from novalite import crypto
from novalite.db import api as db
from novalite.db import models
from novalite import exception
from novalite import quota
from novalite import states
from novalite.tests import base
from novalite.tests import fixtures as nl_fixtures
from novalite.tests.unit.db import test_migrations

EXAMPLES = int(os.environ.get('NOVALITE_FUZZ_EXAMPLES') or 500)
SEED = int(os.environ.get('NOVALITE_FUZZ_SEED') or 20250917)
# sqlite (default), mysql or postgresql (a new database on the server of
# the migration tests, NOVALITE_TEST_MYSQL_URL/_POSTGRESQL_URL).
BACKEND = os.environ.get('NOVALITE_FUZZ_DB') or 'sqlite'

# Longest fault message accepted (the API cuts its own at about 520).
MAX_MESSAGE = 600

VERSIONS = ['2.%d' % minor for minor in range(1, api_version.MAX.minor + 1)]
LATEST = str(api_version.MAX)

METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS',
           'TRACE', 'get', 'FOO']

# (token, X-Roles): who calls, by weight. None: no token.
PERSONAS = [(40, ('demo:demo', None)), (20, ('admin:admin', None)),
            (8, ('eve:evil', None)), (8, ('peek:demo', 'reader')),
            (4, ('fz:0123abcd', None)), (4, ('demo:demo', 'admin')),
            (2, ('demo', None)), (2, (':', None)), (2, (None, None)),
            (2, (':demo', None)), (2, ('%s:demo' % ('u' * 80), None))]

# Paths outside the route list (relative to the host).
EXTRA_PATHS = ['/', '/v2', '/v2/', '/v2.1', '/v2.1/', '/v2.1/nothing',
               '/v2.1/servers/{server_id}/nothing', '/v2.1//servers',
               '/v2.1/{project}/servers', '/v2.1/{project}/servers/detail',
               '/v2.1/{project}/os-keypairs/{keypair_name}',
               '/v2.1/servers/{server_id}/action/extra',
               '/v2.1/servers/{server_id}/tags/{tag}/more',
               '/v2.1/flavors/{flavor_id}/os-extra_specs/{tag}/more',
               '/v2.1/servers/detail/{server_id}', '/v2.1/limits/{tag}']

# Header values are latin-1 (WSGI), here printable.
_HEADER_TEXT = st.text(''.join(chr(c) for c in range(0x20, 0x100)
                               if c != 0x7f), max_size=40)

_NASTY_STRINGS = [
    '', ' ', '  x  ', '\x00', '\t', '\n', 'null', 'None', 'true', '0', '-1',
    '1e309', 'NaN', '../../etc/passwd', '%s%s%n', '%(x)s', '{}', '[]',
    '(a+)+$', '(?P<x>', '[', '\\', '*', '.*', "' OR 1=1 --", '"',
    '\u00e9t\u00e9', '\U0001f4a5', '\u202eevil', '\ufeff', '\ud800',
    '\udfff', 'a\ud800b', 'x' * 255, 'x' * 256, 'y' * 5000,
    base.IMAGE_ID, '00000000-0000-0000-0000-000000000000',
    '155D900F4E144E4CA73D069CBF4541E6', '1', 'm1.tiny',
]

_REGEXES = ['.*', '^a', '(a+)+$', '(a|a)*$', '[', '(', '\\', '', 'a{99999}',
            '(?i)x', '\\d+', '[^,]', '(?P<n>a)(?P=n)', '.{0,100000}',
            '\\x00', '^$', '|', 'a**']

_QUERY_VALUES = [
    '', '0', '-1', '1', '2', '1000', '1001', '2147483647', '2147483648',
    '-2147483649', '9223372036854775808', '9' * 40, '9' * 5000, '1e10',
    '1.5', '-0', '+1', '0x10', 'NaN', 'inf', 'true', 'false', 'True', 'yes',
    'no', 'on', 'None', 'null', '1970-01-01T00:00:00Z',
    '2038-01-19T03:14:08', '9999-12-31T23:59:59Z', '0001-01-01T00:00:00',
    '2020-02-30T00:00:00Z', '2020-01-01T00:00:00+99:00', 'now', 'ACTIVE',
    'SHUTOFF', 'DELETED', 'BUILD', 'ERROR', 'SOFT_DELETED', 'active',
    'deleted', 'building', 'created_at', 'display_name', 'uuid', 'host',
    'node', 'id', 'asc', 'desc', 'ASC', 'sideways', 'a,b', ',,,', 't',
    'private', 'demo', 'evil', 'admin', base.IMAGE_ID, 'x' * 256,
    'z' * 70000, '\u00e9', '\U0001f4a5', '*', '%', "'", '"', ';--',
    '\x00', 'a\x00b', '\t', ' ',
] + _REGEXES

# Query parameters any route may be sent, besides its schema's.
_COMMON_QUERY = [
    'limit', 'marker', 'sort_key', 'sort_dir', 'all_tenants', 'user_id',
    'tenant_id', 'project_id', 'deleted', 'status', 'changes-since',
    'changes-before', '_method', 'is_public', 'minRam', 'minDisk',
    'page_size', 'offset', 'tags', 'tags-any', 'not-tags', 'not-tags-any',
    'name', 'ip', 'ip6', 'flavor', 'image', 'host', 'node', 'soft_deleted',
    'power_state', 'progress', 'launch_index', 'auto_disk_config',
    'locked', 'uuid', 'vm_state', 'task_state', 'reservation_id',
    'metadata', 'services', '_private', 'type', 'length']


# ------------------------------------------------------------ strategies

def _json_scalars():
    return st.one_of(
        st.none(), st.booleans(),
        st.integers(), st.integers(-2 ** 70, 2 ** 70),
        st.sampled_from([0, -1, 1, types.MAX_INT, types.MAX_INT + 1,
                         types.MIN_INT - 1, 2 ** 63, -2 ** 63, 10 ** 30]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=30),
        st.sampled_from(_NASTY_STRINGS),
        st.text(st.characters(min_codepoint=0xd800, max_codepoint=0xdfff),
                min_size=1, max_size=3),
        st.sampled_from([256, 65536, 100000]).map(lambda n: 'x' * n),
    )


def _any_json(max_leaves=8):
    return st.recursive(
        _json_scalars(),
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.one_of(st.text(max_size=10),
                                      st.sampled_from(_NASTY_STRINGS)),
                            children, max_size=4)),
        max_leaves=max_leaves)


JSON_SCALARS = _json_scalars()
ANY_JSON = _any_json()

RAW_BODIES = st.one_of(
    st.binary(max_size=64),
    st.sampled_from([b'{', b'{"a": }', b'\xff\xfe', b'[]' * 10,
                     b'{"server": {"name": "\xff"}}', b'{"a": 1}{"b": 2}',
                     b'\x00', b'NaN', b'{"a": 1e99999}', b'"\\ud800"',
                     b'{"a": ' + b'9' * 5000 + b'}', b'\xef\xbb\xbf{}',
                     b' ' * 1000, b'x' * 200000]),
    st.sampled_from([100, 999, 1000, 5000, 100000]).map(
        lambda n: b'[' * n + b']' * n),
    st.sampled_from([100, 1000, 5000]).map(
        lambda n: b'{"a":' * n + b'1' + b'}' * n))


def _deep(depth):
    value = 1
    for _ in range(depth):
        value = {'a': value} if depth % 2 else [value]
    return value


_FORMATS = {
    'uuid': st.one_of(st.uuids().map(str), st.just(base.IMAGE_ID)),
    'ipv4': st.ip_addresses(v=4).map(str),
    'ipv6': st.ip_addresses(v=6).map(str),
    'base64': st.binary(max_size=40).map(
        lambda b: base64.b64encode(b).decode('ascii')),
    'date-time': st.datetimes().map(lambda d: d.isoformat() + 'Z'),
    'regex': st.sampled_from(_REGEXES),
    'name': st.text(string.ascii_letters + string.digits + ' -_.',
                    min_size=1, max_size=20).map(
        lambda s: s.strip() or 'n'),
    'printable': st.text(max_size=20),
}


def from_schema(schema, depth=0):
    """A rough Hypothesis strategy for a JSON schema: values mostly valid,
    never exhaustive (the mutations below add the invalid ones)."""
    if depth > 6:
        return st.none()
    if 'enum' in schema:
        return st.sampled_from(schema['enum'])
    for key in ('oneOf', 'anyOf'):
        if key in schema:
            return st.one_of([from_schema(s, depth + 1)
                              for s in schema[key]])
    if 'allOf' in schema:
        with_pattern = [s for s in schema['allOf'] if 'pattern' in s]
        return from_schema((with_pattern or schema['allOf'])[0], depth + 1)
    kinds = schema.get('type')
    if kinds is None:
        return JSON_SCALARS
    if isinstance(kinds, str):
        kinds = [kinds]
    return st.one_of([_from_type(schema, kind, depth) for kind in kinds])


def _from_type(schema, kind, depth):
    if kind == 'object':
        props = schema.get('properties', {})
        required = {k: from_schema(props.get(k, {}), depth + 1)
                    for k in schema.get('required', ())}
        optional = {k: from_schema(v, depth + 1) for k, v in props.items()
                    if k not in required}
        strategy = st.fixed_dictionaries(required, optional=optional)
        patterns = schema.get('patternProperties', {})
        if patterns:
            pattern, sub = next(iter(patterns.items()))
            extra = st.dictionaries(st.from_regex(pattern, fullmatch=True),
                                    from_schema(sub, depth + 1), max_size=3)
            strategy = st.tuples(strategy, extra).map(
                lambda pair: dict(pair[1], **pair[0]))
        return strategy
    if kind == 'array':
        if isinstance(schema.get('items'), list):
            # Draft 4's tuple form: one schema per position.
            return st.tuples(*[from_schema(item, depth + 1)
                               for item in schema['items']]).map(list)
        return st.lists(from_schema(schema.get('items', {}), depth + 1),
                        max_size=min(schema.get('maxItems', 4), 4))
    if kind == 'string':
        if 'format' in schema and schema['format'] in _FORMATS:
            return _FORMATS[schema['format']]
        low = schema.get('minLength', 0)
        high = min(schema.get('maxLength', 30), 30)
        if 'pattern' in schema:
            return st.from_regex(schema['pattern'], fullmatch=True).map(
                lambda s: s[:high]).filter(lambda s: len(s) >= low)
        return st.text(min_size=low, max_size=max(low, high))
    if kind == 'integer':
        return st.integers(schema.get('minimum', -10),
                           schema.get('maximum', 2 ** 32))
    if kind == 'number':
        return st.floats(schema.get('minimum'), schema.get('maximum'))
    if kind == 'boolean':
        return st.booleans()
    return st.none()


@st.composite
def mutated(draw, seed_body):
    """``seed_body`` with one to three changes somewhere inside it."""
    body = json.loads(json.dumps(seed_body))
    for _ in range(draw(st.integers(1, 3))):
        body = _mutate_once(draw, body)
    return body


_MUTATED = {}


def mutations_of(seeds):
    """Mutations of any of ``seeds`` (one strategy per list of seeds)."""
    key = json.dumps(seeds, sort_keys=True)
    if key not in _MUTATED:
        _MUTATED[key] = st.sampled_from(seeds).flatmap(mutated)
    return _MUTATED[key]


def _mutate_once(draw, body):
    # Walk down to a container, then change one of its entries.
    holder, key = None, None
    node = body
    while isinstance(node, (dict, list)) and node and draw(
            st.integers(0, 3)) > 0:
        keys = list(node) if isinstance(node, dict) else range(len(node))
        holder, key = node, draw(st.sampled_from(list(keys)))
        node = node[key]
    op = draw(st.sampled_from(['drop', 'add', 'replace', 'replace',
                               'wrap', 'deep', 'type']))
    if holder is None:
        if op == 'drop':
            return {}
        if isinstance(body, dict) and op == 'add':
            body[draw(st.sampled_from(_NASTY_STRINGS))] = draw(ANY_JSON)
            return body
        return draw(ANY_JSON)
    if op == 'drop':
        if isinstance(holder, dict):
            del holder[key]
        else:
            holder.pop(key)
    elif op == 'add':
        if isinstance(node, dict):
            node[draw(st.one_of(st.text(max_size=12),
                                st.sampled_from(_NASTY_STRINGS)))] = draw(
                ANY_JSON)
        elif isinstance(node, list):
            node.append(draw(ANY_JSON))
        else:
            holder[key] = draw(ANY_JSON)
    elif op == 'wrap':
        holder[key] = [node]
    elif op == 'deep':
        holder[key] = _deep(draw(st.sampled_from([10, 50, 200])))
    elif op == 'type':
        holder[key] = {str: 5, int: '5', float: '1.5', bool: 'yes',
                       type(None): {}, list: {}, dict: []}[type(node)]
    else:
        holder[key] = draw(JSON_SCALARS)
    return body


Request = collections.namedtuple(
    'Request', ['method', 'template', 'url', 'headers', 'body', 'chunked'])


def pick(draw, *weighted):
    """Draw from one of the strategies, chosen by weight (the first is the
    one Hypothesis shrinks towards)."""
    weighted = [(w, s) for w, s in weighted if w]
    index = draw(st.integers(0, sum(w for w, _s in weighted) - 1))
    for weight, strategy in weighted:
        if index < weight:
            return draw(strategy)
        index -= weight


def _weighted(*weighted):
    return st.composite(lambda draw: pick(draw, *weighted))()


def _encode(body):
    if body is None or isinstance(body, bytes):
        return body
    return json.dumps(body).encode('utf-8', 'surrogatepass')


@st.composite
def _query(draw, handler, value):
    names = list(_COMMON_QUERY)
    schema = validation.query_schema_for(
        handler, api_version.MAX) if handler else None
    if schema:
        names += sorted(schema['properties'])
    if pick(draw, (60 if schema else 75, st.just(True)),
            (40 if schema else 25, st.just(False))):
        return ''
    name = _weighted((85, st.sampled_from(names)),
                     (15, st.text(max_size=10)))
    pairs = draw(st.lists(st.tuples(name, value), min_size=1, max_size=6))
    if draw(st.integers(0, 3)) == 0:
        pairs.append(draw(st.sampled_from(pairs)))  # repeated
    parts = []
    for key, val in pairs:
        form = draw(st.integers(0, 19))
        if form == 19:
            parts.append(_quote(key))  # no '='
        elif form == 18:
            parts.append('%s=%s' % (_quote(key), _quote(
                draw(st.binary(min_size=1, max_size=4)))))
        else:
            parts.append('%s=%s' % (_quote(key), _quote(val)))
    return '&'.join(parts)


def _headers(has_body):
    persona = _weighted(
        *[(w, st.just(p)) for w, p in PERSONAS],
        (10, st.tuples(_HEADER_TEXT, st.one_of(st.none(), _HEADER_TEXT))))
    version = _weighted(
        (30, st.none()), (15, st.sampled_from([LATEST, 'latest'])),
        (35, st.sampled_from(VERSIONS)),
        (10, st.sampled_from(['2.0', '2.27', '2.99', '3.0', '1.1', '0.1',
                              '2.' + '9' * 30, '02.1', '2.01', '2', '2.',
                              '.1', '2.1.1', '-2.1', ' 2.1 ', 'LATEST',
                              '2.1a', '\u00b2.1', '2.-1', ''])),
        (10, _HEADER_TEXT))
    version_form = _weighted((70, st.just(0)), (15, st.just(1)),
                             (10, st.just(2)), (5, st.just(3)))
    content_type = _weighted(
        (80, st.just('application/json')),
        (15, st.sampled_from([
            'text/plain', 'application/json; charset=UTF-8',
            'application/vnd.openstack.compute+json', 'application/xml',
            'multipart/form-data', 'multipart/form-data; boundary=x',
            'application/x-www-form-urlencoded', '', None])),
        (5, _HEADER_TEXT))
    others = (
        ('Accept', st.sampled_from(['application/xml', '*/*',
                                    'text/html;q=0.9'])),
        ('X-OpenStack-Request-ID', st.one_of(
            st.uuids().map(lambda u: 'req-%s' % u), _HEADER_TEXT)),
        ('Host', st.sampled_from(['localhost:8774', 'h\u00e9', '[::1]:80',
                                  'a:b:c', ''])),
        ('X-Forwarded-Proto', st.sampled_from(['https', 'gopher', ''])),
        ('Accept-Encoding', st.sampled_from(['gzip', 'br'])),
        ('Accept-Language', _HEADER_TEXT),
        ('Content-Encoding', st.sampled_from(['gzip', 'x'])))

    @st.composite
    def headers(draw):
        result = {}
        token, roles = draw(persona)
        if token is not None:
            result['X-Auth-Token'] = token
        if roles is not None:
            result['X-Roles'] = roles
        value = draw(version)
        if value is not None:
            form = draw(version_form)
            if form == 0:
                result['OpenStack-API-Version'] = 'compute %s' % value
            elif form == 1:
                result['X-OpenStack-Nova-API-Version'] = value
            elif form == 2:
                result['OpenStack-API-Version'] = (
                    'volume 3.0, compute %s, compute' % value)
            else:
                result['OpenStack-API-Version'] = value
                result['X-OpenStack-Nova-API-Version'] = 'compute ' + value
        ctype = draw(content_type)
        if ctype is not None and (has_body or
                                  draw(st.integers(0, 9)) == 0):
            result['Content-Type'] = ctype
        for name, values in others:
            if draw(st.integers(0, 19)) == 0:
                result[name] = draw(values)
        return result

    return headers()


def _not_json(constant):
    raise ValueError('%s is not JSON' % constant)


def _strict_json(raw):
    """An answer's body: JSON as RFC 8259 has it (no NaN, no Infinity,
    which Python's json would take and write)."""
    return json.loads(raw, parse_constant=_not_json)


def _has_surrogates(text):
    return any(0xd800 <= ord(c) <= 0xdfff for c in text)


def _quote(value):
    if isinstance(value, bytes):
        return urllib.parse.quote_from_bytes(value, safe='')
    return urllib.parse.quote(value, safe='', errors='surrogatepass')


class TestFuzz(base.APITestCase):
    """``EXAMPLES`` generated requests; see the module docstring."""

    def database_fixture(self):
        if BACKEND == 'sqlite':
            return super().database_fixture()
        return nl_fixtures.Database(
            test_migrations.provision_database(self, BACKEND))

    def setUp(self):
        super().setUp()
        self.network = db.network_create(self.admin_context, {
            'name': 'private', 'cidr': '10.0.0.0/22'})
        self.create_flavor(flavorid='f2', name='m1.small', vcpus=2,
                           memory_mb=1024, root_gb=2)
        own = self.create_server(name='own')
        tagged = self.create_server(name='tagged')
        self.api.as_user('demo', version='2.26').put(
            'servers/%s/tags/t' % tagged['id'], status=201)
        other = self.create_server(api=self.api.as_user('eve', 'evil'),
                                   name='other')
        gone = self.create_server(name='gone')
        self.api.delete('servers/%s' % gone['id'], status=204)
        self.wait_for_status(gone['id'], 'DELETED')
        _private, self.public_key, _fp = (
            crypto.generate_ssh_key())
        self.api.post('os-keypairs', {'keypair': {
            'name': 'kp1', 'public_key': self.public_key}}, status=200)
        # A private flavor the project may use, extra specs, and a
        # server group of each project.
        self.create_flavor(flavorid='fpriv', name='private', is_public=False)
        db.flavor_access_add(self.admin_context, 'fpriv', 'demo')
        db.flavor_extra_specs_update_or_create(
            self.admin_context, 'f2', {'k1': 'v1', 'hw:cpu_policy': 'x'})
        groups = [self.api.as_user(user, project).post(
            'os-server-groups', {'server_group': {
                'name': 'fz', 'policies': ['anti-affinity']}},
            status=200).json['server_group']['id']
            for user, project in (('demo', 'demo'), ('eve', 'evil'))]
        # A security group of each project, one with a rule.
        secgroups = [self.api.as_user(user, project).post(
            'os-security-groups', {'security_group': {
                'name': 'fz', 'description': 'd'}},
            status=200).json['security_group']['id']
            for user, project in (('demo', 'demo'), ('eve', 'evil'))]
        secrule = self.api.post('os-security-group-rules', {
            'security_group_rule': {
                'parent_group_id': secgroups[0], 'ip_protocol': 'tcp',
                'from_port': 22, 'to_port': 22}},
            status=200).json['security_group_rule']['id']
        # Values for path placeholders; the fuzzer adds what it creates.
        self.pools = {
            'security_group_id': secgroups,
            'security_group_rule_id': [secrule],
            'flavor_extra_spec_key': ['k1', 'hw:cpu_policy', 'nokey'],
            'server_group_id': groups,
            'server_id': [own['id'], tagged['id'], other['id'],
                          gone['id']],
            'flavor_id': ['1', 'f2', 'fpriv'],
            'image_id': [base.IMAGE_ID],
            'keypair_name': ['kp1'],
            'tag': ['t'],
            'network_label': ['private'],
            'network_id': [self.network['uuid']],
            'project': ['0123abcd', 'demo', 'abc-def'],
            # The admin APIs': the agent's service (its hypervisor), its
            # host and patterns, projects.
            'service_id': [str(self._agent_service_id()), '0', '999'],
            'hypervisor_id': [str(self._agent_service_id()),
                              self.agent.service.host, '%', 'host', '99'],
            'tenant_id': ['demo', 'evil', '0123abcd', 'nobody'],
        }
        # Projects whose quota was set with force (maybe below usage).
        self.forced_quotas = set()
        # Listed routes thrice as often as the others, actions more, the
        # removed os-networks ones less.
        self.routes = []
        for method, path in routes.list_routes():
            weight = (1 if path.startswith('/os-networks') and method !=
                      'GET' else 12 if path.endswith('/action') else 3)
            self.routes += [(method, '/v2.1' + path)] * weight
        self.routes += [(None, path) for path in EXTRA_PATHS]
        self.statuses = collections.Counter()
        self.by_route = collections.defaultdict(collections.Counter)
        self.sent = 0
        self.sending = 0.0
        self.slowest = (0.0, None)
        self.trace = None
        if os.environ.get('NOVALITE_FUZZ_TRACE'):
            # Every request and answer, one a line (for debugging).
            self.trace = open(os.environ['NOVALITE_FUZZ_TRACE'], 'w')
            self.addCleanup(self.trace.close)
        self.errors = _ErrorLog()
        logger = logging.getLogger('novalite')
        logger.addHandler(self.errors)
        self.addCleanup(logger.removeHandler, self.errors)

    # -------------------------------------------------- the strategies

    def _strategies(self):
        """The strategy of one request. Built once: building strategies
        costs more than drawing from them."""
        pool_values = st.sampled_from(sorted(self.pools)).flatmap(
            lambda kind: st.integers(0, 1 << 16).map(
                lambda i: self.pools[kind][i % len(self.pools[kind])]))
        nasty = st.sampled_from([v for v in _NASTY_STRINGS
                                 if not _has_surrogates(v)])
        segments = {
            kind: _weighted(
                (75, st.integers(0, 1 << 16).map(
                    lambda i, pool=pool: pool[i % len(pool)])),
                (5, pool_values), (5, st.uuids().map(str)),
                (5, st.text(max_size=20)), (4, nasty),
                (3, st.binary(min_size=1, max_size=6)), (3, st.just('')),
            ).map(_quote)
            for kind, pool in self.pools.items()}
        suffix = _weighted(
            (90, st.just('')),
            (10, st.sampled_from(['/', '.json', '/x', '%2F', ';x=1'])))
        query_value = _weighted(
            (60, st.sampled_from(_QUERY_VALUES)),
            (10, st.integers(-2 ** 70, 2 ** 70).map(str)),
            (10, st.text(max_size=20)),
            (10, st.text('()[]{}*+?.^$|\\,', max_size=12)),
            (10, pool_values))
        headers = {has_body: _headers(has_body) for has_body in (0, 1)}
        by_route = {}
        for route in set(self.routes):
            route_method, template = route
            handler = (self._handler(route_method, template)
                       if route_method else None)
            by_route[route] = (
                route_method or 'GET',
                self._path(template, segments, suffix),
                _query(handler, query_value),
                self._body(route_method, template, handler))
        routes = st.sampled_from(self.routes)

        @st.composite
        def requests(draw):
            route = draw(routes)
            method, path, query, body = by_route[route]
            method = pick(draw, (80, st.just(method)),
                          (20, st.sampled_from(METHODS)))
            path, query, body = draw(path), draw(query), draw(body)
            url = path + ('?' + query if query else '')
            chunked = body is not None and draw(st.integers(0, 19)) == 0
            return Request(method, route[1], url,
                           draw(headers[body is not None]), body, chunked)

        return requests()

    @staticmethod
    def _path(template, segments, suffix):
        parts = []
        for piece in template.replace('}', '{').split('{'):
            parts.append(segments[piece] if piece in segments
                         else st.just(piece))
        return st.tuples(*parts, suffix).map(''.join)

    def _agent_service_id(self):
        [service] = db.service_get_all(self.admin_context,
                                       hosts=[self.agent.service.host])
        return service['id']

    def _seed_bodies(self, method, template):
        """Valid bodies of the route (for the route as listed)."""
        if method == 'POST' and template == '/v2.1/servers':
            server = {'name': 'fz', 'flavorRef': '1',
                      'imageRef': base.IMAGE_ID}
            return [
                {'server': dict(server)},
                {'server': dict(server, flavorRef='fpriv'),
                 'os:scheduler_hints': {
                     'group': self.pools['server_group_id'][0]}},
                {'server': dict(server, min_count=2),
                 'OS-SCH-HNT:scheduler_hints': {
                     'group': self.pools['server_group_id'][1],
                     'same_host': [base.IMAGE_ID]}},
                {'server': dict(server, networks=[
                    {'uuid': self.network['uuid']}])},
                {'server': dict(server, networks=[
                    {'uuid': self.network['uuid'],
                     'fixed_ip': '10.0.0.9'}])},
                {'server': dict(server, networks=[])},
                {'server': dict(server, min_count=2, max_count=3,
                                key_name='kp1',
                                metadata={'a': 'b'},
                                user_data='aGVsbG8=',
                                personality=[{'path': '/etc/x',
                                              'contents': 'eA=='}],
                                security_groups=[{'name': 'default'}],
                                availability_zone='nova',
                                config_drive=True,
                                accessIPv4='1.2.3.4',
                                accessIPv6='::1',
                                adminPass='pw',
                                description='d',
                                return_reservation_id=True),
                 'os:scheduler_hints': {'a': 1}},
                {'server': dict(server, flavorRef='f2',
                                availability_zone='nova:%s' % (
                                    self.agent.service.host))},
            ]
        if method == 'PUT' and template == '/v2.1/servers/{server_id}':
            return [{'server': {'name': 'n', 'description': 'd',
                                'accessIPv4': '1.2.3.4',
                                'accessIPv6': '::2',
                                'OS-DCF:diskConfig': 'AUTO'}}]
        if template.endswith('/servers/{server_id}/action'):
            return [{'lock': None}, {'unlock': None},
                    {'reboot': {'type': 'SOFT'}},
                    {'reboot': {'type': 'HARD'}}, {'os-start': None},
                    {'os-stop': None},
                    {'changePassword': {'adminPass': 'pw'}},
                    {'os-getConsoleOutput': {'length': 5}},
                    {'os-getConsoleOutput': {}},
                    {'trigger_crash_dump': None},
                    # pause, suspend, rescue, soft delete, groups:
                    {'pause': None}, {'unpause': None},
                    {'suspend': None}, {'resume': None},
                    {'rescue': None}, {'rescue': {'adminPass': 'pw'}},
                    {'unrescue': None}, {'restore': None},
                    {'forceDelete': None},
                    {'addSecurityGroup': {'name': 'default'}},
                    {'removeSecurityGroup': {'name': 'default'}},
                    # rebuild, resize, migrate, shelve, snapshot:
                    {'createImage': {'name': 'fz', 'metadata': {'a': 'b'}}},
                    {'createBackup': {'name': 'fz', 'backup_type': 'daily',
                                      'rotation': 1,
                                      'metadata': {'a': 'b'}}},
                    {'createBackup': {'name': 'fz', 'backup_type': 'w',
                                      'rotation': '0'}},
                    {'rebuild': {'imageRef': base.IMAGE_ID, 'name': 'r',
                                 'adminPass': 'pw', 'metadata': {'a': 'b'},
                                 'preserve_ephemeral': False,
                                 'OS-DCF:diskConfig': 'AUTO',
                                 'accessIPv4': '1.2.3.4',
                                 'accessIPv6': '::1',
                                 'personality': [{'path': '/etc/x',
                                                  'contents': 'eA=='}]}},
                    {'resize': {'flavorRef': 'f2'}},
                    {'resize': {'flavorRef': '1',
                                'OS-DCF:diskConfig': 'MANUAL'}},
                    {'confirmResize': None}, {'revertResize': None},
                    {'migrate': None}, {'shelve': None},
                    {'shelveOffload': None}, {'unshelve': None}]
        if template.endswith('/servers/{server_id}/tags'):
            return [{'tags': ['a', 'b']}, {'tags': []}]
        if template.endswith('/metadata') and method in ('POST', 'PUT'):
            return [{'metadata': {'a': 'b', 'c': ''}}, {'metadata': {}}]
        if template.endswith('/metadata/{key}') and method == 'PUT':
            return [{'meta': {'a': 'b'}}]
        if template.endswith('/os-extra_specs') and method == 'POST':
            return [{'extra_specs': {'k1': 'v', 'n': 1.5, 'i': 7}},
                    {'extra_specs': {}}]
        if template.endswith('/os-extra_specs/{flavor_extra_spec_key}'):
            return [{'k1': 'v2'}, {'hw:cpu_policy': 3}]
        if template.endswith('/flavors/{flavor_id}/action'):
            return [{'addTenantAccess': {'tenant': 'demo'}},
                    {'removeTenantAccess': {'tenant': 'demo'}},
                    {'addTenantAccess': {'tenant': 'evil'}}]
        if method == 'POST' and template == '/v2.1/os-server-groups':
            return [{'server_group': {'name': 'fz', 'policies': [policy]}}
                    for policy in ('affinity', 'anti-affinity',
                                   'soft-affinity', 'soft-anti-affinity')]
        if method == 'POST' and template == '/v2.1/flavors':
            return [{'flavor': {'name': 'fz', 'ram': 64, 'vcpus': 1,
                                'disk': 1}},
                    {'flavor': {'name': 'fz2', 'ram': '128', 'vcpus': '2',
                                'disk': '0', 'id': 'fz2', 'swap': 1,
                                'OS-FLV-EXT-DATA:ephemeral': 1,
                                'rxtx_factor': 2.5,
                                'os-flavor-access:is_public': False}}]
        if method == 'PUT' and template == '/v2.1/flavors/{flavor_id}':
            return [{'flavor': {'description': 'fz'}},
                    {'flavor': {'description': None}}]
        if method == 'POST' and template == '/v2.1/os-keypairs':
            return [{'keypair': {'name': 'kz', 'public_key':
                                 self.public_key}},
                    {'keypair': {'name': 'kx', 'type': 'x509',
                                 'user_id': 'demo'}},
                    {'keypair': {'name': 'ky', 'type': 'x509'}},
                    {'keypair': {'name': 'kg'}}]
        if method == 'PUT' and template.startswith('/v2.1/os-services/'):
            service = {'host': self.agent.service.host,
                       'binary': 'nova-compute'}
            return [service, dict(service, disabled_reason='fz'),
                    dict(service, forced_down=False),
                    dict(service, host='nohost')]
        if method == 'PUT' and template.startswith('/v2.1/os-quota-sets/'):
            return [{'quota_set': {'instances': 30, 'cores': '60'}},
                    {'quota_set': {'key_pairs': 200, 'ram': -1,
                                   'metadata_items': 100}},
                    {'quota_set': {'security_groups': 5}}]
        if template.startswith('/v2.1/os-networks'):
            return [{'network': {'label': 'x'}}, {'id': None},
                    {'disassociate': None}]
        if template.startswith('/v2.1/os-security-groups') and \
                method in ('POST', 'PUT'):
            return [{'security_group': {'name': 'fz', 'description': 'd'}},
                    {'security_group': {'name': 'default',
                                        'description': ''}}]
        if template == '/v2.1/os-security-group-rules':
            parent, other = self.pools['security_group_id'][:2]
            rules = [
                {'parent_group_id': parent, 'ip_protocol': 'tcp',
                 'from_port': 1, 'to_port': 65535, 'cidr': '10.0.0.0/8'},
                {'parent_group_id': parent, 'ip_protocol': 'icmp',
                 'from_port': -1, 'to_port': -1},
                {'parent_group_id': parent, 'group_id': parent,
                 'ip_protocol': 'udp'},
                {'parent_group_id': parent, 'group_id': other}]
            return [{'security_group_rule': rule} for rule in rules]
        return [{}]

    def _schemas(self, method, template, handler):
        """The route's body schemas, for each microversion range."""
        if template.endswith('/servers/{server_id}/action'):
            return [actions.get(name).schema for name in actions.names()
                    if actions.get(name).schema is not None]
        if template.endswith('/servers/{server_id}/tags') and \
                method == 'PUT':
            return [servers_schema.update_all_tags]
        if template.endswith('/flavors/{flavor_id}/action'):
            return [flavor_access_schema.add_tenant_access,
                    flavor_access_schema.remove_tenant_access]
        if template.endswith('/servers/{server_id}/metadata') and \
                method == 'PUT':
            return [server_metadata_schema.update_all]
        if template.endswith('/servers/{server_id}/metadata/{key}') and \
                method == 'PUT':
            return [server_metadata_schema.update]
        if handler is None:
            return []
        return [s for _l, _h, s in getattr(
            handler, validation._BODY, None) or ()]

    def _body(self, method, template, handler):
        seeds = self._seed_bodies(method, template)
        schemas = self._schemas(method, template, handler)
        if seeds == [{}]:
            return _weighted((70, st.none()), (10, st.just({})),
                             (10, ANY_JSON), (10, RAW_BODIES)).map(_encode)
        generated = st.nothing()
        if schemas:
            generated = st.sampled_from(schemas).flatmap(from_schema)
        return _weighted(
            (35, st.sampled_from(seeds)), (30, mutations_of(seeds)),
            (10 if schemas else 0, generated),
            (5 if schemas else 0, generated.flatmap(mutated)),
            (5, st.none()), (5, ANY_JSON), (5, RAW_BODIES)).map(_encode)

    def _handler(self, method, template):
        """The handler function of a listed route, or None."""
        parts = template.split('/')[2:]
        node = getattr(root.V21Controller(), parts[0])
        last_id = False
        for part in parts[1:]:
            if part.startswith('{'):
                last_id = True
                continue
            if part in getattr(node, '_custom_actions', {}):
                return getattr(node, part)
            node = getattr(node, part)
            last_id = False
        name = {'GET': 'get_one' if last_id else 'get_all', 'POST': 'post',
                'PUT': 'put', 'DELETE': 'delete'}[method]
        return getattr(node, name)

    # ------------------------------------------------------ one request

    def _send(self, request):
        req = webtest.TestRequest.blank(request.url, method=request.method,
                                        headers=request.headers)
        if request.body is not None:
            req.body = request.body
            if 'Content-Type' not in request.headers:
                req.environ.pop('CONTENT_TYPE', None)
            if request.chunked:
                del req.environ['CONTENT_LENGTH']
                req.environ['HTTP_TRANSFER_ENCODING'] = 'chunked'
                req.environ['wsgi.input_terminated'] = True
        self.errors.clear()
        start = time.monotonic()
        resp = self.app.do_request(req, expect_errors=True)
        took = time.monotonic() - start
        self.sent += 1
        self.sending += took
        self.statuses[resp.status_int] += 1
        self.by_route[request.template][resp.status_int] += 1
        if took > self.slowest[0]:
            self.slowest = (took, '%s %s' % (request.method,
                                             request.url[:200]))
        if self.trace:
            self.trace.write('%s %s %r -> %s %s\n' % (
                request.method, request.url[:200], request.body and
                request.body[:200], resp.status_int, resp.body[:200]))
        self._check(request, resp)
        self._remember(request, resp)

    def _check(self, request, resp):
        code = resp.status_int
        what = '%s %s -> %s %s\n%s' % (
            request.method, request.url[:300], resp.status,
            resp.body[:600], self.errors.text())
        allowed_5xx = (code == 501 and request.method == 'POST'
                       and request.url.endswith('/action')
                       and b'changePassword' in (request.body or b''))
        self.assertTrue(code < 500 or allowed_5xx, what)
        if request.method == 'HEAD':
            return
        if code < 400:
            if resp.body:
                self.assertTrue(resp.content_type.startswith(
                    'application/json'), what)
                _strict_json(resp.body)
            return
        self.assertEqual('application/json', resp.content_type, what)
        body = _strict_json(resp.body)
        self.assertIsInstance(body, dict, what)
        self.assertEqual(1, len(body), what)
        name, fault = next(iter(body.items()))
        if code == 401 and name == 'error':
            # keystonemiddleware's shape (noauth2 answers the same).
            self.assertEqual({'code', 'title', 'message'}, set(fault), what)
        else:
            self.assertEqual(faults.FAULT_NAMES.get(code, 'computeFault'),
                             name, what)
            self.assertEqual({'code', 'message'}, set(fault), what)
        self.assertEqual(code, fault['code'], what)
        self.assertIsInstance(fault['message'], str, what)
        self.assertTrue(0 < len(fault['message']) <= MAX_MESSAGE, what)

    def _remember(self, request, resp):
        """Add what a request created to the pools of path values (and
        bring back flavor 1, which the valid bodies use)."""
        if request.method == 'PUT' and resp.status_int == 200 and \
                '/os-quota-sets/' in request.url and \
                b'force' in (request.body or b''):
            project = request.url.split('/os-quota-sets/')[1]
            self.forced_quotas.add(urllib.parse.unquote(
                project.split('?')[0].split('/')[0].split(';')[0]))
        if request.method == 'DELETE' and resp.status_int == 202 and \
                '/flavors/' in request.url:
            try:
                db.flavor_get_by_flavor_id(self.admin_context, '1')
            except exception.FlavorNotFound:
                self.create_flavor()
        if resp.status_int not in (200, 201, 202) or not resp.body:
            return
        try:
            body = json.loads(resp.body)
        except ValueError:
            return
        for key, pool, field in (('server', 'server_id', 'id'),
                                 ('keypair', 'keypair_name', 'name'),
                                 ('flavor', 'flavor_id', 'id'),
                                 ('server_group', 'server_group_id', 'id'),
                                 ('security_group', 'security_group_id',
                                  'id'),
                                 ('security_group_rule',
                                  'security_group_rule_id', 'id')):
            value = body.get(key) if isinstance(body, dict) else None
            if (request.method == 'POST' and isinstance(value, dict)
                    and isinstance(value.get(field), str)
                    and value[field] not in self.pools[pool]):
                self.pools[pool].append(value[field])

    # ------------------------------------------------------- afterwards

    def _settle(self, timeout=60):
        """Wait until no live server has a task or is building."""
        model = models.Instance
        query = sa.select(model.uuid, model.vm_state, model.task_state).where(
            model.deleted == 0, sa.or_(model.task_state.is_not(None),
                                       model.vm_state == states.BUILDING))
        deadline = time.monotonic() + timeout
        while True:
            with self.db.engine.connect() as conn:
                busy = conn.execute(query).all()
            if not busy:
                return
            if time.monotonic() > deadline:
                self.fail('servers never settled: %s' % busy)
            time.sleep(0.05)

    def _check_consistency(self):
        self._settle()
        with self.db.engine.connect() as conn:
            rows = conn.execute(sa.select(models.Instance)).mappings().all()
            fixed_ips = conn.execute(
                sa.select(models.FixedIp)).mappings().all()
            tags = conn.execute(sa.select(models.Tag)).mappings().all()
            keypairs = conn.execute(sa.select(models.KeyPair).where(
                models.KeyPair.deleted == 0)).mappings().all()
            flavors = conn.execute(sa.select(models.Flavor)).mappings().all()
        live = {r['uuid']: r for r in rows if r['deleted'] == 0}
        for row in rows:
            where = '%s: %s/%s' % (row['uuid'], row['vm_state'],
                                   row['task_state'])
            self.assertIsNone(row['task_state'], where)
            if row['deleted']:
                self.assertEqual(states.DELETED, row['vm_state'], where)
                continue
            self.assertNotEqual(states.DELETED, row['vm_state'], where)
            self.assertNotEqual(
                'UNKNOWN', states.status(row['vm_state'], None), where)
            power = states.power_state_for_vm_state(row['vm_state'])
            if power is not None:
                self.assertEqual(power, row['power_state'], where)
        # Addresses and tags only of live servers, an address only once.
        for ip in fixed_ips:
            self.assertIn(ip['instance_uuid'], live, dict(ip))
        self.assertEqual(len(fixed_ips),
                         len({(ip['network_id'], ip['address'])
                              for ip in fixed_ips}))
        for tag in tags:
            self.assertIn(tag['resource_id'], live, dict(tag))
        # Key pairs: unique per user, within quota.
        names = [(k['user_id'], k['name']) for k in keypairs]
        self.assertEqual(len(names), len(set(names)))
        # NOTE: a key pair counts against the limit of the project of
        # whoever creates it (an admin may, for any user): at most the
        # largest limit.
        with self.db.engine.connect() as conn:
            key_pair_limits = set(conn.execute(
                sa.select(models.Quota.hard_limit).where(
                    models.Quota.resource == 'key_pairs')).scalars())
        key_pair_limits.add(quota.defaults()['key_pairs'])
        for user in {u for u, _n in names}:
            count = sum(1 for u, _n in names if u == user)
            if -1 not in key_pair_limits:
                self.assertLessEqual(count, max(key_pair_limits), user)
        # Server group members and flavor extra specs and access rows
        # only of what exists.
        with self.db.engine.connect() as conn:
            members = conn.execute(sa.select(
                models.InstanceGroupMember.instance_uuid)).scalars().all()
            flavor_ids = {f['id'] for f in flavors}
            spec_flavors = conn.execute(sa.select(
                models.FlavorExtraSpec.flavor_id)).scalars().all()
            access_flavors = conn.execute(sa.select(
                models.FlavorProject.flavor_id)).scalars().all()
        for uuid in members:
            self.assertIn(uuid, live, 'a member of a group')
        self.assertLessEqual(set(spec_flavors) | set(access_flavors),
                             flavor_ids)
        # Flavors within the columns' range.
        for flavor in flavors:
            for column, low in (('memory_mb', 1), ('vcpus', 1),
                                ('root_gb', 0), ('ephemeral_gb', 0),
                                ('swap', 0)):
                self.assertTrue(low <= flavor[column] <= types.MAX_INT,
                                dict(flavor))
        # The API agrees with the rows: usage, statuses, and each server.
        projects = {r['project_id'] for r in live.values()} | {
            'demo', 'evil', 'admin', '0123abcd'}
        for project in sorted(projects):
            mine = [r for r in live.values() if r['project_id'] == project]
            allowed = quota.limits(self.admin_context, project)
            resp = self.api.as_user('u', project).get('limits', status=200)
            absolute = resp.json['limits']['absolute']
            self.assertEqual(
                (len(mine), sum(r['vcpus'] for r in mine),
                 sum(r['memory_mb'] for r in mine)),
                (absolute['totalInstancesUsed'], absolute['totalCoresUsed'],
                 absolute['totalRAMUsed']), project)
            for resource, key in (('instances', 'totalInstancesUsed'),
                                  ('cores', 'totalCoresUsed'),
                                  ('ram', 'totalRAMUsed')):
                if allowed[resource] >= 0 and \
                        project not in self.forced_quotas:
                    self.assertLessEqual(absolute[key], allowed[resource],
                                         project)
        resp = self.admin_api.get('servers/detail?all_tenants=1',
                                  status=200)
        listed = {s['id']: s['status'] for s in resp.json['servers']}
        self.assertEqual(set(live), set(listed))
        for uuid, row in live.items():
            self.assertEqual(states.status(row['vm_state'], None),
                             listed[uuid], uuid)
            self.admin_api.get('servers/%s' % uuid, status=200)

    def summary(self, elapsed):
        lines = ['fuzz: %d requests in %.1f s (%.1f/s), seed %d, %s' % (
            self.sent, elapsed, self.sent / max(elapsed, 1e-9), SEED,
            BACKEND),
            'status codes: ' + ', '.join(
                '%d: %d' % item for item in sorted(self.statuses.items())),
            'time in the API: %.1f s; slowest request: %.2f s (%s)' % (
                (self.sending,) + self.slowest),
            'requests per route:']
        for template, statuses in sorted(self.by_route.items()):
            lines.append('  %6d %s (%s)' % (
                sum(statuses.values()), template, ', '.join(
                    '%d: %d' % item for item in sorted(statuses.items()))))
        return '\n'.join(lines)

    # ------------------------------------------------------------ tests

    def test_fuzz(self):
        @hypothesis.seed(SEED)
        @hypothesis.settings(
            max_examples=EXAMPLES, deadline=None, database=None,
            derandomize=False, print_blob=False, report_multiple_bugs=False,
            suppress_health_check=list(hypothesis.HealthCheck))
        @hypothesis.given(self._strategies())
        def fuzz(request):
            self._send(request)

        start = time.monotonic()
        with warnings.catch_warnings():
            # webtest's lint warns of each method it does not know.
            warnings.simplefilter('ignore', lint.WSGIWarning)
            fuzz()
        self._check_consistency()
        summary = self.summary(time.monotonic() - start)
        print(summary)
        self.assertGreaterEqual(self.sent, EXAMPLES)

    def test_every_route_is_fuzzed(self):
        """A new route gets a handler (and so its schemas) here."""
        for method, template in self.routes:
            if method is None:
                continue
            handler = self._handler(method, template)
            self.assertIsNotNone(handler, template)
            if self._schemas(method, template, handler):
                # A route with a schema needs valid bodies to mutate.
                self.assertNotEqual([{}], self._seed_bodies(method,
                                                            template))


class _ErrorLog(logging.Handler):
    """The errors logged during one request (for a failure's message)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(self.format(record))

    def clear(self):
        self.records = []

    def text(self):
        return '\n'.join(self.records)
