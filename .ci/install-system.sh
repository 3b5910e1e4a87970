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
source "$(dirname "$0")/no-service-start.sh"  # the package is installed, its service not started
started=$SECONDS
apt-get update -qq
apt-get install -y -qq "${wanted[@]}" >/dev/null
echo "installed ${wanted[*]} in $((SECONDS - started)) s"
