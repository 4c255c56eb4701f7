from oslo_config import cfg

image_store_group = cfg.OptGroup(
    'image_store', title='Image catalogue',
    help='novalite keeps its own small image catalogue, filled with '
         '``novalite-manage image create``. The files must be readable by '
         'every compute host at the same path (a local disk on a single '
         'host, or a shared mount).')

image_store_opts = [
    cfg.StrOpt('path',
               default='$state_path/images',
               help='Directory holding registered image files.'),
]


def register_opts(conf):
    conf.register_group(image_store_group)
    conf.register_opts(image_store_opts, group=image_store_group)


def list_opts():
    return {image_store_group: image_store_opts}
