"""A tiny bootable guest for tests, built offline from Debian packages.

``build(cache_dir)`` returns a kernel, an initramfs and a kernel command
line that libvirt boots directly (``<kernel>``, ``<initrd>``,
``<cmdline>``): no disk image, no boot loader, no network access beyond
the Debian package mirror.

The kernel is the newest ``linux-image-<ver>-cloud-amd64`` package, fetched
with ``apt-get download`` and unpacked with ``dpkg -x`` into a work
directory (never installed on the host). The initramfs holds the host's
``busybox-static``, the few kernel modules a libvirt guest needs (virtio
net and block, a SATA cdrom with an ISO 9660 config drive, the ACPI power
button) and the shell scripts below. It is written by a small newc cpio
writer in this module, so every file is owned by root whoever builds it.

The guest reports on the serial console, one ``novalite-tiny: ...`` line
per step (see INIT_SCRIPT), so a test can read the console log.
"""

import collections
import fcntl
import gzip
import hashlib
import io
import json
import lzma
import os
import re
import shutil
import stat
import struct
import subprocess
import time

CMDLINE = 'console=ttyS0 quiet'
BUSYBOX = '/bin/busybox'
KERNEL_PACKAGE_RE = re.compile(
    r'^linux-image-(\d+\.\d+\.\d+[-+][^ ]*-cloud-amd64)$')
APT_LISTS = '/var/lib/apt/lists'

# Drivers the guest loads, each built in or a module (dependencies are
# found from the modules' own "depends=" and loaded first).
MODULES = (
    'virtio_pci', 'virtio_net', 'virtio_blk',       # NIC and root disk
    'libata', 'ahci', 'scsi_mod', 'cdrom', 'sr_mod',  # SATA cdrom
    'isofs',                                         # config drive
    'button', 'evdev',                               # ACPI power button
)

# Bump when the layout of the initramfs changes without a script change.
FORMAT_VERSION = 1

# ---------------------------------------------------------------------------
# Guest side. Each script is installed in the initramfs as is; all of them
# run under busybox (ash, awk, sed, ...), nothing else is in the image.
# ---------------------------------------------------------------------------

# /init: PID 1. It must never exit (the kernel panics when PID 1 does).
INIT_SCRIPT = r'''#!/bin/sh
# novalite tiny guest: /init, busybox sh as PID 1.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root

# 1. Kernel file systems, then everything we print goes to the console
#    (console=ttyS0 on the kernel command line).
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /run /tmp /mnt/config /var/log
exec </dev/console >/dev/console 2>&1
say() { echo "novalite-tiny: $*"; }
say booted

# 2. Drivers: modules the build found not built in, dependencies first.
while read -r mod; do
    insmod "/lib/modules/$mod.ko" || say "insmod $mod failed"
done < /lib/modules/load-order

# 3. ACPI power button (virsh shutdown): acpid reads /dev/input/event*
#    and runs /etc/acpi/power (see /etc/acpi.map and /etc/acpid.conf).
if [ -e /dev/input/event0 ]; then
    acpid -d -c /etc/acpi -a /etc/acpid.conf -M /etc/acpi.map \
        >/dev/null 2>&1 &
else
    say "no input device: the power button will not work"
fi

# 4. Network: DHCP on eth0 (about 20 s at most); udhcpc stays in the
#    background to renew the lease, /etc/udhcpc.script configures eth0.
ip link set lo up
if ip link show eth0 >/dev/null 2>&1; then
    ip link set eth0 up
    if udhcpc -i eth0 -s /etc/udhcpc.script -t 6 -T 3 -n >/dev/null 2>&1 \
            && [ -s /run/eth0.ip ]; then
        say "eth0 $(cat /run/eth0.ip)"
    else
        say "eth0 no-dhcp"
    fi
else
    say "eth0 missing"
fi

# 5. Config drive (ISO 9660 labelled config-2, a read-only cdrom): SCSI
#    scanning is asynchronous, so wait for it a little.
cd_dev=
tries=0
while [ $tries -lt 15 ]; do
    cd_dev=$(findfs LABEL=config-2 2>/dev/null)
    [ -z "$cd_dev" ] && [ -b /dev/sr0 ] && cd_dev=/dev/sr0
    if [ -n "$cd_dev" ] && \
            mount -t iso9660 -o ro "$cd_dev" /mnt/config 2>/dev/null; then
        break
    fi
    cd_dev=
    tries=$((tries + 1))
    sleep 1
done
if [ -n "$cd_dev" ]; then
    # Personality files, public keys, user data: see configdrive.sh.
    /lib/novalite/configdrive.sh /mnt/config /
else
    say "no config drive"
fi

say ready

# 6. Stay up: a root shell on the console, respawned if it exits.
while true; do
    setsid cttyhack sh -l
    sleep 1
done
'''

# /lib/novalite/configdrive.sh CONFIG_DRIVE_DIR [ROOT]: apply an OpenStack
# config drive to the file system at ROOT (default /). Separate from /init
# so that tests run it on the host (busybox sh) against a directory.
CONFIGDRIVE_SCRIPT = r'''#!/bin/sh
# Apply the OpenStack config drive at $1 to the file system rooted at $2.
cd_dir=$1
root=${2%/}
meta=$cd_dir/openstack/latest/meta_data.json
say() { echo "novalite-tiny: $*"; }

# JSON on stdin -> one "path<TAB>value" line per string, number, true,
# false or null; object keys and array indexes joined by "/", e.g.
# "files/0/path<TAB>/etc/motd", "public_keys/mykey<TAB>ssh-rsa ...".
json_flatten() {
    awk '
    function fail(msg) { print "json: " msg " at " pos > "/dev/stderr"
                         exit 1 }
    function skip() {
        while (pos <= n && index(" \t\r\n", substr(s, pos, 1)) > 0) pos++
    }
    function hex4(h,   i, v) {
        v = 0
        h = tolower(h)
        for (i = 1; i <= 4; i++)
            v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
        return v
    }
    function utf8(c) {
        if (c < 128) return sprintf("%c", c)
        if (c < 2048) return sprintf("%c%c", 192 + int(c / 64), 128 + c % 64)
        if (c < 65536) return sprintf("%c%c%c", 224 + int(c / 4096),
                                      128 + int(c / 64) % 64, 128 + c % 64)
        return sprintf("%c%c%c%c", 240 + int(c / 262144),
                       128 + int(c / 4096) % 64, 128 + int(c / 64) % 64,
                       128 + c % 64)
    }
    function str(   out, c, u, rest) {
        pos++
        out = ""
        while (pos <= n) {
            rest = substr(s, pos)
            if (match(rest, /^[^"\\]+/)) {
                out = out substr(rest, 1, RLENGTH)
                pos += RLENGTH
                continue
            }
            c = substr(s, pos, 1)
            pos++
            if (c == "\"") return out
            c = substr(s, pos, 1)
            pos++
            if (c == "n") c = "\n"
            else if (c == "t") c = "\t"
            else if (c == "r") c = "\r"
            else if (c == "b") c = sprintf("%c", 8)
            else if (c == "f") c = sprintf("%c", 12)
            else if (c == "u") {
                u = hex4(substr(s, pos, 4))
                pos += 4
                if (u >= 55296 && u < 56320 && substr(s, pos, 2) == "\\u") {
                    u = 65536 + (u - 55296) * 1024 + \
                        hex4(substr(s, pos + 2, 4)) - 56320
                    pos += 6
                }
                c = utf8(u)
            }
            out = out c
        }
        fail("unterminated string")
    }
    function emit(p, v) { gsub(/[\t\n]/, " ", v); print p "\t" v }
    function value(path,   c, k, i) {
        skip()
        c = substr(s, pos, 1)
        if (c == "{") {
            pos++
            skip()
            if (substr(s, pos, 1) == "}") { pos++; return }
            while (1) {
                skip()
                if (substr(s, pos, 1) != "\"") fail("key expected")
                k = str()
                skip()
                if (substr(s, pos, 1) != ":") fail("colon expected")
                pos++
                value((path == "") ? k : (path "/" k))
                skip()
                c = substr(s, pos, 1)
                pos++
                if (c == "}") return
                if (c != ",") fail("comma expected")
            }
        }
        if (c == "[") {
            pos++
            skip()
            if (substr(s, pos, 1) == "]") { pos++; return }
            for (i = 0; 1; i++) {
                value((path == "") ? i : (path "/" i))
                skip()
                c = substr(s, pos, 1)
                pos++
                if (c == "]") return
                if (c != ",") fail("comma expected")
            }
        }
        if (c == "\"") { emit(path, str()); return }
        if (match(substr(s, pos), /^(true|false|null|-?[0-9][-+.0-9eE]*)/)) {
            emit(path, substr(s, pos, RLENGTH))
            pos += RLENGTH
            return
        }
        fail("value expected")
    }
    { s = s $0 "\n" }
    END {
        n = length(s)
        pos = 1
        value("")
        skip()
        if (pos <= n) fail("trailing data")
    }'
}

if [ ! -f "$meta" ]; then
    say "no openstack/latest/meta_data.json"
    exit 1
fi
if ! flat=$(json_flatten < "$meta"); then
    say "cannot parse meta_data.json"
    exit 1
fi
# get KEY: the value flattened as KEY; fails when there is none.
get() {
    printf '%s\n' "$flat" | awk -F '\t' -v k="$1" '
        $1 == k { print substr($0, length(k) + 2); found = 1 }
        END { exit !found }'
}

# Personality files: "files": [{"path": ..., "content_path": ...}].
i=0
while path=$(get "files/$i/path"); do
    if content=$(get "files/$i/content_path"); then
        dest=$root$path
        mkdir -p "$(dirname "$dest")"
        cp "$cd_dir/openstack$content" "$dest"
        say "file $path"
        awk 'NR > 20 { exit } { print "novalite-tiny: | " $0 }' "$dest"
    fi
    i=$((i + 1))
done

# SSH keys: "public_keys": {"name": "ssh-rsa ..."}.
keys=$(printf '%s\n' "$flat" | awk -F '\t' '
    index($1, "public_keys/") == 1 { print substr($0, length($1) + 2) }')
if [ -n "$keys" ]; then
    mkdir -p "$root/root/.ssh"
    chmod 700 "$root/root/.ssh"
    auth=$root/root/.ssh/authorized_keys
    printf '%s\n' "$keys" | while IFS= read -r key; do
        grep -qxF "$key" "$auth" 2>/dev/null || printf '%s\n' "$key" >> "$auth"
        say "key installed"
    done
    chmod 600 "$auth"
fi

# User data: run it when it is a script ("#!"), output on our stdout.
user_data=$cd_dir/openstack/latest/user_data
if [ -f "$user_data" ] && [ "$(head -c 2 "$user_data")" = "#!" ]; then
    mkdir -p "$root/tmp"
    cp "$user_data" "$root/tmp/user-data"
    chmod 700 "$root/tmp/user-data"
    sh "$root/tmp/user-data" </dev/null 2>&1
    say "user-data exit $?"
fi
exit 0
'''

# /etc/udhcpc.script: udhcpc calls it with deconfig, bound, renew, ...
UDHCPC_SCRIPT = r'''#!/bin/sh
# udhcpc event script: configure $interface from the lease.
case "$1" in
deconfig)
    ip -4 addr flush dev "$interface"
    ip link set "$interface" up
    rm -f "/run/$interface.ip"
    ;;
bound|renew)
    if [ "$(cat "/run/$interface.ip" 2>/dev/null)" != "$ip" ]; then
        ip -4 addr flush dev "$interface"
        ip -4 addr add "$ip/${mask:-24}" ${broadcast:+broadcast $broadcast} \
            dev "$interface"
    fi
    ip -4 route del default dev "$interface" 2>/dev/null
    for gw in $router; do
        ip -4 route add default via "$gw" dev "$interface" && break
    done
    : > /etc/resolv.conf
    for ns in $dns; do
        echo "nameserver $ns" >> /etc/resolv.conf
    done
    echo "$ip" > "/run/$interface.ip"
    ;;
esac
exit 0
'''

# busybox acpid: input event -> event name (map), event name -> handler
# path relative to /etc/acpi (conf). Map line: type, code, value, name.
ACPI_MAP = 'EV_KEY 01 KEY_POWER 116 1 button/power\n'
ACPID_CONF = 'button/power power\n'

# /etc/acpi/power: the power button handler (run by acpid).
POWER_SCRIPT = r'''#!/bin/sh
# ACPI power button: shut down now. The leading newline ends a shell
# prompt that may be on the console line.
printf '\nnovalite-tiny: power button, shutting down\n' > /dev/console
sync
umount /mnt/config 2>/dev/null
sync
poweroff -f
'''


class TinyImageError(Exception):
    pass


# ---------------------------------------------------------------------------
# newc cpio
# ---------------------------------------------------------------------------

CpioEntry = collections.namedtuple('CpioEntry', 'name mode data rdev')


def cpio_dir(name, perm=0o755):
    return CpioEntry(name, stat.S_IFDIR | perm, b'', (0, 0))


def cpio_file(name, data, perm=0o644):
    return CpioEntry(name, stat.S_IFREG | perm, data, (0, 0))


def cpio_symlink(name, target):
    return CpioEntry(name, stat.S_IFLNK | 0o777, target.encode(), (0, 0))


def cpio_chardev(name, major, minor, perm=0o600):
    return CpioEntry(name, stat.S_IFCHR | perm, b'', (major, minor))


def _pad4(out, length):
    out.write(b'\0' * (-length % 4))


def write_cpio(out, entries):
    """Write ``entries`` as a newc ("070701") archive, owned by root:root.

    Names are relative ("bin/sh"); parents must come before their children.
    """
    for ino, entry in enumerate(list(entries) +
                                [CpioEntry('TRAILER!!!', 0, b'', (0, 0))],
                                start=1):
        name = entry.name.encode() + b'\0'
        nlink = 2 if stat.S_ISDIR(entry.mode) else 1
        fields = (ino, entry.mode, 0, 0, nlink, 0, len(entry.data), 0, 0,
                  entry.rdev[0], entry.rdev[1], len(name), 0)
        header = b'070701' + b''.join(b'%08X' % f for f in fields)
        out.write(header + name)
        _pad4(out, len(header) + len(name))
        out.write(entry.data)
        _pad4(out, len(entry.data))


# ---------------------------------------------------------------------------
# Kernel modules
# ---------------------------------------------------------------------------

def _module_name(filename):
    base = filename.split('/')[-1]
    base = re.sub(r'\.ko(\.(xz|gz|zst))?$', '', base)
    return base.replace('-', '_')


def read_module(path):
    """The uncompressed bytes of a .ko, .ko.xz, .ko.gz or .ko.zst file."""
    if path.endswith('.xz'):
        with lzma.open(path) as f:
            return f.read()
    if path.endswith('.gz'):
        with gzip.open(path) as f:
            return f.read()
    if path.endswith('.zst'):
        return subprocess.run(['zstd', '-dcq', path], check=True,
                              stdout=subprocess.PIPE).stdout
    with open(path, 'rb') as f:
        return f.read()


def modinfo(data):
    """{key: [values]} of a module's .modinfo ELF section."""
    if data[:4] != b'\x7fELF' or data[4] != 2:
        raise TinyImageError('not a 64-bit ELF module')
    shoff, = struct.unpack_from('<Q', data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x3a)

    def section(index):
        # sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size
        fields = struct.unpack_from('<IIQQQQ', data,
                                    shoff + index * shentsize)
        return fields[0], data[fields[4]:fields[4] + fields[5]]

    names = section(shstrndx)[1]
    info = collections.defaultdict(list)
    for index in range(shnum):
        name_offset, body = section(index)
        name = names[name_offset:names.index(b'\0', name_offset)]
        if name == b'.modinfo':
            for item in body.split(b'\0'):
                key, sep, value = item.decode(errors='replace').partition(
                    '=')
                if sep:
                    info[key].append(value)
    return info


def resolve_modules(module_dir, names):
    """[(name, uncompressed bytes)] to insmod in order, dependencies first.

    Built-in drivers (modules.builtin) are skipped; a name that is neither
    built in nor a module raises TinyImageError.
    """
    builtin = set()
    with open(os.path.join(module_dir, 'modules.builtin')) as f:
        for line in f:
            builtin.add(_module_name(line.strip()))
    files = {}
    for dirpath, _dirs, filenames in os.walk(module_dir):
        for filename in filenames:
            if re.search(r'\.ko(\.(xz|gz|zst))?$', filename):
                files[_module_name(filename)] = os.path.join(dirpath,
                                                             filename)
    ordered = []
    done = set()

    def add(name, chain):
        name = name.replace('-', '_')
        if name in done or name in builtin:
            return
        if name in chain:
            raise TinyImageError('module dependency loop: %s' % (
                ' -> '.join(chain + (name,))))
        if name not in files:
            raise TinyImageError('kernel has no driver %s' % name)
        data = read_module(files[name])
        for depends in modinfo(data).get('depends', []):
            for dep in filter(None, depends.split(',')):
                add(dep, chain + (name,))
        done.add(name)
        ordered.append((name, data))

    for name in names:
        add(name, ())
    return ordered


# ---------------------------------------------------------------------------
# The initramfs
# ---------------------------------------------------------------------------

def recipe_hash():
    """Short hash of everything in the initramfs but the kernel modules'
    bytes: the scripts, the module list and the busybox binary."""
    st = os.stat(BUSYBOX)
    recipe = json.dumps([FORMAT_VERSION, INIT_SCRIPT, CONFIGDRIVE_SCRIPT,
                         UDHCPC_SCRIPT, ACPI_MAP, ACPID_CONF, POWER_SCRIPT,
                         MODULES, st.st_size, st.st_mtime_ns])
    return hashlib.sha256(recipe.encode()).hexdigest()[:12]


def initramfs_entries(modules, busybox=BUSYBOX):
    """The initramfs as cpio entries; ``modules`` from resolve_modules."""
    entries = [cpio_dir(d) for d in (
        'bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'dev', 'proc', 'sys',
        'run', 'tmp', 'mnt', 'etc', 'etc/acpi', 'lib', 'lib/modules',
        'lib/novalite', 'var', 'var/log')]
    entries[entries.index(cpio_dir('tmp'))] = cpio_dir('tmp', 0o1777)
    entries.append(cpio_dir('root', 0o700))
    # The kernel opens /dev/console for /init before devtmpfs is mounted.
    entries.append(cpio_chardev('dev/console', 5, 1))
    entries.append(cpio_chardev('dev/null', 1, 3, 0o666))
    with open(busybox, 'rb') as f:
        entries.append(cpio_file('bin/busybox', f.read(), 0o755))
    applets = subprocess.run([busybox, '--list-full'], check=True,
                             stdout=subprocess.PIPE,
                             universal_newlines=True).stdout.split()
    for applet in applets:
        if '/' in applet and applet != 'bin/busybox':
            entries.append(cpio_symlink(applet, '/bin/busybox'))
    entries.append(cpio_file('init', INIT_SCRIPT.encode(), 0o755))
    entries.append(cpio_file('lib/novalite/configdrive.sh',
                             CONFIGDRIVE_SCRIPT.encode(), 0o755))
    entries.append(cpio_file('etc/udhcpc.script', UDHCPC_SCRIPT.encode(),
                             0o755))
    entries.append(cpio_file('etc/acpi.map', ACPI_MAP.encode()))
    entries.append(cpio_file('etc/acpid.conf', ACPID_CONF.encode()))
    entries.append(cpio_file('etc/acpi/power', POWER_SCRIPT.encode(),
                             0o755))
    for name, data in modules:
        entries.append(cpio_file('lib/modules/%s.ko' % name, data))
    order = ''.join('%s\n' % name for name, _data in modules)
    entries.append(cpio_file('lib/modules/load-order', order.encode()))
    return entries


# ---------------------------------------------------------------------------
# The kernel package
# ---------------------------------------------------------------------------

def _apt_signature():
    """Names, sizes and times of apt's package lists: when they are the
    same, apt-cache would give the same answer as last time."""
    try:
        found = sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns)
                       for e in os.scandir(APT_LISTS) if e.is_file())
    except OSError:
        return None
    return hashlib.sha256(repr(found).encode()).hexdigest()


def _newer(a, b):
    return subprocess.run(['dpkg', '--compare-versions', a, 'gt', b]
                          ).returncode == 0


def find_kernel_package():
    """(package name, kernel version) of the newest cloud-amd64 kernel."""
    found = []
    for attempt in range(2):
        names = subprocess.run(
            ['apt-cache', 'pkgnames', 'linux-image-'], check=True,
            stdout=subprocess.PIPE, universal_newlines=True).stdout.split()
        found = [m.group(1) for m in map(KERNEL_PACKAGE_RE.match, names)
                 if m]
        if found or attempt:
            break
        subprocess.run(['apt-get', 'update', '-qq'], check=True)
    if not found:
        raise TinyImageError('no linux-image-<version>-cloud-amd64 package')
    newest = found[0]
    for version in found[1:]:
        if _newer(version, newest):
            newest = version
    return 'linux-image-%s' % newest, newest


def _download(package, deb_dir, progress):
    os.makedirs(deb_dir, exist_ok=True)
    for name in os.listdir(deb_dir):
        if name.startswith(package + '_') and name.endswith('.deb'):
            return os.path.join(deb_dir, name)
    for name in os.listdir(deb_dir):
        os.unlink(os.path.join(deb_dir, name))   # other kernels' packages
    progress('tinyimage: downloading %s' % package)
    cmd = ['apt-get', 'download', '-q']
    if os.geteuid() == 0:
        # apt's _apt user cannot write to an arbitrary directory.
        cmd += ['-o', 'APT::Sandbox::User=root']
    subprocess.run(cmd + [package], cwd=deb_dir, check=True,
                   stdout=subprocess.DEVNULL)
    for name in os.listdir(deb_dir):
        if name.startswith(package + '_') and name.endswith('.deb'):
            return os.path.join(deb_dir, name)
    raise TinyImageError('apt-get download %s wrote no package' % package)


def _write_atomic(path, data):
    with open(path + '.tmp', 'wb') as f:
        f.write(data)
    os.replace(path + '.tmp', path)


def _cached(cache_dir, version, digest):
    stamp = os.path.join(cache_dir, 'tiny-%s-%s.json' % (version, digest))
    try:
        with open(stamp) as f:
            result = json.load(f)
    except (OSError, ValueError):
        return None
    if all(os.path.isfile(result[k]) for k in ('kernel', 'initrd')):
        return result
    return None


def build(cache_dir, progress=print):
    """Build (or reuse) the tiny guest in ``cache_dir``.

    Returns dict(kernel=PATH, initrd=PATH, cmdline=STR, kernel_version=STR).
    The result is reused while the newest kernel package and
    recipe_hash() stay the same.
    """
    cache_dir = os.path.abspath(cache_dir)
    os.makedirs(cache_dir, exist_ok=True)
    digest = recipe_hash()
    resolved_path = os.path.join(cache_dir, 'apt-kernel.json')
    signature = _apt_signature()

    def known_version():
        try:
            with open(resolved_path) as f:
                resolved = json.load(f)
        except (OSError, ValueError):
            return None, None
        if signature and resolved.get('apt_signature') == signature:
            return resolved['package'], resolved['version']
        return None, None

    package, version = known_version()
    if version:
        result = _cached(cache_dir, version, digest)
        if result:
            return result

    with open(os.path.join(cache_dir, '.lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _build_locked(cache_dir, digest, known_version, resolved_path,
                             progress)


def _build_locked(cache_dir, digest, known_version, resolved_path, progress):
    start = time.monotonic()
    package, version = known_version()
    if not version:
        progress('tinyimage: looking for the newest '
                 'linux-image-<version>-cloud-amd64 package')
        package, version = find_kernel_package()
        _write_atomic(resolved_path, json.dumps(dict(
            apt_signature=_apt_signature(), package=package,
            version=version)).encode())
    result = _cached(cache_dir, version, digest)
    if result:      # built by another process meanwhile
        return result

    deb = _download(package, os.path.join(cache_dir, 'debs'), progress)
    work = os.path.join(cache_dir, 'work-%s' % version)
    shutil.rmtree(work, ignore_errors=True)
    try:
        progress('tinyimage: unpacking %s' % os.path.basename(deb))
        subprocess.run(['dpkg', '-x', deb, work], check=True)
        vmlinuz = os.path.join(work, 'boot', 'vmlinuz-%s' % version)
        module_dir = os.path.join(work, 'lib', 'modules', version)
        if not os.path.isdir(module_dir):
            module_dir = os.path.join(work, 'usr', 'lib', 'modules',
                                      version)
        if not os.path.isfile(vmlinuz) or not os.path.isdir(module_dir):
            raise TinyImageError('%s has no kernel or modules' % deb)
        modules = resolve_modules(module_dir, MODULES)
        progress('tinyimage: packing the initramfs (%s)' % ', '.join(
            name for name, _data in modules))
        kernel = os.path.join(cache_dir, 'vmlinuz-%s' % version)
        shutil.copyfile(vmlinuz, kernel + '.tmp')
        os.replace(kernel + '.tmp', kernel)
        initrd = os.path.join(cache_dir,
                              'initrd-%s-%s.img' % (version, digest))
        raw = io.BytesIO()
        write_cpio(raw, initramfs_entries(modules))
        _write_atomic(initrd, gzip.compress(raw.getvalue(), 6, mtime=0))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = dict(kernel=kernel, initrd=initrd, cmdline=CMDLINE,
                  kernel_version=version)
    _write_atomic(os.path.join(cache_dir, 'tiny-%s-%s.json' % (
        version, digest)), json.dumps(result).encode())
    progress('tinyimage: built %s (%d bytes) in %.1f s' % (
        initrd, os.path.getsize(initrd), time.monotonic() - start))
    return result
