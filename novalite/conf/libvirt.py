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
    cfg.IntOpt('wait_soft_reboot_seconds',
               default=120, min=0,
               help='Seconds a SOFT reboot waits for the guest to power '
                    'off after the ACPI power button before it falls back '
                    'to a HARD reboot (Nova\'s option).'),
    cfg.IntOpt('delete_shutdown_timeout',
               default=5, min=0,
               help='Seconds a delete waits for the guest to power off '
                    'after the ACPI power button before destroying it, so '
                    'that its disks are left consistent. 0 destroys at '
                    'once, as Nova does.'),
]


def register_opts(conf):
    conf.register_group(libvirt_group)
    conf.register_opts(libvirt_opts, group=libvirt_group)


def list_opts():
    return {libvirt_group: libvirt_opts}
