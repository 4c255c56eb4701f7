from oslo_config import cfg

libvirt_group = cfg.OptGroup('libvirt', title='libvirt driver options')

libvirt_opts = [
    cfg.StrOpt('virt_type',
               default='qemu',
               choices=['kvm', 'qemu'],
               help='Domain type. Use "qemu" (TCG) where hardware '
                    'virtualisation is missing.'),
    cfg.StrOpt('connection_uri',
               default='',
               help='libvirt URI; empty means qemu:///system. '
                    '"test:///default" uses libvirt\'s in-memory test '
                    'driver (no daemon, per process).'),
    cfg.IntOpt('clean_shutdown_timeout',
               default=60, min=0,
               help='Seconds to wait for a guest to power off after an '
                    'ACPI shutdown before it is destroyed.'),
]


def register_opts(conf):
    conf.register_group(libvirt_group)
    conf.register_opts(libvirt_opts, group=libvirt_group)


def list_opts():
    return {libvirt_group: libvirt_opts}
