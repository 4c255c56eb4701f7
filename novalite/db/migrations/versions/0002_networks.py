"""networks and fixed IPs

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('networks',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('cidr', sa.String(length=43), nullable=False),
    sa.Column('gateway', sa.String(length=39), nullable=False),
    sa.Column('bridge', sa.String(length=15), nullable=False),
    sa.Column('project_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid', name='uniq_networks0uuid'),
    sa.UniqueConstraint('name', name='uniq_networks0name'),
    sa.UniqueConstraint('bridge', name='uniq_networks0bridge')
    )
    op.create_table('fixed_ips',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=39), nullable=False),
    sa.Column('instance_uuid', sa.String(length=36), nullable=False),
    sa.Column('mac_address', sa.String(length=17), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('network_id', 'address',
                        name='uniq_fixed_ips0network_id0address'),
    sa.UniqueConstraint('mac_address', name='uniq_fixed_ips0mac_address')
    )
    with op.batch_alter_table('fixed_ips', schema=None) as batch_op:
        batch_op.create_index(
            'fixed_ips_instance_uuid_idx', ['instance_uuid'], unique=False)
