"""security groups and their rules, as Neutron keeps them (recorded and
shown by the os-security-groups proxy; novalite enforces none of them)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('security_groups',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.String(length=255), nullable=True),
    sa.Column('project_id', sa.String(length=255), nullable=False),
    sa.Column('default_for', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid', name='uniq_security_groups0uuid'),
    sa.UniqueConstraint('default_for', 'deleted',
                        name='uniq_security_groups0default_for0deleted')
    )
    op.create_index('security_groups_project_id_deleted_idx',
                    'security_groups', ['project_id', 'deleted'],
                    unique=False)
    op.create_table('security_group_rules',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('parent_group_id', sa.String(length=36), nullable=False),
    sa.Column('ip_protocol', sa.String(length=255), nullable=True),
    sa.Column('from_port', sa.Integer(), nullable=True),
    sa.Column('to_port', sa.Integer(), nullable=True),
    sa.Column('cidr', sa.String(length=43), nullable=True),
    sa.Column('group_id', sa.String(length=36), nullable=True),
    sa.Column('ethertype', sa.String(length=4), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid', name='uniq_security_group_rules0uuid')
    )
    op.create_index('security_group_rules_parent_group_id_idx',
                    'security_group_rules', ['parent_group_id'],
                    unique=False)
    op.create_index('security_group_rules_group_id_idx',
                    'security_group_rules', ['group_id'], unique=False)


def downgrade():
    op.drop_index('security_group_rules_group_id_idx',
                  table_name='security_group_rules')
    op.drop_index('security_group_rules_parent_group_id_idx',
                  table_name='security_group_rules')
    op.drop_table('security_group_rules')
    op.drop_index('security_groups_project_id_deleted_idx',
                  table_name='security_groups')
    op.drop_table('security_groups')
