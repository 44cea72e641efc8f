#!/usr/bin/env bash
# Recording a dose through Dosebook against pgbench running the equivalent
# raw SQL, side by side, same client count (docs/performance.md). Each run
# gets a fresh copy of the template database made once by:
#
#   psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE dosebook_perf_rec_tpl'
#   DOSEBOOK_DATABASE_URL='postgres://postgres@127.0.0.1:5432/dosebook_perf_rec_tpl?sslmode=disable' \
#     ./dosebook generate --patients 20000 --days 30 --pharmacies 200 > perf_rec.json
#   psql -h 127.0.0.1 -U postgres -d dosebook_perf_rec_tpl -c 'VACUUM ANALYZE'
#
# usage: docs/bench/record_vs_pgbench.sh ./dosebook perf_rec.json [seconds] [clients] [rounds]
# Each round runs both sides, alternating which goes first (two shared
# cores make single runs vary by ±10 %); the summary gives every round and
# the median ratio. Loopback only; the server runs on 127.0.0.1:18080
# (BENCH_PORT overrides it). BENCH_DB (default dosebook_perf_rec) names the
# databases: the template is ${BENCH_DB}_tpl, the copies ${BENCH_DB} and
# ${BENCH_DB}_pgbench, so that two people on one machine can each run it.
# Keep seconds × rate below the ≈ 17,900 instalments due today (15 s is
# safe at 1,100/s; a side that runs out reports its rate over the time taken).
set -euo pipefail
BIN=$(realpath "$1"); TOKENS=$(realpath "$2"); SECS=${3:-20}; C=${4:-8}; ROUNDS=${5:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
PG=postgres://postgres@127.0.0.1:5432
PORT=${BENCH_PORT:-18080}
DB=${BENCH_DB:-dosebook_perf_rec}
DAY=$(TZ=Europe/London date +%F)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

fresh() {
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" 2>/dev/null
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $1 TEMPLATE ${DB}_tpl"
  psql -h 127.0.0.1 -U postgres -d "$1" -qc "CHECKPOINT" >/dev/null
}

dosebook_side() { # prints req/s
  fresh "$DB"
  DOSEBOOK_DATABASE_URL="$PG/$DB?sslmode=disable" "$BIN" serve --addr 127.0.0.1:$PORT --log-level warn >"$OUT/server.log" 2>&1 &
  local spid=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:$PORT/readyz >/dev/null && break; sleep 0.2; done
  # The server closes yesterday at start (catch-up); wait until it is idle
  # so that only recording is measured.
  local prev=-1 c
  for _ in $(seq 600); do c=$(awk '{print $14+$15}' /proc/$spid/stat); [ "$c" -le $((prev + 5)) ] && break; prev=$c; sleep 1; done
  ( while kill -0 $spid 2>/dev/null; do awk '/VmRSS/{print $2}' /proc/$spid/status; sleep 0.5; done ) | sort -n | tail -1 >"$OUT/rss" &
  "$BIN" load --url http://127.0.0.1:$PORT --token-file "$TOKENS" --duration "${SECS}s" --concurrency "$C" --mix record=100 >"$OUT/load.txt"
  kill $spid; wait $spid 2>/dev/null || true; sleep 1
  tail -3 "$OUT/load.txt" >&2
  echo "server max RSS: $(( $(cat "$OUT/rss") / 1024 )) MB" >&2
  awk '/requests in/ {for (i=1;i<=NF;i++) if ($i=="req/s") print $(i-1)}' "$OUT/load.txt"
}

pgbench_side() { # prints tps
  fresh "${DB}_pgbench"
  psql -h 127.0.0.1 -U postgres -d "${DB}_pgbench" -q -v day="$DAY" -f "$HERE/record_dose_setup.sql" >/dev/null 2>&1
  pgbench -h 127.0.0.1 -U postgres -n -M prepared -c "$C" -j 2 -T "$SECS" -f "$HERE/record_dose.sql" "${DB}_pgbench" >"$OUT/pgbench.txt" 2>&1
  grep -E '^(number of transactions actually|number of failed|latency average|tps)' "$OUT/pgbench.txt" >&2
  awk '/^tps/ {print $3}' "$OUT/pgbench.txt"
}

results=()
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then
    echo "== round $r: Dosebook over HTTP, then pgbench ($C clients, ${SECS}s each)" >&2
    d=$(dosebook_side); p=$(pgbench_side)
  else
    echo "== round $r: pgbench, then Dosebook over HTTP ($C clients, ${SECS}s each)" >&2
    p=$(pgbench_side); d=$(dosebook_side)
  fi
  results+=("$d $p")
done
echo
echo "round  dosebook_req/s  pgbench_tps  ratio"
printf '%s\n' "${results[@]}" | awk '{r=100*$1/$2; printf "%5d  %14.1f  %11.1f  %5.1f %%\n", NR, $1, $2, r}'
printf '%s\n' "${results[@]}" | awk '{print 100*$1/$2}' | sort -n | awk '{a[NR]=$1} END {printf "median ratio: %.1f %% over %d rounds (target ≥ 60 %%)\n", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2), NR}'
