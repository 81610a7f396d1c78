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

# Fake HTTP-mode settings in a secrets file (the way compose `secrets:` delivers them): Discord is never contacted
# (its API points at a closed port), a random Ed25519-shaped public key satisfies the validation.
cat >"$work/secrets.json" <<JSON
{"MoodBot":{"Discord":{"Mode":"Http","Token":"fake-token","ApplicationId":"123456789012345678",
 "PublicKey":"$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')","ApiBaseUrl":"http://127.0.0.1:9/api/v10"}}}
JSON
chmod 0444 "$work/secrets.json"   # readable by uid 10001 inside the container
"$engine" volume create "$volume" >/dev/null
"$engine" run -d --name "$name" -p "127.0.0.1:$port:8080" -v "$volume:/data" \
  -v "$work/secrets.json:/run/secrets/moodbot.json:ro" -e MOODBOT_SECRETS_FILE=/run/secrets/moodbot.json "$image" >/dev/null

url="http://127.0.0.1:$port"
for _ in $(seq 1 60); do
  if curl -fsS "$url/healthz" >/dev/null 2>&1; then break; fi
  sleep 1
done
curl -fsS "$url/healthz" >/dev/null || fail "/healthz did not answer within 60 s"
echo "container-check: /healthz 200"

# /readyz: 200 once models, database and HTTP mode are up; the catalog check turns Healthy when the seed is done.
ready=""
for _ in $(seq 1 90); do
  ready="$(curl -sS "$url/readyz" || true)"
  if grep -q '"catalog":{"status":"Healthy"' <<<"$ready"; then break; fi
  sleep 1
done
grep -q '"status":"Healthy"' <<<"$ready" || fail "/readyz not healthy: $ready"
grep -q '"catalog":{"status":"Healthy"' <<<"$ready" || fail "shipped catalog not loaded within 90 s: $ready"
echo "container-check: /readyz $ready"

metrics="$(curl -fsS "$url/metrics")" || fail "/metrics"
grep -q '^# TYPE' <<<"$metrics" || fail "/metrics is not Prometheus text"
echo "container-check: /metrics $(grep -c '^# TYPE' <<<"$metrics") metric families"

"$engine" inspect -f '{{.Config.User}}' "$name" | grep -qx moodbot || fail "the container does not run as the moodbot user"
"$engine" cp ../shared/photos/bbt1.jpg "$name:/tmp/bbt1.jpg" || fail "copy a photo into the container (needs ../shared/photos/bbt1.jpg)"
analysis="$("$engine" exec "$name" /app/moodbot analyze /tmp/bbt1.jpg --json)" || fail "analyze inside the container"
tracks="$(grep -o '"url":"https://open.spotify.com/track/' <<<"$analysis" | wc -l)"
[ "$tracks" -ge 5 ] || fail "analyze listed $tracks tracks (want >= 5 from the shipped catalog)"
echo "container-check: analyze inside the container: $(grep -o '"emotion":"[a-z]*"' <<<"$analysis" | head -1), $tracks tracks"
# The fake token points at a closed port, so check-config must exit 1 with exactly that one problem, in words.
if config="$("$engine" exec "$name" /app/moodbot check-config 2>&1)"; then fail "check-config passed with a fake token"; fi
grep -q '^1 problem' <<<"$config" && grep -q 'MoodBot:Discord:Token: could not be checked' <<<"$config" \
  || fail "check-config inside the container: $config"
echo "container-check: check-config inside the container lists the one expected problem (fake Discord API unreachable)"
echo "container-check: OK ($engine, x86-64, uid 10001, HEALTHCHECK, /data volume)"
