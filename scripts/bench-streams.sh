#!/usr/bin/env bash
# Live streams benchmark: one origin, two edges and CLIENTS concurrent SSE clients spread
# over them (each following one of MARKETS markets), RATE price changes per second; then
# Pushpin, at its best (message_rate=0, a large message_hwm, zurl allowed to reach the
# loopback backend), fanning events of the same size out to the same number of clients on
# as many channels. For each: latency from the change to its arrival at each client
# (p50/p99/p999), deliveries, and memory per idle client. Release builds on loopback;
# see odds-bench (Sources/OddsBench/StreamBenchmark.swift) for how each number is taken.
#
# Environment: CLIENTS (10000), MARKETS (1000), RATE (1000), DURATION (seconds, 10),
#              ONLY=oddsnet|pushpin, KEEP_TMP=1 keeps the temp dir with the logs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
oddsnet_install_packages "${ODDSNET_PACKAGES[@]}" pushpin zurl
oddsnet_find_swift
source scripts/bench/network.sh

CLIENTS=${CLIENTS:-10000}
MARKETS=${MARKETS:-1000}
RATE=${RATE:-1000}
SECONDS_RUN=${DURATION:-10}
ONLY=${ONLY:-}
ulimit -n "$(ulimit -Hn)"
build_release odds-origin odds-edge odds-bench
tmp=$(mktemp -d)
PIDS=()
stop_all() {
    if ((${#PIDS[@]})); then kill -TERM "${PIDS[@]}" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    PIDS=()
}
cleanup() {
    stop_all
    pkill -f "pushpin --config $tmp" 2>/dev/null || true
    [[ "${KEEP_TMP:-0}" == 1 ]] && echo "kept $tmp" >&2 || rm -rf "$tmp"
}
trap cleanup EXIT
COMMON=(--clients "$CLIENTS" --markets "$MARKETS" --rate "$RATE" --seconds "$SECONDS_RUN")
echo "live streams: $CLIENTS clients over $MARKETS markets, $RATE changes/s, ${SECONDS_RUN}s"

if [[ "$ONLY" != pushpin ]]; then
    start_network 2 '"maxStreamClients": 100000,'
    EDGE_ARGS=()
    for i in "${!EDGE_PORTS[@]}"; do
        EDGE_ARGS+=(--edge "http://127.0.0.1:${EDGE_PORTS[i]}" --measure-pid "${EDGE_PIDS[i]}")
    done
    "$BIN/odds-bench" streams --name odds-edge --admin "http://127.0.0.1:$ADMIN" \
        --token "$ADMIN_TOKEN" --feed "http://127.0.0.1:$FEED" --feed-token "$FEED_TOKEN" \
        "${EDGE_ARGS[@]}" "${COMMON[@]}"
    stop_all
fi

if [[ "$ONLY" != oddsnet ]]; then
    # Pushpin with its own run folder; zurl (which makes its requests to the backend) as a
    # process of ours, allowed to reach loopback.
    pp=$tmp/pushpin
    mkdir -p "$pp/run" "$pp/log"
    HTTP=$(free_port); BACKEND=$(free_port)
    sed -e "s|ipc:///var/run/zurl/|ipc://$pp/run/|" /usr/lib/pushpin/internal.conf \
        >"$pp/internal.conf"
    sed -e "s|^include=.*|include=$pp/internal.conf|" -e "s|^rundir=.*|rundir=$pp/run|" \
        -e "s|^logdir=.*|logdir=$pp/log|" -e "s|^http_port=.*|http_port=$HTTP|" \
        -e "s|^routesfile=.*|routesfile=$pp/routes|" -e "s|^message_rate=.*|message_rate=0|" \
        -e "s|^message_hwm=.*|message_hwm=10000000|" \
        -e "s|^client_maxconn=.*|client_maxconn=200000|" \
        /usr/share/pushpin/pushpin.conf.condure >"$pp/pushpin.conf"
    echo "* 127.0.0.1:$BACKEND" >"$pp/routes"
    cat >"$pp/zurl.conf" <<CONF
[General]
in_spec=ipc://$pp/run/zurl-in
in_stream_spec=ipc://$pp/run/zurl-in-stream
out_spec=ipc://$pp/run/zurl-out
defpolicy=allow
deny=
max_open_requests=200000
buffer_size=200000
timeout=600
in_hwm=100000
out_hwm=100000
CONF
    python3 scripts/bench/pushpin-backend.py "$BACKEND" & PIDS+=($!)
    zurl --config="$pp/zurl.conf" >"$pp/zurl.log" 2>&1 & PIDS+=($!)
    pushpin --config "$pp/pushpin.conf" >"$pp/out.log" 2>&1 & PIDS+=($!)
    wait_for "http://127.0.0.1:5561/publish/" -X POST -d '{"items":[]}'
    for _ in $(seq 1 100); do
        curl -s -m 1 "http://127.0.0.1:$HTTP/sse/probe" 2>/dev/null | grep -q hello && break
    done
    PUSHPIN_PIDS=()
    for name in condure pushpin-proxy pushpin-handler zurl; do
        for pid in $(pgrep -x "$name"); do PUSHPIN_PIDS+=(--measure-pid "$pid"); done
    done
    "$BIN/odds-bench" streams --name pushpin --pushpin-publish http://127.0.0.1:5561 \
        --pushpin "http://127.0.0.1:$HTTP" "${PUSHPIN_PIDS[@]}" "${COMMON[@]}"
    stop_all
fi
