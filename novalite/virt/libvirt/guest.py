"""Operations on one running or defined libvirt domain."""

import time

from novalite import states
from novalite.virt.libvirt.host import libvirt

# libvirt domain states -> novalite power states
_POWER_STATE = {
    0: states.NOSTATE,        # VIR_DOMAIN_NOSTATE
    1: states.RUNNING,        # VIR_DOMAIN_RUNNING
    2: states.RUNNING,        # VIR_DOMAIN_BLOCKED
    3: states.PAUSED_POWER,   # VIR_DOMAIN_PAUSED
    4: states.SHUTDOWN,       # VIR_DOMAIN_SHUTDOWN
    5: states.SHUTDOWN,       # VIR_DOMAIN_SHUTOFF
    6: states.CRASHED,        # VIR_DOMAIN_CRASHED
    7: states.SUSPENDED_POWER,  # VIR_DOMAIN_PMSUSPENDED
}


class Guest:

    def __init__(self, domain):
        self._domain = domain

    @classmethod
    def define(cls, conn, xml):
        return cls(conn.defineXML(xml))

    @property
    def uuid(self):
        return self._domain.UUIDString()

    def get_power_state(self):
        state, _reason = self._domain.state()
        return _POWER_STATE.get(state, states.NOSTATE)

    def is_running(self):
        return self.get_power_state() == states.RUNNING

    def launch(self):
        self._domain.create()

    def poweroff(self):
        """Hard stop; a guest that is already off is fine."""
        if self._domain.isActive():
            try:
                self._domain.destroy()
            except libvirt.libvirtError as e:
                if e.get_error_code() != libvirt.VIR_ERR_OPERATION_INVALID:
                    raise

    def shutdown(self, timeout):
        """ACPI shutdown, waiting up to ``timeout`` s; True if it stopped."""
        if not self._domain.isActive():
            return True
        try:
            self._domain.shutdown()
        except libvirt.libvirtError:
            return False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._domain.isActive():
                return True
            time.sleep(0.5)
        return not self._domain.isActive()

    def reboot(self):
        self._domain.reboot(0)

    def undefine(self):
        flags = getattr(libvirt, 'VIR_DOMAIN_UNDEFINE_NVRAM', 0)
        try:
            self._domain.undefineFlags(flags)
        except libvirt.libvirtError:
            self._domain.undefine()

    def inject_nmi(self):
        self._domain.injectNMI(0)
