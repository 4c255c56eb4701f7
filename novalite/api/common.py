"""Helpers shared by controllers: paging, booleans, time formats."""

from oslo_config import cfg
from oslo_utils import timeutils

from novalite.api import api_version
from novalite import exception

CONF = cfg.CONF

TRUE_STRINGS = ('1', 't', 'true', 'on', 'y', 'yes')
FALSE_STRINGS = ('0', 'f', 'false', 'off', 'n', 'no')


def is_true(value):
    """Nova's strict boolean for body values (bool or boolean-ish str)."""
    if isinstance(value, bool):
        return value
    return str(value).lower() in ('true', '1', 'on', 'yes')


def last(req, name, default=None):
    """The last value of a query parameter."""
    values = req.GET.getall(name)
    return values[-1] if values else default


def limit_and_marker(req):
    """(page size, marker) with Nova's rules: limit capped by max_limit."""
    limit = last(req, 'limit')
    max_limit = CONF.api.max_limit
    if limit is None:
        page = max_limit
    else:
        try:
            page = int(limit)
        except ValueError:
            raise exception.ValidationError(
                detail='limit param must be an integer')
        if page < 0:
            raise exception.ValidationError(
                detail='limit param must be positive')
        page = min(page, max_limit)
    return page, last(req, 'marker')


def changes_window(params):
    """``changes-since`` and ``changes-before`` of ``params`` (a dict of
    query values), those given, as naive UTC datetimes; Nova's 400 when
    the window closes before it opens."""
    window = {}
    for key in ('changes-since', 'changes-before'):
        if key in params:
            try:
                window[key] = timeutils.normalize_time(
                    timeutils.parse_isotime(params[key]))
            except ValueError:
                raise exception.ValidationError(
                    detail='Invalid input for query parameters %s. '
                           'Value: %s.' % (key, params[key]))
    if len(window) == 2 and window['changes-since'] > window[
            'changes-before']:
        raise exception.ValidationError(
            detail='The value of changes-since must be less than or equal '
                   'to changes-before.')
    return window


def isotime(value):
    """``YYYY-MM-DDThh:mm:ssZ``, Nova's format for created/updated."""
    return value.strftime('%Y-%m-%dT%H:%M:%SZ') if value else None


def usage_time(value):
    """Naive microsecond format of OS-SRV-USG:launched_at/terminated_at."""
    return value.strftime('%Y-%m-%dT%H:%M:%S.%f') if value else None


def policy_target(instance):
    return {'project_id': instance['project_id'],
            'user_id': instance['user_id']}


# The quota resources of Nova's proxy APIs, whose limits and usage are not
# shown from 2.36 (Nova's FILTERED_QUOTAS_v236).
PROXY_QUOTAS = ('fixed_ips', 'floating_ips', 'security_group_rules',
                'security_groups')


# The personality (injected files) quotas, not shown from 2.57 (Nova's
# FILTERED_QUOTAS_v257).
PERSONALITY_QUOTAS = ('injected_file_content_bytes',
                      'injected_file_path_bytes', 'injected_files')


def hidden_quotas(req):
    """The quota resources that ``/limits`` and ``os-quota-sets`` do not
    show at the request's microversion."""
    if req.is_version(max_version=api_version.MAX_PROXY_API_VERSION):
        return ()
    if req.is_version(max_version='2.56'):
        return PROXY_QUOTAS
    return PROXY_QUOTAS + PERSONALITY_QUOTAS
