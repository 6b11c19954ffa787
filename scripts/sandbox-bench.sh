#!/usr/bin/env bash
# Throughput and memory of kinbox-sandbox (the figures in BENCHMARKS.md,
# section "Sandbox"). Bounded: four wrk runs of BENCH_DURATION each, plus
# BENCH_DEALS creations. Loopback only. Needs wrk (apt-get install -y wrk).
#
#   scripts/sandbox-bench.sh
#   BENCH_DURATION=30s BENCH_CONNECTIONS=64 scripts/sandbox-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${BENCH_DURATION:-10s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
DEALS="${BENCH_DEALS:-100000}"
TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
TOKEN=bench-token

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
cargo build --quiet --release -p kinbox-sandbox --bin kinbox-sandbox --example fill

OUT="$(mktemp)"
"$TARGET_DIR/release/kinbox-sandbox" --port 0 --token "$TOKEN" >"$OUT" 2>/dev/null &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -f "$OUT"' EXIT
for _ in $(seq 1 100); do grep -q '^KINBOX_TOKEN=' "$OUT" && break; sleep 0.1; done
BASE_URL="$(sed -n 's/^KINBOX_BASE_URL=//p' "$OUT")"
[[ -n "$BASE_URL" ]] || { echo "the sandbox did not start" >&2; exit 1; }

rss() { awk '/^VmRSS/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$PID/status"; }
run() { echo; echo "\$ $*"; "$@" | grep -E 'Requests/sec|Latency|requests in|Non-2xx'; }

echo "machine: $(nproc) cores, $(uname -sr); sandbox pid $PID at $BASE_URL"
echo "RSS at start: $(rss)"
KINBOX_BASE_URL="$BASE_URL" KINBOX_TOKEN="$TOKEN" "$TARGET_DIR/release/examples/fill" "$DEALS" 32
echo "RSS after $DEALS deals: $(rss)"

AUTH="Authorization: Bearer $TOKEN"
run wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -H "$AUTH" "$BASE_URL/v1/deals?limit=10"
run wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -H "$AUTH" "$BASE_URL/v1/deals?limit=100"
# No deal matches: every request scans all of them (the worst case of a filter).
run wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -H "$AUTH" "$BASE_URL/v1/deals?status=won"
run wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -H "$AUTH" -s scripts/wrk/create-deal.lua "$BASE_URL/v1/deals"
echo
echo "RSS at the end: $(rss)"
