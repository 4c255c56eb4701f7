from oslo_config import cfg

image_cache_group = cfg.OptGroup(
    'image_cache', title='Image cache of the compute hosts',
    help='Each compute host keeps a copy of every image its servers boot '
         'from under ``$instances_path/_base``; servers\' disks are qcow2 '
         'overlays on those copies. Unused copies are removed by a '
         'periodic task. Option names and defaults are Nova\'s.')

image_cache_opts = [
    cfg.IntOpt('manager_interval',
               default=2400, min=-1,
               help='Seconds between runs of the image cache manager. '
                    '0 or a negative value disables it.'),
    cfg.BoolOpt('remove_unused_base_images',
                default=True,
                help='Whether cached images no server on this host uses '
                     'are removed.'),
    cfg.IntOpt('remove_unused_original_minimum_age_seconds',
               default=24 * 3600, min=0,
               help='Seconds a cached image must have gone unused (by its '
                    'modification time, refreshed each time a server is '
                    'built from it) before it is removed.'),
]


def register_opts(conf):
    conf.register_group(image_cache_group)
    conf.register_opts(image_cache_opts, group=image_cache_group)


def list_opts():
    return {image_cache_group: image_cache_opts}
