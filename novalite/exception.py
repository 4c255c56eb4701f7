"""Exceptions with the HTTP code and message Nova gives for each case.

The API turns any ``NovaliteException`` into Nova's fault body
(``{"<faultName>": {"code": ..., "message": ...}}``) with ``code`` as the
status; messages copy Nova's wording because clients and tempest match on
them.
"""


class NovaliteException(Exception):
    msg_fmt = 'An unknown exception occurred.'
    code = 500
    headers = {}

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        if not message:
            message = self.msg_fmt % kwargs if kwargs else self.msg_fmt
        self.message = str(message)
        super().__init__(self.message)


class Invalid(NovaliteException):
    msg_fmt = 'Bad Request - Invalid Parameters'
    code = 400


class ValidationError(Invalid):
    msg_fmt = '%(detail)s'


class InvalidInput(Invalid):
    msg_fmt = 'Invalid input received: %(reason)s'


class RegexFilterTimeout(Invalid):
    msg_fmt = ('The regular expressions of the filters took too long to '
               'match; use simpler patterns.')


class MalformedRequestBody(Invalid):
    msg_fmt = 'Malformed request body'


class InvalidAPIVersionString(Invalid):
    msg_fmt = ('API Version String %(version)s is of invalid format. Must '
               'be of format MajorNum.MinorNum.')


class VersionNotSupported(NovaliteException):
    msg_fmt = ('Version %(version)s is not supported by the API. Minimum '
               'is %(min_ver)s and maximum is %(max_ver)s.')
    code = 406


class ProjectIdMismatch(Invalid):
    msg_fmt = ("Malformed request URL: URL's project_id '%(url)s' doesn't "
               "match Context's project_id '%(context)s'")


class NotAuthorized(NovaliteException):
    msg_fmt = 'Not authorized.'
    code = 403


class PolicyNotAuthorized(NotAuthorized):
    msg_fmt = "Policy doesn't allow %(action)s to be performed."


class Unauthenticated(NovaliteException):
    msg_fmt = 'The request you have made requires authentication.'
    code = 401


class NotFound(NovaliteException):
    msg_fmt = 'Resource could not be found.'
    code = 404


class ResourceNotFound(NotFound):
    msg_fmt = 'The resource could not be found.'


class InstanceNotFound(NotFound):
    msg_fmt = 'Instance %(instance_id)s could not be found.'


class FlavorNotFound(NotFound):
    msg_fmt = 'Flavor %(flavor_id)s could not be found.'


class ImageNotFound(NotFound):
    msg_fmt = 'Image %(image_id)s could not be found.'


class KeypairNotFound(NotFound):
    msg_fmt = 'Keypair %(name)s not found for user %(user_id)s'


class InstanceTagNotFound(NotFound):
    msg_fmt = "Instance %(instance_id)s has no tag '%(tag)s'"


class ComputeHostNotFound(NotFound):
    msg_fmt = 'Compute host %(host)s could not be found.'


class MarkerNotFound(Invalid):
    msg_fmt = 'marker [%(marker)s] not found'


class Conflict(NovaliteException):
    msg_fmt = 'Conflict.'
    code = 409


class InstanceIsLocked(Conflict):
    msg_fmt = 'Instance %(instance_uuid)s is locked'


class InstanceInvalidState(Conflict):
    msg_fmt = ("Cannot '%(action)s' instance %(instance_uuid)s while it is "
               "in %(attr)s %(state)s")


class InstanceInvalidStateForAction(Conflict):
    # Nova's answer when no single state column is to blame (a reboot of
    # a server that was never scheduled).
    msg_fmt = ("Instance %(instance_uuid)s is in an invalid state for "
               "'%(action)s'")


class UnexpectedTaskStateError(Conflict):
    msg_fmt = ('Conflict updating instance %(instance_uuid)s. Expected: '
               '%(expected)s. Actual: %(actual)s')


class UnexpectedDeletingTaskStateError(UnexpectedTaskStateError):
    pass


class KeyPairExists(Conflict):
    msg_fmt = "Key pair '%(key_name)s' already exists."


class FlavorExists(Conflict):
    msg_fmt = 'Flavor with name %(name)s already exists.'


class FlavorIdExists(Conflict):
    msg_fmt = 'Flavor with ID %(flavor_id)s already exists.'


class ImageExists(Conflict):
    msg_fmt = 'Image %(image_id)s already exists.'


class ImageInUse(Conflict):
    msg_fmt = 'Image %(image_id)s is still in use: %(reason)s.'


class TooManyInstanceTags(Invalid):
    msg_fmt = ('Instance %(instance_id)s has %(count)d tags; the most '
               'allowed is %(limit)d.')


class QuotaError(NovaliteException):
    """Any quota overrun; Nova answers 403 for all of them."""
    msg_fmt = 'Quota exceeded: code=%(code)s'
    code = 403


class TooManyInstances(QuotaError):
    msg_fmt = ('Quota exceeded for %(overs)s: Requested %(req)s, but '
               'already used %(used)s of %(allowed)s %(overs)s')


class MetadataLimitExceeded(QuotaError):
    msg_fmt = 'Maximum number of metadata items exceeds %(allowed)d'


class OnsetFileLimitExceeded(QuotaError):
    msg_fmt = 'Personality file limit exceeded'


class OnsetFilePathLimitExceeded(QuotaError):
    msg_fmt = 'Personality file path exceeds maximum %(allowed)s'


class OnsetFileContentLimitExceeded(QuotaError):
    msg_fmt = 'Personality file content exceeds maximum %(allowed)s'


class KeypairLimitExceeded(QuotaError):
    msg_fmt = 'Quota exceeded, too many key pairs.'


class NoValidHost(NovaliteException):
    msg_fmt = 'No valid host was found. %(reason)s'
    code = 500


class InstanceFaultRollback(NovaliteException):
    """Wraps an error after which the server goes back to its old state."""

    def __init__(self, inner_exception):
        self.inner_exception = inner_exception
        super().__init__('Instance rollback performed due to: %s'
                         % inner_exception)


class VirtDriverError(NovaliteException):
    msg_fmt = 'Hypervisor error: %(reason)s'


class InstanceNotRunning(VirtDriverError):
    msg_fmt = 'Instance %(instance_id)s is not running.'
    code = 409


class SetAdminPasswdNotSupported(NovaliteException):
    msg_fmt = 'Unable to set password on instance'
    code = 501


class QemuGuestAgentNotEnabled(Conflict):
    """Nova's answer (409) for a libvirt guest without a guest agent."""
    msg_fmt = 'QEMU guest agent is not enabled'


class InstancePasswordSetFailed(Conflict):
    msg_fmt = 'Failed to set admin password on %(instance)s because ' \
              '%(reason)s'


class ConsoleNotAvailable(NovaliteException):
    msg_fmt = 'Guest does not have a console available.'
    code = 404


class ServiceUnavailable(NovaliteException):
    msg_fmt = 'Service Unavailable'
    code = 503


class ComputeUnreachable(ServiceUnavailable):
    msg_fmt = ('The compute service could not be reached; nothing was '
               'done. Try again later.')


class ConfigDriveError(VirtDriverError):
    msg_fmt = 'Could not build the config drive: %(reason)s'


class InstanceNotReady(Conflict):
    msg_fmt = 'Instance %(instance_id)s is not ready'


class ImageNotFoundProxy(NotFound):
    """The images API's own message for an unknown image."""
    msg_fmt = 'Image not found.'


class InvalidKeypair(Invalid):
    msg_fmt = 'Keypair data is invalid: %(reason)s'


class TriggerCrashDumpNotSupported(Invalid):
    msg_fmt = 'Triggering crash dump is not supported'


# ----------------------------------------------------------------- networks

class NetworkNotFound(NotFound):
    msg_fmt = 'Network %(network_id)s could not be found.'


class NetworkExists(Conflict):
    msg_fmt = 'Network with name %(name)s already exists.'


class NetworkIdExists(Conflict):
    msg_fmt = 'Network with ID %(network_id)s already exists.'


class NetworkInUse(Conflict):
    msg_fmt = ('Network %(network_id)s is still in use: %(count)d fixed IP '
               'address(es) are allocated to servers.')


class NetworkAmbiguous(Conflict):
    msg_fmt = ('More than one possible network found. Specify network ID(s) '
               'to select which one(s) to connect to.')


class InvalidCidr(Invalid):
    msg_fmt = 'Invalid CIDR %(cidr)s: %(reason)s'


class FixedIpInvalidForNetwork(Invalid):
    msg_fmt = ('Fixed IP address %(address)s cannot be used on network '
               '%(network_id)s: %(reason)s.')


class FixedIpAlreadyInUse(Conflict):
    msg_fmt = ('Fixed IP address %(address)s is already in use on instance '
               '%(instance_uuid)s.')


class NoMoreFixedIps(Conflict):
    # NOTE: Nova raises this on the compute host (the build fails); here
    # addresses are allocated by the API, which answers 409 as Neutron
    # does for an exhausted subnet.
    msg_fmt = 'No fixed IP addresses available for network: %(net)s'


class Gone(NovaliteException):
    """An API Nova removed (webob's HTTPGone text, as Nova answers)."""
    msg_fmt = ('This resource is no longer available.  No forwarding '
               'address is given.')
    code = 410
