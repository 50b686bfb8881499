#!/usr/bin/env bash
# Propagation benchmark: time from a price change committed at the origin to (a) readable at
# each of two edges and (b) arrived at a feed client, p50/p99/p999, at 1,000 and 10,000
# changes per second over 1,000 markets. Release builds on loopback; see odds-bench
# (Sources/OddsBench/PropagationBenchmark.swift) for how each latency is taken.
#
# Environment: RATES (default "1000 10000"), SECONDS_PER_RATE (default 10), MARKETS (1000),
#              KEEP_TMP=1 keeps the temp dir with the logs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
oddsnet_install_packages "${ODDSNET_PACKAGES[@]}"
oddsnet_find_swift
source scripts/bench/network.sh

RATES=${RATES:-"1000 10000"}
SECONDS_PER_RATE=${SECONDS_PER_RATE:-10}
MARKETS=${MARKETS:-1000}
build_release odds-origin odds-edge odds-bench
tmp=$(mktemp -d)
PIDS=()
cleanup() {
    if ((${#PIDS[@]})); then kill -TERM "${PIDS[@]}" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    [[ "${KEEP_TMP:-0}" == 1 ]] && echo "kept $tmp" >&2 || rm -rf "$tmp"
}
trap cleanup EXIT

FEED=$(free_port); ADMIN=$(free_port)
ADMIN_TOKEN=bench-admin-token-0123456789
FEED_TOKEN=bench-feed-token-0123456789
cat >"$tmp/origin.json" <<JSON
{"dataDirectory": "origin", "listen": "127.0.0.1:$FEED", "adminListen": "127.0.0.1:$ADMIN",
 "adminToken": "$ADMIN_TOKEN", "feedToken": "$FEED_TOKEN", "logLevel": "warning"}
JSON
"$BIN/odds-origin" --config "$tmp/origin.json" 2>"$tmp/origin.log" & PIDS+=($!)
wait_for "http://127.0.0.1:$ADMIN/healthz"
EDGE_ARGS=()
for n in 1 2; do
    port=$(free_port)
    cat >"$tmp/edge-$n.json" <<JSON
{"edgeID": "edge-$n", "listen": "127.0.0.1:$port", "dataDirectory": "edge-$n",
 "threads": 1, "logLevel": "warning",
 "origin": {"address": "127.0.0.1:$FEED", "token": "$FEED_TOKEN"}}
JSON
    "$BIN/odds-edge" --config "$tmp/edge-$n.json" 2>"$tmp/edge-$n.log" & PIDS+=($!)
    wait_for "http://127.0.0.1:$port/healthz"
    EDGE_ARGS+=(--edge "http://127.0.0.1:$port")
done

for rate in $RATES; do
    "$BIN/odds-bench" propagation --admin "http://127.0.0.1:$ADMIN" --token "$ADMIN_TOKEN" \
        --feed "http://127.0.0.1:$FEED" --feed-token "$FEED_TOKEN" "${EDGE_ARGS[@]}" \
        --rate "$rate" --markets "$MARKETS" --seconds "$SECONDS_PER_RATE"
done
