#!/usr/bin/env bash
# Builds (once) a minimal Debian trixie root holding Python 3.13 and the generated apps'
# dependencies, and prints the path of a `python` wrapper that runs inside it.
# The root is cached, keyed by the package list and this script; PyPI is never needed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
packages_file="$here/python-root.packages"
suite=trixie
mirror=${LAYERED_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${LAYERED_E2E_CACHE:-/var/cache/layered-e2e}
key=$(cat "$packages_file" "$0" | sha256sum | cut -c1-16)
root="$cache/python-root-$key"
wrapper="$root.python"

fail() { echo "python-root: $*" >&2; exit 1; }

if [ ! -x "$wrapper" ]; then
  [ "$(id -u)" = 0 ] || fail "building the Python root needs root (debootstrap, chroot); set LAYERED_E2E_PYTHON or install uv instead"
  command -v debootstrap >/dev/null || fail "debootstrap is not installed: apt-get install debootstrap (or set LAYERED_E2E_PYTHON)"
  mkdir -p "$cache"
  exec 9>"$cache/.lock"
  flock 9
  if [ ! -x "$wrapper" ]; then
    building="$root.building"
    rm -rf "$building"
    echo "python-root: building $suite root in $building (about a minute)" >&2
    debootstrap --variant=minbase "$suite" "$building" "$mirror" >"$cache/debootstrap.log" 2>&1 \
      || fail "debootstrap failed; see $cache/debootstrap.log"
    cp /etc/resolv.conf "$building/etc/resolv.conf"
    cp /etc/hosts "$building/etc/hosts"
    chroot "$building" apt-get update -qq >"$cache/apt.log" 2>&1 || fail "apt-get update failed in the root; see $cache/apt.log"
    # shellcheck disable=SC2046
    chroot "$building" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      $(grep -v '^#' "$packages_file") >>"$cache/apt.log" 2>&1 || fail "apt-get install failed in the root; see $cache/apt.log"
    chroot "$building" apt-get clean
    rm -rf "$root"
    mv "$building" "$root"
    cat >"$wrapper" <<WRAPPER
#!/bin/sh
# python3 of $root, run in the caller's folder with \${LAYERED_PYROOT_BIND:-/tmp} bind-mounted.
exec unshare --mount --propagation private -- /bin/sh -c '
  root=\$1; bind=\$2; dir=\$3; shift 3
  mkdir -p "\$root\$bind"
  mount --rbind "\$bind" "\$root\$bind" && mount -t proc proc "\$root/proc" && mount --rbind /dev "\$root/dev" || exit 97
  exec chroot "\$root" /bin/sh -c "cd \"\\\$0\" && exec python3 \"\\\$@\"" "\$dir" "\$@"
' layered-python "$root" "\${LAYERED_PYROOT_BIND:-/tmp}" "\$PWD" "\$@"
WRAPPER
    chmod +x "$wrapper"
  fi
fi
echo "$wrapper"
