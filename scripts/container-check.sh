#!/usr/bin/env bash
# Proves the container image: builds it with docker or podman (whichever is installed), starts it with a fake
# HTTP-mode configuration (secrets from a mounted file, nothing in -e), checks /healthz, /readyz (models, database,
# Discord HTTP mode and the shipped catalog) and /metrics, runs `analyze` on a photo inside it, then removes the
# container, its volume and the image. Not on the CI path (CI has no container engine); needs registry access to pull
# mcr.microsoft.com/dotnet/sdk:10.0-noble and debian:bookworm-slim (scripts/rootfs-check.sh proves the runtime stage
# without an engine). x86-64 hosts only.
#   bash scripts/container-check.sh            build, check, clean up
#   KEEP_IMAGE=1 bash scripts/container-check.sh   keep the moodbot:check image afterwards
#   SKIP_BUILD=1 KEEP_IMAGE=1 bash scripts/container-check.sh   probe an image built earlier
#   BUILD_OPTS="--pull=never --network=host" bash scripts/container-check.sh   extra `build` options (e.g. for
#                                                  locally tagged base images on a host without registry access)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/probe-bot.sh
PROBE_TAG=container-check
# The first engine that answers (a docker client without a daemon falls through to podman); ENGINE=… picks one.
engine="${ENGINE:-}"; found=""
for e in ${ENGINE:-docker podman}; do
  command -v "$e" >/dev/null 2>&1 || continue
  found="$found $e"
  if "$e" info >/dev/null 2>&1; then engine="$e"; break; fi
  engine=""
done
if [ -z "$found" ]; then echo "container-check: neither docker nor podman is installed; nothing to check"; exit 2; fi
if [ -z "$engine" ]; then echo "container-check:$found installed but not usable (is its daemon running? are you allowed to use it?)"; exit 2; fi
if [ "$(uname -m)" != x86_64 ]; then echo "container-check: the image is x86-64 only (this host is $(uname -m))"; exit 2; fi

image=moodbot:check
name="moodbot-check-$$"
volume="moodbot-check-data-$$"
work="$(mktemp -d /tmp/moodbot-container-check.XXXXXX)"
port=$(( 30000 + RANDOM % 20000 ))
cleanup() {
  "$engine" rm -f "$name" >/dev/null 2>&1 || true
  "$engine" volume rm -f "$volume" >/dev/null 2>&1 || true
  if [ -z "${KEEP_IMAGE:-}" ]; then "$engine" rmi -f "$image" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "container-check: FAIL: $*"; "$engine" logs "$name" 2>&1 | tail -40 || true; exit 1; }

if [ -n "${SKIP_BUILD:-}" ]; then
  "$engine" image inspect "$image" >/dev/null 2>&1 || { echo "container-check: SKIP_BUILD set but there is no $image image"; exit 2; }
else
echo "container-check: building $image with $engine"
start=$(date +%s)
# shellcheck disable=SC2086 # BUILD_OPTS is a list of options
"$engine" build ${BUILD_OPTS:-} -t "$image" . >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; fail "build"; }
echo "container-check: built in $(( $(date +%s) - start )) s; image $("$engine" image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')"
fi

write_fake_secrets "$work/secrets.json"
"$engine" volume create "$volume" >/dev/null
"$engine" run -d --name "$name" -p "127.0.0.1:$port:8080" -v "$volume:/data" \
  -v "$work/secrets.json:/run/secrets/moodbot.json:ro" -e MOODBOT_SECRETS_FILE=/run/secrets/moodbot.json "$image" >/dev/null

probe_endpoints "http://127.0.0.1:$port"

"$engine" inspect -f '{{.Config.User}}' "$name" | grep -qx moodbot || fail "the container does not run as the moodbot user"
"$engine" cp ../shared/photos/bbt1.jpg "$name:/tmp/bbt1.jpg" || fail "copy a photo into the container (needs ../shared/photos/bbt1.jpg)"
in_container() { "$engine" exec "$name" /app/moodbot "$@"; }
probe_verbs in_container /tmp/bbt1.jpg
echo "container-check: OK ($engine, x86-64, uid 10001, HEALTHCHECK, /data volume)"
