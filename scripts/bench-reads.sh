#!/usr/bin/env bash
# Edge reads benchmark: h2load against GET /v1/markets/{id} over 1,000 market ids at an
# odds-edge (fed by an odds-origin, reading from LMDB), and against nghttpd serving the same
# 1,000 documents as files, in one run, at h2c -c 100 -m 10.
#
# Environment:
#   THREADS         worker threads for odds-edge and nghttpd (default: nproc)
#   DURATION        measured seconds per h2load run (default: 5)
#   ROUNDS          alternating rounds per server; the median is reported (default: 3)
#   H2LOAD_THREADS  h2load client threads (default: 1)
#   KEEP_TMP=1      keep the temp dir (logs, documents, h2load output)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
oddsnet_install_packages "${ODDSNET_PACKAGES[@]}"
oddsnet_find_swift
source scripts/bench/network.sh

THREADS=${THREADS:-$(nproc)}
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
H2LOAD_THREADS=${H2LOAD_THREADS:-1}
readonly CLIENTS=100 STREAMS=10 MARKETS=1000
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

build_release odds-origin odds-edge odds-bench
tmp=$(mktemp -d)
PIDS=()
cleanup() {
    if ((${#PIDS[@]})); then kill -TERM "${PIDS[@]}" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    [[ "${KEEP_TMP:-0}" == 1 ]] && echo "kept $tmp" >&2 || rm -rf "$tmp"
}
trap cleanup EXIT

FEED=$(free_port); ADMIN=$(free_port); EDGE=$(free_port); NGHTTPD=$(free_port)
TOKEN=bench-admin-token-0123456789
cat >"$tmp/origin.json" <<JSON
{"dataDirectory": "origin", "listen": "127.0.0.1:$FEED", "adminListen": "127.0.0.1:$ADMIN",
 "adminToken": "$TOKEN", "feedToken": "bench-feed-token-0123456789", "logLevel": "warning"}
JSON
cat >"$tmp/edge.json" <<JSON
{"edgeID": "bench-edge", "listen": "127.0.0.1:$EDGE", "dataDirectory": "edge",
 "threads": $THREADS, "logLevel": "warning",
 "origin": {"address": "127.0.0.1:$FEED", "token": "bench-feed-token-0123456789"}}
JSON
"$BIN/odds-origin" --config "$tmp/origin.json" 2>"$tmp/origin.log" & PIDS+=($!)
wait_for "http://127.0.0.1:$ADMIN/healthz"
"$BIN/odds-edge" --config "$tmp/edge.json" 2>"$tmp/edge.log" & PIDS+=($!)
wait_for "http://127.0.0.1:$EDGE/healthz"

# 150 football matches of 6 markets and 34 tennis matches of 3: 1,002 markets.
"$BIN/odds-bench" card --admin "http://127.0.0.1:$ADMIN" --token "$TOKEN" \
    --football 150 --tennis 34 >&2
wait_until_caught_up "$ADMIN" "$TOKEN" "$EDGE"

# The same documents as files for nghttpd, fetched from the edge.
mkdir -p "$tmp/htdocs/v1/markets"
curl -s "http://127.0.0.1:$EDGE/v1/markets" | python3 -c '
import json, sys
for market in json.load(sys.stdin)[:'"$MARKETS"']:
    print(market["id"])' >"$tmp/ids"
while read -r id; do
    printf 'url = "http://127.0.0.1:%s/v1/markets/%s"\noutput = "%s"\n' \
        "$EDGE" "$id" "$tmp/htdocs/v1/markets/$id"
done <"$tmp/ids" >"$tmp/curl.cfg"
curl -s -K "$tmp/curl.cfg"
sed "s|^|http://127.0.0.1:$EDGE/v1/markets/|" "$tmp/ids" >"$tmp/edge.uris"
sed "s|^|http://127.0.0.1:$NGHTTPD/v1/markets/|" "$tmp/ids" >"$tmp/nghttpd.uris"
bytes=$(cat "$tmp"/htdocs/v1/markets/* | wc -c)
echo "documents: $(wc -l <"$tmp/ids") markets, $((bytes / $(wc -l <"$tmp/ids"))) bytes on average" >&2

run_h2load() { # name uris round
    h2load -i "$2" -c "$CLIENTS" -m "$STREAMS" -t "$H2LOAD_THREADS" -D "$DURATION" \
        --warm-up-time 1 --log-file "$tmp/$1-$3.requests" >"$tmp/$1-$3.out" 2>&1 || true
    python3 scripts/bench/h2load_summary.py "$tmp/$1-$3.out" "$tmp/$1-$3.requests"
}

declare -A results
for round in $(seq 1 "$ROUNDS"); do
    results[edge]+="$(run_h2load edge "$tmp/edge.uris" "$round")"$'\n'
    nghttpd --no-tls -a 127.0.0.1 -n "$THREADS" -d "$tmp/htdocs" "$NGHTTPD" \
        2>"$tmp/nghttpd.log" &
    ngpid=$!
    wait_for "http://127.0.0.1:$NGHTTPD/v1/markets/$(head -1 "$tmp/ids")" --http2-prior-knowledge
    results[nghttpd]+="$(run_h2load nghttpd "$tmp/nghttpd.uris" "$round")"$'\n'
    kill -KILL "$ngpid" 2>/dev/null || true
    wait "$ngpid" 2>/dev/null || true
done

median() { # column (1 = req/s, 2 = p50, 3 = p99) of the rounds' summaries
    sort -t$'\t' -k"$1","$1"g | awk -F'\t' -v c="$1" '{v[NR]=$c} END {print v[int((NR+1)/2)]}'
}
edge_rps=$(printf '%s' "${results[edge]}" | grep -v '^$' | median 1)
nghttpd_rps=$(printf '%s' "${results[nghttpd]}" | grep -v '^$' | median 1)
edge_p99=$(printf '%s' "${results[edge]}" | grep -v '^$' | median 3)
nghttpd_p99=$(printf '%s' "${results[nghttpd]}" | grep -v '^$' | median 3)
failed=$(printf '%s' "${results[edge]}" | awk -F'\t' '{s+=$5+$6+$7+$8} END {print s+0}')
ratio=$(python3 -c "print(f'{$edge_rps / $nghttpd_rps:.2f}')")
verdict=$(python3 -c "print('PASS' if $edge_rps >= $nghttpd_rps else 'FAIL')")
cat <<REPORT
Edge reads: GET /v1/markets/{id} over $(wc -l <"$tmp/ids") ids, h2c -c $CLIENTS -m $STREAMS,
$THREADS server threads, median of $ROUNDS rounds of ${DURATION}s
  server      req/s      p99 ms
  odds-edge   $edge_rps   $edge_p99
  nghttpd     $nghttpd_rps   $nghttpd_p99
  odds-edge / nghttpd: ${ratio}x (target 1.0x: $verdict); failed or non-2xx at the edge: $failed
REPORT
