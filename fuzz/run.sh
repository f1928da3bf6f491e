#!/usr/bin/env bash
# Runs each fuzz target for a bounded time (default 600 s each), one after the other, seeded with the
# project's specs and sample payloads. Needs cargo-fuzz (installed here if missing); RUSTC_BOOTSTRAP lets
# the stable toolchain build with the sanitizer flags cargo-fuzz uses. Crashes land in fuzz/artifacts/.
#   bash fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(generator_pipeline yaml_load event_parse)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1

mkdir -p corpus/generator_pipeline corpus/yaml_load corpus/event_parse
cp ../spec/knock.asyncapi.yaml corpus/generator_pipeline/
for f in ../generator/tests/golden/*/spec.yaml; do cp "$f" "corpus/generator_pipeline/golden-$(basename "$(dirname "$f")").yaml"; done
if [ -d ../../shared/corpus/asyncapi ]; then
  find ../../shared/corpus/asyncapi -maxdepth 1 -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.json' \) \
    -size -200k -exec cp {} corpus/generator_pipeline/ \;
fi
cp corpus/generator_pipeline/*.y*ml corpus/yaml_load/
cp ../tests/fixtures/events/*.json corpus/event_parse/

for target in "${targets[@]}"; do
  echo "== $target for ${seconds}s"
  cargo fuzz run "$target" "corpus/$target" -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
done
