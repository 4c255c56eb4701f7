"""images as the Image API v2 shows them: owner, visibility, protected,
and Glance's two hashes (``checksum`` is now an MD5, ``os_hash_value``
the ``os_hash_algo`` digest)

The owner was a snapshot's ``owner_id`` property; an image without one
was public. The sha256 digests novalite-manage wrote into ``checksum``
move to ``os_hash_algo``/``os_hash_value``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

import json

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('images', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.String(255),
                                      nullable=True))
        batch_op.add_column(sa.Column('visibility', sa.String(9),
                                      nullable=False,
                                      server_default='public'))
        batch_op.add_column(sa.Column('protected', sa.Boolean(),
                                      nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('os_hash_algo', sa.String(64),
                                      nullable=True))
        batch_op.add_column(sa.Column('os_hash_value', sa.String(128),
                                      nullable=True))
        # An image created through the Image API has no formats until
        # it is given them.
        batch_op.alter_column('disk_format', existing_type=sa.String(30),
                              nullable=True)
        batch_op.alter_column('container_format',
                              existing_type=sa.String(30), nullable=True)
        batch_op.create_index('images_owner_idx', ['owner'])
        batch_op.create_index('images_visibility_idx', ['visibility'])

    images = sa.table('images', sa.column('id', sa.String),
                      sa.column('properties', sa.Text),
                      sa.column('checksum', sa.String),
                      sa.column('owner', sa.String),
                      sa.column('visibility', sa.String),
                      sa.column('os_hash_algo', sa.String),
                      sa.column('os_hash_value', sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(
        images.c.id, images.c.properties, images.c.checksum)).all()
    for image_id, properties, checksum in rows:
        owner = json.loads(properties or '{}').get('owner_id')
        values = {'owner': owner,
                  'visibility': 'private' if owner else 'public'}
        if checksum:
            values.update(checksum=None, os_hash_algo='sha256',
                          os_hash_value=checksum)
        connection.execute(images.update().where(
            images.c.id == image_id).values(**values))
