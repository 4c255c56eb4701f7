from oslo_config import cfg

notifications_group = cfg.OptGroup(
    'notifications', title='Versioned notifications',
    help='Nova\'s versioned notifications (instance.create.end, '
         'instance.update ...), sent through oslo.messaging: set '
         '``[oslo_messaging_notifications] driver = messagingv2`` (its '
         '``transport_url`` defaults to the RPC one) and '
         '``notification_format = versioned`` to have them.')

notifications_opts = [
    cfg.StrOpt('notify_on_state_change',
               choices=[
                   (None, 'no instance.update notifications'),
                   ('vm_state', 'instance.update when a server\'s '
                                'vm_state changes'),
                   ('vm_and_task_state', 'instance.update when its '
                                         'vm_state or its task_state '
                                         'changes')],
               help='When the compute agent and the API send '
                    'instance.update (Nova\'s option). Its '
                    '``state_update`` holds the old and new vm_state and '
                    'task_state. Nova also sends one for every other save '
                    'of a server (a rename, a power state); novalite only '
                    'for state changes.'),
    cfg.StrOpt('default_level',
               default='INFO',
               choices=('DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL'),
               help='Default notification level for outgoing '
                    'notifications (Nova\'s option; novalite\'s own '
                    'notifications are INFO, or ERROR for ``*.error``).'),
    cfg.StrOpt('notification_format',
               default='unversioned',
               choices=[
                   ('both', 'the legacy unversioned and the versioned '
                            'notifications (novalite: the versioned ones)'),
                   ('versioned', 'the versioned notifications only'),
                   ('unversioned', 'the legacy unversioned notifications '
                                   'only (novalite has none: nothing is '
                                   'sent)')],
               help='Which notifications are sent (Nova\'s option and '
                    'default). novalite implements Nova\'s versioned '
                    'notifications only: it sends them with '
                    '``versioned`` or ``both``, and none at all with '
                    '``unversioned``, the default.'),
    cfg.ListOpt('versioned_notifications_topics',
                default=['versioned_notifications'],
                help='Topics the versioned notifications are sent to, one '
                     'message on each (Nova\'s option).'),
]


def register_opts(conf):
    conf.register_group(notifications_group)
    conf.register_opts(notifications_opts, group=notifications_group)


def list_opts():
    return {notifications_group: notifications_opts}
