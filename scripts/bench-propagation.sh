#!/usr/bin/env bash
# Propagation benchmark: time from a price change committed at the origin to (a) readable at
# each of two edges and (b) arrived at a feed client, p50/p99/p999, at 1,000 and 10,000
# changes per second over 1,000 markets. Release builds on loopback; see odds-bench
# (Sources/OddsBench/PropagationBenchmark.swift) for how each latency is taken.
#
# Environment: RATES (default "1000 10000"), SECONDS_PER_RATE (default 10), MARKETS (1000),
#              EDGE_EXTRA (more keys for the edges' configuration, like
#              '"streamHistoryChanges": 5000,'), KEEP_TMP=1 keeps the temp dir with the logs.
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

start_network 2 "${EDGE_EXTRA:-}"
EDGE_ARGS=()
for port in "${EDGE_PORTS[@]}"; do EDGE_ARGS+=(--edge "http://127.0.0.1:$port"); done

for rate in $RATES; do
    "$BIN/odds-bench" propagation --admin "http://127.0.0.1:$ADMIN" --token "$ADMIN_TOKEN" \
        --feed "http://127.0.0.1:$FEED" --feed-token "$FEED_TOKEN" "${EDGE_ARGS[@]}" \
        --rate "$rate" --markets "$MARKETS" --seconds "$SECONDS_PER_RATE"
done
