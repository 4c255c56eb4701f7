from novalite.virt.libvirt import driver

LibvirtDriver = driver.LibvirtDriver
