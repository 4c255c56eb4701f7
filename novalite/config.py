"""Process start-up: parse configuration and set up logging."""

from oslo_config import cfg
from oslo_log import log as logging

import novalite.conf  # noqa: F401 (registers every option)

CONF = cfg.CONF
logging.register_options(CONF)


def parse_args(argv, default_config_files=None):
    CONF(argv[1:], project='novalite', prog=argv[0].rsplit('/', 1)[-1],
         default_config_files=default_config_files)
    logging.setup(CONF, 'novalite')
