from oslo_config import cfg

quota_group = cfg.OptGroup('quota', title='Quota options',
                           help='Per-project limits. -1 means unlimited.')

quota_opts = [
    cfg.IntOpt('instances', default=10, min=-1,
               help='Servers per project.'),
    cfg.IntOpt('cores', default=20, min=-1,
               help='Instance cores (vCPUs) per project.'),
    cfg.IntOpt('ram', default=50 * 1024, min=-1,
               help='Megabytes of instance RAM per project.'),
    cfg.IntOpt('metadata_items', default=128, min=-1,
               help='Metadata items per server.'),
    cfg.IntOpt('injected_files', default=5, min=-1,
               help='Personality files per server.'),
    cfg.IntOpt('injected_file_content_bytes', default=10 * 1024, min=-1,
               help='Bytes of each personality file (base64 length, as '
                    'Nova measures it).'),
    cfg.IntOpt('injected_file_path_length', default=255, min=-1,
               help='Length of a personality file path.'),
    cfg.IntOpt('key_pairs', default=100, min=-1,
               help='Key pairs per user.'),
    cfg.IntOpt('server_groups', default=10, min=-1,
               help='Server groups per project (reported only).'),
    cfg.IntOpt('server_group_members', default=10, min=-1,
               help='Servers per server group (reported only).'),
]


def register_opts(conf):
    conf.register_group(quota_group)
    conf.register_opts(quota_opts, group=quota_group)


def list_opts():
    return {quota_group: quota_opts}
