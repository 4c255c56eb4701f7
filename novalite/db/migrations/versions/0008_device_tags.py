"""fixed_ips.tag: the device tag a create request gave a server's network
interface (microversions 2.32 and 2.42), for the guest's device metadata

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fixed_ips', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tag', sa.String(60), nullable=True))
