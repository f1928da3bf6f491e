#!/usr/bin/env bash
# Instructions per parse, for each sample payload and each parser of benches/dispatch.rs, counted by
# callgrind: the same figures on every run, where timings on a shared machine vary by a third.
# Usage: bash benches/count_dispatch.sh [repetitions]   (needs valgrind and jq; prints a Markdown table)
set -euo pipefail
cd "$(dirname "$0")/.."
reps="${1:-2000}"
exe=$(cargo bench --bench dispatch --no-run --message-format=json 2>/dev/null \
  | jq -r 'select(.executable != null and .target.name == "dispatch") | .executable' | tail -n 1)
count() { # payload parser repetitions -> instructions
  DISPATCH_REPEAT="$1:$2:$3" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$exe" 2>&1 \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
echo "| payload | event | floor | tagged_enum | value | event/floor | event/tagged |"
echo "|---|---|---|---|---|---|---|"
for fixture in tests/fixtures/events/*.json; do
  payload=$(basename "$fixture" .json)
  base=$(count "$payload" event 0)
  declare -A per=()
  for parser in event floor tagged_enum value; do
    per[$parser]=$(( ($(count "$payload" "$parser" "$reps") - base) / reps ))
  done
  awk -v p="$payload" -v e="${per[event]}" -v f="${per[floor]}" -v t="${per[tagged_enum]}" -v v="${per[value]}" \
    'BEGIN { printf "| %s | %d | %d | %d | %d | %.2f× | %.2f× |\n", p, e, f, t, v, e / f, e / t }'
done
