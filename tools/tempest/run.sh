#!/usr/bin/env bash
# tempest's compute API tests against a real novalite, with a real Keystone.
#
#   tox -e tempest                       # servers, flavors, keypairs, limits
#   tox -e tempest -- '^tempest\.api\.compute\.keypairs'    # another regex
#   tox -e tempest -- --regex X --concurrency 1   # any `tempest run` options
#
# Step by step (see tools/tempest/README.rst):
#   1. Keystone in its own virtualenv, kept in
#      $NOVALITE_TEMPEST_CACHE/keystone-<version>-py<X.Y> (default
#      ~/.cache/novalite-tempest): built once (~1-3 min), then reused. Each
#      run gets a new SQLite database and fernet keys in a temporary
#      directory, Keystone's [cache] on, served by gunicorn.
#   2. novalite-api and novalite-compute (fake driver, RabbitMQ, a
#      temporary SQLite database, [api] auth_strategy = keystone), with two
#      flavors, two images and one shared network made by novalite-manage;
#      novalite as `compute`, `image` (its Image API subset, under /image)
#      and `network` (its read-only Networking API subset, under
#      /network) in Keystone's catalog (catalog.py).
#   3. a tempest workspace whose tempest.conf says what novalite supports
#      (tempest.conf.in; the flags that follow from novalite's server
#      actions and routes are asked of the running novalite: features.py).
#   4. `tempest run`, then everything is stopped and the temporary directory
#      removed, whatever happened. The logs, tempest's subunit stream and a
#      summary of failures and skips are kept in $NOVALITE_TEMPEST_LOGS
#      (tox: .tox/tempest/log/); the last line is
#      "N passed, N failed, N skipped".
#
# Needs: RabbitMQ on 127.0.0.1:5672 (guest/guest), qemu-img, and novalite,
# tempest and keystoneauth1 in the Python on PATH (tox's environment).
# The exit status is tempest's.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

KEYSTONE_VERSION=${NOVALITE_TEMPEST_KEYSTONE_VERSION:-30.0.0}
CACHE=${NOVALITE_TEMPEST_CACHE:-$HOME/.cache/novalite-tempest}
LOGS=${NOVALITE_TEMPEST_LOGS:-$CACHE/logs}
CONCURRENCY=${NOVALITE_TEMPEST_CONCURRENCY:-2}
TRANSPORT=${NOVALITE_TEMPEST_TRANSPORT:-rabbit://guest:guest@127.0.0.1:5672/}
# Not the ports of a quick start or of other engineers' runs (5000, 8774).
KEYSTONE_PORT=${NOVALITE_TEMPEST_KEYSTONE_PORT:-15000}
API_PORT=${NOVALITE_TEMPEST_API_PORT:-18780}
# keystonemiddleware's token cache in novalite-api, in seconds.
TOKEN_CACHE_TIME=10
DEFAULT_REGEX='^tempest\.api\.compute\.(servers|flavors|keypairs|limits)'
# 0: no `network` service in the catalog and [service_available] neutron
# = False, to see what tempest runs without it (most server test classes
# skip).
NETWORK=${NOVALITE_TEMPEST_NETWORK:-1}
# Tests that cannot run here and that no tempest flag skips (each line of
# exclude.txt says why).
EXCLUDE=${NOVALITE_TEMPEST_EXCLUDE-$HERE/exclude.txt}

KEYSTONE_URL=http://127.0.0.1:$KEYSTONE_PORT/v3
COMPUTE_URL=http://127.0.0.1:$API_PORT/v2.1
IMAGE_URL=http://127.0.0.1:$API_PORT/image
NETWORK_URL=http://127.0.0.1:$API_PORT/network

PY=$(command -v python3)
PY_VERSION=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
KEYSTONE_VENV=$CACHE/keystone-$KEYSTONE_VERSION-py$PY_VERSION

say() { printf '\n=== [%3d s] %s\n' "$SECONDS" "$*"; }

for tool in novalite-api novalite-compute novalite-manage tempest qemu-img; do
    command -v "$tool" >/dev/null || {
        echo "$tool is not on PATH: run through 'tox -e tempest'" >&2
        exit 2
    }
done

# tempest run's arguments: the default regex, a bare regex, or options.
if [ "$#" -eq 0 ]; then
    set -- --regex "$DEFAULT_REGEX"
elif [ "$#" -eq 1 ] && [ "${1#-}" = "$1" ]; then
    set -- --regex "$1"
fi
if [ -n "$EXCLUDE" ]; then
    set -- "$@" --exclude-list "$EXCLUDE"
fi
case " $* " in
    *" --concurrency "*|*" --concurrency="*|*" -w "*|*" --serial "*|*" -t "*)
        ;;
    *) set -- "$@" --concurrency "$CONCURRENCY" ;;
esac

# ------------------------------------------------------------ teardown
WORK=$(mktemp -d -t novalite-tempest.XXXXXX)
PIDS=()
teardown() {
    local rc=$?
    # A second Ctrl-C must not cut the clean-up short.
    trap '' INT TERM
    trap - EXIT
    say "Tearing down"
    # Each daemon was started with setsid: its pid is its process group,
    # so its children (gunicorn's worker, novalite's) go with it.
    local pid
    for pid in "${PIDS[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
    for _ in $(seq 1 50); do
        local alive=
        for pid in "${PIDS[@]}"; do
            kill -0 -- "-$pid" 2>/dev/null && alive=yes
        done
        [ -z "$alive" ] && break
        sleep 0.2
    done
    for pid in "${PIDS[@]}"; do
        kill -KILL -- "-$pid" 2>/dev/null || true
    done
    mkdir -p "$LOGS"
    cp "$WORK"/*.log "$LOGS"/ 2>/dev/null || true
    cp "$WORK"/tempest/etc/tempest.conf "$LOGS"/ 2>/dev/null || true
    cp "$WORK"/tempest/*.log "$WORK"/tempest/results.* \
        "$WORK"/tempest/tests.txt "$WORK"/routes.txt "$LOGS"/ 2>/dev/null \
        || true
    rm -rf "$WORK"
    echo "logs, tempest.conf, results.subunit and results.txt: $LOGS"
    exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start() {
    # start NAME COMMAND...: in the background, in its own session,
    # output to $WORK/NAME.log.
    local name=$1
    shift
    setsid "$@" >"$WORK/$name.log" 2>&1 </dev/null &
    PIDS+=("$!")
    echo "$name started (pid $!)"
}

wait_http() {
    # wait_http URL NAME: until URL answers (any HTTP status) or 120 s.
    local url=$1 name=$2
    for _ in $(seq 1 240); do
        if curl -s -o /dev/null --max-time 2 "$url"; then
            return 0
        fi
        if ! kill -0 "${PIDS[-1]}" 2>/dev/null; then
            echo "$name exited; last lines of its log:" >&2
            tail -n 30 "$WORK/$name.log" >&2
            return 1
        fi
        sleep 0.5
    done
    echo "$name did not answer on $url" >&2
    return 1
}

for port in "$KEYSTONE_PORT" "$API_PORT"; do
    if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/"; then
        echo "port $port is in use: set NOVALITE_TEMPEST_*_PORT" >&2
        exit 2
    fi
done

password() { "$PY" -c 'import secrets; print(secrets.token_hex(16))'; }
ADMIN_PASSWORD=$(password)
SERVICE_PASSWORD=$(password)

# ------------------------------------------------------------ keystone
if [ ! -f "$KEYSTONE_VENV/.complete" ]; then
    say "Installing keystone $KEYSTONE_VERSION in $KEYSTONE_VENV (once)"
    rm -rf "$KEYSTONE_VENV"
    mkdir -p "$CACHE"
    "$PY" -m venv "$KEYSTONE_VENV"
    "$KEYSTONE_VENV/bin/pip" install --quiet --disable-pip-version-check \
        "keystone==$KEYSTONE_VERSION" gunicorn
    touch "$KEYSTONE_VENV/.complete"
else
    say "Keystone $KEYSTONE_VERSION from $KEYSTONE_VENV"
fi

KS=$WORK/keystone
mkdir -p "$KS"
cat > "$KS/keystone.conf" <<EOF
[DEFAULT]
log_file = $WORK/keystone.log
[database]
connection = sqlite:///$KS/keystone.sqlite
[token]
provider = fernet
[fernet_tokens]
key_repository = $KS/fernet-keys
[credential]
key_repository = $KS/credential-keys
# Token validation ~270 ms without the cache, ~10 ms with it.
[cache]
enabled = true
backend = oslo_cache.dict
EOF
KEYSTONE_MANAGE=("$KEYSTONE_VENV/bin/keystone-manage"
                 --config-file "$KS/keystone.conf")
"${KEYSTONE_MANAGE[@]}" db_sync
"${KEYSTONE_MANAGE[@]}" fernet_setup --keystone-user "$(id -un)" \
    --keystone-group "$(id -gn)"
"${KEYSTONE_MANAGE[@]}" credential_setup --keystone-user "$(id -un)" \
    --keystone-group "$(id -gn)"
# Creates the roles admin, manager, member, reader and service, the admin
# user and project, and the identity endpoints.
"${KEYSTONE_MANAGE[@]}" bootstrap --bootstrap-password "$ADMIN_PASSWORD" \
    --bootstrap-admin-url "$KEYSTONE_URL/" \
    --bootstrap-internal-url "$KEYSTONE_URL/" \
    --bootstrap-public-url "$KEYSTONE_URL/" \
    --bootstrap-region-id RegionOne
say "Starting Keystone on $KEYSTONE_URL"
# NOTE: gthread keeps clients' connections alive. One thread: SQLite
# answers concurrent writes (tempest's workers creating and deleting users
# at once) with "database is locked", a 500. With the token cache a request
# takes ~10 ms, so one at a time is enough.
OS_KEYSTONE_CONFIG_DIR=$KS start keystone \
    "$KEYSTONE_VENV/bin/gunicorn" --chdir "$HERE" \
    --bind "127.0.0.1:$KEYSTONE_PORT" --worker-class gthread --workers 1 \
    --threads 1 --timeout 120 keystone_wsgi:application
wait_http "$KEYSTONE_URL" keystone

# ------------------------------------------------------------ novalite
say "novalite: database, flavors, images, network"
NL=$WORK/novalite
mkdir -p "$NL"
cat > "$NL/novalite.conf" <<EOF
[DEFAULT]
state_path = $NL
# The host name is the agent's RPC topic on the shared broker: one that
# functional tests (hv1-<tag>) and quick starts do not use.
host = novalite-tempest-$API_PORT
transport_url = $TRANSPORT
compute_driver = fake.FakeDriver
osapi_compute_listen = 127.0.0.1
osapi_compute_listen_port = $API_PORT
report_interval = 2
shutdown_timeout = 0
# One compute host: resize on it, as devstack sets for one node (else
# "No valid host was found" and the server stays ACTIVE).
allow_resize_to_same_host = True
[oslo_messaging_rabbit]
rabbit_transient_queues_ttl = 60
[database]
connection = sqlite:///$NL/novalite.sqlite
[api]
auth_strategy = keystone
[keystone_authtoken]
www_authenticate_uri = $KEYSTONE_URL
auth_url = $KEYSTONE_URL
auth_type = password
username = novalite
password = $SERVICE_PASSWORD
user_domain_id = default
project_name = service
project_domain_id = default
# A revoked token is refused once this has passed (default 300 s): the
# deployment tests revoke one and wait for that (test_keystone.py).
token_cache_time = $TOKEN_CACHE_TIME
EOF
MANAGE=(novalite-manage --config-file "$NL/novalite.conf")
"${MANAGE[@]}" db sync
# Flavor ids as devstack makes them; the alt flavor is the bigger one.
"${MANAGE[@]}" flavor create --id 42 --name m1.nano --ram 128 --vcpus 1 \
    --disk 1 >/dev/null
"${MANAGE[@]}" flavor create --id 84 --name m1.micro --ram 192 --vcpus 1 \
    --disk 1 >/dev/null
# The fake driver never reads the disk: a small raw file is enough.
truncate -s 1M "$NL/blank.raw"
IMAGE_ID=$("${MANAGE[@]}" image create --name cirros --file "$NL/blank.raw" \
           --disk-format raw)
IMAGE_ALT_ID=$("${MANAGE[@]}" image create --name cirros-alt \
               --file "$NL/blank.raw" --disk-format raw)
# One shared network: servers created without "networks" get it, and
# tempest's [compute] fixed_network_name names it.
"${MANAGE[@]}" network create --name private --cidr 10.254.0.0/22 >/dev/null
echo "flavors 42 (m1.nano), 84 (m1.micro); images $IMAGE_ID (cirros),"
echo "$IMAGE_ALT_ID (cirros-alt); shared network private 10.254.0.0/22"

say "Starting novalite-compute and novalite-api"
start novalite-compute novalite-compute --config-file "$NL/novalite.conf"
# The routes of the code novalite-api starts with: summarize.py tells a
# test that passed on a route that exists from one that only got the 404
# of a missing route.
"$PY" -c 'from novalite.api import routes
for method, path in routes.list_routes(): print(method, path)' \
    > "$WORK/routes.txt"
start novalite-api novalite-api --config-file "$NL/novalite.conf"
wait_http "$COMPUTE_URL/" novalite-api
if [ "$NETWORK" = 1 ]; then
    NEUTRON=True
else
    NETWORK_URL=
    NEUTRON=False
fi

say "Keystone catalog: compute, image${NETWORK_URL:+ and network}" \
    "(novalite)"
"$PY" "$HERE/catalog.py" --auth-url "$KEYSTONE_URL" \
    --admin-password "$ADMIN_PASSWORD" --service-user novalite \
    --service-password "$SERVICE_PASSWORD" --compute-url "$COMPUTE_URL" \
    --image-url "$IMAGE_URL" ${NETWORK_URL:+--network-url "$NETWORK_URL"}

for i in $(seq 1 60); do
    "${MANAGE[@]}" service list > "$WORK/services.txt"
    grep -q ' up ' "$WORK/services.txt" && break
    [ "$i" -lt 60 ] || { echo "novalite-compute never came up" >&2; exit 1; }
    sleep 1
done
cat "$WORK/services.txt"

# ------------------------------------------------------------ tempest
say "tempest workspace; the feature flags novalite's actions and routes set"
# "flag value" lines -> sed expressions filling @flag@ in tempest.conf.in.
FLAG_EXPRS=()
while read -r flag value; do
    FLAG_EXPRS+=(-e "s|@$flag@|$value|")
    echo "  $flag = $value"
done < <("$PY" "$HERE/features.py" --auth-url "$KEYSTONE_URL" \
             --admin-password "$ADMIN_PASSWORD" --compute-url "$COMPUTE_URL" \
             --routes "$WORK/routes.txt")
[ "${#FLAG_EXPRS[@]}" -gt 0 ] || { echo "features.py failed" >&2; exit 1; }
# NOTE: tempest init makes ~/.tempest/etc and ~/.tempest/workspace.yaml
# unless told other places, and tempest locks files in $TMPDIR/tempest-lock:
# keep it all in $WORK.
# tempest's max_microversion: what novalite's version document advertises
# (tempest's "latest" would not tell it where novalite stops).
MAX_MICROVERSION=$("$PY" -c 'import json, sys, urllib.request
print(json.load(urllib.request.urlopen(sys.argv[1]))["version"]["version"])' \
    "$COMPUTE_URL")
mkdir -p "$WORK/tempest-etc" "$WORK/tmp"
export TMPDIR=$WORK/tmp
tempest init --workspace-path "$WORK/workspace.yaml" \
    --config-dir "$WORK/tempest-etc" "$WORK/tempest" >/dev/null
sed -e "s|@LOG_DIR@|$WORK/tempest|" \
    -e "s|@ADMIN_PASSWORD@|$ADMIN_PASSWORD|" \
    -e "s|@IDENTITY_URL@|$KEYSTONE_URL|" \
    -e "s|@IMAGE_ID@|$IMAGE_ID|" -e "s|@IMAGE_ALT_ID@|$IMAGE_ALT_ID|" \
    -e "s|@FLAVOR_ID@|42|" -e "s|@FLAVOR_ALT_ID@|84|" \
    -e "s|@NETWORK_NAME@|private|" -e "s|@NEUTRON@|$NEUTRON|" \
    -e "s|@MAX_MICROVERSION@|$MAX_MICROVERSION|" \
    "${FLAG_EXPRS[@]}" \
    "$HERE/tempest.conf.in" > "$WORK/tempest/etc/tempest.conf"
if grep -n '@[A-Za-z_]*@' "$WORK/tempest/etc/tempest.conf"; then
    echo "tempest.conf.in has a placeholder run.sh does not fill" >&2
    exit 1
fi

say "tempest run $*"
cd "$WORK/tempest"
# The tests to run, for summarize.py: stestr reports a class whose
# setUpClass skipped as one entry, this counts each of its tests.
tempest run --config-file "$WORK/tempest/etc/tempest.conf" "$@" \
    --list-tests > tests.txt 2>/dev/null || true
# NOTE: in the background, in its own session like the daemons: bash runs
# a trap only once its foreground command ends, but it interrupts "wait".
# An INT or TERM then stops tempest and its workers with the rest.
setsid tempest run --config-file "$WORK/tempest/etc/tempest.conf" "$@" &
PIDS+=("$!")
rc=0
wait "$!" || rc=$?
stestr last --subunit > results.subunit 2>/dev/null || true
"$PY" "$HERE/summarize.py" results.subunit tempest.log "$WORK/routes.txt" \
    "$COMPUTE_URL" tests.txt > results.txt || true
cat results.txt

# novalite's own tests against the same deployment, through Keystone's
# catalog (novalite/tests/deployment): the ``openstack`` CLI, Keystone's
# tokens, roles and scopes, openstacksdk and python-novaclient.
say "deployment tests: openstack CLI, Keystone, openstacksdk, novaclient" \
    "(novalite/tests/deployment)"
cli_rc=0
(cd "$REPO" &&
    NOVALITE_DEPLOYMENT_AUTH_URL=$KEYSTONE_URL \
    NOVALITE_DEPLOYMENT_ADMIN_PASSWORD=$ADMIN_PASSWORD \
    NOVALITE_DEPLOYMENT_IMAGE=$IMAGE_ID \
    NOVALITE_DEPLOYMENT_FLAVOR=42 NOVALITE_DEPLOYMENT_FLAVOR_ALT=84 \
    NOVALITE_DEPLOYMENT_TOKEN_CACHE_TIME=$TOKEN_CACHE_TIME \
    "$PY" -m stestr --test-path ./novalite/tests/deployment run \
        --concurrency 2) || cli_rc=$?
[ "$rc" -ne 0 ] || rc=$cli_rc
exit "$rc"
