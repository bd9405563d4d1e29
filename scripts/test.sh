#!/usr/bin/env bash
# The test command (README, CI): installs what the tests need, then runs the Python and panel tests.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)
missing=()
command -v lua5.4 >/dev/null || missing+=(lua5.4)
command -v espeak-ng >/dev/null || missing+=(espeak-ng)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -e ".[test]"
.venv/bin/python -m pytest
(cd premiere_panel && npm ci --no-audit --no-fund --loglevel=error && npm test)
