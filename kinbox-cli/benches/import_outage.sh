#!/usr/bin/env bash
# How soon `kinbox deals import` stops when the API goes away: a sandbox on
# 127.0.0.1 (100 ms a request) is killed 4 s into a 3,000-row import, and
# the time from the kill to the import's exit is printed, RUNS times.
# Usage: bash kinbox-cli/benches/import_outage.sh [path/to/kinbox]
set -euo pipefail
KINBOX=${1:-target/debug/kinbox}
KINBOX=$(realpath "$KINBOX")
RUNS=${RUNS:-5}
PORT=${PORT:-18790}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
{
    echo "name;value;pipeline;stage;contact_phone"
    for i in $(seq 1 3000); do
        printf 'Pedido %d;%d,50;Vendas;Proposta;5585997%06d\n' "$i" "$i" $((i % 50))
    done
} > leads.csv
export KINBOX_BASE_URL=http://127.0.0.1:$PORT KINBOX_TOKEN=sandbox-token KINBOX_CONFIG_DIR=$dir/config
for run in $(seq 1 "$RUNS"); do
    rm -f leads.csv.kinbox-journal
    "$KINBOX" sandbox --port "$PORT" --latency-ms 100 > sandbox.log 2>&1 &
    sandbox=$!
    sleep 1
    "$KINBOX" deals import leads.csv --create-contacts > /dev/null 2> import.log &
    import=$!
    sleep 4
    kill "$sandbox"
    killed=$(date +%s.%N)
    status=0
    wait "$import" || status=$?
    ended=$(date +%s.%N)
    wait "$sandbox" 2> /dev/null || true
    printf 'run %d: exit %d, stopped %.2f s after the kill, %d lines on stderr\n' \
        "$run" "$status" "$(echo "$ended - $killed" | bc)" "$(grep -c . import.log)"
done
