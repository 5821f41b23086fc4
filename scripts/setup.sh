#!/usr/bin/env bash
# Installs what the demo and the tests need on a fresh Debian machine: npm packages, and
# (as root) debootstrap for the cached Python root and PostgreSQL for the e2e suite.
# Quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v debootstrap >/dev/null || missing+=(debootstrap)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql-15)
command -v unshare >/dev/null || missing+=(util-linux)
command -v git >/dev/null || missing+=(git)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing ${missing[*]} (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing ${missing[*]}; the e2e suite needs them: install them as root (Debian: apt-get install ${missing[*]})" >&2
  fi
fi

# uv from PyPI, in its own cached virtual environment (never the system Python's site-packages).
# Its version is pinned in scripts/uv-version; the folder's name changes with it.
cache=${LAYERED_E2E_CACHE:-/var/cache/layered-e2e}
uv_version=$(cat scripts/uv-version)
uv_home="$cache/uv-$uv_version"
if [ ! -f "$uv_home/.complete" ]; then
  echo "setup: uv $uv_version from PyPI into $uv_home"
  mkdir -p "$cache"
  rm -rf "$uv_home"
  python3 -m venv "$uv_home"
  "$uv_home/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$uv_version" \
    || { echo "setup: could not install uv $uv_version from PyPI (is https://pypi.org reachable?)" >&2; exit 1; }
  touch "$uv_home/.complete"
fi

stamp=node_modules/.layered-lock-hash
want=$(sha256sum package-lock.json | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: npm ci"
  npm ci --no-fund --no-audit --loglevel=error
  echo "$want" > "$stamp"
fi
