#!/usr/bin/env bash
# Bets benchmark: durable bets per second through one edge (closed loop, many bets in
# flight), then p50/p99/p999 latency at a steady rate (open loop, 10,000 bets/s, the target;
# RATE sets another, and an empty RATE half the saturation rate), and a line saying whether
# the target (10,000/s with p99 under 20 ms) was met. Release builds on loopback: one origin
# (fsync on every group commit), one edge checking Ed25519 customer tokens. See odds-bench
# (Sources/OddsBench/BetBenchmark.swift) for how each number is taken.
#
# Environment: SECONDS_PER_PHASE (default 10), CONNECTIONS (16), IN_FLIGHT (32 per
#              connection), ACCOUNTS (100), RATE (10000), ORIGIN_THREADS and
#              EDGE_THREADS (event loops; default one per core), SHOW_COMMITS=1 prints the
#              origin's commit-time histogram, EDGE_BIN runs another odds-edge binary (to
#              compare two builds), TIMELINE=1 prints the steady phase half a second at
#              a time, KEEP_TMP=1 keeps the logs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
oddsnet_install_packages "${ODDSNET_PACKAGES[@]}"
oddsnet_find_swift
source scripts/bench/network.sh

build_release odds-origin odds-edge odds-bench
tmp=$(mktemp -d)
PIDS=()
cleanup() {
    if ((${#PIDS[@]})); then kill -TERM "${PIDS[@]}" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    [[ "${KEEP_TMP:-0}" == 1 ]] && echo "kept $tmp" >&2 || rm -rf "$tmp"
}
trap cleanup EXIT

openssl genpkey -algorithm ed25519 -out "$tmp/k1.key" 2>/dev/null
openssl pkey -in "$tmp/k1.key" -pubout -out "$tmp/k1.pub"
FEED=$(free_port); ADMIN=$(free_port); EDGE=$(free_port)
ADMIN_TOKEN=bench-admin-token-0123456789
FEED_TOKEN=bench-feed-token-0123456789
origin_threads=${ORIGIN_THREADS:+"\"threads\": $ORIGIN_THREADS,"}
edge_threads=${EDGE_THREADS:+"\"threads\": $EDGE_THREADS,"}
cat >"$tmp/origin.json" <<JSON
{"dataDirectory": "origin", "listen": "127.0.0.1:$FEED", "adminListen": "127.0.0.1:$ADMIN",
 "adminToken": "$ADMIN_TOKEN", "feedToken": "$FEED_TOKEN", "logLevel": "warning", $origin_threads
 "tokenSigningKey": {"id": "k1", "privateKeyFile": "k1.key"}}
JSON
cat >"$tmp/edge.json" <<JSON
{"edgeID": "edge-1", "listen": "127.0.0.1:$EDGE", "dataDirectory": "edge", "logLevel": "warning",
 $edge_threads
 "origin": {"address": "127.0.0.1:$FEED", "token": "$FEED_TOKEN"},
 "tokenKeys": [{"id": "k1", "publicKeyFile": "k1.pub"}]}
JSON
"$BIN/odds-origin" --config "$tmp/origin.json" 2>"$tmp/origin.log" & PIDS+=($!)
wait_for "http://127.0.0.1:$ADMIN/healthz"
"${EDGE_BIN:-$BIN/odds-edge}" --config "$tmp/edge.json" 2>"$tmp/edge.log" & PIDS+=($!)
wait_for "http://127.0.0.1:$EDGE/readyz"

echo "disk: $(df -h "$tmp" | awk 'NR==2 {print $1}'), fsync on every origin commit"
# CPU seconds a process has used, user and system, from /proc.
cpu_seconds() {
    awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f %.2f", $14 / hz, $15 / hz}' "/proc/$1/stat"
}
# Bytes the origin has handed to write system calls so far, from /proc: LMDB's pages, and
# the answers it sends (a small part). (/proc's write_bytes is no measure here: it counts
# each large page-cache folio a write dirties whole.)
io_counts() { awk '/^wchar:/ {print $2}' "/proc/$1/io"; }
origin_before=$(cpu_seconds "${PIDS[0]}")
io_before=$(io_counts "${PIDS[0]}")
commits_before=$(curl -s "http://127.0.0.1:$FEED/metrics" \
    | awk '/^origin_commits_total/ {print $2}')
edge_before=$(cpu_seconds "${PIDS[1]}")
TIMEFORMAT='%U %S'
rate=${RATE-10000}
exec 3>&1 4>&2
bench_cpu=$( { time "$BIN/odds-bench" bets --admin "http://127.0.0.1:$ADMIN" \
    --token "$ADMIN_TOKEN" --edge "http://127.0.0.1:$EDGE" --seconds "${SECONDS_PER_PHASE:-10}" \
    --connections "${CONNECTIONS:-16}" --in-flight "${IN_FLIGHT:-32}" \
    --accounts "${ACCOUNTS:-100}" ${rate:+--rate "$rate"} ${TIMELINE:+--timeline} \
    >"$tmp/bench.out" 2>&4; } 2>&1 )
cat "$tmp/bench.out"
# The issue's target, read off the steady phase when it ran at 10,000/s or more.
awk '$1 == "steady" && $2 + 0 >= 10000 {
    ok = ($5 >= 10000 * 0.99 && $7 < 20) ? "met" : "NOT met"
    printf "target: 10,000 accepted bets/s with p99 under 20 ms: %s (%s/s, p99 %s ms)\n",
        ok, $5, $7 }' "$tmp/bench.out"
metrics=$(curl -s "http://127.0.0.1:$FEED/metrics")
grep -E '^origin_(commits_total|bets_accepted_total|commit_seconds_(sum|count))' <<<"$metrics" \
    || true
[[ -n "${SHOW_COMMITS:-}" ]] && grep -E '^origin_commit_seconds_bucket' <<<"$metrics"
accepted=$(awk '/^origin_bets_accepted_total/ {print $2}' <<<"$metrics")
commits=$(( $(awk '/^origin_commits_total/ {print $2}' <<<"$metrics") - commits_before ))
# shellcheck disable=SC2086
python3 - "$commits" "$accepted" $(io_counts "${PIDS[0]}") $io_before <<'PY'
import sys
commits, bets, written, written0 = (float(x or 0) for x in sys.argv[1:5])
if commits and bets:
    print(f"origin: {bets / commits:.1f} bets per commit, "
          f"{(written - written0) / bets / 1024:.1f} KiB written per bet")
PY
# shellcheck disable=SC2086
python3 - "$accepted" $(cpu_seconds "${PIDS[0]}") $origin_before \
    $(cpu_seconds "${PIDS[1]}") $edge_before $bench_cpu <<'PY'
import sys
bets = float(sys.argv[1] or 0)
v = [float(x) for x in sys.argv[2:]]
used = {"origin": (v[0] - v[2], v[1] - v[3]), "edge": (v[4] - v[6], v[5] - v[7]),
        "odds-bench": (v[8], v[9])}
print("cpu over both phases, seconds and microseconds per accepted bet:")
print("  process        user  system   us/bet")
for name, (user, system) in used.items():
    per_bet = (user + system) / bets * 1e6 if bets else 0
    print(f"  {name:11s} {user:7.2f} {system:7.2f} {per_bet:8.1f}")
PY
