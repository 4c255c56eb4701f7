#!/bin/sh
# Register novalite in Keystone, as an operator would by hand: its service
# user (the [keystone_authtoken] user of novalite.conf) and its three
# services in the catalog. Run it once with an admin's credentials in the
# environment (OS_CLOUD, or the OS_* variables), e.g.
#
#   NOVALITE_URL=http://api.example.com:8774 \
#   NOVALITE_SERVICE_PASSWORD=secret sh register-novalite.sh
#
# The same API process (or Apache virtual host) serves all three:
#   compute  $NOVALITE_URL/v2.1     the OpenStack Compute API (Nova's)
#   image    $NOVALITE_URL/image    the Image API v2 subset (Glance's)
#   network  $NOVALITE_URL/network  the read-only Networking API v2.0
#                                   subset (Neutron's)
# Clients look images and networks up by name through the last two; a
# cloud that runs Glance or Neutron registers those instead.
#
# tools/tempest/run.sh registers the same things through Keystone's REST
# API in one process (tools/tempest/catalog.py): each openstack command
# below starts a Python process of its own.
set -eu

: "${NOVALITE_URL:?the novalite API root, e.g. http://HOST:8774}"
: "${NOVALITE_SERVICE_PASSWORD:?the password of novalite's service user}"
REGION=${NOVALITE_REGION:-RegionOne}
SERVICE_USER=${NOVALITE_SERVICE_USER:-novalite}

# The service user keystonemiddleware validates tokens with (a project
# named service and the role service are what Keystone's bootstrap and
# the usual deployment tools provide).
openstack project show service >/dev/null 2>&1 ||
    openstack project create --domain Default \
        --description "Service users" service
openstack user create --domain Default --project service \
    --password "$NOVALITE_SERVICE_PASSWORD" "$SERVICE_USER"
openstack role add --project service --user "$SERVICE_USER" service

# The catalog: the service names are Nova's, Glance's and Neutron's so
# that tools looking services up by name find them too. A service of the
# type that exists already (another region's) gets the endpoints.
register() {
    # register NAME TYPE URL DESCRIPTION
    service=$(openstack service list -f value -c ID -c Type |
              awk -v type="$2" '$2 == type { print $1; exit }')
    if [ -z "$service" ]; then
        service=$(openstack service create -f value -c id --name "$1" \
                  --description "$4" "$2")
    fi
    for interface in public internal admin; do
        openstack endpoint create --region "$REGION" "$service" \
            "$interface" "$3"
    done
}
register nova compute "$NOVALITE_URL/v2.1" \
    "novalite: OpenStack Compute API v2.1"
register glance image "$NOVALITE_URL/image" \
    "novalite's Image API v2 subset over its image catalogue"
register neutron network "$NOVALITE_URL/network" \
    "novalite's read-only Networking API v2.0 subset over its networks"

# Users: a project, a member and a reader, e.g.
#   openstack project create --domain Default demo
#   openstack user create --domain Default --password-prompt alice
#   openstack role add --project demo --user alice member
#   openstack role add --project demo --user bob reader
