#!/usr/bin/env bash
# Keeps the publish output honest on every test run: publishes framework-dependent (as README's "Without Docker"),
# runs the output from another working directory with a fake configuration and checks /healthz, /readyz and a CLI verb.
# The container's self-contained publish onto Debian 12 is proven by scripts/rootfs-check.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
out="$(mktemp -d /tmp/moodbot-publish.XXXXXX)"
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$out"' EXIT
dotnet publish src/MoodBot/MoodBot.csproj -c Release -r linux-x64 --self-contained false -o "$out/app" -nologo -v q >/dev/null
port=$(( 30000 + RANDOM % 20000 ))
mkdir -p "$out/data" && cd "$out/data"
# Fake Discord credentials pointing at a closed local port: the bot must start, stay live and report not-ready.
MoodBot__Discord__Token=fake-token MoodBot__Discord__ApplicationId=123456789012345678 \
MoodBot__Discord__ApiBaseUrl=http://127.0.0.1:9/api/v10 MoodBot__Storage__SqlitePath="$out/data/moodbot.db" \
ASPNETCORE_URLS="http://127.0.0.1:$port" "$out/app/moodbot" >"$out/bot.log" 2>&1 &
pid=$!
for _ in $(seq 1 60); do
  if "$out/app/moodbot" healthcheck --url "http://127.0.0.1:$port/healthz" 2>/dev/null; then break; fi
  sleep 0.5
done
"$out/app/moodbot" healthcheck --url "http://127.0.0.1:$port/healthz" || { echo "smoke: /healthz failed"; cat "$out/bot.log"; exit 1; }
if "$out/app/moodbot" healthcheck --url "http://127.0.0.1:$port/readyz" 2>/dev/null; then
  echo "smoke: /readyz said ready although Discord is unreachable"; exit 1
fi
# A fresh database beside the published binary: analyze must list tracks from the shipped catalog with no import step.
json="$("$out/app/moodbot" analyze "$repo/../shared/photos/bbt1.jpg" --json 2>/dev/null)" || { echo "smoke: analyze from another directory failed"; exit 1; }
tracks="$(grep -o '"url":"https://open.spotify.com/track/' <<<"$json" | wc -l)"
if [ "$tracks" -lt 5 ]; then echo "smoke: analyze listed $tracks tracks on a fresh install (want >= 5)"; exit 1; fi
echo "smoke: published output runs from $out/data: /healthz 200, /readyz not ready (as expected), analyze OK with $tracks shipped-catalog tracks"
