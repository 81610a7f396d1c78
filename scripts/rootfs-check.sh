#!/usr/bin/env bash
# Proves the container's runtime stage without a container engine: a Debian 12 minbase root (what debian:bookworm-slim
# is made from) gets the Dockerfile's package list (scripts/runtime-packages.txt) through apt, the app published
# self-contained exactly as the Dockerfile's build stage does, and the Dockerfile's user (uid 10001), /data and
# environment. Then, as that user, inside the root: the bot starts in HTTP mode with a fake configuration from a
# secrets file, /healthz, /readyz (with the shipped catalog loaded) and /metrics answer, and `analyze` lists tracks.
# Needs root (chroot, bind mounts) and debootstrap; not on the CI path.
#   sudo bash scripts/rootfs-check.sh                 builds the base root once (cached in $MOODBOT_ROOTFS_BASE)
#   MOODBOT_ROOTFS_BASE=/srv/bookworm sudo bash scripts/rootfs-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/probe-bot.sh
PROBE_TAG=rootfs-check
repo="$PWD"
[ "$(id -u)" -eq 0 ] || { echo "rootfs-check: needs root (chroot and bind mounts)"; exit 2; }
[ "$(uname -m)" = x86_64 ] || { echo "rootfs-check: the image is x86-64 only (this host is $(uname -m))"; exit 2; }
photo="$repo/../shared/photos/bbt1.jpg"
[ -f "$photo" ] || { echo "rootfs-check: needs a photo at $photo"; exit 2; }

base="${MOODBOT_ROOTFS_BASE:-/tmp/moodbot-bookworm-minbase}"
if [ ! -x "$base/usr/bin/apt-get" ]; then
  command -v debootstrap >/dev/null || { echo "rootfs-check: needs debootstrap (apt-get install -y debootstrap)"; exit 2; }
  mirror="$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | awk '{print $2}' || true)"
  [ -n "$mirror" ] || mirror="$(grep -h '^deb ' /etc/apt/sources.list 2>/dev/null | head -1 | awk '{print $2}' || true)"
  echo "rootfs-check: debootstrap bookworm minbase into $base (${mirror:-default mirror})"
  debootstrap --variant=minbase bookworm "$base" ${mirror:+"$mirror"} >"$base.log" 2>&1 || { tail -20 "$base.log"; exit 1; }
fi

root="$(mktemp -d /tmp/moodbot-rootfs.XXXXXX)"
port=$(( 30000 + RANDOM % 20000 ))
cleanup() {
  if [ -n "${pid:-}" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  for m in dev proc sys; do umount -l "$root/$m" 2>/dev/null || true; done
  rm -rf "$root"
}
trap cleanup EXIT
fail() { echo "rootfs-check: FAIL: $*"; [ -f "$root/bot.log" ] && tail -40 "$root/bot.log"; exit 1; }

cp -a "$base/." "$root/"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp -a /etc/apt/apt.conf.d/. "$root/etc/apt/apt.conf.d/" 2>/dev/null || true
cp -a /etc/apt/sources.list.d/. "$root/etc/apt/sources.list.d/" 2>/dev/null || true
for m in dev proc sys; do mount --bind "/$m" "$root/$m"; done
before=$(du -smx "$root" | cut -f1)

# The Dockerfile's runtime RUN lines, verbatim in effect.
cp scripts/runtime-packages.txt "$root/tmp/runtime-packages.txt"
chroot "$root" sh -c "apt-get update && grep -v '^#' /tmp/runtime-packages.txt | DEBIAN_FRONTEND=noninteractive xargs apt-get install -y --no-install-recommends && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages.txt" \
  >"$root/apt.log" 2>&1 || { tail -30 "$root/apt.log"; fail "the runtime packages do not install on bookworm"; }
echo "rootfs-check: runtime packages installed on Debian $(cat "$root/etc/debian_version")"
chroot "$root" sh -c "useradd -K SYS_UID_MAX=10001 --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin moodbot && mkdir -p /data && chown moodbot /data"

echo "rootfs-check: publishing self-contained for linux-x64 (as the Dockerfile's build stage)"
dotnet publish src/MoodBot/MoodBot.csproj -c Release -r linux-x64 --self-contained true -o "$root/app" -nologo -v q >"$root/publish.log" 2>&1 \
  || { tail -20 "$root/publish.log"; fail "publish"; }
echo "rootfs-check: root is $(du -smx "$root" | cut -f1) MB (base $before MB, app $(du -smx "$root/app" | cut -f1) MB)"

write_fake_secrets "$root/run/moodbot.json"
# As the container runs it: uid 10001, working directory /app, the Dockerfile's ENV (listener moved to a free port).
as_moodbot() {
  chroot --userspec=10001:10001 "$root" env -i HOME=/data PATH=/usr/bin:/bin DOTNET_gcServer=0 \
    ASPNETCORE_URLS="http://127.0.0.1:$port" MoodBot__Storage__SqlitePath=/data/moodbot.db \
    MOODBOT_SECRETS_FILE=/run/moodbot.json sh -c "cd /app && $*"
}
as_moodbot /app/moodbot >"$root/bot.log" 2>&1 &
pid=$!
url="http://127.0.0.1:$port"
probe_endpoints "$url" "$pid"
as_moodbot /app/moodbot healthcheck --url "$url/healthz" || fail "the HEALTHCHECK command"
cp "$photo" "$root/tmp/photo.jpg" && chmod 0444 "$root/tmp/photo.jpg"
in_root() { as_moodbot /app/moodbot "$@"; }
probe_verbs in_root /tmp/photo.jpg
echo "rootfs-check: OK (Debian $(cat "$root/etc/debian_version") minbase, self-contained linux-x64, uid 10001)"
