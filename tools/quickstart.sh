#!/usr/bin/env bash
# novalite in one process on this machine, and a first server.
#
# For a fresh Debian 12 machine, as root (re-running is fine):
#   - Debian packages: libvirt headers, qemu-img, a compiler, curl;
#   - a virtualenv at .venv with novalite installed (editable);
#   - ~/.novalite/novalite.conf: SQLite, noauth2, libvirt's in-memory
#     test:///default driver, the in-memory RPC transport;
#   - database schema, flavor m1.tiny (id 1) and image "cirros";
#   - novalite-all (API on 127.0.0.1:8774 plus one compute agent) in the
#     background, then a server booted with curl and listed once ACTIVE.
#
# Stop it with:  kill "$(cat ~/.novalite/novalite-all.pid)"
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
STATE=${NOVALITE_STATE:-$HOME/.novalite}
CONF=$STATE/novalite.conf
PIDFILE=$STATE/novalite-all.pid
LOGFILE=$STATE/novalite-all.log
VENV=$REPO/.venv
API=http://127.0.0.1:8774
TOKEN=demo:demo
IMAGE_ID=155d900f-4e14-4e4c-a73d-069cbf4541e6
FLAVOR_ID=1

say() { printf '\n==> %s\n' "$*"; }

# ------------------------------------------------------------ packages
say "Debian packages"
packages=(libvirt-dev pkg-config qemu-utils gcc python3-dev curl)
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    packages+=(python3-venv)
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
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends "${missing[@]}"
else
    echo "all installed"
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
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -e "$REPO"
    echo "$stamp" > "$VENV/.novalite-stamp"
else
    echo "up to date"
fi
MANAGE=("$VENV/bin/novalite-manage" --config-file "$CONF")

# ------------------------------------------------------------ stop old one
if [ -f "$PIDFILE" ]; then
    old=$(cat "$PIDFILE")
    if [ -n "$old" ] && kill -0 "$old" 2>/dev/null; then
        say "Stopping the running novalite-all (pid $old)"
        kill "$old"
        for _ in $(seq 1 30); do
            kill -0 "$old" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$old" 2>/dev/null; then
            kill -9 "$old"
        fi
    fi
    rm -f "$PIDFILE"
fi

# ------------------------------------------------------------ config
mkdir -p "$STATE"
if [ ! -f "$CONF" ]; then
    say "Writing $CONF"
    cat > "$CONF" <<CONF
[DEFAULT]
state_path = $STATE
compute_driver = libvirt.LibvirtDriver
# API and agent share one process: oslo.messaging's in-memory transport.
# For separate processes use rabbit://guest:guest@127.0.0.1:5672/
transport_url = kombu+memory:///
osapi_compute_listen = 127.0.0.1
osapi_compute_listen_port = 8774

[database]
connection = sqlite:///$STATE/novalite.sqlite

[api]
# Development only: X-Auth-Token "user:project" is trusted as is.
auth_strategy = noauth2

[libvirt]
# libvirt's built-in in-memory driver: no daemon, no real guest.
connection_uri = test:///default
CONF
else
    say "Keeping $CONF"
fi

# ------------------------------------------------------------ database
say "Database, flavor, image"
"${MANAGE[@]}" db sync
if ! "${MANAGE[@]}" flavor list | awk '{print $1}' | grep -qx "$FLAVOR_ID"
then
    "${MANAGE[@]}" flavor create --id "$FLAVOR_ID" --name m1.tiny \
        --ram 512 --vcpus 1 --disk 1
fi
if ! "${MANAGE[@]}" image list | awk '{print $1}' | grep -qx "$IMAGE_ID"
then
    qemu-img create -q -f qcow2 "$STATE/cirros.qcow2" 64M
    "${MANAGE[@]}" image create --name cirros --file "$STATE/cirros.qcow2" \
        --disk-format qcow2 --id "$IMAGE_ID"
fi
"${MANAGE[@]}" flavor list
"${MANAGE[@]}" image list

# ------------------------------------------------------------ start
say "Starting novalite-all (log: $LOGFILE)"
nohup "$VENV/bin/novalite-all" --config-file "$CONF" \
    >>"$LOGFILE" 2>&1 </dev/null &
echo $! > "$PIDFILE"
for i in $(seq 1 60); do
    if curl -fs -o /dev/null "$API/"; then
        break
    fi
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
        echo "novalite-all exited; last lines of $LOGFILE:" >&2
        tail -n 30 "$LOGFILE" >&2
        exit 1
    fi
    [ "$i" -lt 60 ] || { echo "API did not answer on $API" >&2; exit 1; }
    sleep 0.5
done
echo "API up on $API (pid $(cat "$PIDFILE"))"

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

say "POST /v2.1/servers"
name="demo-$(date +%H%M%S)"
server_id=$(api POST /v2.1/servers "{\"server\": {\"name\": \"$name\",
    \"imageRef\": \"$IMAGE_ID\", \"flavorRef\": \"$FLAVOR_ID\"}}" |
    json "d['server']['id']")
echo "server $name: $server_id"

status=
for _ in $(seq 1 120); do
    status=$(api GET "/v2.1/servers/$server_id" | json "d['server']['status']")
    case $status in
        ACTIVE|ERROR) break ;;
    esac
    sleep 0.5
done
echo "status: $status"

say "GET /v2.1/servers/detail"
api GET /v2.1/servers/detail | "$VENV/bin/python" -m json.tool

if [ "$status" != ACTIVE ]; then
    echo "Server $server_id is $status; see $LOGFILE" >&2
    exit 1
fi
say "novalite-all keeps running (pid $(cat "$PIDFILE")); stop it with:"
echo "    kill \$(cat $PIDFILE)"
