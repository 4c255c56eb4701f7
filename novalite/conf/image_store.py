from oslo_config import cfg

image_store_group = cfg.OptGroup(
    'image_store', title='Image catalogue',
    help='novalite keeps its own small image catalogue, filled with '
         '``novalite-manage image create`` and by snapshots '
         '(``createImage``, ``shelve``). Every compute host must see the '
         'files at the same path, and be able to write there: an agent '
         'writes a snapshot any host boots, and resizes and cold '
         'migrations pass disks between hosts through ``_transfers/`` '
         'under it (a local directory on a single host, else one shared '
         'mount on every host).')

image_store_opts = [
    cfg.StrOpt('path',
               default='$state_path/images',
               help='Directory holding registered image files.'),
    cfg.IntOpt('image_size_cap',
               default=1099511627776, min=1,
               help='The largest image, in bytes, a user may upload '
                    'through the Image API (Glance\'s option of the same '
                    'name; 1 TiB). A larger upload is refused with 413 '
                    'and leaves nothing stored.'),
]


def register_opts(conf):
    conf.register_group(image_store_group)
    conf.register_opts(image_store_opts, group=image_store_group)


def list_opts():
    return {image_store_group: image_store_opts}
