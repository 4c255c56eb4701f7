"""SQLAlchemy models. Alembic migrations must match these (a test checks).

Rows that users delete are soft-deleted: ``deleted`` becomes the row id
(so unique constraints that include ``deleted`` admit a new live row with
the same name) and ``deleted_at`` is set.
"""

import datetime

from oslo_utils import uuidutils
import sqlalchemy as sa
from sqlalchemy import orm


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class Base(orm.DeclarativeBase):

    def as_dict(self):
        # NOTE: the column keys are looked up once per class: inspecting
        # the mapper for every row was a tenth of a detail list's time.
        keys = type(self).__dict__.get('_column_keys')
        if keys is None:
            keys = tuple(c.key for c in sa.inspect(type(self)).column_attrs)
            type(self)._column_keys = keys
        return {key: getattr(self, key) for key in keys}


class TimestampMixin:
    created_at = sa.Column(sa.DateTime, default=_utcnow, nullable=False)
    updated_at = sa.Column(sa.DateTime, onupdate=_utcnow)


class SoftDeleteMixin:
    deleted_at = sa.Column(sa.DateTime)
    deleted = sa.Column(sa.Integer, default=0, nullable=False)


class Instance(TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = 'instances'
    __table_args__ = (
        sa.Index('instances_uuid_idx', 'uuid', unique=True),
        sa.Index('instances_project_deleted_created_idx',
                 'project_id', 'deleted', 'created_at'),
        sa.Index('instances_host_deleted_idx', 'host', 'deleted'),
        sa.Index('instances_deleted_created_idx', 'deleted', 'created_at'),
        sa.Index('instances_updated_at_idx', 'updated_at'),
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    project_id = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255), nullable=False)
    display_name = sa.Column(sa.String(255))
    display_description = sa.Column(sa.String(255))
    hostname = sa.Column(sa.String(255))
    reservation_id = sa.Column(sa.String(255))
    launch_index = sa.Column(sa.Integer)
    image_ref = sa.Column(sa.String(255))
    kernel_id = sa.Column(sa.String(255))
    ramdisk_id = sa.Column(sa.String(255))
    root_device_name = sa.Column(sa.String(255))
    # The flavor as it was at boot: a later flavor delete must not change
    # a running server.
    instance_type_id = sa.Column(sa.Integer)
    flavorid = sa.Column(sa.String(255))
    flavor_name = sa.Column(sa.String(255))
    vcpus = sa.Column(sa.Integer, nullable=False, default=0)
    memory_mb = sa.Column(sa.Integer, nullable=False, default=0)
    root_gb = sa.Column(sa.Integer, nullable=False, default=0)
    ephemeral_gb = sa.Column(sa.Integer, nullable=False, default=0)
    swap = sa.Column(sa.Integer, nullable=False, default=0)
    # The flavor's extra specs at boot (or at the last resize), JSON.
    flavor_extra_specs = sa.Column(sa.Text)
    key_name = sa.Column(sa.String(255))
    key_data = sa.Column(sa.Text)
    user_data = sa.Column(sa.Text)
    # The trusted image certificate ids (2.63), JSON, or null.
    trusted_certs = sa.Column(sa.Text)
    # What the create asked for, as Nova's request spec keeps it: the
    # zone it is pinned to (null: none), and its scheduler hints (JSON
    # {hint: [values]}); null for servers made before they were kept.
    pinned_availability_zone = sa.Column(sa.String(255))
    scheduler_hints = sa.Column(sa.Text)
    # The image's properties Nova shows from 2.98 (JSON), as it boots.
    image_properties = sa.Column(sa.Text)
    config_drive = sa.Column(sa.String(255), nullable=False, default='')
    access_ip_v4 = sa.Column(sa.String(39))
    access_ip_v6 = sa.Column(sa.String(39))
    auto_disk_config = sa.Column(sa.Boolean, nullable=False, default=False)
    availability_zone = sa.Column(sa.String(255))
    security_groups = sa.Column(sa.Text)  # JSON list of names
    vm_state = sa.Column(sa.String(255), nullable=False)
    task_state = sa.Column(sa.String(255))
    power_state = sa.Column(sa.Integer, nullable=False, default=0)
    host = sa.Column(sa.String(255))
    node = sa.Column(sa.String(255))
    launched_at = sa.Column(sa.DateTime)
    terminated_at = sa.Column(sa.DateTime)
    progress = sa.Column(sa.Integer, nullable=False, default=0)
    locked = sa.Column(sa.Boolean, nullable=False, default=False)
    locked_by = sa.Column(sa.String(16))  # 'owner' or 'admin'
    locked_reason = sa.Column(sa.String(255))


class InstanceMetadata(TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = 'instance_metadata'
    __table_args__ = (
        sa.Index('instance_metadata_instance_uuid_idx', 'instance_uuid'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    instance_uuid = sa.Column(sa.String(36), nullable=False)
    key = sa.Column(sa.String(255), nullable=False)
    value = sa.Column(sa.String(255))


class Tag(Base):
    __tablename__ = 'tags'
    __table_args__ = (
        sa.Index('tags_tag_idx', 'tag'),
    )
    resource_id = sa.Column(sa.String(36), primary_key=True)
    # NOTE: on MySQL/MariaDB the column has a binary, no-pad collation
    # (migration 0003), so that tags compare exactly on every backend.
    tag = sa.Column(sa.String(80), primary_key=True)


class InstanceFault(Base):
    __tablename__ = 'instance_faults'
    __table_args__ = (
        sa.Index('instance_faults_instance_uuid_idx', 'instance_uuid',
                 'created_at'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    instance_uuid = sa.Column(sa.String(36), nullable=False)
    code = sa.Column(sa.Integer, nullable=False)
    message = sa.Column(sa.String(255))
    details = sa.Column(sa.Text)
    host = sa.Column(sa.String(255))
    created_at = sa.Column(sa.DateTime, default=_utcnow, nullable=False)


class Flavor(TimestampMixin, Base):
    __tablename__ = 'flavors'
    __table_args__ = (
        sa.UniqueConstraint('flavorid', name='uniq_flavors0flavorid'),
        sa.UniqueConstraint('name', name='uniq_flavors0name'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    flavorid = sa.Column(sa.String(255), nullable=False)
    name = sa.Column(sa.String(255), nullable=False)
    memory_mb = sa.Column(sa.Integer, nullable=False)
    vcpus = sa.Column(sa.Integer, nullable=False)
    root_gb = sa.Column(sa.Integer, nullable=False, default=0)
    ephemeral_gb = sa.Column(sa.Integer, nullable=False, default=0)
    swap = sa.Column(sa.Integer, nullable=False, default=0)
    rxtx_factor = sa.Column(sa.Float, nullable=False, default=1.0)
    is_public = sa.Column(sa.Boolean, nullable=False, default=True)
    disabled = sa.Column(sa.Boolean, nullable=False, default=False)
    description = sa.Column(sa.Text)


class Image(TimestampMixin, Base):
    __tablename__ = 'images'
    __table_args__ = (
        sa.Index('images_owner_idx', 'owner'),
        sa.Index('images_visibility_idx', 'visibility'),
    )
    id = sa.Column(sa.String(36), primary_key=True)
    name = sa.Column(sa.String(255))
    status = sa.Column(sa.String(30), nullable=False, default='active')
    disk_format = sa.Column(sa.String(30))
    container_format = sa.Column(sa.String(30))
    size = sa.Column(sa.BigInteger)
    checksum = sa.Column(sa.String(64))
    min_disk = sa.Column(sa.Integer, nullable=False, default=0)
    min_ram = sa.Column(sa.Integer, nullable=False, default=0)
    location = sa.Column(sa.Text, nullable=False)
    properties = sa.Column(sa.Text)  # JSON object
    # The Image API v2's (see compute/images.py): the owning project, or
    # None (novalite-manage's); public, private, shared or community.
    owner = sa.Column(sa.String(255))
    visibility = sa.Column(sa.String(9), nullable=False, default='public',
                           server_default='public')
    protected = sa.Column(sa.Boolean, nullable=False, default=False,
                          server_default=sa.false())
    os_hash_algo = sa.Column(sa.String(64))
    os_hash_value = sa.Column(sa.String(128))


class KeyPair(TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = 'key_pairs'
    __table_args__ = (
        sa.UniqueConstraint('user_id', 'name', 'deleted',
                            name='uniq_key_pairs0user_id0name0deleted'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    name = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255), nullable=False)
    fingerprint = sa.Column(sa.String(255))
    public_key = sa.Column(sa.Text)
    type = sa.Column(sa.String(10), nullable=False, default='ssh')


class Service(TimestampMixin, Base):
    """A compute agent: its heartbeat and the capacity it reported."""
    __tablename__ = 'services'
    __table_args__ = (
        sa.UniqueConstraint('host', 'binary',
                            name='uniq_services0host0binary'),
        sa.Index('services_uuid_idx', 'uuid', unique=True),
        sa.Index('services_compute_node_uuid_idx', 'compute_node_uuid',
                 unique=True),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    # The ids microversion 2.53 shows: of the service, and of its
    # hypervisor (Nova's compute node, a row of its own there).
    uuid = sa.Column(sa.String(36), nullable=False,
                     default=uuidutils.generate_uuid)
    compute_node_uuid = sa.Column(sa.String(36), nullable=False,
                                  default=uuidutils.generate_uuid)
    host = sa.Column(sa.String(255), nullable=False)
    binary = sa.Column(sa.String(255), nullable=False)
    topic = sa.Column(sa.String(255), nullable=False)
    availability_zone = sa.Column(sa.String(255), nullable=False,
                                  default='nova')
    hypervisor_hostname = sa.Column(sa.String(255))
    # What the agent's driver reports of its hypervisor (os-hypervisors).
    hypervisor_type = sa.Column(sa.String(255))
    hypervisor_version = sa.Column(sa.Integer)
    host_ip = sa.Column(sa.String(39))
    report_count = sa.Column(sa.Integer, nullable=False, default=0)
    last_seen_up = sa.Column(sa.DateTime)
    disabled = sa.Column(sa.Boolean, nullable=False, default=False)
    disabled_reason = sa.Column(sa.String(255))
    forced_down = sa.Column(sa.Boolean, nullable=False, default=False)
    vcpus = sa.Column(sa.Integer, nullable=False, default=0)
    memory_mb = sa.Column(sa.Integer, nullable=False, default=0)
    local_gb = sa.Column(sa.Integer, nullable=False, default=0)


class Network(TimestampMixin, Base):
    """An IPv4 network novalite allocates fixed addresses on.

    ``project_id`` None means shared by all projects. ``bridge`` is the
    Linux bridge the compute agents plug guests into.
    """
    __tablename__ = 'networks'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_networks0uuid'),
        sa.UniqueConstraint('name', name='uniq_networks0name'),
        sa.UniqueConstraint('bridge', name='uniq_networks0bridge'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    name = sa.Column(sa.String(255), nullable=False)
    cidr = sa.Column(sa.String(43), nullable=False)
    gateway = sa.Column(sa.String(39), nullable=False)
    bridge = sa.Column(sa.String(15), nullable=False)
    project_id = sa.Column(sa.String(255))


class FixedIp(Base):
    """An address allocated to a server; the row exists only while it is
    allocated (releasing deletes it)."""
    __tablename__ = 'fixed_ips'
    __table_args__ = (
        sa.UniqueConstraint('network_id', 'address',
                            name='uniq_fixed_ips0network_id0address'),
        sa.UniqueConstraint('mac_address',
                            name='uniq_fixed_ips0mac_address'),
        sa.UniqueConstraint('port_id', name='uniq_fixed_ips0port_id'),
        sa.Index('fixed_ips_instance_uuid_idx', 'instance_uuid'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    network_id = sa.Column(sa.Integer, sa.ForeignKey('networks.id'),
                           nullable=False)
    address = sa.Column(sa.String(39), nullable=False)
    instance_uuid = sa.Column(sa.String(36), nullable=False)
    mac_address = sa.Column(sa.String(17), nullable=False)
    # The Networking API's id of this address (its port).
    port_id = sa.Column(sa.String(36), nullable=False)
    # The device tag the create request gave this interface (2.32, 2.42).
    tag = sa.Column(sa.String(60))
    created_at = sa.Column(sa.DateTime, default=_utcnow, nullable=False)


class InstanceSystemMetadata(TimestampMixin, Base):
    """What novalite keeps about a server that its users do not set: the
    server password, the image of a shelved server, the flavor before a
    resize, the image a rescue boots."""
    __tablename__ = 'instance_system_metadata'
    __table_args__ = (
        sa.UniqueConstraint('instance_uuid', 'key',
                            name='uniq_instance_system_metadata0'
                                 'instance_uuid0key'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    instance_uuid = sa.Column(sa.String(36), nullable=False)
    key = sa.Column(sa.String(255), nullable=False)
    value = sa.Column(sa.Text)


class InstanceAction(TimestampMixin, Base):
    """One user action on a server (os-instance-actions), with the
    request id the client saw."""
    __tablename__ = 'instance_actions'
    __table_args__ = (
        sa.Index('instance_actions_instance_uuid_idx', 'instance_uuid'),
        sa.Index('instance_actions_request_id_idx', 'request_id'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    action = sa.Column(sa.String(255))
    instance_uuid = sa.Column(sa.String(36), nullable=False)
    request_id = sa.Column(sa.String(255))
    user_id = sa.Column(sa.String(255))
    project_id = sa.Column(sa.String(255))
    start_time = sa.Column(sa.DateTime, default=_utcnow)
    finish_time = sa.Column(sa.DateTime)
    message = sa.Column(sa.String(255))


class InstanceActionEvent(TimestampMixin, Base):
    """A step of an action, done by an agent (``compute_stop_instance``)."""
    __tablename__ = 'instance_actions_events'
    __table_args__ = (
        sa.Index('instance_actions_events_action_id_idx', 'action_id'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    event = sa.Column(sa.String(255))
    action_id = sa.Column(sa.Integer, sa.ForeignKey('instance_actions.id'),
                          nullable=False)
    start_time = sa.Column(sa.DateTime, default=_utcnow)
    finish_time = sa.Column(sa.DateTime)
    result = sa.Column(sa.String(255))
    traceback = sa.Column(sa.Text)
    host = sa.Column(sa.String(255))
    # What failed it, as a fault's message (2.84).
    details = sa.Column(sa.Text)


class Quota(TimestampMixin, Base):
    """A project's limit for one resource (os-quota-sets); resources
    without a row use the ``[quota]`` defaults."""
    __tablename__ = 'quotas'
    __table_args__ = (
        sa.UniqueConstraint('project_id', 'resource',
                            name='uniq_quotas0project_id0resource'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    resource = sa.Column(sa.String(255), nullable=False)
    hard_limit = sa.Column(sa.Integer, nullable=False)


class FlavorExtraSpec(TimestampMixin, Base):
    __tablename__ = 'flavor_extra_specs'
    __table_args__ = (
        sa.UniqueConstraint('flavor_id', 'key',
                            name='uniq_flavor_extra_specs0flavor_id0key'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    flavor_id = sa.Column(sa.Integer, sa.ForeignKey('flavors.id'),
                          nullable=False)
    key = sa.Column(sa.String(255), nullable=False)
    value = sa.Column(sa.String(255))


class FlavorProject(TimestampMixin, Base):
    """A project given access to a private flavor."""
    __tablename__ = 'flavor_projects'
    __table_args__ = (
        sa.UniqueConstraint('flavor_id', 'project_id',
                            name='uniq_flavor_projects0flavor_id0project_id'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    flavor_id = sa.Column(sa.Integer, sa.ForeignKey('flavors.id'),
                          nullable=False)
    project_id = sa.Column(sa.String(255), nullable=False)


class InstanceGroup(TimestampMixin, Base):
    """A server group (os-server-groups) and its one policy."""
    __tablename__ = 'instance_groups'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_instance_groups0uuid'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    name = sa.Column(sa.String(255))
    user_id = sa.Column(sa.String(255), nullable=False)
    project_id = sa.Column(sa.String(255), nullable=False)
    policy = sa.Column(sa.String(255), nullable=False)
    rules = sa.Column(sa.Text)  # JSON object


class InstanceGroupMember(TimestampMixin, Base):
    __tablename__ = 'instance_group_member'
    __table_args__ = (
        sa.UniqueConstraint('group_id', 'instance_uuid',
                            name='uniq_instance_group_member0group_id0'
                                 'instance_uuid'),
        sa.Index('instance_group_member_instance_uuid_idx',
                 'instance_uuid'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    group_id = sa.Column(sa.Integer, sa.ForeignKey('instance_groups.id'),
                         nullable=False)
    instance_uuid = sa.Column(sa.String(36), nullable=False)


class Migration(TimestampMixin, Base):
    """A resize or cold migration of a server from one host to another
    (possibly the same), with the flavors before and after."""
    __tablename__ = 'migrations'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_migrations0uuid'),
        sa.Index('migrations_instance_uuid_status_idx', 'instance_uuid',
                 'status'),
        # NOTE: every claim (each create) reads the moves under way
        # (db._move_claims): by status, not through the whole history.
        sa.Index('migrations_status_idx', 'status'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    instance_uuid = sa.Column(sa.String(36), nullable=False)
    migration_type = sa.Column(sa.String(16), nullable=False)
    status = sa.Column(sa.String(255), nullable=False)
    source_compute = sa.Column(sa.String(255))
    dest_compute = sa.Column(sa.String(255))
    old_instance_type_id = sa.Column(sa.Integer)
    new_instance_type_id = sa.Column(sa.Integer)
    project_id = sa.Column(sa.String(255))
    user_id = sa.Column(sa.String(255))


# ------------------------------------------------------- security groups

class SecurityGroup(TimestampMixin, SoftDeleteMixin, Base):
    """A security group as Neutron keeps it (recorded, not enforced).

    ``default_for`` is the project's id on its ``default`` group and NULL
    on the others: the unique constraint on it (with ``deleted``) lets a
    project have one live default group, however many first uses race.
    """
    __tablename__ = 'security_groups'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_security_groups0uuid'),
        sa.UniqueConstraint(
            'default_for', 'deleted',
            name='uniq_security_groups0default_for0deleted'),
        sa.Index('security_groups_project_id_deleted_idx', 'project_id',
                 'deleted'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    name = sa.Column(sa.String(255), nullable=False)
    description = sa.Column(sa.String(255))
    project_id = sa.Column(sa.String(255), nullable=False)
    default_for = sa.Column(sa.String(255))


class SecurityGroupRule(TimestampMixin, Base):
    """An ingress rule of a group, in Neutron's terms: no port bound is
    NULL (Nova's -1), ``cidr`` is the remote prefix (NULL for a rule on a
    remote group). Deleted for good, as Neutron does."""
    __tablename__ = 'security_group_rules'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_security_group_rules0uuid'),
        sa.Index('security_group_rules_parent_group_id_idx',
                 'parent_group_id'),
        sa.Index('security_group_rules_group_id_idx', 'group_id'),
    )
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    parent_group_id = sa.Column(sa.String(36), nullable=False)
    ip_protocol = sa.Column(sa.String(255))
    from_port = sa.Column(sa.Integer)
    to_port = sa.Column(sa.Integer)
    cidr = sa.Column(sa.String(43))
    group_id = sa.Column(sa.String(36))
    ethertype = sa.Column(sa.String(4), nullable=False)
