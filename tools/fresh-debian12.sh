#!/usr/bin/env bash
# Run a command in a pristine Debian 12 root, as a fresh machine would: a
# minbase debootstrap (cached in $FRESH_BASE, default /tmp/fresh-root), a copy
# of it per run, the committed HEAD of this checkout cloned into it, and the
# command run as root or, with -u, as user "dev" with passwordless sudo.
# Only Debian's packages are inside (its nodejs is 18); the host's CA bundle
# and npm client settings are copied because the registries are reached
# through them. Needs root (debootstrap, mount, chroot). CI uses it to run the
# README's test command:  tools/fresh-debian12.sh -u 'cd gatewayd && ./dev.sh test'
set -eu
as_user=0
[ "${1:-}" = "-u" ] && { as_user=1; shift; }
cmd=${1:?usage: fresh-debian12.sh [-u] COMMAND}
src=$(git rev-parse --show-toplevel)
base=${FRESH_BASE:-/tmp/fresh-root}

if [ ! -x "$base/bin/bash" ]; then
    command -v debootstrap >/dev/null ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
    mirror=$(sed -n 's/^URIs: //p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
    echo "== debootstrap bookworm into $base"
    debootstrap --variant=minbase bookworm "$base" "${mirror:-http://deb.debian.org/debian}" \
        >/tmp/debootstrap.log 2>&1 || { tail -20 /tmp/debootstrap.log; exit 1; }
fi

root=$(mktemp -d /tmp/fresh-XXXX)
cp -a "$base/." "$root/"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp -a /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/" 2>/dev/null || true
mkdir -p "$root/usr/local/share/ca-certificates" "$root/usr/etc" "$root/etc/ssl/certs"
cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
cp -a /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/" 2>/dev/null || true
for f in /etc/npmrc /usr/etc/npmrc; do [ -f "$f" ] && cp -a "$f" "$root$f"; done
echo 'export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' >"$root/etc/profile.d/ca.sh"

mounts=(proc dev dev/pts sys)
for m in "${mounts[@]}"; do mount --bind "/$m" "$root/$m"; done
mount -t tmpfs tmpfs "$root/tmp"
cleanup() {
    umount "$root/tmp" 2>/dev/null || true
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "$root/${mounts[i]}" 2>/dev/null || true; done
    [ -n "${KEEP:-}" ] || rm -rf "$root"
}
trap cleanup EXIT

git clone -q "$src" "$root/root/gatewayd"
if [ "$as_user" = 1 ]; then
    chroot "$root" /bin/bash -c 'apt-get update -qq >/dev/null &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sudo >/dev/null &&
        useradd -m -s /bin/bash dev &&
        echo "dev ALL=(ALL) NOPASSWD:ALL" >/etc/sudoers.d/dev &&
        cp -a /root/gatewayd /home/dev/ && chown -R dev:dev /home/dev/gatewayd'
    chroot "$root" /bin/su - dev -c "$cmd"
else
    chroot "$root" /bin/bash -lc "cd /root && $cmd"
fi
