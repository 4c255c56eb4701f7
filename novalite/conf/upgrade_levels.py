from oslo_config import cfg

upgrade_group = cfg.OptGroup('upgrade_levels', title='RPC version caps')

upgrade_opts = [
    cfg.StrOpt('compute',
               help='Highest compute RPC API version to send, so that new '
                    'API services can talk to old compute agents during '
                    'a rolling upgrade. Unset means the newest.'),
]


def register_opts(conf):
    conf.register_group(upgrade_group)
    conf.register_opts(upgrade_opts, group=upgrade_group)


def list_opts():
    return {upgrade_group: upgrade_opts}
