"""The flavor extra specs Nova knows, and their values (microversion
2.86).

The registry is Nova's (``nova/api/validation/extra_specs/``) kept as
data: each known name, or name pattern with ``{parameters}``, and the
type of its value. :func:`validate` follows Nova's rules:

1. a known name (exactly, or by its pattern) must have a valid value;
2. a name with no namespace (no ``:``) passes;
3. an unknown name in a known namespace (``hw:``, ``trait1:``, ...)
   fails; any other namespace passes, for the operator's own filters.

The error texts are Nova's, word for word.
"""

import re

import os_resource_classes
import os_traits
from oslo_utils import strutils

from novalite import exception

_NUMBER_LIST = r'\^?\d+((-\d+)?(,\^?\d+(-\d+)?)?)*'
_GROUP = r'([a-zA-Z0-9_-]{1,64})?'
_UPPER = r'[A-Z0-9_]+'
# Nova's capability filter: hosts' own values, so any text is fine.
_CAPABILITIES = (
    'id', 'uuid', 'service_id', 'host', 'vcpus', 'memory_mb', 'local_gb',
    'vcpus_used', 'memory_mb_used', 'local_gb_used', 'hypervisor_type',
    'hypervisor_version', 'hypervisor_hostname', 'free_ram_mb',
    'free_disk_gb', 'current_workload', 'running_vms',
    'disk_available_least', 'host_ip', 'mapped', 'cpu_allocation_ratio',
    'ram_allocation_ratio', 'disk_allocation_ratio', 'total_usable_ram_mb',
    'total_usable_disk_gb', 'disk_mb_used', 'free_disk_mb', 'vcpus_total',
    'num_instances', 'num_io_ops', 'failed_builds', 'aggregates',
    'cell_uuid', 'updated')
_NESTED_CAPABILITIES = (
    'cpu_info', 'metrics', 'stats', 'numa_topology', 'supported_hv_specs',
    'pci_device_pools', 'nodename', 'pci_stats', 'supported_instances',
    'limits', 'instances')

TEXT = {'type': str}
BOOL = {'type': bool}
INT = {'type': int}
NATURAL = {'type': int, 'min': 0}
POSITIVE = {'type': int, 'min': 1}


def _enum(*values):
    return {'type': str, 'enum': values}


def _pattern(regex):
    return {'type': str, 'pattern': regex}


class Spec:
    """One known extra spec: ``name`` may hold ``{param}`` holes, each
    filled by its regex from ``params`` (not escaped, as in Nova)."""

    def __init__(self, name, value, **params):
        self.name = name
        self.value = value
        regex = name
        for param, pattern in params.items():
            regex = regex.replace('{%s}' % param,
                                  '(?P<%s>%s)' % (param, pattern))
        self.name_regex = regex
        # NOTE: compiled here: the traits alone outnumber re's cache.
        self.matcher = re.compile(regex)

    def validate(self, value):
        kind = self.value['type']
        if kind is int:
            _check_int(value, self.value)
        elif kind is bool:
            try:
                strutils.bool_from_string(value, strict=True)
            except ValueError:
                _fail("'%s' is not a valid boolean-like value." % value)
        elif 'pattern' in self.value:
            if not re.fullmatch(self.value['pattern'], value):
                _fail("'%s' is not of the format '%s'."
                      % (value, self.value['pattern']))
        elif 'enum' in self.value and value not in self.value['enum']:
            _fail("'%s' is not one of: %s."
                  % (value, ', '.join(self.value['enum'])))


def _fail(reason):
    raise exception.ValidationError(detail='Validation failed; ' + reason)


def _check_int(value, rule):
    try:
        number = int(value)
    except ValueError:
        _fail("'%s' is not a valid integer value." % value)
    if 'max' in rule and number > rule['max']:
        _fail("'%s' is greater than the max value of '%s'."
              % (number, rule['max']))
    if 'min' in rule and number < rule['min']:
        _fail("'%s' is less than the min value of '%s'."
              % (number, rule['min']))


def _hw():
    return [
        Spec('hw:cpu_realtime', BOOL),
        Spec('hw:cpu_realtime_mask',
             _pattern(r'(\^)?\d+((-\d+)?(,\^?\d+(-\d+)?)?)*')),
        Spec('hw:hide_hypervisor_id', BOOL),
        Spec('hw:cpu_policy', _enum('dedicated', 'shared', 'mixed')),
        Spec('hw:cpu_thread_policy', _enum('prefer', 'isolate', 'require')),
        Spec('hw:emulator_threads_policy', _enum('isolate', 'share')),
        Spec('hw:cpu_dedicated_mask', _pattern(_NUMBER_LIST)),
        Spec('hw:mem_page_size',
             _pattern(r'(large|small|any|\d+([kKMGT]i?)?(b|bit|B)?)')),
        Spec('hw:locked_memory', BOOL),
        Spec('hw:numa_nodes', POSITIVE),
        Spec('hw:numa_cpus.{num}', _pattern(_NUMBER_LIST), num=r'\d+'),
        Spec('hw:numa_mem.{num}', POSITIVE, num=r'\d+'),
        Spec('hw:pci_numa_affinity_policy',
             _enum('required', 'preferred', 'legacy', 'socket')),
    ] + [
        Spec('hw:%s' % name, POSITIVE)
        for name in ('cpu_sockets', 'cpu_cores', 'cpu_threads',
                     'cpu_max_sockets', 'cpu_max_cores', 'cpu_max_threads')
    ] + [
        Spec('hw:boot_menu', BOOL),
        Spec('hw:vif_multiqueue_enabled', BOOL),
        Spec('hw:mem_encryption', BOOL),
        Spec('hw:mem_encryption_model',
             _enum('amd-sev', 'amd-sev-es', 'amd-sev-snp')),
        Spec('hw:pmem', _pattern('([a-zA-Z0-9_]+(,)?)+')),
        Spec('hw:pmu', BOOL),
        Spec('hw:serial_port_count', NATURAL),
        Spec('hw:tpm_model', _enum('tpm-tis', 'tpm-crb')),
        Spec('hw:tpm_version', _enum('1.2', '2.0')),
        Spec('hw:tpm_secret_security', _enum('user', 'host', 'deployment')),
        Spec('hw:watchdog_action',
             _enum('none', 'pause', 'poweroff', 'reset', 'disabled')),
        Spec('hw:viommu_model', _enum('intel', 'smmuv3', 'virtio', 'auto')),
        Spec('hw:virtio_packed_ring', BOOL),
        Spec('hw:sound_model',
             _enum('sb16', 'es1370', 'pcspk', 'ac97', 'ich6', 'ich9', 'usb',
                   'virtio')),
        Spec('hw:usb_model', _enum('none', 'nec-xhci', 'qemu-xhci')),
        Spec('hw:redirected_usb_ports', {'type': int, 'min': 0, 'max': 15}),
        Spec('hw:ephemeral_encryption', BOOL),
        Spec('hw:ephemeral_encryption_format',
             _enum('plain', 'luks', 'luksv2')),
    ]


def _quota():
    specs = []
    for key in ('cpu', 'memory', 'disk_io', 'vif'):
        specs += [
            Spec('quota:%s_limit' % key, NATURAL),
            Spec('quota:%s_reservation' % key, INT),
            Spec('quota:%s_shares_level' % key,
                 _enum('custom', 'high', 'normal', 'low')),
            Spec('quota:%s_shares_share' % key, NATURAL),
        ]
    specs += [Spec('quota:cpu_shares', NATURAL),
              Spec('quota:cpu_period', NATURAL),
              Spec('quota:cpu_quota', INT)]
    specs += [Spec('quota:disk_%s_%s_sec' % (stat, metric), NATURAL)
              for stat in ('read', 'write', 'total')
              for metric in ('bytes', 'iops')]
    specs += [Spec('quota:vif_%s_%s' % (stat, metric), NATURAL)
              for stat in ('inbound', 'outbound')
              for metric in ('average', 'peak', 'burst')]
    return specs


def _placement():
    required = _enum('required', 'forbidden')
    return (
        [Spec('resources{group}:%s' % rc, INT, group=_GROUP)
         for rc in os_resource_classes.STANDARDS]
        + [Spec('resources{group}:CUSTOM_{resource}', INT, group=_GROUP,
                resource=_UPPER)]
        + [Spec('trait{group}:%s' % trait, required, group=_GROUP)
           for trait in os_traits.get_traits()]
        + [Spec('trait{group}:CUSTOM_{trait}', required, group=_GROUP,
                trait=_UPPER)])


def _registry():
    """Every known spec, in Nova's order of registration (the order a
    name that no spec names exactly is tried against the patterns)."""
    specs = (
        [Spec('accel:device_profile', TEXT),
         Spec('aggregate_instance_extra_specs:{key}', TEXT, key='.+')]
        + [Spec('capabilities:%s' % name, TEXT) for name in _CAPABILITIES]
        + [Spec('capabilities:%s{filter}' % name, TEXT, filter=r'(:\w+)*')
           for name in _NESTED_CAPABILITIES]
        + _hw()
        + [Spec('hw_rng:allowed', BOOL),
           Spec('hw_rng:rate_bytes', NATURAL),
           Spec('hw_rng:rate_period', NATURAL),
           Spec('hw_video:ram_max_mb', NATURAL),
           Spec('hide_hypervisor_id', BOOL),
           Spec('group_policy', _enum('isolate', 'none')),
           Spec('os:secure_boot', _enum('disabled', 'required')),
           Spec('pci_passthrough:alias',
                _pattern(r'[^:]+:\d+(?:\s*,\s*[^:]+:\d+)*'))]
        + _quota()
        + _placement()
        + [Spec('vmware:hw_version', TEXT),
           Spec('vmware:storage_policy', TEXT)])
    return {spec.name: spec for spec in specs}


SPECS = _registry()
# The namespaces Nova knows, as patterns ('trait' takes a group suffix).
NAMESPACES = {spec.name_regex.split(':', 1)[0]
              for spec in SPECS.values() if ':' in spec.name_regex}


def validate(name, value):
    """ValidationError unless ``value`` (text) suits extra spec ``name``
    (Nova's ``validators.validate``)."""
    spec = SPECS.get(name)
    if spec is None:
        spec = next((candidate for candidate in SPECS.values()
                     if candidate.matcher.fullmatch(name)), None)
    if spec is not None:
        spec.validate(value)
        return
    if ':' not in name:
        return
    namespace = name.split(':', 1)[0]
    if any(re.fullmatch(known, namespace) for known in NAMESPACES):
        _fail("extra spec '%s' does not appear to be a valid extra spec."
              % name)
