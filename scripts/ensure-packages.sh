#!/usr/bin/env bash
# Installs the Debian packages the tests need when their commands are missing.
# Usage: ensure-packages.sh COMMAND:PACKAGE...   e.g. ensure-packages.sh prometheus:prometheus hey:hey
# As root with apt-get, missing packages are installed, and a failed install fails the script.
# Otherwise each missing one is named with the command that installs it: outside CI the script exits 0
# and the tests that need it skip and say why; with CI=true it exits 1, since a green CI must mean
# every test ran.
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
  if ! apt-get update -qq >/dev/null || ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    echo "Could not install ${missing[*]} with apt-get; the tests that need them cannot run." >&2
    exit 1
  fi
  exit 0
fi

echo "Not installed: ${missing[*]}. Install with: sudo apt-get install -y ${missing[*]}" >&2
case "${CI:-}" in
  true|TRUE|True|1)
    echo "CI=true: the tests that need them must run, so this is an error." >&2
    exit 1 ;;
esac
echo "Tests that need them will be skipped." >&2
