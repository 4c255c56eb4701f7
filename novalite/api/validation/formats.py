"""Format checkers used by the schemas ('uuid', 'name', 'base64', ...)."""

import base64
import binascii
import re
import unicodedata

import jsonschema
import netaddr
from oslo_utils import timeutils

from novalite import exception

FORMAT_CHECKER = jsonschema.FormatChecker()

_UUID_RE = re.compile(r'^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?'
                      r'[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$')


class InvalidName(exception.Invalid):
    msg_fmt = ("An invalid 'name' value was provided. The name must be: "
               "printable characters. Can not start or end with "
               "whitespace.")


@FORMAT_CHECKER.checks('uuid')
def _uuid(value):
    if not isinstance(value, str):
        return True
    return bool(_UUID_RE.match(value))


_NOT_PRINTABLE = frozenset(['Cc', 'Cf', 'Cs', 'Co', 'Cn', 'Zl', 'Zp'])


def is_printable(value):
    return not any(unicodedata.category(c) in _NOT_PRINTABLE for c in value)


@FORMAT_CHECKER.checks('name', raises=InvalidName)
def _name(value):
    if not isinstance(value, str):
        return True
    if value != value.strip() or not is_printable(value):
        raise InvalidName()
    return True


@FORMAT_CHECKER.checks('printable')
def _printable(value):
    if not isinstance(value, str):
        return True
    return is_printable(value)


@FORMAT_CHECKER.checks('base64')
def _base64(value):
    if not isinstance(value, str):
        return True
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


@FORMAT_CHECKER.checks('ipv4')
def _ipv4(value):
    if not isinstance(value, str):
        return True
    return netaddr.valid_ipv4(value, netaddr.INET_PTON)


@FORMAT_CHECKER.checks('ipv6')
def _ipv6(value):
    if not isinstance(value, str):
        return True
    return netaddr.valid_ipv6(value)


@FORMAT_CHECKER.checks('date-time')
def _date_time(value):
    if not isinstance(value, str):
        return True
    try:
        timeutils.parse_isotime(value)
    except ValueError:
        return False
    return True


@FORMAT_CHECKER.checks('regex')
def _regex(value):
    # As Nova: the pattern must compile, and an empty one matches nothing
    # useful. Matching itself is bounded in time (novalite.db.regexp).
    if not isinstance(value, str):
        return True
    if not value:
        return False
    try:
        re.compile(value)
    except (re.error, RecursionError, OverflowError):
        return False
    return True


@FORMAT_CHECKER.checks('regex_or_empty')
def _regex_or_empty(value):
    # The flavor name filter (2.102): Nova lists every flavor for an empty
    # pattern (and fails with a 500 on one that does not compile).
    return value == '' or _regex(value)
