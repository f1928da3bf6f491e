#!/usr/bin/env bash
# Instructions per parse, for each sample payload and each parser of benches/dispatch.rs, counted by
# callgrind: the same figures on every run, where timings on a shared machine vary by a third.
#
# Usage: bash benches/count_dispatch.sh [repetitions] [--user-build]   (needs valgrind and jq; prints a
# Markdown table)
#
# --user-build: builds benches/dispatch.rs as a crate of its own that depends on knock-webhooks, with
# cargo's default release profile, as a service using the bindings builds them (this workspace's release
# profile has fat LTO, for the generator). It also generates the bindings without the overlay (`data` an
# untyped map, as before it was typed) into knock-untyped/ beside it, and times them as `untyped_event`.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
reps="${1:-2000}"
if [[ "${2:-}" == "--user-build" ]]; then
  crate="$repo/target/dispatch-user-build"
  mkdir -p "$crate/benches"
  cp benches/dispatch.rs benches/median.rs "$crate/benches/"
  cargo run --quiet --release -p generator -- --spec spec/knock.asyncapi.yaml --out "$crate/knock-untyped" \
    --crate-name knock-webhooks-untyped
  printf 'fn main() {\n    println!("cargo::rustc-check-cfg=cfg(untyped_baseline)");\n    println!("cargo::rustc-cfg=untyped_baseline");\n}\n' > "$crate/build.rs"
  cp Cargo.lock "$crate/Cargo.lock" # the same versions as the workspace, unused ones pruned
  {
    echo '[package]'
    echo 'name = "dispatch-user-build"'
    echo 'version = "0.0.0"'
    echo 'edition = "2024"'
    echo 'publish = false'
    echo '[workspace]'
    echo 'members = [".", "knock-untyped"]'
    echo '[dev-dependencies]'
    echo "knock-webhooks = { path = \"$repo/generated\" }"
    echo 'knock-webhooks-untyped = { path = "knock-untyped" }'
    echo 'uuid = { version = "1", features = ["serde"] }'
    grep -E '^(criterion|serde-transcode) = ' Cargo.toml # as the workspace declares them
    echo 'chrono = { version = "0.4", default-features = false, features = ["serde", "std"] }'
    echo 'serde = { version = "1", features = ["derive"] }'
    echo 'serde_json = "1"'
    echo '[[bench]]'
    echo 'name = "dispatch"'
    echo 'harness = false'
  } > "$crate/Cargo.toml"
  manifest="$crate/Cargo.toml"
  export DISPATCH_REPO="$repo"
  parsers=(event floor tagged_enum value untyped_event)
else
  manifest="$repo/Cargo.toml"
  parsers=(event floor tagged_enum value)
fi
exe=$(cargo bench --manifest-path "$manifest" --bench dispatch --no-run --message-format=json 2>/dev/null \
  | jq -r 'select(.executable != null and .target.name == "dispatch") | .executable' | tail -n 1)
count() { # payload parser repetitions -> instructions
  DISPATCH_REPEAT="$1:$2:$3" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$exe" 2>&1 \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
# best/tagged: floor ÷ tagged_enum, the event/tagged ratio of a parse that cost exactly the floor.
header="| payload |"; rule="|---|"
for parser in "${parsers[@]}"; do header+=" $parser |"; rule+="---|"; done
header+=" event/floor | event/tagged | best/tagged | event/value |"; rule+="---|---|---|---|"
[[ ${#parsers[@]} -gt 4 ]] && { header+=" event/untyped |"; rule+="---|"; }
echo "$header"; echo "$rule"
for fixture in tests/fixtures/events/*.json; do
  payload=$(basename "$fixture" .json)
  base=$(count "$payload" event 0)
  declare -A per=()
  row="| $payload |"
  for parser in "${parsers[@]}"; do
    per[$parser]=$(( ($(count "$payload" "$parser" "$reps") - base) / reps ))
    row+=" ${per[$parser]} |"
  done
  row+=$(awk -v e="${per[event]}" -v f="${per[floor]}" -v t="${per[tagged_enum]}" -v v="${per[value]}" \
    'BEGIN { printf " %.3f× | %.3f× | %.3f× | %.3f× |", e / f, e / t, f / t, e / v }')
  if [[ -n "${per[untyped_event]:-}" ]]; then
    row+=$(awk -v e="${per[event]}" -v u="${per[untyped_event]}" 'BEGIN { printf " %.3f× |", e / u }')
  fi
  echo "$row"
done
