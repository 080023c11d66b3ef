#!/usr/bin/env bash
# What the browser tests (Tests/IntegrationTests/BrowserFlowTests.swift) need: Debian's headless
# Chromium and its driver, and Selenium from PyPI in a private virtual environment
# (BROWSER_VENV, default .build/browser-venv; Debian's Python refuses pip installs, PEP 668).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-packages.sh chromium chromium-driver python3-venv
venv="${BROWSER_VENV:-.build/browser-venv}"
if ! "$venv/bin/python" -c 'import selenium' 2>/dev/null; then
  python3 -m venv "$venv" || { echo "browser-setup: python3 -m venv failed (apt-get install python3-venv)" >&2; exit 1; }
  "$venv/bin/python" -m pip install -q --disable-pip-version-check selenium \
    || { echo "browser-setup: pip install selenium failed" >&2; exit 1; }
fi
echo "browser-setup: $(/usr/bin/chromium --version 2>/dev/null | head -1), Selenium $("$venv/bin/python" -c 'import selenium; print(selenium.__version__)')"
