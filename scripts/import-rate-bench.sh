#!/usr/bin/env bash
# How close `kinbox deals import` comes to the API's rate limit with its
# default settings (BENCHMARKS.md, section "Import against a rate limit").
# For each rate, starts `kinbox sandbox --rate-limit RATE --latency-ms 20
# --latency-jitter-ms 20` on 127.0.0.1, imports ROWS deals given by ids (no
# contact lookups: one request a row) and prints deals/s against the rate.
# Loopback only; a fresh sandbox (and journal) for every run.
#
#   scripts/import-rate-bench.sh                 # 50, 200 and 1000 a second
#   BENCH_RATES="200" BENCH_RUNS=3 scripts/import-rate-bench.sh
#   BENCH_ROWS_PER_RATE=10 ...                   # rows = 10 s at the rate (default)
#   BENCH_KINBOX=/tmp/kinbox-old ...             # another build, not rebuilt
#   BENCH_ARGS="--concurrency 32" ...            # flags for the import
set -euo pipefail
cd "$(dirname "$0")/.."

RATES="${BENCH_RATES:-50 200 1000}"
RUNS="${BENCH_RUNS:-1}"
SECONDS_OF_ROWS="${BENCH_ROWS_PER_RATE:-10}"
TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
# BENCH_KINBOX=path measures that binary (e.g. an older build) as it is.
KINBOX="${BENCH_KINBOX:-$TARGET_DIR/release/kinbox}"

[[ -n "${BENCH_KINBOX:-}" ]] || cargo build --quiet --release -p kinbox-cli --bin kinbox

WORK="$(mktemp -d)"
PID=
cleanup() {
    if [[ -n "$PID" ]]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# The seeded pipeline "Vendas", its first stage and contact 1001.
rows_file() {
    local rows="$1" file="$WORK/rows-$1.csv"
    if [[ ! -f "$file" ]]; then
        {
            echo "name;value;pipeline_id;stage_id;contact_id"
            for i in $(seq 1 "$rows"); do
                echo "Pedido #$i;1.890,50;65e1c3405eed5eed00000001;65e1c3405eed5eed00000101;1001"
            done
        } >"$file"
    fi
    echo "$file"
}

echo "machine: $(nproc) cores, $(uname -sr); $("$KINBOX" --version)"
printf '%-8s %-6s %-9s %-10s %-8s %s\n' "rate/s" "rows" "seconds" "deals/s" "of rate" "429s"
for rate in $RATES; do
    rows=$((rate * SECONDS_OF_ROWS))
    [[ "$rows" -ge 500 ]] || rows=500
    file="$(rows_file "$rows")"
    for _ in $(seq 1 "$RUNS"); do
        out="$WORK/sandbox.out"
        "$KINBOX" sandbox -v --port 0 --rate-limit "$rate" --latency-ms 20 --latency-jitter-ms 20 \
            >"$out" 2>"$WORK/sandbox.err" &
        PID=$!
        for _ in $(seq 1 100); do grep -q '^KINBOX_TOKEN=' "$out" && break; sleep 0.1; done
        base_url="$(sed -n 's/^KINBOX_BASE_URL=//p' "$out")"
        token="$(sed -n 's/^KINBOX_TOKEN=//p' "$out")"
        [[ -n "$base_url" ]] || { echo "the sandbox did not start" >&2; exit 1; }
        # The wait before the first request lets the sandbox's window start
        # with the import, as it would after any idle second.
        sleep 1.1
        rm -f "$file.kinbox-journal"
        start=$(date +%s.%N)
        KINBOX_BASE_URL="$base_url" KINBOX_TOKEN="$token" \
            "$KINBOX" deals import "$file" ${BENCH_ARGS:-} >"$WORK/import.out" 2>"$WORK/import.err" || {
            echo "the import failed:" >&2; tail -5 "$WORK/import.err" >&2; exit 1; }
        end=$(date +%s.%N)
        kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=
        # The sandbox logs one line per answer (-v): its status among them.
        limited="$(grep -c ' 429 ' "$WORK/sandbox.err" || true)"
        awk -v rate="$rate" -v rows="$rows" -v s="$start" -v e="$end" -v l="$limited" 'BEGIN {
            t = e - s; printf "%-8d %-6d %-9.2f %-10.1f %-8s %s\n", rate, rows, t, rows / t,
                sprintf("%.0f%%", 100 * rows / t / rate), l }'
        tail -1 "$WORK/import.err" | sed 's/^/    /'
    done
done
