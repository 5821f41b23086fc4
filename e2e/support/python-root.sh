#!/usr/bin/env bash
# Builds (once) a minimal Debian trixie root holding Python 3.13 and what uv needs, and prints
# the path of a wrapper that runs a command inside it: `<wrapper> uv sync --python /usr/bin/python3.13`.
# The wrapper runs its command in the caller's folder with the caller's environment. Folders
# listed in LAYERED_PYROOT_BINDS (colon-separated: the workspaces, uv's tool environment, uv's
# cache) are bind-mounted at their own paths, as are the caller's DNS settings and
# $SSL_CERT_FILE, so uv inside reaches PyPI the way it does outside (a TLS proxy's CA included).
# The root is cached, keyed by the package list and this script. Progress goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
packages_file="$here/python-root.packages"
suite=trixie
mirror=${LAYERED_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${LAYERED_E2E_CACHE:-/var/cache/layered-e2e}
key=$(cat "$packages_file" "$0" | sha256sum | cut -c1-16)
root="$cache/python-root-$key"
wrapper="$root.run"

fail() { echo "python-root: $*" >&2; exit 1; }

write_wrapper() {
  printf '#!/bin/sh\nroot=%s\n' "$root" >"$1"
  cat >>"$1" <<'WRAPPER'
# Runs "$@" inside the Debian root above (see e2e/support/python-root.sh).
set -eu
[ $# -gt 0 ] || { echo "usage: $0 command [args...]" >&2; exit 2; }
if [ "$1" != --in-namespace ]; then
  # pwd, not $PWD: a caller such as Node sets the folder without updating PWD.
  exec unshare --mount --propagation private -- /bin/sh "$0" --in-namespace "$(pwd)" "$@"
fi
dir=$2
shift 2
bind() {
  [ -e "$1" ] || { echo "python-root: cannot bind $1 into the root: it does not exist" >&2; exit 97; }
  if [ -d "$1" ]; then
    mkdir -p "$root$1"
  else
    mkdir -p "$(dirname "$root$1")"
    [ -e "$root$1" ] || : >"$root$1"
  fi
  mount --rbind "$1" "$root$1" || exit 97
}
mount -t proc proc "$root/proc" || exit 97
mount --rbind /dev "$root/dev" || exit 97
bind /etc/resolv.conf
bind /etc/hosts
if [ -n "${SSL_CERT_FILE:-}" ]; then bind "$SSL_CERT_FILE"; fi
set -f
IFS=:
for path in ${LAYERED_PYROOT_BINDS:-}; do
  if [ -n "$path" ]; then bind "$path"; fi
done
unset IFS
exec chroot "$root" /bin/sh -c 'cd "$1" && shift && exec "$@"' layered-root "$dir" "$@"
WRAPPER
  chmod +x "$1"
}

if [ ! -x "$wrapper" ]; then
  [ "$(id -u)" = 0 ] || fail "building the Python 3.13 root needs root (debootstrap, chroot, mount)"
  command -v debootstrap >/dev/null || fail "debootstrap is not installed: apt-get install debootstrap"
  mkdir -p "$cache"
  exec 9>"$cache/.lock"
  flock 9
  if [ ! -x "$wrapper" ]; then
    building="$root.building"
    rm -rf "$building"
    started=$(date +%s)
    echo "python-root: building a $suite root with Python 3.13 in $building" >&2
    debootstrap --variant=minbase "$suite" "$building" "$mirror" >"$cache/debootstrap.log" 2>&1 \
      || fail "debootstrap failed; see $cache/debootstrap.log"
    echo "python-root: debootstrap done ($(($(date +%s) - started)) s); installing $(grep -v '^#' "$packages_file" | tr '\n' ' ')" >&2
    cp /etc/resolv.conf "$building/etc/resolv.conf"
    cp /etc/hosts "$building/etc/hosts"
    chroot "$building" apt-get update -qq >"$cache/apt.log" 2>&1 || fail "apt-get update failed in the root; see $cache/apt.log"
    # shellcheck disable=SC2046
    chroot "$building" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      $(grep -v '^#' "$packages_file") >>"$cache/apt.log" 2>&1 || fail "apt-get install failed in the root; see $cache/apt.log"
    chroot "$building" apt-get clean
    rm -rf "$root"
    mv "$building" "$root"
    write_wrapper "$wrapper.tmp"
    mv "$wrapper.tmp" "$wrapper"
    echo "python-root: ready in $(($(date +%s) - started)) s: $wrapper" >&2
  fi
fi
echo "$wrapper"
