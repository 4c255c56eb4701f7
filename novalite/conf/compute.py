from oslo_config import cfg

compute_opts = [
    cfg.StrOpt('compute_driver',
               default='libvirt.LibvirtDriver',
               choices=[('libvirt.LibvirtDriver', 'libvirt (libvirt-python)'),
                        ('fake.FakeDriver', 'in-memory driver for tests')],
               help='Driver the compute agent uses to run guests.'),
    cfg.StrOpt('instance_name_template',
               default='instance-%08x',
               help='Template of the hypervisor name of a server (its '
                    'libvirt domain name and ``OS-EXT-SRV-ATTR:'
                    'instance_name``), filled with the server\'s database '
                    'id, or with ``%(id)s``, ``%(uuid)s`` and '
                    '``%(hostname)s`` (Nova\'s option). It must give '
                    'distinct names to the servers of deployments that '
                    'share a hypervisor.'),
    cfg.StrOpt('instances_path',
               default='$state_path/instances',
               help='Where each server\'s disk, config drive and console '
                    'log are kept on the compute host.'),
    cfg.IntOpt('shutdown_timeout',
               default=60, min=0,
               help='Seconds a stop waits for the guest to power off after '
                    'the ACPI power button before it is destroyed '
                    '(Nova\'s option). 0 destroys at once.'),
    cfg.IntOpt('sync_power_state_interval',
               default=600,
               help='Seconds between syncs of the database power state '
                    'with the hypervisor. A negative value disables it.'),
    cfg.IntOpt('instance_build_timeout',
               default=600, min=0,
               help='Seconds after its creation a server may still be '
                    'building before its agent puts it in ERROR (Nova\'s '
                    'option; checked every minute). Nova\'s default, 0, '
                    'turns the check off, which leaves a server whose '
                    'build message was lost (queued messages do not '
                    'survive a broker restart) in BUILD for ever.'),
    cfg.StrOpt('running_deleted_instance_action',
               default='reap',
               choices=[('noop', 'do nothing'),
                        ('log', 'log a warning for each such guest'),
                        ('shutdown', 'power the guest off and keep it, '
                                     'to look into it'),
                        ('reap', 'destroy the guest and its files')],
               help='What the compute agent does with a guest still on '
                    'its hypervisor whose server, one of this agent\'s, '
                    'is deleted (deleted by the API while the agent was '
                    'down, say), at start-up and every '
                    'running_deleted_instance_poll_interval seconds '
                    '(Nova\'s option). Guests of live servers, of other '
                    'agents\' servers and of no server at all are always '
                    'left alone.'),
    cfg.IntOpt('running_deleted_instance_poll_interval',
               default=1800,
               help='Seconds between the compute agent\'s checks for '
                    'guests whose server is deleted (Nova\'s option); 0 '
                    'or less disables the periodic check (the one at '
                    'start-up still runs).'),
    cfg.IntOpt('running_deleted_instance_timeout',
               default=0,
               help='Seconds a server must have been deleted before '
                    'running_deleted_instance_action applies to its '
                    'guest (Nova\'s option).'),
    cfg.IntOpt('reclaim_instance_interval',
               default=0,
               help='Soft delete (Nova\'s option). 0 or less: ``DELETE '
                    '/servers/{id}`` deletes the server. Greater than 0: '
                    'it only powers the guest off and shows the server '
                    'as SOFT_DELETED, which the ``restore`` action brings '
                    'back and ``forceDelete`` deletes at once; the '
                    'server\'s compute agent deletes it for good once it '
                    'has been soft-deleted this many seconds (it checks '
                    'every minute, or every interval if shorter). A '
                    'server that never ran is deleted at once. The API '
                    'and the agents must agree on it.'),
    cfg.FloatOpt('cpu_allocation_ratio',
                 default=4.0, min=0.0,
                 help='Virtual CPUs the scheduler may place per physical '
                      'CPU of a compute host.'),
    cfg.FloatOpt('ram_allocation_ratio',
                 default=1.0, min=0.0,
                 help='Virtual RAM per physical RAM of a compute host.'),
    cfg.FloatOpt('disk_allocation_ratio',
                 default=1.0, min=0.0,
                 help='Virtual disk per physical disk of a compute host.'),
    cfg.IntOpt('reserved_host_memory_mb',
               default=512, min=0,
               help='Memory (MiB) kept back for the host itself.'),
    cfg.IntOpt('fake_vcpus', default=64, min=1,
               help='vCPUs reported by the fake driver.'),
    cfg.IntOpt('fake_memory_mb', default=262144, min=1,
               help='Memory (MiB) reported by the fake driver.'),
    cfg.IntOpt('fake_local_gb', default=10000, min=1,
               help='Disk (GiB) reported by the fake driver.'),
    # rebuild, resize, migrate, shelve, snapshot:
    cfg.BoolOpt('allow_resize_to_same_host',
                default=False,
                help='Allow the scheduler to keep a resized server on its '
                     'own host (Nova\'s option). With False, a resize needs '
                     'another compute host with room for the new flavor, '
                     'else it fails with "No valid host was found" and '
                     'the server stays as it was. A cold migration never '
                     'stays on its host, as with Nova\'s libvirt driver.'),
    cfg.IntOpt('shelved_offload_time',
               default=0, min=-1,
               help='Seconds a shelved server keeps its host before the '
                    'agent offloads it (destroys its guest and frees the '
                    'host: SHELVED_OFFLOADED), checked every '
                    'shelved_poll_interval seconds (Nova\'s option). 0 '
                    'offloads at once, as part of the shelve; -1 never '
                    'offloads by itself (shelveOffload still does).'),
    cfg.IntOpt('shelved_poll_interval',
               default=3600,
               help='Seconds between the agent\'s checks for shelved '
                    'servers to offload (Nova\'s option); 0 or less '
                    'disables the check.'),
]


def register_opts(conf):
    conf.register_opts(compute_opts)


def list_opts():
    return {'DEFAULT': compute_opts}
