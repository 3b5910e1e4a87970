#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (tests/test_chat_browser.py).
# Playwright cannot download its own browsers here, so the tests drive /usr/bin/chromium.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    echo "chromium already installed: $(chromium --version 2>/dev/null || true)"
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
echo "installed $(chromium --version 2>/dev/null || echo chromium)"
