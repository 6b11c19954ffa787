#!/usr/bin/env bash
# The property suites (proptest) for longer than CI runs them: round after
# round with a new seed each, until MINUTES have passed. The targets: the
# SDK's answers, path ids, tokens and import journals (kinbox-api's
# tests/api/properties.rs), the CLI's values and config, and kinbox-input's
# numbers, dates, phones and spreadsheet reading. Prints one line per
# round and a total; exits non-zero at the first failure, whose output shows
# the minimal failing input and the seed that reproduces it.
#
#   scripts/properties-long.sh [MINUTES] [CASES_PER_ROUND]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-10}"
cases="${2:-2000}"
deadline=$(( $(date +%s) + minutes * 60 ))
cargo test -p kinbox-api --test api --no-run --quiet
cargo test -p kinbox-cli --lib --no-run --quiet
cargo test -p kinbox-input --lib --no-run --quiet
rounds=0
while [ "$(date +%s)" -lt "$deadline" ]; do
  seed=$(( (RANDOM << 15) | RANDOM ))
  started=$(date +%s)
  PROPTEST_CASES="$cases" PROPTEST_RNG_SEED="$seed" \
    cargo test -p kinbox-api --test api --quiet -- properties:: 2>&1 | grep -E '^test result' || { echo "FAILED (kinbox-api, PROPTEST_RNG_SEED=$seed)"; exit 1; }
  PROPTEST_CASES=$(( cases * 10 )) PROPTEST_RNG_SEED="$seed" \
    cargo test -p kinbox-cli --lib --quiet -- values:: config:: 2>&1 | grep -E '^test result' || { echo "FAILED (kinbox-cli, PROPTEST_RNG_SEED=$seed)"; exit 1; }
  # --jq over hostile programs: each case may run to its deadline, so it runs an eighth of $cases.
  PROPTEST_CASES="$cases" PROPTEST_RNG_SEED="$seed" \
    cargo test -p kinbox-cli --lib --quiet -- jq:: 2>&1 | grep -E '^test result' || { echo "FAILED (kinbox-cli jq, PROPTEST_RNG_SEED=$seed)"; exit 1; }
  PROPTEST_CASES=$(( cases * 10 )) PROPTEST_RNG_SEED="$seed" \
    cargo test -p kinbox-input --lib --quiet 2>&1 | grep -E '^test result' || { echo "FAILED (kinbox-input, PROPTEST_RNG_SEED=$seed)"; exit 1; }
  rounds=$(( rounds + 1 ))
  echo "round $rounds: seed $seed, $cases cases per kinbox-api property, $(( cases * 10 )) per CLI property, $(( $(date +%s) - started )) s"
done
echo "properties: $rounds rounds in $minutes minutes, 0 failures"
