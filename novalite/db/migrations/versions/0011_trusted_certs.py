"""instances.trusted_certs: the trusted image certificate ids a create or
rebuild gave a server (microversion 2.63), as JSON

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trusted_certs', sa.Text,
                                      nullable=True))
