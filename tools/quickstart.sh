#!/usr/bin/env bash
# novalite on this machine, and a first server: a real qemu guest.
#
# For a fresh Debian 12 machine, as root (re-running is fine):
#   - Debian packages: libvirt + qemu, qemu-img, busybox-static, dnsmasq,
#     a compiler and libvirt headers (for libvirt-python), curl;
#   - virtlogd and libvirtd, started when they are not running;
#   - a virtualenv at .venv with novalite installed (editable);
#   - ~/.novalite/novalite.conf (rewritten on each run): SQLite, noauth2,
#     libvirt qemu:///system with virt_type qemu (TCG);
#   - database schema, flavor m1.nano (id 1), network "private"
#     (10.76.0.0/24), and image "tiny" (built offline from Debian's cloud
#     kernel and busybox: tools and the guest's behaviour in the README);
#   - novalite-api and novalite-compute as two processes over RabbitMQ
#     when RabbitMQ answers on 127.0.0.1:5672, else novalite-all (one
#     process, in-memory transport);
#   - a server booted with a user-data script; the script waits until its
#     output is on the server's console and the address the guest got
#     from DHCP is the address the API shows, and prints both.
#
# Where qemu cannot run (not root, no libvirtd, no kernel to be had), it
# says why and uses libvirt's in-memory test driver instead: the server
# is then only a record, and this script says so.
#
# Stop novalite with:  kill $(cat ~/.novalite/*.pid)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
STATE=${NOVALITE_STATE:-$HOME/.novalite}
CONF=$STATE/novalite.conf
VENV=$REPO/.venv
API=http://127.0.0.1:8774
TOKEN=demo:demo
FLAVOR_ID=1
NETWORK_CIDR=${NOVALITE_NETWORK_CIDR:-10.76.0.0/24}
# qemu (user libvirt-qemu) must reach the disks: not under /root.
INSTANCES=${NOVALITE_INSTANCES_PATH:-/var/lib/novalite/instances}
MARKER="hello from novalite user data"

say() { printf '\n==> %s\n' "$*"; }
elapsed() { echo "($((SECONDS - $1)) s)"; }

real=yes
why_not=
fall_back() {
    if [ "$real" = yes ]; then
        real=no
        why_not=$1
        echo "!! No real guest: $1"
        echo "!! Falling back to libvirt's in-memory test driver."
    fi
}

# ------------------------------------------------------------ packages
say "Debian packages"
packages=(libvirt-dev pkg-config qemu-utils gcc python3-dev curl)
guest_packages=(libvirt-daemon-system qemu-system-x86 busybox-static
                dnsmasq-base dnsmasq-utils iptables)
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    packages+=(python3-venv)
fi
if [ "$(id -u)" -eq 0 ]; then
    packages+=("${guest_packages[@]}")
else
    fall_back "not root: qemu:///system guests need root"
fi
missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | \
        grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "Missing packages (run as root, or install them): ${missing[*]}"
        exit 1
    fi
    start=$SECONDS
    echo "installing ${missing[*]} (a few minutes on a bare machine)..."
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends "${missing[@]}" | \
        grep --line-buffered -E '^(Setting up|Unpacking) ' | \
        sed -u 's/^/    /' || true
    echo "installed $(elapsed $start)"
else
    echo "all installed"
fi

# ------------------------------------------------------------ libvirtd
if [ "$real" = yes ]; then
    say "virtlogd and libvirtd"
    # A /dev/kvm left root:root 0600 (no udevd applied Debian's root:kvm
    # 0660) makes libvirt probe qemu again at every lookup: a minute per
    # guest start instead of a second.
    if [ -c /dev/kvm ] && [ "$(stat -c %G /dev/kvm)" != kvm ]; then
        chgrp kvm /dev/kvm && chmod 0660 /dev/kvm && \
            echo "gave /dev/kvm udev's owner and mode (root:kvm 0660)"
    fi
    # No systemd on this kind of machine: the daemons are started by hand.
    if ! pgrep -x virtlogd >/dev/null; then
        /usr/sbin/virtlogd -d -p /run/virtlogd.pid && echo "started virtlogd"
    fi
    if ! pgrep -x libvirtd >/dev/null; then
        /usr/sbin/libvirtd -d -p /run/libvirtd.pid && echo "started libvirtd"
    fi
    ok=
    for _ in $(seq 1 30); do
        if virsh -c qemu:///system version >/dev/null 2>&1; then
            ok=yes
            break
        fi
        sleep 1
    done
    if [ -n "$ok" ]; then
        virsh -c qemu:///system version | sed 's/^/    /'
    else
        fall_back "libvirtd does not answer on qemu:///system"
    fi
fi

# ------------------------------------------------------------ virtualenv
say "virtualenv $VENV"
if [ -e "$VENV" ] && [ ! -d "$VENV" ]; then
    rm -f "$VENV"  # a PEP 832 redirect file (tox writes one), not a venv
fi
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
# Reinstall only when the requirements or entry points changed.
stamp=$(cat "$REPO/requirements.txt" "$REPO/setup.cfg" | sha256sum)
if [ "$(cat "$VENV/.novalite-stamp" 2>/dev/null)" != "$stamp" ]; then
    start=$SECONDS
    echo "pip install -e . (libvirt-python compiles: about a minute)..."
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -e "$REPO"
    echo "$stamp" > "$VENV/.novalite-stamp"
    echo "installed $(elapsed $start)"
else
    echo "up to date"
fi
MANAGE=("$VENV/bin/novalite-manage" --config-file "$CONF")

# ------------------------------------------------------------ stop old ones
for pidfile in "$STATE"/*.pid; do
    [ -f "$pidfile" ] || continue
    old=$(cat "$pidfile")
    if [ -n "$old" ] && kill -0 "$old" 2>/dev/null; then
        say "Stopping $(basename "$pidfile" .pid) (pid $old)"
        kill "$old"
        for _ in $(seq 1 30); do
            kill -0 "$old" 2>/dev/null || break
            sleep 0.5
        done
        kill -0 "$old" 2>/dev/null && kill -9 "$old"
    fi
    rm -f "$pidfile"
done

# ------------------------------------------------------------ transport
if (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
    transport=rabbit://guest:guest@127.0.0.1:5672/
    mode=separate
else
    transport=kombu+memory:///
    mode=all
fi

# ------------------------------------------------------------ config
write_conf() {
    local uri=$1
    mkdir -p "$STATE" "$INSTANCES"
    chmod 0755 "$INSTANCES"
    cat > "$CONF" <<CONF
# Written by tools/quickstart.sh; running it again rewrites this file.
[DEFAULT]
state_path = $STATE
instances_path = $INSTANCES
compute_driver = libvirt.LibvirtDriver
# RabbitMQ when it answers (API and agent as separate processes), else
# oslo.messaging's in-memory transport (both in novalite-all).
transport_url = $transport
osapi_compute_listen = 127.0.0.1
osapi_compute_listen_port = 8774
# Power state is checked every minute (Nova: 600 s).
sync_power_state_interval = 60
# Let the guest power off cleanly on stop.
shutdown_timeout = 30

[database]
connection = sqlite:///$STATE/novalite.sqlite

[api]
# Development only: X-Auth-Token "user:project" is trusted as is.
auth_strategy = noauth2

[libvirt]
connection_uri = $uri
# No hardware KVM here: qemu's TCG.
virt_type = qemu
CONF
}
if [ "$real" = yes ]; then
    write_conf qemu:///system
else
    write_conf test:///default
fi

# The openstack CLI's cloud "novalite" (noauth2: the token is trusted as is;
# /identity answers the CLI's version check, see
# novalite/api/controllers/noauth_identity.py).
cat > "$STATE/clouds.yaml" <<CLOUDS
# Written by tools/quickstart.sh. Use:
#   OS_CLIENT_CONFIG_FILE=$STATE/clouds.yaml openstack --os-cloud novalite ...
clouds:
  novalite:
    auth_type: admin_token
    identity_api_version: "3"
    auth:
      token: $TOKEN
      endpoint: $API/v2.1
    compute_endpoint_override: $API/v2.1
    image_endpoint_override: $API/image
    network_endpoint_override: $API/network
    identity_endpoint_override: $API/identity/v3
CLOUDS

# ------------------------------------------------------------ database
say "Database, flavor, network"
"${MANAGE[@]}" db sync
if ! "${MANAGE[@]}" flavor list | awk '{print $1}' | grep -qx "$FLAVOR_ID"
then
    "${MANAGE[@]}" flavor create --id "$FLAVOR_ID" --name m1.nano \
        --ram 128 --vcpus 1 --disk 1
fi
if ! "${MANAGE[@]}" network list | awk '{print $2}' | grep -qx private
then
    "${MANAGE[@]}" network create --name private --cidr "$NETWORK_CIDR"
fi
"${MANAGE[@]}" flavor list
"${MANAGE[@]}" network list

say "Image \"tiny\" (Debian cloud kernel + busybox, built offline)"
start=$SECONDS
# Progress goes to stderr; the image id is the one line on stdout.
if ! IMAGE_ID=$("${MANAGE[@]}" image build-tiny --name tiny); then
    fall_back "the tiny image could not be built (see above)"
    write_conf test:///default
    IMAGE_ID=$("${MANAGE[@]}" image list | awk '$4 == "tiny" {print $1}' |
               head -n 1)
    if [ -z "$IMAGE_ID" ]; then
        qemu-img create -q -f qcow2 "$STATE/blank.qcow2" 64M
        IMAGE_ID=$("${MANAGE[@]}" image create --name tiny \
                   --file "$STATE/blank.qcow2" --disk-format qcow2)
    fi
fi
echo "image tiny: $IMAGE_ID $(elapsed $start)"
"${MANAGE[@]}" image list
NETWORK_ID=$("${MANAGE[@]}" network list |
             awk '$2 == "private" {print $1}')

# ------------------------------------------------------------ start
start_daemon() {
    # start_daemon NAME: run NAME in the background, log and pid in STATE.
    nohup "$VENV/bin/$1" --config-file "$CONF" \
        >>"$STATE/$1.log" 2>&1 </dev/null &
    echo $! > "$STATE/$1.pid"
    echo "$1 started (pid $!, log $STATE/$1.log)"
}
if [ "$mode" = separate ]; then
    say "Starting novalite-api and novalite-compute (over RabbitMQ)"
    start_daemon novalite-compute
    start_daemon novalite-api
    daemons=(novalite-api novalite-compute)
else
    say "Starting novalite-all (no RabbitMQ: one process)"
    start_daemon novalite-all
    daemons=(novalite-all)
fi
for i in $(seq 1 120); do
    if curl -fs -o /dev/null "$API/"; then
        break
    fi
    for d in "${daemons[@]}"; do
        if ! kill -0 "$(cat "$STATE/$d.pid")" 2>/dev/null; then
            echo "$d exited; last lines of $STATE/$d.log:" >&2
            tail -n 30 "$STATE/$d.log" >&2
            exit 1
        fi
    done
    [ "$i" -lt 120 ] || { echo "API did not answer on $API" >&2; exit 1; }
    sleep 0.5
done
echo "API up on $API"
for _ in $(seq 1 60); do
    "${MANAGE[@]}" service list | grep -q ' up' && break
    sleep 1
done
"${MANAGE[@]}" service list

# ------------------------------------------------------------ a server
api() {
    # api METHOD PATH [BODY]
    curl -fsS -X "$1" "$API$2" -H "X-Auth-Token: $TOKEN" \
        -H 'Content-Type: application/json' \
        -H 'OpenStack-API-Version: compute 2.26' ${3:+-d "$3"}
}
json() {
    # json EXPR: evaluate EXPR on the JSON document on stdin (as "d").
    "$VENV/bin/python" -c "import json, sys; d = json.load(sys.stdin); \
print($1)"
}

say "Servers from earlier runs"
api GET /v2.1/servers/detail | json "'\n'.join('    %s  %-8s %s  %s' % (
    s['id'], s['status'], s['name'], ' '.join(a['addr'] for v in
    s['addresses'].values() for a in v)) for s in d['servers'])
    or '    none'"

say "POST /v2.1/servers"
user_data=$(printf '#!/bin/sh\necho "%s: $(uname -r) up $(cut -d" " -f1 /proc/uptime) s"\n' \
            "$MARKER" | base64 -w0)
name="demo-$(date +%H%M%S)"
start=$SECONDS
server_id=$(api POST /v2.1/servers "{\"server\": {\"name\": \"$name\",
    \"imageRef\": \"$IMAGE_ID\", \"flavorRef\": \"$FLAVOR_ID\",
    \"networks\": [{\"uuid\": \"$NETWORK_ID\"}],
    \"user_data\": \"$user_data\"}}" | json "d['server']['id']")
echo "server $name: $server_id"

status=
for _ in $(seq 1 240); do
    status=$(api GET "/v2.1/servers/$server_id" | json "d['server']['status']")
    case $status in
        ACTIVE|ERROR) break ;;
    esac
    printf '.'
    sleep 0.5
done
echo " status: $status $(elapsed $start)"
if [ "$status" != ACTIVE ]; then
    api GET "/v2.1/servers/$server_id" | "$VENV/bin/python" -m json.tool
    echo "Server $server_id is $status; see $STATE/*.log" >&2
    exit 1
fi
api_addr=$(api GET "/v2.1/servers/$server_id" | json \
    "' '.join(a['addr'] for v in d['server']['addresses'].values() for a in v)")
echo "the API says its address is: $api_addr"

say "GET /v2.1/servers/detail"
api GET /v2.1/servers/detail | "$VENV/bin/python" -m json.tool

if [ "$real" != yes ]; then
    say "Done, but this is NOT a real guest"
    echo "Reason: $why_not"
    echo "The server is a record in libvirt's in-memory test driver: it has"
    echo "no console output and its address is not used by anything."
    exit 0
fi

say "Waiting for the guest's console (TCG boots in ~10 s)"
console() {
    api POST "/v2.1/servers/$server_id/action" \
        '{"os-getConsoleOutput": {}}' | json "d['output']"
}
output=
start=$SECONDS
seen=0
for _ in $(seq 1 120); do
    output=$(console)
    # Progress: each new novalite-tiny line as the guest prints it.
    lines=$(grep -c 'novalite-tiny:' <<<"$output" || true)
    if [ "$lines" -gt "$seen" ]; then
        grep 'novalite-tiny:' <<<"$output" | tail -n "+$((seen + 1))" |
            sed "s/^/    [$((SECONDS - start)) s] /"
        seen=$lines
    fi
    if grep -q "$MARKER" <<<"$output" && \
            grep -q 'novalite-tiny: ready' <<<"$output"; then
        break
    fi
    sleep 1
done
echo "--- console of $name (os-getConsoleOutput, novalite-tiny lines) ---"
grep -E "novalite-tiny:|$MARKER" <<<"$output" | sed 's/^/    /' || true
echo "---"
guest_addr=$(sed -n 's/.*novalite-tiny: eth0 \([0-9.]*\).*/\1/p' \
             <<<"$output" | tail -n 1)
if ! grep -q "$MARKER" <<<"$output"; then
    echo "The user-data script's output did not appear; see above." >&2
    exit 1
fi
if [ -z "$guest_addr" ] || [ "$guest_addr" != "$api_addr" ]; then
    echo "The guest's DHCP address ($guest_addr) is not the API's" \
         "($api_addr)." >&2
    exit 1
fi
say "A real qemu guest"
echo "Server $name ($server_id) is a qemu virtual machine under libvirtd:"
echo "  - it ran its user-data script: $(grep "$MARKER" <<<"$output" | tail -n 1)"
echo "  - it got $guest_addr by DHCP, the address GET /servers/$server_id shows"
echo "  - virsh -c qemu:///system list: $(virsh -c qemu:///system list --name |
      grep -c .) running domain(s)"
echo
echo "Try:  curl -s -H 'X-Auth-Token: $TOKEN' $API/v2.1/servers/detail"
echo "or:   OS_CLIENT_CONFIG_FILE=$STATE/clouds.yaml openstack --os-cloud novalite server list"
echo "Stop novalite with:  kill \$(cat $STATE/*.pid)"
