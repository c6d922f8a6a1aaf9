#!/usr/bin/env bash
# Fuzzes the parsers (cargo-fuzz, libFuzzer): each target for SECONDS (default 60), every target
# unless some are named. A crash, or one input taking longer than 5 s (the hang bound), fails
# the run and leaves the input in fuzz/artifacts/<target>/. New corpus entries go to a scratch
# directory; the repository keeps only the small seeds in fuzz/seeds/.
#   scripts/fuzz.sh [SECONDS] [resident_id phone area_code sheet health_code_token public_json]
set -euo pipefail
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(resident_id phone area_code sheet health_code_token public_json)
cd "$(dirname "$0")/../fuzz"
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/fangkong-fuzz-target}"

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz
# Safe Rust only (unsafe is forbidden in the workspace): coverage without a sanitizer.
cargo +nightly fuzz build -s none

for target in "${targets[@]}"; do
  work="$(mktemp -d)"
  max_len=4096
  [ "$target" = sheet ] && max_len=262144
  echo "== $target: ${seconds} s"
  if ! cargo +nightly fuzz run -s none "$target" "$work" "seeds/$target" -- \
      -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len="$max_len" \
      -print_final_stats=1 >"$work.log" 2>&1; then
    tail -n 40 "$work.log"
    echo "== $target FAILED (input in fuzz/artifacts/$target/)"
    rm -rf "$work"
    exit 1
  fi
  grep -E '^(#[0-9]+\s+DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$work.log" || tail -n 3 "$work.log"
  echo "   corpus: $(ls "$work" | wc -l) inputs"
  rm -rf "$work" "$work.log"
done
