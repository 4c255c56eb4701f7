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


class AmbiguousHostnameForMultipleInstances(Invalid):
    msg_fmt = 'Unable to allocate a single hostname to multiple instances'


class InvalidInput(Invalid):
    msg_fmt = 'Invalid input received: %(reason)s'


class SignatureVerificationError(NovaliteException):
    msg_fmt = 'Signature verification for the image failed: %(reason)s.'


class InvalidUUID(Invalid):
    msg_fmt = 'Invalid uuid %(uuid)s'


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


class MetadataItemNotFound(NotFound):
    msg_fmt = 'Metadata item was not found'


class InstanceActionNotFound(NotFound):
    msg_fmt = 'Action %(request_id)s not found'


class AvailabilityZoneNotAvailable(Invalid):
    msg_fmt = 'The requested availability zone is not available'


class ComputeHostNotFound(Invalid):
    # NOTE: a 400, as Nova's API answers it for a named destination.
    msg_fmt = 'Compute host %(host)s could not be found.'


class CannotMigrateToSameHost(Invalid):
    msg_fmt = 'Cannot migrate to the host where the server exists.'


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


class UnshelveHostNotInAZ(Conflict):
    msg_fmt = ('Host "%(host)s" is not in the availability zone '
               '"%(availability_zone)s".')


class UnshelveInstanceInvalidState(Conflict):
    msg_fmt = ('Specifying an availability zone or a host when unshelving '
               'server "%(instance_uuid)s" with status "%(state)s" is not '
               'supported. The server status must be SHELVED_OFFLOADED.')


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


# ---------------------------------- flavor extra specs and access, groups
# (``flavor_id`` of the access errors is the flavor's database id, as in
# Nova's messages.)

class FlavorExtraSpecsNotFound(NotFound):
    msg_fmt = ('Flavor %(flavor_id)s has no extra specs with key '
               '%(extra_specs_key)s.')


class FlavorAccessExists(Conflict):
    msg_fmt = ('Flavor access already exists for flavor %(flavor_id)s and '
               'project %(project_id)s combination.')


class FlavorAccessNotFound(NotFound):
    msg_fmt = ('Flavor access not found for %(flavor_id)s / '
               '%(project_id)s combination.')


class InstanceGroupNotFound(NotFound):
    msg_fmt = 'Instance group %(group_uuid)s could not be found.'


class ServerGroupLimitExceeded(NotAuthorized):
    """A quota error (403) of Nova's os-server-groups."""
    msg_fmt = 'Quota exceeded, too many server groups.'


class GroupMemberLimitExceeded(NotAuthorized):
    """A quota error (403) of a create into a server group."""
    msg_fmt = 'Quota exceeded, too many servers in group'


class ImageExists(Conflict):
    msg_fmt = 'Image %(image_id)s already exists.'


class ImageInUse(Conflict):
    msg_fmt = 'Image %(image_id)s is still in use: %(reason)s.'


# The Image API v2's answers (Glance's messages).
class InvalidImageStatusTransition(Conflict):
    msg_fmt = ('Image status transition from %(current)s to %(new)s is not '
               'allowed')


class ImageProtected(NotAuthorized):
    msg_fmt = 'Image %(image_id)s is protected and cannot be deleted.'


class ImageSizeLimitExceeded(NovaliteException):
    msg_fmt = 'The provided image is too large.'
    code = 413


class ImageFormatUnknown(Invalid):
    msg_fmt = 'Image data could not be inspected: %(reason)s'


class ImageFormatMismatch(Invalid):
    msg_fmt = ('Image content does not match disk_format: the data is '
               '%(actual)s, the image says %(declared)s')


class ImageAttributeReadOnly(NotAuthorized):
    msg_fmt = "Attribute '%(name)s' is read-only."


class ImageAttributeReserved(NotAuthorized):
    msg_fmt = "Attribute '%(name)s' is reserved."


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


# ------------------------------- rebuild, resize, migrate, shelve, snapshot

class ImageNotActive(Invalid):
    msg_fmt = 'Image %(image_id)s is not active.'


class FlavorMemoryTooSmall(Invalid):
    msg_fmt = "Flavor's memory is too small for requested image."


class FlavorDiskSmallerThanImage(Invalid):
    msg_fmt = ("Flavor's disk is too small for requested image. Flavor disk "
               "is %(flavor_size)i bytes, image is %(image_size)i bytes.")


class FlavorDiskSmallerThanMinDisk(Invalid):
    msg_fmt = ("Flavor's disk is smaller than the minimum size specified in "
               "image metadata. Flavor disk is %(flavor_size)i bytes, "
               "minimum size is %(image_min_disk)i bytes.")


class BootFromVolumeRequiredForZeroDiskFlavor(NotAuthorized):
    msg_fmt = ('Only volume-backed servers are allowed for flavors with '
               'zero disk.')


class CannotResizeToSameFlavor(Invalid):
    msg_fmt = 'When resizing, instances must change flavor!'


class CannotResizeDisk(Invalid):
    msg_fmt = 'Server disk was unable to be resized because: %(reason)s'


class InstanceNotResized(Invalid):
    """What Nova's confirm/revert answer when no resize awaits them."""
    msg_fmt = 'Instance has not been resized.'


class MigrationNotFound(NotFound):
    msg_fmt = 'Migration %(migration_id)s could not be found.'


class MigrationNotFoundByStatus(MigrationNotFound):
    msg_fmt = ('Migration not found for instance %(instance_id)s with '
               'status %(status)s.')


class HostServiceUnavailable(Conflict):
    """Nova's ServiceUnavailable, which resize, migrate and confirm answer
    with 409 when the server's compute service is down."""
    msg_fmt = 'Service is unavailable at this time.'


class ImageMetadataLimitExceeded(QuotaError):
    msg_fmt = 'Image metadata limit exceeded'


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


class UnableToAutoAllocateNetwork(Invalid):
    msg_fmt = ('Unable to automatically allocate a network for project '
               '%(project_id)s')


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


# ------------------------------------------------------------- admin APIs
# os-services, os-hypervisors, os-simple-tenant-usage, os-quota-sets

class ServiceNotFound(NotFound):
    # The words of Nova's os-services API (its object says "could not be
    # found").
    msg_fmt = 'Service %(service_id)s not found.'


class ServiceToUpdateNotFound(NotFound):
    # PUT /os-services/{service_id} (2.53) keeps the words of Nova's
    # object.
    msg_fmt = 'Service %(service_id)s could not be found.'


class HostMappingNotFound(NotFound):
    msg_fmt = "Host '%(name)s' is not mapped to any cell"


class ServiceUpdateNotSupported(Invalid):
    msg_fmt = ('Updating a %(binary)s service is not supported. Only '
               'nova-compute services can be updated.')


class ComputeHostHasInstances(Conflict):
    msg_fmt = ('Unable to delete compute service that is hosting '
               'instances. Migrate or delete the instances first.')


class ComputeHostHasMigrations(Conflict):
    msg_fmt = ('Unable to delete compute service that has in-progress '
               'migrations. Complete the migrations or delete the '
               'instances first.')


class HypervisorNotFound(NotFound):
    msg_fmt = "Hypervisor with ID '%(hypervisor_id)s' could not be found."


class HypervisorPatternNotFound(NotFound):
    msg_fmt = "No hypervisor matching '%(pattern)s' could be found."


class ComputeServiceUnavailable(Invalid):
    msg_fmt = 'Compute service of %(host)s is unavailable at this time.'


class FeatureNotSupported(NovaliteException):
    """Nova's ``common.raise_feature_not_supported``."""
    msg_fmt = 'The requested functionality is not supported.'
    code = 501


class InvalidStrTime(Invalid):
    msg_fmt = 'Invalid datetime string: %(reason)s'


class QuotaExists(Conflict):
    msg_fmt = 'Quota exists for project %(project_id)s'


class QuotaLimitTooLow(Invalid):
    msg_fmt = ('Quota limit %(limit)s for %(resource)s must be greater than '
               'or equal to already used and reserved %(minimum)s.')


# Pause, suspend, rescue, soft delete, security groups (Nova's).

class InstanceNotRescuable(Invalid):
    msg_fmt = 'Instance %(instance_id)s cannot be rescued: %(reason)s'


class UnsupportedRescueImage(Invalid):
    msg_fmt = "Requested rescue image '%(image)s' is not supported"


class SecurityGroupNotFound(NotFound):
    msg_fmt = 'Security group %(security_group_id)s not found.'


class SecurityGroupCannotBeApplied(Invalid):
    msg_fmt = ('Network requires port_security_enabled and subnet '
               'associated in order to apply security groups.')


class SecurityGroupNoUniqueMatch(Conflict):
    """Nova's NoUniqueMatch, with the words Neutron's client gives."""
    msg_fmt = ("Multiple security_group matches found for name '%(name)s', "
               "use an ID to be more specific.")


class SecurityGroupLimitExceeded(QuotaError):
    """Nova's 403 for what Neutron refuses with a 409 (a duplicate rule,
    a second default group)."""
    msg_fmt = 'Maximum number of security groups or rules exceeded'


class SecurityGroupInvalidCidr(Invalid):
    """Nova's InvalidCidr (os-security-group-rules)."""
    msg_fmt = '%(cidr)s is not a valid IP network.'


class InvalidIpProtocol(Invalid):
    msg_fmt = 'Invalid IP protocol %(protocol)s.'


class InvalidPortRange(Invalid):
    msg_fmt = 'Invalid port range %(from_port)s:%(to_port)s. %(msg)s'
