"""instances.flavor_extra_specs: the extra specs of a server's flavor as
they were at boot (or at its last resize), as JSON, for the embedded
flavor of microversion 2.47; existing servers get their flavor's current
ones

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

import json

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flavor_extra_specs', sa.Text,
                                      nullable=True))
    connection = op.get_bind()
    specs = sa.table('flavor_extra_specs',
                     sa.column('flavor_id', sa.Integer),
                     sa.column('key', sa.String),
                     sa.column('value', sa.String))
    instances = sa.table('instances',
                         sa.column('instance_type_id', sa.Integer),
                         sa.column('flavor_extra_specs', sa.Text))
    by_flavor = {}
    for row in connection.execute(sa.select(specs.c.flavor_id, specs.c.key,
                                            specs.c.value)):
        by_flavor.setdefault(row.flavor_id, {})[row.key] = row.value
    for flavor_id, values in by_flavor.items():
        connection.execute(instances.update().where(
            instances.c.instance_type_id == flavor_id).values(
                flavor_extra_specs=json.dumps(values, sort_keys=True)))
