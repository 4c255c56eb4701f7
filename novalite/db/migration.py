"""Schema migrations with alembic (``novalite-manage db sync``)."""

import os

from alembic import command as alembic_command
from alembic import config as alembic_config
from alembic import migration as alembic_migration

from novalite.db import api as db_api


def _alembic_config(connection=None):
    path = os.path.join(os.path.dirname(__file__), 'migrations',
                        'alembic.ini')
    config = alembic_config.Config(path)
    config.set_main_option('script_location',
                           os.path.dirname(path))
    if connection is not None:
        config.attributes['connection'] = connection
    return config


def db_sync(engine=None, version='head'):
    engine = engine or db_api.get_engine()
    with engine.begin() as connection:
        alembic_command.upgrade(_alembic_config(connection), version)


def db_version(engine=None):
    engine = engine or db_api.get_engine()
    with engine.connect() as connection:
        return alembic_migration.MigrationContext.configure(
            connection).get_current_revision()
