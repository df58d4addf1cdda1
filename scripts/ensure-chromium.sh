#!/usr/bin/env bash
# The browser tests drive the system's Chromium (never a downloaded one).
# Found: nothing to do. Missing: installed with the system package manager
# when this user may (root, or sudo without a password); otherwise stop with
# the one command to run. Never a silent skip.
set -euo pipefail
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$CHROMIUM_PATH" ]; then
  exit 0
fi

as_root=none
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    as_root=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo -n"
  fi
fi

if [ "$as_root" != "none" ]; then
  echo "Installing Chromium for the browser tests (apt-get install chromium)…"
  # shellcheck disable=SC2086  # $as_root is empty or "sudo -n"
  $as_root apt-get install -y -qq chromium >/dev/null 2>&1 \
    || { $as_root apt-get update -qq && $as_root apt-get install -y -qq chromium; }
  if [ -x "$CHROMIUM_PATH" ]; then
    exit 0
  fi
fi

cat >&2 <<MSG
The browser tests need Chromium at $CHROMIUM_PATH, and this user can't install it.
Run this once, then make test again:

    sudo apt-get install -y chromium

(Elsewhere, install Chromium with your package manager and set CHROMIUM_PATH to its path.)
MSG
exit 1
