"""Client side of the compute agent's RPC API.

Every method sends primitives only (uuids, strings, dicts of strings); the
agent loads the server from the database itself.

API version history:

    * 1.0 - Initial version: build_and_run_instance, terminate_instance,
      reboot_instance, start_instance, stop_instance, set_admin_password,
      get_console_output, trigger_crash_dump.
    * 1.1 - The server actions of issue 6: pause_instance,
      unpause_instance, suspend_instance, resume_instance,
      rescue_instance, unrescue_instance, soft_delete_instance,
      restore_instance, rebuild_instance, snapshot_instance,
      prep_resize/resize_instance/finish_resize, confirm_resize,
      revert_resize/finish_revert_resize, shelve_instance,
      shelve_offload_instance,
      unshelve_instance (each sent with version='1.1').
    * 1.2 - backup_instance (createBackup).
    * 1.3 - get_host_uptime (a call: os-hypervisors' uptime).

Rules, as in Nova's rpcapi: never change a method's signature within a
major version; add a new argument with a default, bump the minor version,
and send it only when ``can_send_version`` says the agent understands it.
``[upgrade_levels] compute`` caps the version sent during upgrades.
"""

from kombu import exceptions as kombu_exc
from oslo_config import cfg
import oslo_messaging as messaging

from novalite import exception
from novalite import rpc

CONF = cfg.CONF

TOPIC = 'compute'
RPC_API_VERSION = '1.3'

# NOTE: seconds to wait for a host's uptime; a hypervisor detail list
# waits for its slowest agent (services.uptimes asks them at once), and
# one whose agent hangs must not hold it for a whole rpc_response_timeout.
UPTIME_TIMEOUT = 10


class _Sender:
    """A prepared RPC client whose transport failures all come out as
    oslo.messaging's MessageDeliveryFailure.

    NOTE: the rabbit driver lets kombu's own errors through when it opens
    a pooled connection to a broker that is down (the first message of a
    process, or after the pool lost its connections).
    """

    def __init__(self, prepared):
        self._prepared = prepared
        self.target = prepared.target

    def _send(self, send, ctxt, method, **kwargs):
        try:
            return send(ctxt, method, **kwargs)
        except (kombu_exc.KombuError, OSError) as e:
            raise messaging.MessageDeliveryFailure(
                'Could not send %s: %s' % (method, e)) from e

    def cast(self, ctxt, method, **kwargs):
        self._send(self._prepared.cast, ctxt, method, **kwargs)

    def call(self, ctxt, method, **kwargs):
        return self._send(self._prepared.call, ctxt, method, **kwargs)


class ComputeAPI:

    def __init__(self):
        self._client = None

    @property
    def client(self):
        # NOTE: rebuilt when the process' transport changes (tests make a
        # new one per test; a service makes one for its whole life).
        if self._client is None or \
                self._client.transport is not rpc.init():
            target = messaging.Target(topic=TOPIC, version='1.0')
            self._client = rpc.get_client(
                target, version_cap=CONF.upgrade_levels.compute)
        return self._client

    def _prepare(self, host, version='1.0', **kwargs):
        if not host:
            # NOTE: a message with no server goes to any agent of the
            # topic; each call is for one server's own host.
            raise exception.NovaliteException(
                'No compute host specified')
        retry = CONF.rpc_send_retries
        kwargs.setdefault('retry', None if retry < 0 else retry)
        return _Sender(self.client.prepare(server=host, version=version,
                                           **kwargs))

    def build_and_run_instance(self, ctxt, host, instance_uuid,
                               admin_password=None, injected_files=None,
                               requested_networks=None):
        self._prepare(host).cast(
            ctxt, 'build_and_run_instance', instance_uuid=instance_uuid,
            admin_password=admin_password,
            injected_files=injected_files or [],
            requested_networks=requested_networks)

    def terminate_instance(self, ctxt, host, instance_uuid):
        self._prepare(host).cast(ctxt, 'terminate_instance',
                                 instance_uuid=instance_uuid)

    def reboot_instance(self, ctxt, host, instance_uuid, reboot_type):
        self._prepare(host).cast(ctxt, 'reboot_instance',
                                 instance_uuid=instance_uuid,
                                 reboot_type=reboot_type)

    def start_instance(self, ctxt, host, instance_uuid):
        self._prepare(host).cast(ctxt, 'start_instance',
                                 instance_uuid=instance_uuid)

    def stop_instance(self, ctxt, host, instance_uuid):
        self._prepare(host).cast(ctxt, 'stop_instance',
                                 instance_uuid=instance_uuid)

    def set_admin_password(self, ctxt, host, instance_uuid, new_pass):
        """A call: the guest's answer decides the API's status code."""
        return self._prepare(host).call(ctxt, 'set_admin_password',
                                        instance_uuid=instance_uuid,
                                        new_pass=new_pass)

    def trigger_crash_dump(self, ctxt, host, instance_uuid):
        self._prepare(host).cast(ctxt, 'trigger_crash_dump',
                                 instance_uuid=instance_uuid)

    def get_console_output(self, ctxt, host, instance_uuid, tail_length):
        """A call, not a cast: the caller waits for the text."""
        return self._prepare(host).call(ctxt, 'get_console_output',
                                        instance_uuid=instance_uuid,
                                        tail_length=tail_length)

    def can_send(self, version):
        """Whether the agents (as ``[upgrade_levels] compute`` caps
        them) understand ``version``."""
        return self.client.can_send_version(version)

    def get_host_uptime(self, ctxt, host):
        """1.3, a call: the host's ``uptime`` line (NotImplementedError
        where its driver has none)."""
        return self._prepare(host, version='1.3',
                             timeout=UPTIME_TIMEOUT).call(
            ctxt, 'get_host_uptime')

    # 1.1: rebuild, resize, migrate, shelve, snapshot. A resize goes
    # API -> prep_resize (destination) -> resize_instance (source) ->
    # finish_resize (destination); a revert API -> revert_resize
    # (destination) -> finish_revert_resize (source); a confirm goes to
    # the source.

    def snapshot_instance(self, ctxt, host, instance_uuid, image_id):
        self._prepare(host, version='1.1').cast(
            ctxt, 'snapshot_instance', instance_uuid=instance_uuid,
            image_id=image_id)

    def backup_instance(self, ctxt, host, instance_uuid, image_id,
                        backup_type, rotation):
        """1.2: an agent of 1.1 has no handler; capped below 1.2 the
        message is not sent (RPCVersionCapError)."""
        self._prepare(host, version='1.2').cast(
            ctxt, 'backup_instance', instance_uuid=instance_uuid,
            image_id=image_id, backup_type=backup_type, rotation=rotation)

    def rebuild_instance(self, ctxt, host, instance_uuid, new_pass,
                         injected_files, orig_image_ref,
                         preserve_ephemeral=False):
        """``injected_files``: [[path, base64 contents]]."""
        self._prepare(host, version='1.1').cast(
            ctxt, 'rebuild_instance', instance_uuid=instance_uuid,
            new_pass=new_pass, injected_files=injected_files or [],
            orig_image_ref=orig_image_ref,
            preserve_ephemeral=preserve_ephemeral)

    def prep_resize(self, ctxt, host, instance_uuid, migration_uuid):
        self._prepare(host, version='1.1').cast(
            ctxt, 'prep_resize', instance_uuid=instance_uuid,
            migration_uuid=migration_uuid)

    def resize_instance(self, ctxt, host, instance_uuid, migration_uuid):
        self._prepare(host, version='1.1').cast(
            ctxt, 'resize_instance', instance_uuid=instance_uuid,
            migration_uuid=migration_uuid)

    def finish_resize(self, ctxt, host, instance_uuid, migration_uuid):
        self._prepare(host, version='1.1').cast(
            ctxt, 'finish_resize', instance_uuid=instance_uuid,
            migration_uuid=migration_uuid)

    def confirm_resize(self, ctxt, host, instance_uuid, migration_uuid):
        self._prepare(host, version='1.1').cast(
            ctxt, 'confirm_resize', instance_uuid=instance_uuid,
            migration_uuid=migration_uuid)

    def revert_resize(self, ctxt, host, instance_uuid, migration_uuid):
        self._prepare(host, version='1.1').cast(
            ctxt, 'revert_resize', instance_uuid=instance_uuid,
            migration_uuid=migration_uuid)

    def finish_revert_resize(self, ctxt, host, instance_uuid,
                             migration_uuid):
        self._prepare(host, version='1.1').cast(
            ctxt, 'finish_revert_resize', instance_uuid=instance_uuid,
            migration_uuid=migration_uuid)

    def shelve_instance(self, ctxt, host, instance_uuid, image_id):
        self._prepare(host, version='1.1').cast(
            ctxt, 'shelve_instance', instance_uuid=instance_uuid,
            image_id=image_id)

    def shelve_offload_instance(self, ctxt, host, instance_uuid):
        self._prepare(host, version='1.1').cast(
            ctxt, 'shelve_offload_instance', instance_uuid=instance_uuid)

    def unshelve_instance(self, ctxt, host, instance_uuid, image_id):
        self._prepare(host, version='1.1').cast(
            ctxt, 'unshelve_instance', instance_uuid=instance_uuid,
            image_id=image_id)

    # 1.1: pause, suspend, rescue, soft delete.

    def _cast_1_1(self, ctxt, host, method, instance_uuid, **kwargs):
        self._prepare(host, version='1.1').cast(
            ctxt, method, instance_uuid=instance_uuid, **kwargs)

    def pause_instance(self, ctxt, host, instance_uuid):
        self._cast_1_1(ctxt, host, 'pause_instance', instance_uuid)

    def unpause_instance(self, ctxt, host, instance_uuid):
        self._cast_1_1(ctxt, host, 'unpause_instance', instance_uuid)

    def suspend_instance(self, ctxt, host, instance_uuid):
        self._cast_1_1(ctxt, host, 'suspend_instance', instance_uuid)

    def resume_instance(self, ctxt, host, instance_uuid):
        self._cast_1_1(ctxt, host, 'resume_instance', instance_uuid)

    def rescue_instance(self, ctxt, host, instance_uuid, rescue_password,
                        rescue_image_ref=None):
        """``rescue_image_ref`` None: the server's own image."""
        self._cast_1_1(ctxt, host, 'rescue_instance', instance_uuid,
                       rescue_password=rescue_password,
                       rescue_image_ref=rescue_image_ref)

    def unrescue_instance(self, ctxt, host, instance_uuid):
        self._cast_1_1(ctxt, host, 'unrescue_instance', instance_uuid)

    def soft_delete_instance(self, ctxt, host, instance_uuid):
        self._cast_1_1(ctxt, host, 'soft_delete_instance', instance_uuid)

    def restore_instance(self, ctxt, host, instance_uuid):
        self._cast_1_1(ctxt, host, 'restore_instance', instance_uuid)
