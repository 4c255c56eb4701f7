"""services.uuid and services.compute_node_uuid: the ids microversion
2.53 shows for a compute service and for its hypervisor; existing
services get new ones

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from alembic import op
from oslo_utils import uuidutils
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uuid', sa.String(36), nullable=True))
        batch_op.add_column(sa.Column('compute_node_uuid', sa.String(36),
                                      nullable=True))
    connection = op.get_bind()
    services = sa.table('services', sa.column('id', sa.Integer),
                        sa.column('uuid', sa.String),
                        sa.column('compute_node_uuid', sa.String))
    for (service_id,) in connection.execute(sa.select(services.c.id)).all():
        connection.execute(services.update().where(
            services.c.id == service_id).values(
                uuid=uuidutils.generate_uuid(),
                compute_node_uuid=uuidutils.generate_uuid()))
    # NOTE: not null and unique only once every row has its ids.
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.alter_column('uuid', existing_type=sa.String(36),
                              nullable=False)
        batch_op.alter_column('compute_node_uuid',
                              existing_type=sa.String(36), nullable=False)
        batch_op.create_index('services_uuid_idx', ['uuid'], unique=True)
        batch_op.create_index('services_compute_node_uuid_idx',
                              ['compute_node_uuid'], unique=True)
