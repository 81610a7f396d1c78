# Shared by container-check.sh and rootfs-check.sh (sourced, not run): the fake HTTP-mode secrets and the probes of a
# started bot. Each caller defines `fail MESSAGE` and sets PROBE_TAG (the prefix of its output lines).

# Fake HTTP-mode settings in a secrets file (the way compose `secrets:` delivers them): Discord is never contacted
# (its API points at a closed port), a random Ed25519-shaped public key satisfies the validation.
write_fake_secrets() {
  cat >"$1" <<JSON
{"MoodBot":{"Discord":{"Mode":"Http","Token":"fake-token","ApplicationId":"123456789012345678",
 "PublicKey":"$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')","ApiBaseUrl":"http://127.0.0.1:9/api/v10"}}}
JSON
  chmod 0444 "$1"   # readable by uid 10001
}

# probe_endpoints URL [PID]: /healthz within 60 s (failing at once if PID exits), /readyz healthy with the shipped
# catalog loaded within 90 s, /metrics in Prometheus text.
probe_endpoints() {
  local url="$1" pid="${2:-}" ready="" metrics=""
  for _ in $(seq 1 60); do
    if curl -fsS "$url/healthz" >/dev/null 2>&1; then break; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then fail "the bot exited"; fi
    sleep 1
  done
  curl -fsS "$url/healthz" >/dev/null || fail "/healthz did not answer within 60 s"
  echo "$PROBE_TAG: /healthz 200"
  # 200 once models, database and HTTP mode are up; the catalog check turns Healthy when the seed is done.
  for _ in $(seq 1 90); do
    ready="$(curl -sS "$url/readyz" || true)"
    if grep -q '"catalog":{"status":"Healthy"' <<<"$ready"; then break; fi
    sleep 1
  done
  grep -q '"status":"Healthy"' <<<"$ready" || fail "/readyz not healthy: $ready"
  grep -q '"catalog":{"status":"Healthy"' <<<"$ready" || fail "shipped catalog not loaded within 90 s: $ready"
  echo "$PROBE_TAG: /readyz $ready"
  metrics="$(curl -fsS "$url/metrics")" || fail "/metrics"
  grep -q '^# TYPE' <<<"$metrics" || fail "/metrics is not Prometheus text"
  echo "$PROBE_TAG: /metrics $(grep -c '^# TYPE' <<<"$metrics") metric families"
}

# probe_verbs RUNNER PHOTO: `RUNNER analyze PHOTO --json` lists >= 5 shipped-catalog tracks, and `RUNNER check-config`
# exits 1 with exactly the fake token's one problem (its API is a closed port), in words.
probe_verbs() {
  local run="$1" photo="$2" analysis="" tracks="" config=""
  analysis="$("$run" analyze "$photo" --json 2>/dev/null)" || fail "analyze"
  tracks="$(grep -o '"url":"https://open.spotify.com/track/' <<<"$analysis" | wc -l)"
  [ "$tracks" -ge 5 ] || fail "analyze listed $tracks tracks (want >= 5 from the shipped catalog)"
  echo "$PROBE_TAG: analyze: $(grep -o '"emotion":"[a-z]*"' <<<"$analysis" | head -1), $tracks tracks"
  if config="$("$run" check-config 2>&1)"; then fail "check-config passed with a fake token"; fi
  grep -q '^1 problem' <<<"$config" && grep -q 'MoodBot:Discord:Token: could not be checked' <<<"$config" \
    || fail "check-config: $config"
  echo "$PROBE_TAG: check-config lists the one expected problem (fake Discord API unreachable)"
}
