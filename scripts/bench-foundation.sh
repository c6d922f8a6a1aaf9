#!/usr/bin/env bash
# Foundation benchmarks (issue 3), side by side in one run: build the 1 M-person demo city on
# SQLite and on PostgreSQL, then measure the key-person list (page and API) for an officer and
# for the city admin on each. Prints one JSON line per figure.
#   PG=postgres://postgres@127.0.0.1:5432 scripts/bench-foundation.sh [persons]
set -euo pipefail
cd "$(dirname "$0")/.."
persons="${1:-1000000}"
pg="${PG:-postgres://postgres@127.0.0.1:5432}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/fangkong-target}"
cargo build --release -q -p fangkong
bin="$CARGO_TARGET_DIR/release/fangkong"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure_demo() { # backend, data dir
  local started ended
  started=$(date +%s.%N)
  "$bin" demo --persons "$persons" --no-serve --data-dir "$2" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  ended=$(date +%s.%N)
  echo "{\"bench\":\"demo_build\",\"backend\":\"$1\",\"persons\":$persons,\"seconds\":$(echo "$ended - $started" | bc)}"
}

# SQLite
measure_demo sqlite "$work/sqlite"
echo "{\"bench\":\"database_size\",\"backend\":\"sqlite\",\"bytes\":$(stat -c %s "$work/sqlite/fangkong.db")}"
for user in officer admin; do "$bin" bench list --data-dir "$work/sqlite" --username "$user" --requests 2000 2>/dev/null; done

# PostgreSQL
psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS fk_bench" -c "CREATE DATABASE fk_bench" >/dev/null
export DATABASE_URL="$pg/fk_bench"
measure_demo postgres "$work/pg"
echo "{\"bench\":\"database_size\",\"backend\":\"postgres\",\"bytes\":$(psql "$pg/fk_bench" -tAc "select pg_database_size('fk_bench')")}"
for user in officer admin; do "$bin" bench list --data-dir "$work/pg" --username "$user" --requests 2000 2>/dev/null; done
