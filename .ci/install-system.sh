#!/usr/bin/env bash
# Every Debian package CI needs, in one apt transaction (one `apt-get update`, one `apt-get install`):
# Chromium and fonts (browser tests), PostgreSQL (database tests), nginx and openssl (lesson 12),
# Node.js and npm (JupyterHub's configurable-http-proxy). Only what is missing is installed.
# .ci/run starts it in the background while pip sets up the venvs; install-browser.sh,
# install-postgres.sh, install-nginx.sh and install-hub.sh then find their packages in place
# (each still installs its own when run alone).
set -euo pipefail
shopt -s nullglob
wanted=()
command -v chromium >/dev/null 2>&1 || wanted+=(chromium)
fc-list :lang=ja 2>/dev/null | grep -q . || wanted+=(fonts-dejavu-core fonts-droid-fallback)
initdbs=(/usr/lib/postgresql/*/bin/initdb)
(( ${#initdbs[@]} )) || wanted+=(postgresql)
{ command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx; } || wanted+=(nginx)
command -v openssl >/dev/null 2>&1 || wanted+=(openssl)
command -v npm >/dev/null 2>&1 || wanted+=(nodejs npm)
if (( ! ${#wanted[@]} )); then
    echo "system packages: all in place"
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# Debian's policy-rc.d hook: exit 101 tells invoke-rc.d not to start services, so neither PostgreSQL's
# cluster nor nginx on port 80 starts (the tests run their own). An existing hook is left alone.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
fi
started=$SECONDS
apt-get update -qq
apt-get install -y -qq "${wanted[@]}" >/dev/null
echo "installed ${wanted[*]} in $((SECONDS - started)) s"
