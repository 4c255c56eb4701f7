"""What a server's fault shows its owner, and what only admins see.

Through the whole API with a compute agent in process: the fake driver,
or the libvirt driver on libvirt's test hypervisor with real files, real
qemu-img and a real config drive writer (a mock only injects the failure
of a write).
"""

import errno
import os
import uuid

import fixtures
from oslo_config import cfg

import novalite
from novalite.tests import base
from novalite.tests import fixtures as nl_fixtures
from novalite.virt.libvirt import driver as libvirt_driver
from novalite.virt.libvirt.host import libvirt

CONF = cfg.CONF

# Where novalite's code lives on this host: a traceback names it.
CODE_PATH = os.path.dirname(os.path.abspath(novalite.__file__))


class _FaultTestBase(base.APITestCase):

    def failed(self, server_id):
        """(owner's view, admin's view) of a server in ERROR."""
        owner = self.wait_for_status(server_id, 'ERROR', api=self.api)
        resp = self.api.get('servers/%s' % server_id, status=200)
        for leak in ('Traceback', CODE_PATH, CONF.instances_path):
            self.assertNotIn(leak, resp.text)
        self.assertNotIn('details', owner['fault'])
        admin = self.wait_for_status(server_id, 'ERROR')
        return owner['fault'], admin['fault']


class FaultViewTest(_FaultTestBase):
    """Fake driver."""

    def test_non_500_fault_keeps_no_traceback(self):
        # A SOFT reboot of a guest the hypervisor lost: Nova's 404.
        server = self.create_server()
        self.agent.driver._guests.pop(server['id'])
        self.api.post('servers/%s/action' % server['id'],
                      {'reboot': {'type': 'SOFT'}}, status=202)
        owner, admin = self.failed(server['id'])
        self.assertEqual(404, owner['code'])
        self.assertEqual('Instance %s could not be found.' % server['id'],
                         owner['message'])
        # As in Nova, only a 500 fault keeps a traceback: none to show.
        self.assertNotIn('details', admin)

    def test_os_error_shows_its_class_only(self):
        path = os.path.join(CONF.instances_path, 'some-server', 'disk')

        def spawn(*args, **kwargs):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        self.agent.driver.spawn = spawn
        server = self.create_server(wait=False)
        owner, admin = self.failed(server['id'])
        self.assertEqual((500, 'OSError'), (owner['code'],
                                            owner['message']))
        # Admins see the traceback, the error's own text with it.
        self.assertIn('Traceback', admin['details'])
        self.assertIn(path, admin['details'])


class LibvirtFaultViewTest(_FaultTestBase):
    """libvirt driver: its errors say in novalite's words what failed."""

    USE_AGENT = False

    def setUp(self):
        super().setUp()
        if libvirt is None:
            nl_fixtures.require(self, False,
                                'libvirt-python is not installed')
        self.agent = self.useFixture(nl_fixtures.ComputeAgent(
            driver=libvirt_driver.LibvirtDriver()))

    def test_disk_creation_failure(self):
        # No mock: qemu-img refuses a raw file said to be qcow2, and says
        # so naming the disk's path.
        image = self.create_image(image_id=str(uuid.uuid4()),
                                  disk_format='qcow2')
        server = self.create_server(imageRef=image['id'], wait=False)
        owner, admin = self.failed(server['id'])
        self.assertEqual((500, "Could not create the guest's disk."),
                         (owner['code'], owner['message']))
        disk = os.path.join(CONF.instances_path, server['id'], 'disk')
        self.assertIn('qemu-img', admin['details'])
        self.assertIn(disk, admin['details'])

    def test_config_drive_failure(self):
        self.useFixture(fixtures.MockPatch(
            'pycdlib.PyCdlib.write', side_effect=OSError(
                errno.ENOSPC, os.strerror(errno.ENOSPC),
                os.path.join(CONF.instances_path, 'x', 'disk.config'))))
        server = self.create_server(config_drive=True, wait=False)
        owner, admin = self.failed(server['id'])
        self.assertEqual((500, "Could not build the guest's config drive."),
                         (owner['code'], owner['message']))
        self.assertIn(os.strerror(errno.ENOSPC), admin['details'])
        self.assertIn(CONF.instances_path, admin['details'])
