#!/usr/bin/env bash
# Reproduces the figures of BENCHMARKS.md: `kinbox deals create` against a
# local mock next to curl sending the same request (by flags, and from a
# --json-body file), and `kinbox --help`.
# Needs hyperfine (apt-get install hyperfine) and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT=${PORT:-8765}
[ -n "${NO_BUILD:-}" ] || cargo build --release -p kinbox-cli
python3 kinbox-cli/benches/mock_server.py "$PORT" &
MOCK=$!
trap 'kill $MOCK' EXIT
sleep 0.5

export KINBOX_TOKEN=bench-token KINBOX_BASE_URL="http://127.0.0.1:$PORT"
BODY='{"name":"Pedido #1042","value":1890.5,"status":"open","pipelineId":"65f0c0ffee0000000000aaaa","stageId":"65f0c0ffee0000000000bbbb","contactId":123456,"customFields":{}}'

printf '%s' "$BODY" > target/bench-deal.json

hyperfine --warmup 10 --runs 200 -N --export-markdown target/bench-create.md \
  "curl -s -o /dev/null -X POST http://127.0.0.1:$PORT/v1/deals -H 'Authorization: Bearer bench-token' -H 'Content-Type: application/json' --data '$BODY'" \
  "target/release/kinbox deals create --name 'Pedido #1042' --value 1890.5 --status open --pipeline-id 65f0c0ffee0000000000aaaa --stage-id 65f0c0ffee0000000000bbbb --contact-id 123456" \
  "target/release/kinbox deals create --json-body target/bench-deal.json"

hyperfine --warmup 10 --runs 300 -N --export-markdown target/bench-help.md \
  "target/release/kinbox --help" \
  "target/release/kinbox deals create --help"
