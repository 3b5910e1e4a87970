#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (tests/test_chat_browser.py).
# Playwright cannot download its own browsers here, so the tests drive /usr/bin/chromium.
# fonts-droid-fallback: CJK glyphs, for the Japanese page of tests/test_todo_pages_browser.py.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && fc-list :lang=ja | grep -q .; then
    echo "chromium already installed: $(chromium --version 2>/dev/null || true)"
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-dejavu-core fonts-droid-fallback >/dev/null
echo "installed $(chromium --version 2>/dev/null || echo chromium)"
