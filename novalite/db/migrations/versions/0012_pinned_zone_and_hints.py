"""instances.pinned_availability_zone, scheduler_hints and
image_properties: what a create asked for and booted, kept as Nova keeps
them (its request spec, and its ``image_*`` system metadata)

``pinned_availability_zone``: the zone the create named (or
``[DEFAULT] default_schedule_zone``), which an unshelve may change
(2.77, 2.91) and servers show from 2.96; null for a server free to go
anywhere. ``scheduler_hints``: the create's hints as JSON, each value a
list (shown from 2.100). ``image_properties``: the properties of the
image the server was built (or rebuilt) from that Nova shows from 2.98,
as JSON. Servers made before this revision have none of them (null):
what they asked for was not kept.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pinned_availability_zone',
                                      sa.String(255), nullable=True))
        batch_op.add_column(sa.Column('scheduler_hints', sa.Text,
                                      nullable=True))
        batch_op.add_column(sa.Column('image_properties', sa.Text,
                                      nullable=True))
