"""Microversions: parsing, comparison and the supported range."""

import functools
import re

from novalite import exception

# The history of what each microversion changed is in
# api-ref/source/microversions.inc (and Nova's rest_api_version_history).
MIN_API_VERSION = '2.1'
MAX_API_VERSION = '2.26'

_VERSION_RE = re.compile(r'^([1-9]\d*)\.([1-9]\d*|0)$')


@functools.total_ordering
class APIVersionRequest:

    def __init__(self, version_string):
        match = _VERSION_RE.match(version_string or '')
        if not match:
            raise exception.InvalidAPIVersionString(version=version_string)
        self.major = int(match.group(1))
        self.minor = int(match.group(2))

    def __str__(self):
        return '%d.%d' % (self.major, self.minor)

    def __repr__(self):
        return 'APIVersionRequest(%s)' % self

    def _key(self):
        return (self.major, self.minor)

    def __eq__(self, other):
        return self._key() == _as_version(other)._key()

    def __lt__(self, other):
        return self._key() < _as_version(other)._key()

    def __hash__(self):
        return hash(self._key())

    def matches(self, min_version=None, max_version=None):
        if min_version is not None and self < min_version:
            return False
        if max_version is not None and self > max_version:
            return False
        return True


def _as_version(value):
    if isinstance(value, APIVersionRequest):
        return value
    return APIVersionRequest(value)


MIN = APIVersionRequest(MIN_API_VERSION)
MAX = APIVersionRequest(MAX_API_VERSION)


def from_headers(headers):
    """The requested version from the two microversion headers.

    ``OpenStack-API-Version: compute X.Y`` wins over
    ``X-OpenStack-Nova-API-Version: X.Y``; none means the minimum.
    Raises InvalidAPIVersionString (400) or VersionNotSupported (406).
    """
    requested = None
    standard = headers.get('OpenStack-API-Version')
    if standard:
        for item in standard.split(','):
            parts = item.strip().split(None, 1)
            if len(parts) == 2 and parts[0].lower() == 'compute':
                requested = parts[1].strip()  # the right-most entry wins
    if requested is None:
        legacy = headers.get('X-OpenStack-Nova-API-Version')
        if legacy:
            requested = legacy.split(',')[-1].strip()
    if requested is None:
        return MIN
    if requested == 'latest':
        return MAX
    version = APIVersionRequest(requested)
    if not version.matches(MIN, MAX):
        raise exception.VersionNotSupported(version=requested,
                                            min_ver=MIN_API_VERSION,
                                            max_ver=MAX_API_VERSION)
    return version
