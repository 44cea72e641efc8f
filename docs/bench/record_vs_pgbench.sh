#!/usr/bin/env bash
# Recording a dose through Dosebook against pgbench running the equivalent
# raw SQL, side by side, same client count (docs/performance.md). Each side
# gets a fresh copy of the template database made once by:
#
#   psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE dosebook_perf_rec_tpl'
#   DOSEBOOK_DATABASE_URL='postgres://postgres@127.0.0.1:5432/dosebook_perf_rec_tpl?sslmode=disable' \
#     ./dosebook generate --patients 20000 --days 30 --pharmacies 200 > perf_rec.json
#   psql -h 127.0.0.1 -U postgres -d dosebook_perf_rec_tpl -c 'VACUUM ANALYZE'
#
# usage: docs/bench/record_vs_pgbench.sh ./dosebook perf_rec.json [seconds] [clients]
# Loopback only; the server runs on 127.0.0.1:18080. Keep seconds × rate
# below the ≈ 17,700 instalments due today (25 s is safe).
set -euo pipefail
BIN=$(realpath "$1"); TOKENS=$(realpath "$2"); SECS=${3:-25}; C=${4:-8}
HERE=$(cd "$(dirname "$0")" && pwd)
PG=postgres://postgres@127.0.0.1:5432
DAY=$(TZ=Europe/London date +%F)
for db in dosebook_perf_rec dosebook_perf_rec_pgbench; do
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" 2>/dev/null
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db TEMPLATE dosebook_perf_rec_tpl"
done
LOG=$(mktemp)
DOSEBOOK_DATABASE_URL="$PG/dosebook_perf_rec?sslmode=disable" "$BIN" serve --addr 127.0.0.1:18080 --log-level warn >"$LOG" 2>&1 &
SPID=$!
trap 'kill $SPID 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:18080/readyz >/dev/null && break; sleep 0.2; done
# The server closes yesterday at start (catch-up); wait until it is idle so
# that only recording is measured.
prev=-1
while :; do c=$(awk '{print $14+$15}' /proc/$SPID/stat); [ "$c" -le $((prev + 5)) ] && break; prev=$c; sleep 1; done
( while kill -0 $SPID 2>/dev/null; do awk '/VmRSS/{print $2}' /proc/$SPID/status; sleep 0.5; done ) | sort -n | tail -1 >"$LOG.rss" &
echo "== Dosebook over HTTP ($C clients, ${SECS}s)"
"$BIN" load --url http://127.0.0.1:18080 --token-file "$TOKENS" --duration "${SECS}s" --concurrency "$C" --mix record=100 | tail -3
kill $SPID; wait $SPID 2>/dev/null || true; sleep 1
echo "server max RSS: $(( $(cat "$LOG.rss") / 1024 )) MB"
echo "== pgbench, raw SQL ($C clients, ${SECS}s)"
psql -h 127.0.0.1 -U postgres -d dosebook_perf_rec_pgbench -q -v day="$DAY" -f "$HERE/record_dose_setup.sql" >/dev/null 2>&1
pgbench -h 127.0.0.1 -U postgres -n -M prepared -c "$C" -j 2 -T "$SECS" -f "$HERE/record_dose.sql" dosebook_perf_rec_pgbench 2>&1 |
  grep -E '^(number of transactions actually|number of failed|latency average|tps)'
rm -f "$LOG" "$LOG.rss"
