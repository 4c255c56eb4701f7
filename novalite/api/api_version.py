"""Microversions: parsing, comparison and the supported range."""

import functools
import re

from novalite import exception

# Every microversion novalite serves, in order, with what it changed in
# Nova (rest_api_version_history). The last entry is the maximum that the
# version documents advertise and ``latest`` means: a version is added
# here only when all of it is done on every route novalite serves.
# api-ref/source/microversions.inc says what each does in novalite.
HISTORY = (
    ('2.1', 'The base API, with strict request validation'),
    ('2.2', 'Key pair type; 201/204 on key pair create/delete'),
    ('2.3', 'More OS-EXT-SRV-ATTR server fields for admins'),
    ('2.4', 'reserved in os-fixed-ips (not served)'),
    ('2.5', 'ip6 server list filter for non-admins'),
    ('2.6', 'remote-consoles (not served)'),
    ('2.7', 'Flavor access on a public flavor is a 409'),
    ('2.8', 'MKS consoles (not served)'),
    ('2.9', 'locked in the server view'),
    ('2.10', 'Key pairs of another user for admins'),
    ('2.11', 'Services: force-down'),
    ('2.12', 'VIF net_id (not served)'),
    ('2.13', 'Server groups: user_id and project_id'),
    ('2.14', 'evacuate: onSharedStorage removed'),
    ('2.15', 'Server groups: soft-affinity, soft-anti-affinity'),
    ('2.16', 'host_status in the server view'),
    ('2.17', 'trigger_crash_dump action'),
    ('2.18', 'Project id optional in the URL'),
    ('2.19', 'Server description'),
    ('2.20', 'Volume operations in more states (not served)'),
    ('2.21', 'Instance actions of deleted servers'),
    ('2.22', 'Force-complete live migration (not served)'),
    ('2.23', 'Migrations: id and type (not served)'),
    ('2.24', 'Abort live migration (not served)'),
    ('2.25', 'Live migration block_migration auto (not served)'),
    ('2.26', 'Server tags'),
    ('2.27', 'The OpenStack-API-Version header form'),
    ('2.28', 'Hypervisors: cpu_info an object'),
    ('2.29', 'evacuate: force (not served)'),
    ('2.30', 'os-migrateLive: force (not served)'),
    ('2.31', 'os-console-auth-tokens for every console (not served)'),
    ('2.32', 'Device tags on networks and block device mappings'),
    ('2.33', 'Hypervisors: paging (limit, marker)'),
    ('2.34', 'os-migrateLive: checks after the answer (not served)'),
    ('2.35', 'Key pairs: paging (limit, marker)'),
    ('2.36', 'Proxy APIs and their quotas removed'),
    ('2.37', 'networks required on create: a list, "auto" or "none"'),
    ('2.38', 'An unknown status list filter is a 400'),
    ('2.39', 'Image metadata proxy gone: no maxImageMeta, no image '
             'metadata quota on createImage/createBackup'),
    ('2.40', 'Simple tenant usage: paging (limit, marker)'),
    ('2.41', 'Aggregates: uuid (not served)'),
    ('2.42', 'Device tags back on networks and block device mappings'),
    ('2.43', 'os-hosts removed (not served)'),
    ('2.44', 'Fixed/floating IP actions, os-virtual-interfaces removed '
             '(not served)'),
    ('2.45', 'createImage, createBackup: {"image_id"} instead of '
             'Location'),
    ('2.46', 'X-OpenStack-Request-ID announced (sent at every version)'),
    ('2.47', 'The server view embeds its flavor'),
    ('2.48', 'Standard server diagnostics (not served)'),
    ('2.49', 'Tagged interface and volume attachments (not served)'),
    ('2.50', 'Quota classes: server groups (not served)'),
    ('2.51', 'Instance action events for their owners, without '
             'tracebacks'),
    ('2.52', 'tags on create'),
    ('2.53', 'Services and hypervisors named by UUID'),
    ('2.54', 'rebuild: key_name'),
    ('2.55', 'Flavors: description, PUT /flavors/{flavor_id}'),
    ('2.56', 'migrate: host'),
    ('2.57', 'Personality gone (create, rebuild, quotas); rebuild: '
             'user_data'),
    ('2.58', 'Instance actions: paging, changes-since, updated_at'),
    ('2.59', 'Migrations: paging (not served)'),
    ('2.60', 'Multiattach volumes (not served)'),
    ('2.61', 'Flavors: extra_specs in the full views'),
    ('2.62', 'Instance action events: host, hostId'),
    ('2.63', 'Trusted image certificates (create, rebuild, views)'),
    ('2.64', 'Server groups: policy and rules (max_server_per_host)'),
    ('2.65', 'Abort live migrations in more states (not served)'),
    ('2.66', 'changes-before: servers and instance actions'),
    ('2.67', 'Block device mappings: volume_type'),
    ('2.68', 'Forced live migration and evacuate gone (not served)'),
    ('2.69', 'Minimal servers and services of a down cell (novalite has '
             'no cells)'),
    ('2.70', 'Device tags of interfaces and volumes (not served)'),
    ('2.71', 'server_groups in show, update and rebuild'),
    ('2.72', 'Ports with resource requests (novalite ports have none)'),
    ('2.73', 'Lock reason (locked_reason); locked filter and sort key'),
    ('2.74', 'host and hypervisor_hostname on create'),
    ('2.75', 'Unknown query parameters are 400; update and rebuild show '
             'the whole server; flavor swap 0; hypervisor servers always'),
    ('2.76', 'power-update external events (not served)'),
    ('2.77', 'unshelve: availability_zone'),
    ('2.78', 'Server topology (no NUMA cells)'),
    ('2.79', 'Volume attachments: delete_on_termination (not served)'),
    ('2.80', 'Migrations: user_id, project_id (not served)'),
    ('2.81', 'Image cache of aggregates (not served)'),
    ('2.82', 'accelerator-request-bound external events (not served)'),
    ('2.83', 'More server list filters for non-admins'),
    ('2.84', 'Instance action events: details'),
    ('2.85', 'Volume attachments: update delete_on_termination '
             '(not served)'),
    ('2.86', 'Known flavor extra specs are validated'),
    ('2.87', 'Rescue of volume-backed servers (none in novalite)'),
    ('2.88', 'Hypervisors: uptime in the details, no statistics'),
    ('2.89', 'Volume attachments: attachment_id, bdm_uuid (not served)'),
    ('2.90', 'Servers: hostname on create, update and rebuild'),
    ('2.91', 'unshelve to a host; unpin the availability zone'),
    ('2.92', 'Key pairs: import only; @ and . in names'),
    ('2.93', 'Rebuild of volume-backed servers (none in novalite)'),
    ('2.94', 'Servers: a fully qualified hostname'),
    ('2.95', 'Evacuate stops the server (not served)'),
    ('2.96', 'Servers: pinned_availability_zone'),
    ('2.97', 'Server shares (not served)'),
    ('2.98', 'Servers: the image properties'),
    ('2.99', 'spice-direct consoles (not served)'),
    ('2.100', 'Servers: the scheduler hints'),
    ('2.101', 'Volume attach answers 202 (not served)'),
    ('2.102', 'Flavors: name filter, no rxtx_factor; strict queries'),
    ('2.103', 'os-volumes_boot removed (not served)'),
    ('2.104', 'Servers: update pinned_availability_zone'),
)

MIN_API_VERSION = HISTORY[0][0]

# The last version of Nova's proxy APIs (images, networks, security groups)
# and of the quotas of those resources (2.36 removed them).
MAX_PROXY_API_VERSION = '2.35'
MAX_API_VERSION = HISTORY[-1][0]

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


def check_history(history):
    """Raise ValueError unless ``history`` steps one minor at a time."""
    versions = [APIVersionRequest(version) for version, _ in history]
    for low, high in zip(versions, versions[1:]):
        if (high.major, high.minor) != (low.major, low.minor + 1):
            raise ValueError('microversion history: %s follows %s (a gap '
                             'or an overlap)' % (high, low))


check_history(HISTORY)
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
