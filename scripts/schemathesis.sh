#!/usr/bin/env bash
# Conformance of kinbox-sandbox to openapi/kinbox.yaml: schemathesis generates
# requests from the spec (valid and invalid ones) and checks every answer
# against it (statuses, headers, bodies, auth, use after delete…).
#
#   scripts/schemathesis.sh                 # 100 examples per operation: about a minute
#                                           # for the 37 operations on 2 cores
#   SCHEMATHESIS_MAX_EXAMPLES=500 scripts/schemathesis.sh
#   scripts/schemathesis.sh --phases=fuzzing # extra arguments go to `schemathesis run`
#   SCHEMATHESIS_SPEC=path/to/changed.yaml scripts/schemathesis.sh  # try a spec change first
#
# Exits non-zero when schemathesis finds a failure. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
SPEC="${SCHEMATHESIS_SPEC:-openapi/kinbox.yaml}"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-100}"
SEED="${SCHEMATHESIS_SEED:-20240601}"
TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
WORK_DIR="$TARGET_DIR/schemathesis"
VENV="$WORK_DIR/venv"
# Fixed, so that schemathesis's `ignored_auth` check can tell a wrong token
# from a right one (by default the sandbox accepts any non-empty token).
TOKEN="schemathesis-$RANDOM$RANDOM"

mkdir -p "$WORK_DIR"
if [[ "$("$VENV/bin/schemathesis" --version 2>/dev/null)" != *"$SCHEMATHESIS_VERSION"* ]]; then
    echo "installing schemathesis $SCHEMATHESIS_VERSION into $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

cargo build --quiet -p kinbox-sandbox --bin kinbox-sandbox
SANDBOX_OUT="$WORK_DIR/sandbox.out"
"$TARGET_DIR/debug/kinbox-sandbox" --port 0 --token "$TOKEN" >"$SANDBOX_OUT" 2>"$WORK_DIR/sandbox.err" &
SANDBOX_PID=$!
trap 'kill "$SANDBOX_PID" 2>/dev/null || true; wait "$SANDBOX_PID" 2>/dev/null || true' EXIT

BASE_URL=""
for _ in $(seq 1 100); do
    BASE_URL="$(sed -n 's/^KINBOX_BASE_URL=//p' "$SANDBOX_OUT")"
    [[ -n "$BASE_URL" ]] && break
    if ! kill -0 "$SANDBOX_PID" 2>/dev/null; then
        echo "the sandbox exited before listening:" >&2
        cat "$WORK_DIR/sandbox.err" >&2
        exit 1
    fi
    sleep 0.1
done
if [[ -z "$BASE_URL" ]]; then
    echo "the sandbox printed no KINBOX_BASE_URL within 10 s; see $WORK_DIR/sandbox.err" >&2
    exit 1
fi
echo "sandbox at $BASE_URL (pid $SANDBOX_PID); $MAX_EXAMPLES examples per operation, seed $SEED" >&2

"$VENV/bin/schemathesis" run "$SPEC" \
    --url "$BASE_URL" \
    --header "Authorization: Bearer $TOKEN" \
    --checks all \
    --max-examples "$MAX_EXAMPLES" \
    --seed "$SEED" \
    --generation-database none \
    --no-color \
    "$@"
