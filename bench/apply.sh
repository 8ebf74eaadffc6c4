#!/usr/bin/env bash
# Apply benchmark: schemagate against goose and golang-migrate, in one run.
#
#   bash bench/apply.sh [RUNS]
#
# 1. Wall time to apply 200 one-statement migrations to a fresh PostgreSQL
#    database, per tool, RUNS times each in turn (A B C A B C …); prints the
#    medians and schemagate's ratio to the faster peer (target ≤ 1.0).
# 2. Wall time of 20 concurrent `schemagate apply` against one fresh database
#    versus a single one (target ≤ 1.5×).
#
# The peers are installed from the Go module proxy into a cache directory
# (never committed). Needs psql and the PostgreSQL server of the test setup:
# SCHEMAGATE_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test.
set -euo pipefail

RUNS=${1:-5}
N=200
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SERVER=${SCHEMAGATE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
CACHE=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/schemagate-bench}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$CACHE/bin"

# db_url NAME: the server URL with its database replaced by NAME.
db_url() { echo "$SERVER" | sed -E "s#/[^/?]*(\?|$)#/$1\1#"; }
fresh_db() {
	psql -q "$SERVER" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null
}
drop_db() { psql -q "$SERVER" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "building schemagate and installing the peers (goose v3.30.0, golang-migrate v4.20.1)…" >&2
(cd "$ROOT" && go build -o "$WORK/schemagate" ./cmd/schemagate)
[ -x "$CACHE/bin/goose" ] || GOBIN="$CACHE/bin" go install \
	-tags 'no_clickhouse no_libsql no_mssql no_mysql no_sqlite3 no_vertica no_ydb no_turso no_spanner no_starrocks' \
	github.com/pressly/goose/v3/cmd/goose@v3.30.0
[ -x "$CACHE/bin/migrate" ] || GOBIN="$CACHE/bin" go install -tags postgres \
	github.com/golang-migrate/migrate/v4/cmd/migrate@v4.20.1

# The same 200 migrations in each tool's layout.
mkdir -p "$WORK/sg/migrations" "$WORK/goose" "$WORK/migrate"
for i in $(seq 1 $N); do
	v=$(printf '%04d' "$i")
	echo "CREATE TABLE t_$i (id integer PRIMARY KEY, note text);" > "$WORK/sg/migrations/${v}_t_$i.up.sql"
	cp "$WORK/sg/migrations/${v}_t_$i.up.sql" "$WORK/migrate/${v}_t_$i.up.sql"
	printf -- '-- +goose Up\nCREATE TABLE t_%s (id integer PRIMARY KEY, note text);\n' "$i" > "$WORK/goose/${v}_t_$i.sql"
done
(cd "$WORK/sg" && "$WORK/schemagate" hash >/dev/null)

run_schemagate() { (cd "$WORK/sg" && "$WORK/schemagate" apply --url "$(db_url "$1")" -o json >/dev/null); }
run_goose() { "$CACHE/bin/goose" -dir "$WORK/goose" postgres "$(db_url "$1")" up >/dev/null 2>&1; }
run_migrate() { "$CACHE/bin/migrate" -path "$WORK/migrate" -database "$(db_url "$1")" up >/dev/null 2>&1; }

# time_one TOOL: fresh database, apply, check all 200 tables exist, print ms.
time_one() {
	local db="sgbench_$1"
	fresh_db "$db"
	local t0; t0=$(now_ms)
	"run_$1" "$db"
	local t1; t1=$(now_ms)
	local n; n=$(psql -tA "$(db_url "$db")" -c "SELECT count(*) FROM pg_tables WHERE tablename LIKE 't\_%'")
	[ "$n" = "$N" ] || { echo "$1 created $n tables, expected $N" >&2; exit 1; }
	drop_db "$db"
	echo $((t1 - t0))
}

declare -A times
for tool in schemagate goose migrate; do time_one "$tool" >/dev/null; done # warm-up
for r in $(seq 1 "$RUNS"); do
	for tool in schemagate goose migrate; do
		times[$tool]+="$(time_one "$tool") "
	done
done

echo
echo "Apply $N one-statement migrations to a fresh PostgreSQL database ($RUNS runs each, interleaved)"
printf '%-12s %10s   %s\n' tool "median ms" "runs (ms)"
for tool in schemagate goose migrate; do
	m=$(echo "${times[$tool]}" | tr ' ' '\n' | grep . | median)
	printf '%-12s %10s   %s\n' "$tool" "$m" "${times[$tool]}"
	eval "med_$tool=$m"
done
faster=$(( med_goose < med_migrate ? med_goose : med_migrate ))
awk -v a="$med_schemagate" -v b="$faster" -v g="$med_goose" -v m="$med_migrate" 'BEGIN {
	printf "ratio schemagate / faster peer: %.2f (target <= 1.00)\n", a / b
	printf "ratio schemagate / goose: %.2f, schemagate / golang-migrate: %.2f\n", a / g, a / m }'

# 20 concurrent runners against one database versus one runner.
concurrent() {
	local db=sgbench_conc
	fresh_db "$db"
	local t0; t0=$(now_ms)
	local pids=()
	for _ in $(seq 1 "$1"); do run_schemagate "$db" & pids+=($!); done
	for p in "${pids[@]}"; do wait "$p" || { echo "a concurrent runner failed" >&2; exit 1; }; done
	local t1; t1=$(now_ms)
	local n; n=$(psql -tA "$(db_url "$db")" -c "SELECT count(*) FROM schemagate_migrations")
	[ "$n" = "$N" ] || { echo "history has $n rows, expected $N" >&2; exit 1; }
	drop_db "$db"
	echo $((t1 - t0))
}
one=""; twenty=""
for r in $(seq 1 "$RUNS"); do
	one+="$(concurrent 1) "
	twenty+="$(concurrent 20) "
done
m1=$(echo "$one" | tr ' ' '\n' | grep . | median)
m20=$(echo "$twenty" | tr ' ' '\n' | grep . | median)
echo
echo "20 concurrent schemagate apply vs 1, same $N migrations ($RUNS runs each)"
printf '%-12s %10s   %s\n' runners "median ms" "runs (ms)"
printf '%-12s %10s   %s\n' 1 "$m1" "$one"
printf '%-12s %10s   %s\n' 20 "$m20" "$twenty"
awk -v a="$m20" -v b="$m1" 'BEGIN { printf "ratio 20 / 1: %.2f (target <= 1.50)\n", a / b }'
