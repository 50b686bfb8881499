#!/usr/bin/env bash
# Instructions per request (user space, counted by valgrind's callgrind) for odds-edge and
# nghttpd serving the same document over h2c: a figure that, unlike req/s, does not move with
# whatever else the machine is doing, so a change to the request path can be judged from one
# run. Not a test; it prints numbers.
#
# Usage: scripts/bench-instructions.sh [REQUESTS]   (default 20000; c10 m10; one thread each)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
oddsnet_install_packages "${ODDSNET_PACKAGES[@]}" valgrind
oddsnet_find_swift

REQUESTS=${1:-20000}
WARMUP=2000
swift build -c release --product odds-edge >/dev/null
EDGE=$(swift build -c release --show-bin-path)/odds-edge
WORK=$(mktemp -d /tmp/bench-instructions.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
    python3 -c \
        'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_for() {
    for _ in $(seq 1 300); do
        curl -sf --http2-prior-knowledge "$1" -o /dev/null && return 0
        sleep 0.1
    done
    echo "server at $1 did not answer" >&2
    exit 1
}

# Runs a server under callgrind with instrumentation off, warms it up, counts REQUESTS
# requests only, and prints instructions per request. $1: URL, rest: the server's command.
count() {
    local url=$1
    shift
    local out="$WORK/callgrind.$RANDOM"
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" "$@" \
        >/dev/null 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    wait_for "$url"
    h2load -t 1 -c 10 -m 10 -n "$WARMUP" "$url" >/dev/null
    callgrind_control -i on "$pid" >/dev/null 2>&1
    h2load -t 1 -c 10 -m 10 -n "$REQUESTS" "$url" | grep -q "$REQUESTS succeeded"
    callgrind_control -i off "$pid" >/dev/null 2>&1
    callgrind_control -d "$pid" >/dev/null 2>&1
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    local total
    total=$(cat "$out"* | awk '/^totals:/ {print $2; exit}')
    python3 -c "print(round($total / $REQUESTS))"
}

EDGE_PORT=$(free_port)
ours=$(count "http://127.0.0.1:$EDGE_PORT/v1/markets/m100001" \
    "$EDGE" --demo --listen "127.0.0.1:$EDGE_PORT" --threads 1 --log-level warning)

mkdir -p "$WORK/docroot/v1/markets"
"$EDGE" --demo --listen "127.0.0.1:$EDGE_PORT" --threads 1 --log-level warning 2>/dev/null &
PIDS+=($!)
wait_for "http://127.0.0.1:$EDGE_PORT/v1/markets/m100001"
curl -sf --http2-prior-knowledge "http://127.0.0.1:$EDGE_PORT/v1/markets/m100001" \
    -o "$WORK/docroot/v1/markets/m100001.json"
NGHTTPD_PORT=$(free_port)
theirs=$(count "http://127.0.0.1:$NGHTTPD_PORT/v1/markets/m100001.json" \
    nghttpd -n 1 --no-tls -d "$WORK/docroot" "$NGHTTPD_PORT")

echo "instructions per request (h2c, -c 10 -m 10, $REQUESTS requests, one thread):"
echo "  odds-edge  $ours"
echo "  nghttpd    $theirs"
python3 -c "print('  ratio      %.2fx' % ($ours / $theirs))"
