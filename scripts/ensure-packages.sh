#!/usr/bin/env bash
# Installs the Debian packages the tests need when their commands are missing.
# Usage: ensure-packages.sh COMMAND:PACKAGE...   e.g. ensure-packages.sh prometheus:prometheus hey:hey
# As root with apt-get, missing packages are installed. Otherwise each missing one is named with the
# command that installs it, and the script exits 0: the tests that need it skip and say why.
set -euo pipefail

missing=()
for pair in "$@"; do
  cmd=${pair%%:*}
  pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} (needed by the tests)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Not installed: ${missing[*]}. Tests that need them will be skipped." >&2
  echo "Install with: sudo apt-get install -y ${missing[*]}" >&2
fi
