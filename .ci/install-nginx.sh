#!/usr/bin/env bash
# Installs Debian's nginx and openssl for lesson 12's tests (tests/servers/test_nginx.py).
# The tests run their own unprivileged nginx (labsupport.serve_nginx) on free loopback ports, so the
# package's system service is not needed: nginx's postinst starts it on port 80 with invoke-rc.d
# (when port 80 is free), and a policy-rc.d hook that exits 101 tells invoke-rc.d not to.
set -euo pipefail
nginx=$(command -v nginx || { test -x /usr/sbin/nginx && echo /usr/sbin/nginx; } || true)
if [[ -n $nginx ]] && command -v openssl >/dev/null 2>&1; then
    echo "nginx already installed: $("$nginx" -v 2>&1), $(openssl version)"
else
    export DEBIAN_FRONTEND=noninteractive
    source "$(dirname "$0")/no-service-start.sh"  # the package is installed, its service not started
    apt-get update -qq
    apt-get install -y -qq nginx openssl >/dev/null
    echo "installed $(/usr/sbin/nginx -v 2>&1), $(openssl version)"
fi
# A system nginx started all the same (installed without the hook, or by hand) would hold port 80.
if [[ -s /run/nginx.pid ]] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then
    echo "stopping the system nginx (pid $(cat /run/nginx.pid)); the tests start their own"
    service nginx stop || /usr/sbin/nginx -s quit
fi
