"""tags compared byte for byte on MySQL/MariaDB

MySQL's default collations fold case and ignore trailing spaces, so the
tags 'a' and 'A' (or 'c' and 'c ') of one server collided in the primary
key (a 500). PostgreSQL and SQLite compare strings exactly; so does this
collation.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def binary_collation(bind):
    """The exact (binary, no padding) utf8mb4 collation of the server."""
    if getattr(bind.dialect, 'is_mariadb', False):
        return 'utf8mb4_nopad_bin'
    return 'utf8mb4_0900_bin'


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name not in ('mysql', 'mariadb'):
        return
    op.alter_column('tags', 'tag', existing_type=sa.String(80),
                    type_=sa.String(80,
                                    collation=binary_collation(bind)),
                    existing_nullable=False)
