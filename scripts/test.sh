#!/usr/bin/env bash
# The project's test command: restores, builds (warnings are errors) and runs every test project.
# Needs the reference data at ../shared (CI=true makes its absence a failure rather than a skip).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
# A throwaway PostgreSQL on loopback for the storage tests (skipped when the server binaries are absent and CI is not set).
source scripts/postgres.sh
start_test_postgres || true
trap stop_test_postgres EXIT
log="$(mktemp)"
dotnet build MoodBot.sln -c Release -nologo -v q || exit 1
# One test assembly at a time: several suites drive real servers and clocks, and two cores are easily oversubscribed.
set +e
dotnet test MoodBot.sln -c Release --no-build -nologo -m:1 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -eq 0 ]; then bash scripts/smoke-publish.sh || status=1; fi
# One plain summary line over all test projects (dotnet test prints one "Failed: a, Passed: b, Skipped: c" per project).
awk -F'[:,]' '/(Passed|Failed)! +- +Failed:/ { f += $2; p += $4; s += $6 } END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit $status
