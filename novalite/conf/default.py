import os
import socket

from oslo_config import cfg


def _default_ip():
    """The address of the interface of the default route (no packet is
    sent: a UDP socket is only connected), else the loopback."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(('192.0.2.1', 9))
            return probe.getsockname()[0]
    except OSError:
        return '127.0.0.1'


service_opts = [
    cfg.StrOpt('host',
               default=socket.gethostname(),
               sample_default='<current_hostname>',
               help="""
Name of this node: the compute host name used in the RPC topic, the
services table and ``OS-EXT-SRV-ATTR:host``. It must be unique among the
compute agents of a deployment.
"""),
    cfg.HostAddressOpt('my_ip',
                       default=_default_ip(),
                       sample_default='<host_ipv4>',
                       help="""
This host's IP address, as Nova's option: shown as the hypervisor's
``host_ip`` (``os-hypervisors``).
"""),
    cfg.StrOpt('state_path',
               default=os.path.join(os.path.expanduser('~'), '.novalite'),
               sample_default='$HOME/.novalite',
               help='Top-level directory for novalite state (SQLite '
                    'database, images, instances).'),
    cfg.StrOpt('osapi_compute_listen',
               sample_default='0.0.0.0 (keystone) or 127.0.0.1 (noauth2)',
               help='IP address on which the standalone API server '
                    '(``novalite-api``, ``novalite-all``) listens. Unset: '
                    '``0.0.0.0`` (every address, as Nova) with '
                    '``[api] auth_strategy = keystone``, and only the '
                    'loopback address ``127.0.0.1`` with ``noauth2``.'),
    cfg.PortOpt('osapi_compute_listen_port',
                default=8774,
                help='Port on which the standalone API server listens.'),
    cfg.IntOpt('osapi_compute_workers',
               default=8, min=1,
               help='Number of request threads of the standalone API '
                    'server. Production deployments run the API under '
                    'Apache mod_wsgi instead.'),
    cfg.IntOpt('password_length',
               default=12, min=0,
               help='Length of generated instance admin passwords.'),
    cfg.StrOpt('default_availability_zone',
               default='nova',
               help='Availability zone of compute hosts that set no other.'),
    cfg.StrOpt('default_schedule_zone',
               help='Availability zone given to servers created without '
                    'one. Unset means "any".'),
    cfg.IntOpt('rpc_send_retries',
               default=2, min=-1,
               help='How many times the API reconnects to the message '
                    'broker to send a message to a compute agent before it '
                    'gives up and answers 503. -1 retries forever, as '
                    'oslo.messaging does by default: then a request waits '
                    'as long as the broker is down.'),
    cfg.IntOpt('report_interval',
               default=10, min=1,
               help='Seconds between compute agent heartbeats.'),
    cfg.IntOpt('service_down_time',
               default=60, min=1,
               help='Seconds since the last heartbeat after which a '
                    'compute agent is considered down (not scheduled to, '
                    'host_status UNKNOWN).'),
]


def register_opts(conf):
    conf.register_opts(service_opts)


def list_opts():
    return {'DEFAULT': service_opts}
