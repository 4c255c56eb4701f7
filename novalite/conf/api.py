from oslo_config import cfg

api_group = cfg.OptGroup('api', title='API options')

api_opts = [
    cfg.StrOpt('auth_strategy',
               default='keystone',
               choices=[('keystone', 'keystonemiddleware auth_token'),
                        ('noauth2', 'development only: the token '
                         '"user:project" is trusted as is; user "admin" '
                         'gets the admin role')],
               help='How API requests are authenticated.'),
    cfg.BoolOpt('noauth2_on_any_address',
                default=False,
                help='Let the standalone API server listen on an address '
                     'that is not a loopback one with ``auth_strategy = '
                     'noauth2``. Anyone who reaches it can then act as '
                     'any user of any project, admin included: leave it '
                     'off outside a test machine.'),
    cfg.IntOpt('max_limit',
               default=1000, min=0,
               help='Most items a single list request returns.'),
    cfg.FloatOpt('regex_filter_timeout',
                 default=2.0, min=0,
                 help='Longest time, in seconds, the database may spend on '
                      'a server list whose filters are regular expressions '
                      '(name, ip, ...); past it the request fails with 400. '
                      'A pattern such as "^(a|a)+$" can otherwise take '
                      'hours to match. 0 means no limit.'),
    cfg.BoolOpt('enable_instance_password',
                default=True,
                help='Return the admin password in the create response.'),
    cfg.ListOpt('hide_server_address_states',
                default=['building'],
                help='vm_states in which a server\'s addresses are hidden.'),
    cfg.StrOpt('compute_link_prefix',
               help='Base URL for links in responses instead of the '
                    'request\'s host URL (for a proxy in front).'),
    cfg.IntOpt('max_request_body_size',
               default=114688, min=1,
               help='Largest request body accepted, in bytes.'),
]


def register_opts(conf):
    conf.register_group(api_group)
    conf.register_opts(api_opts, group=api_group)


def list_opts():
    return {api_group: api_opts}
