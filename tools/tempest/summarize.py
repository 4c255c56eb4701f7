"""Summarise a tempest run against novalite.

Reads tempest's subunit stream (``stestr last --subunit``), its
``tempest.log`` (written with ``debug = True``: request and response
bodies) and the routes novalite served (``list_routes()``, one
``METHOD /path`` a line), and prints:

- totals per test group (servers, flavors, ...);
- the failures grouped by cause: the first route or server action
  novalite does not have that the test called, else the last line of its
  traceback;
- the tests that passed although they called a route or action novalite
  does not have (a negative test expecting 404 or 400 also passes when the
  whole route is missing): they prove nothing yet;
- the skips counted by reason;
- a last line ``N passed, N failed, N skipped``.

Run: ``python summarize.py results.subunit tempest.log routes.txt
COMPUTE_URL [tests.txt]``, tests.txt from ``tempest run --list-tests``
(with it, each test of a class whose setUpClass skipped or failed counts
on its own).
"""

import collections
import re
import sys
import urllib.parse

import subunit
import testtools

# "tempest.api.compute.servers.test_x.Class.test_y[id-...,smoke]" and
# "setUpClass (tempest.api.compute.servers.test_x.Class)"
_ATTRS = re.compile(r'\[.*\]$')
_FIXTURE = re.compile(r'^(\w+) \((.+)\)$')
_RECORD = re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ (\d+) (\w+) '
                     r'\S+ \[[^\]]*\] (.*)$')
_REQUEST = re.compile(r'^Request \((\w+):(\w+)\): (\d+) (\w+) (\S+)')
_NO_ACTION = re.compile(r'There is no such action: ([\w-]+)')
_MICROVERSION = re.compile(r'^The microversion range\[.*\] of this test '
                           r'is out of the configuration range')
_ID_SEGMENT = re.compile(r'^([0-9a-f-]{32,36}|\d+|.*tempest.*|'
                         r'[0-9a-f]{32})$', re.I)


def _name(test_id):
    return _ATTRS.sub('', test_id)


def _key(test_id):
    """The caller name tempest logs for a test: ``Class:method``."""
    match = _FIXTURE.match(test_id)
    if match:
        return '%s:%s' % (match.group(2).split('.')[-1], match.group(1))
    parts = _name(test_id).split('.')
    return '%s:%s' % (parts[-2], parts[-1])


def _group(test_id):
    match = _FIXTURE.match(test_id)
    if match:
        test_id = match.group(2)
    parts = test_id.split('.')
    # tempest.api.compute.<group>...
    return parts[3] if len(parts) > 4 and parts[:3] == [
        'tempest', 'api', 'compute'] else '.'.join(parts[:3])


def _text(details, key):
    content = details.get(key)
    if content is None:
        return ''
    return b''.join(bytes(chunk) for chunk in content.iter_bytes()).decode(
        'utf-8', 'replace')


def _schema_error(text):
    """'response schema: MESSAGE at server.addresses.*.items' from a
    tempest InvalidHTTPResponseBody, else None."""
    # NOTE: tempest's "invalid (%s)" wraps jsonschema's whole multi-line
    # message, so its closing parenthesis comes last of all.
    match = re.search(r'HTTP response body is invalid \((.*?)\s*'
                      r'Failed validating (\S+) in schema(\S*)', text,
                      re.S)
    if not match:
        return None
    message, _, where = match.groups()
    path = []
    for key in re.findall(r"\['([^']*)'\]", where):
        if key in ('properties', 'patternProperties'):
            continue
        path.append('*' if key.startswith('^') else key)
    return 'response schema: %s at %s' % (' '.join(message.split()),
                                          '.'.join(path) or '(top)')


def _last_line(traceback):
    """The exception line, with the detail tempest puts after it."""
    schema = _schema_error(traceback)
    if schema:
        return schema
    lines = [line for line in traceback.strip().splitlines() if line]
    if not lines:
        return '(no traceback)'
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].startswith('Traceback'):
            tail = [line.strip() for line in lines[i + 1:]
                    if not line.startswith(' ')]
            if tail:
                return ' '.join(tail)[:300]
    return lines[-1][:300]


def _read_routes(path):
    routes = []
    with open(path) as f:
        for line in f:
            method, _, template = line.strip().partition(' ')
            pattern = '/'.join('[^/]+' if re.fullmatch(r'\{\w+\}', seg)
                               else re.escape(seg)
                               for seg in template.split('/'))
            routes.append((method, re.compile('^%s$' % pattern)))
    return routes


def _template(path):
    return '/'.join('{id}' if seg and _ID_SEGMENT.match(seg) else seg
                    for seg in path.split('/'))


def _missing(requests, routes, compute_path):
    """What each request asked of novalite that it does not have, or None:
    ``route METHOD /path`` or ``action NAME``."""
    for request in requests:
        path = request['path']
        if not path.startswith(compute_path):
            request['missing'] = None
            continue
        path = path[len(compute_path):] or '/'
        request['missing'] = None
        if path in ('/', ''):
            continue
        if not any(method == request['method'] and pattern.match(path)
                   for method, pattern in routes):
            request['missing'] = 'route %s %s' % (
                request['method'], _template(path))
            continue
        if request['status'] == 400:
            match = _NO_ACTION.search(request['response'])
            if match:
                request['missing'] = 'action %s' % match.group(1)


def _last_compute_request(requests, compute_path):
    """'202 POST /servers/{id}/action rebuild' for the last request a
    test sent to novalite, or None."""
    for request in reversed(requests):
        if request['path'].startswith(compute_path):
            action = ''
            match = re.match(r'\{"([\w:-]+)"', request['request'])
            if request['path'].endswith('/action') and match:
                action = ' ' + match.group(1)
            return '%d %s %s%s' % (
                request['status'], request['method'],
                _template(request['path'][len(compute_path):]), action)
    return None


def _read_log(path):
    """{Class:method: [request]} from tempest.log."""
    by_test = collections.defaultdict(list)
    last = {}   # pid -> its last request, for the DEBUG record after it
    record = None

    def finish(record):
        if record is None:
            return
        pid, level, text = record
        match = _REQUEST.match(text)
        if level == 'INFO' and match:
            cls, method, status, verb, url = match.groups()
            request = {'status': int(status), 'method': verb,
                       'path': urllib.parse.urlsplit(url).path,
                       'url': url, 'request': '', 'response': ''}
            by_test['%s:%s' % (cls, method)].append(request)
            last[pid] = request
        elif level == 'DEBUG' and text.startswith('Request - Headers:') \
                and pid in last:
            request = last.pop(pid)
            before, _, after = text.partition('Response - Headers:')
            request['request'] = before.partition('Body: ')[2].strip()
            request['response'] = after.partition('Body: ')[2].strip()

    with open(path, errors='replace') as f:
        for line in f:
            match = _RECORD.match(line)
            if match:
                finish(record)
                record = list(match.groups())
            elif record is not None:
                record[2] += '\n' + line.rstrip('\n')
    finish(record)
    return by_test


def _skip_reason(reason):
    """One line per cause: the microversion skips as one."""
    reason = reason.strip()
    if _MICROVERSION.match(reason):
        return 'microversion of the test beyond [compute] max_microversion'
    return reason


def _expand(tests, list_path):
    """[(test id, status, details, log key)], one per test.

    stestr reports a test class whose setUpClass skipped or failed as one
    entry, "setUpClass (module.Class)". With the list of the tests that
    were to run (``tempest run --list-tests``), each test of such a class
    counts on its own, with the class's status and reason.
    """
    listed = collections.defaultdict(list)
    if list_path:
        with open(list_path) as f:
            for line in f:
                name = _name(line.strip())
                if name.startswith('tempest.'):
                    listed[name.rsplit('.', 1)[0]].append(name)
    ran = {_name(t['id']) for t in tests if not _FIXTURE.match(t['id'])}
    entries = []
    for test in tests:
        status = test['status']
        if status in ('exists', 'inprogress'):
            continue
        fixture = _FIXTURE.match(test['id'])
        if fixture and fixture.group(1) == 'setUpClass' and listed.get(
                fixture.group(2)) and status in ('skip', 'fail'):
            for name in listed[fixture.group(2)]:
                if name not in ran:
                    entries.append((name, status, test['details'],
                                    _key(test['id'])))
            continue
        entries.append((test['id'], status, test['details'],
                        _key(test['id'])))
    return entries


def main():
    subunit_path, log_path, routes_path, compute_url = sys.argv[1:5]
    compute_path = urllib.parse.urlsplit(compute_url).path.rstrip('/')
    routes = _read_routes(routes_path)
    requests = _read_log(log_path)
    for test_requests in requests.values():
        _missing(test_requests, routes, compute_path)

    tests = []
    with open(subunit_path, 'rb') as stream:
        case = subunit.ByteStreamToStreamResult(stream,
                                                non_subunit_name='stdout')
        result = testtools.StreamToDict(tests.append)
        result.startTestRun()
        case.run(result)
        result.stopTestRun()

    entries = _expand(tests, sys.argv[5] if len(sys.argv) > 5 else None)

    totals = collections.defaultdict(collections.Counter)
    causes = collections.defaultdict(list)
    unproven = []
    skips = collections.Counter()
    for test_id, status, details, log_key in entries:
        kind = {'success': 'passed', 'xfail': 'passed', 'skip': 'skipped',
                'fail': 'failed', 'uxsuccess': 'failed'}.get(status,
                                                             'failed')
        totals[_group(test_id)][kind] += 1
        log = requests.get(log_key, ())
        missing = [r['missing'] for r in log if r['missing']]
        if kind == 'failed':
            error = _last_line(_text(details, 'traceback'))
            cause = ('%s missing' % missing[0]) if missing else error
            last = _last_compute_request(log, compute_path)
            if last and not missing:
                error = 'last request: %s' % last
            if log_key.endswith(':setUpClass'):
                error = 'in setUpClass; ' + error
            causes[cause].append((_name(test_id), error))
        elif kind == 'passed' and missing:
            unproven.append((_name(test_id),
                             ', '.join(sorted(set(missing)))))
        elif kind == 'skipped':
            skips[_skip_reason(_text(details, 'reason'))] += 1

    print('Per group:')
    for group in sorted(totals):
        count = totals[group]
        print('  %-12s %3d passed, %3d failed, %3d skipped'
              % (group, count['passed'], count['failed'], count['skipped']))

    print('\nFailed (%d), by cause:' % sum(map(len, causes.values())))
    for cause, failed in sorted(causes.items(),
                                key=lambda item: (-len(item[1]), item[0])):
        print('\n  %s (%d)' % (cause, len(failed)))
        for name, error in sorted(failed):
            print('    %s' % name)
            if error != cause:
                print('        %s' % error)

    print('\nPassed, but only against a route or action novalite does not '
          'have (no proof yet) (%d):' % len(unproven))
    for name, missing in sorted(unproven):
        print('  %s\n      %s' % (name, missing))

    print('\nSkipped (%d), by reason:' % sum(skips.values()))
    for reason, count in skips.most_common():
        print('  %4d  %s' % (count, reason or '(no reason)'))
    print()
    print('%d passed, %d failed, %d skipped' % (
        sum(c['passed'] for c in totals.values()),
        sum(c['failed'] for c in totals.values()),
        sum(c['skipped'] for c in totals.values())))


if __name__ == '__main__':
    main()
