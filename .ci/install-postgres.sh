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
# Debian's policy-rc.d hook: exit 101 tells invoke-rc.d / deb-systemd-invoke not to start
# services, so the package creates its "main" cluster but does not start it.
# An existing hook (Docker images ship one) is left alone.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq postgresql >/dev/null
initdbs=(/usr/lib/postgresql/*/bin/initdb)
if (( ! ${#initdbs[@]} )); then
    echo "installed postgresql but found no /usr/lib/postgresql/*/bin/initdb" >&2
    exit 1
fi
echo "installed postgresql: ${initdbs[*]}"
