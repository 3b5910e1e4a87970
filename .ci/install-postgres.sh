#!/usr/bin/env bash
# Installs Debian's PostgreSQL for the database tests (tests/postgres.py).
# The tests run their own throwaway server from /usr/lib/postgresql/*/bin on a free loopback
# port, so the Debian cluster service is not needed: it is kept from starting during the install.
set -euo pipefail
shopt -s nullglob
initdbs=(/usr/lib/postgresql/*/bin/initdb)
if (( ${#initdbs[@]} )); then
    echo "postgresql already installed: ${initdbs[*]}"
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
source "$(dirname "$0")/no-service-start.sh"  # the package is installed, its service not started
apt-get update -qq
apt-get install -y -qq postgresql >/dev/null
initdbs=(/usr/lib/postgresql/*/bin/initdb)
if (( ! ${#initdbs[@]} )); then
    echo "installed postgresql but found no /usr/lib/postgresql/*/bin/initdb" >&2
    exit 1
fi
echo "installed postgresql: ${initdbs[*]}"
