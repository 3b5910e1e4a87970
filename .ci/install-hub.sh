#!/usr/bin/env bash
# Installs what tests/test_jupyterhub.py needs: JupyterHub (requirements-hub.txt) into the course's .venv,
# and configurable-http-proxy from npm (Node.js from Debian's packages where there is none).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 course.py setup
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-hub.txt
echo "installed $(.venv/bin/jupyterhub --version | tail -1 | sed 's/^/jupyterhub /')"
if ! command -v npm >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq nodejs npm >/dev/null
fi
if [[ "$(configurable-http-proxy --version 2>/dev/null || true)" != "5.3.0" ]]; then
    npm install --global --silent --no-fund --no-audit configurable-http-proxy@5.3.0 2>&1 | grep -v EBADENGINE || true
fi
echo "configurable-http-proxy $(configurable-http-proxy --version) on Node.js $(node --version)"
