from oslo_db import options as db_options

_DEFAULT_SQL_CONNECTION = 'sqlite:///$state_path/novalite.sqlite'


def register_opts(conf):
    # oslo.db owns the [database] options (listed by its own generator
    # namespace); novalite only changes the default connection.
    db_options.set_defaults(conf, connection=_DEFAULT_SQL_CONNECTION)


def list_opts():
    return {}
