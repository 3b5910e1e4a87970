# Sourced by the install scripts before apt-get install: Debian's policy-rc.d hook (exit 101) tells
# invoke-rc.d / deb-systemd-invoke not to start services, so neither PostgreSQL's cluster nor nginx on
# port 80 starts (the tests run their own). An existing hook (Docker images ship one) is left alone;
# ours is removed when the sourcing script exits.
policy=${POLICY_RC_D:-/usr/sbin/policy-rc.d}
if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
fi
