"""fixed_ips.port_id: each allocated address's Networking API port id,
stored and indexed, so that a port is found (and ports are paged) by a
query rather than by deriving the id of every row

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

import uuid

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# NOTE: until this revision a port's id was derived from its MAC address
# with this namespace; existing ports keep the ids clients have seen.
_PORT_NAMESPACE = uuid.UUID('5b0c4f8e-3d7a-4e55-9a61-0c7e2f1d8b42')


def upgrade():
    with op.batch_alter_table('fixed_ips', schema=None) as batch_op:
        batch_op.add_column(sa.Column('port_id', sa.String(36),
                                      nullable=True))
    connection = op.get_bind()
    fixed_ips = sa.table('fixed_ips', sa.column('id', sa.Integer),
                         sa.column('mac_address', sa.String),
                         sa.column('port_id', sa.String))
    rows = connection.execute(sa.select(fixed_ips.c.id,
                                        fixed_ips.c.mac_address)).all()
    for row in rows:
        connection.execute(fixed_ips.update().where(
            fixed_ips.c.id == row.id).values(port_id=str(uuid.uuid5(
                _PORT_NAMESPACE, 'port:' + row.mac_address))))
    # NOTE: NOT NULL and unique only once every row has its id.
    with op.batch_alter_table('fixed_ips', schema=None) as batch_op:
        batch_op.alter_column('port_id', existing_type=sa.String(36),
                              nullable=False)
        batch_op.create_unique_constraint('uniq_fixed_ips0port_id',
                                          ['port_id'])
