#!/usr/bin/env bash
# The staff portal's browser tests drive a real headless Chromium: the Debian `chromium`
# package. Install it when it is missing and we may (root, apt-get); otherwise say why the
# browser tests will be skipped. Never fatal. DORP_CHROMIUM names another binary;
# DORP_NO_BROWSER_INSTALL=1 skips the installation.
set -uo pipefail

if [ -n "${DORP_CHROMIUM:-}" ] && [ -x "${DORP_CHROMIUM}" ]; then
  exit 0
fi
for candidate in /usr/bin/chromium /usr/bin/chromium-browser; do
  [ -x "$candidate" ] && exit 0
done
if [ "${DORP_NO_BROWSER_INSTALL:-}" = "1" ]; then
  echo "chromium not found and DORP_NO_BROWSER_INSTALL=1: the browser tests will be skipped." >&2
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium not found (and not root with apt-get to install it): the browser tests" \
       "will be skipped. Install the Debian package 'chromium' to run them." >&2
  exit 0
fi
echo "Installing the Debian package chromium for the browser tests (apt-get, once) ..." >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; then
  echo "  apt-get update, then again ..." >&2
  apt-get update -qq >/dev/null 2>&1 || true
  if ! apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; then
    echo "  installing chromium failed: the browser tests will be skipped." >&2
    exit 0
  fi
fi
echo "  installed: $(/usr/bin/chromium --version 2>/dev/null || echo chromium)" >&2
