#!/usr/bin/env bash
# Instructions per request (user space, counted by valgrind's callgrind) for odds-edge and
# nghttpd serving the same documents over h2c: figures that, unlike req/s, do not move with
# whatever else the machine is doing, so a change to the request path can be judged from one
# run. Not a test; it prints numbers.
#
# Two cases, one server thread each, h2load -c 10 -m 10:
#   transport  odds-edge --demo answering one 690-byte document, against nghttpd serving it
#   reads      an odds-edge fed by an origin answering GET /v1/markets/{id} over 1,000 ids from
#              LMDB, against nghttpd serving the same 1,000 documents as files
# and two more, not part of all (they have no peer to compare with):
#   bets       instructions per accepted bet at the origin and at the edge, both under
#              callgrind, while odds-bench bets runs for 3 s a phase at a few bets in flight
#              (counted from the first accepted bet, so the accounts' set-up is left out)
#   apply      instructions per market change at the origin (the admin batch, the commit,
#              the feed) and at an edge applying it (decode, store, client document, stream
#              event), both under callgrind while odds-bench propagation sends 2,000 changes
#              a second over 1,000 markets for 4 s
#
# Usage: scripts/bench-instructions.sh [transport|reads|all|bets|apply] [REQUESTS]
#        (all, 20000)
# Environment: PROFILE_DIR=DIR keeps the callgrind files there (for callgrind_annotate).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
oddsnet_install_packages "${ODDSNET_PACKAGES[@]}" valgrind
oddsnet_find_swift
source scripts/bench/network.sh

CASE=${1:-all}
REQUESTS=${2:-20000}
WARMUP=3000
case "$CASE" in
    transport | reads | all | bets | apply) ;;
    *) echo "usage: $0 [transport|reads|all|bets|apply] [REQUESTS]" >&2; exit 2 ;;
esac
build_release odds-edge odds-origin odds-bench >/dev/null
ADMIN_TOKEN=bench-admin-token-0123456789
FEED_TOKEN=bench-feed-token-0123456789
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

# count NAME URL-OR-@URIFILE COMMAND...: runs the server under callgrind with instrumentation
# off, warms it up, counts REQUESTS requests only, and prints instructions per request.
count() {
    local name=$1 target=$2
    shift 2
    local out="$WORK/callgrind.$name"
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" "$@" \
        >/dev/null 2>"$WORK/$name.log" &
    local pid=$!
    PIDS+=("$pid")
    local uris=()
    if [[ $target == @* ]]; then
        uris=(-i "${target#@}")
        wait_for "$(head -1 "${target#@}")" --http2-prior-knowledge
    else
        uris=("$target")
        wait_for "$target" --http2-prior-knowledge
    fi
    h2load -t 1 -c 10 -m 10 -n "$WARMUP" "${uris[@]}" >/dev/null
    callgrind_control -i on "$pid" >/dev/null 2>&1
    h2load -t 1 -c 10 -m 10 -n "$REQUESTS" "${uris[@]}" | grep -q "$REQUESTS succeeded" || {
        echo "$name: not every request succeeded" >&2
        exit 1
    }
    callgrind_control -i off "$pid" >/dev/null 2>&1
    callgrind_control -d "$pid" >/dev/null 2>&1
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    if [[ -n "${PROFILE_DIR:-}" ]]; then
        mkdir -p "$PROFILE_DIR"
        cp "$out"* "$PROFILE_DIR/"
    fi
    local total
    total=$(cat "$out"* | awk '/^totals:/ {print $2; exit}')
    python3 -c "print(round($total / $REQUESTS))"
}

report() { # title ours theirs
    echo "$1"
    echo "  odds-edge  $2"
    echo "  nghttpd    $3"
    python3 -c "print('  ratio      %.2fx' % ($2 / $3))"
}

transport() {
    local port
    port=$(free_port)
    local ours
    ours=$(count demo "http://127.0.0.1:$port/v1/markets/m100001" \
        "$BIN/odds-edge" --demo --listen "127.0.0.1:$port" --threads 1 --log-level warning)

    mkdir -p "$WORK/docroot/v1/markets"
    "$BIN/odds-edge" --demo --listen "127.0.0.1:$port" --threads 1 --log-level warning \
        2>/dev/null &
    PIDS+=($!)
    wait_for "http://127.0.0.1:$port/v1/markets/m100001"
    curl -sf "http://127.0.0.1:$port/v1/markets/m100001" \
        -o "$WORK/docroot/v1/markets/m100001.json"
    local nghttpd_port
    nghttpd_port=$(free_port)
    local theirs
    theirs=$(count nghttpd-transport "http://127.0.0.1:$nghttpd_port/v1/markets/m100001.json" \
        nghttpd -n 1 --no-tls -d "$WORK/docroot" "$nghttpd_port")
    report "transport: one 690-byte document (h2c, -c 10 -m 10, $REQUESTS requests):" \
        "$ours" "$theirs"
}

reads() {
    local feed admin edge token=bench-admin-token-0123456789
    feed=$(free_port); admin=$(free_port); edge=$(free_port)
    mkdir -p "$WORK/reads"
    cat >"$WORK/reads/origin.json" <<JSON
{"dataDirectory": "origin", "listen": "127.0.0.1:$feed", "adminListen": "127.0.0.1:$admin",
 "adminToken": "$token", "feedToken": "bench-feed-token-0123456789", "logLevel": "warning"}
JSON
    cat >"$WORK/reads/edge.json" <<JSON
{"edgeID": "bench-edge", "listen": "127.0.0.1:$edge", "dataDirectory": "edge",
 "threads": 1, "logLevel": "warning",
 "origin": {"address": "127.0.0.1:$feed", "token": "bench-feed-token-0123456789"}}
JSON
    "$BIN/odds-origin" --config "$WORK/reads/origin.json" 2>"$WORK/origin.log" &
    PIDS+=($!)
    wait_for "http://127.0.0.1:$admin/healthz"
    # The edge is started once plainly, to take the card and write the documents out, then
    # again under callgrind on the same store.
    "$BIN/odds-edge" --config "$WORK/reads/edge.json" 2>"$WORK/edge.log" &
    local plain=$!
    PIDS+=("$plain")
    wait_for "http://127.0.0.1:$edge/healthz"
    "$BIN/odds-bench" card --admin "http://127.0.0.1:$admin" --token "$token" \
        --football 150 --tennis 34 >/dev/null
    wait_until_caught_up "$admin" "$token" "$edge"
    mkdir -p "$WORK/htdocs/v1/markets"
    curl -s "http://127.0.0.1:$edge/v1/markets" | python3 -c '
import json, sys
for market in json.load(sys.stdin)[:1000]:
    print(market["id"])' >"$WORK/ids"
    while read -r id; do
        printf 'url = "http://127.0.0.1:%s/v1/markets/%s"\noutput = "%s"\n' \
            "$edge" "$id" "$WORK/htdocs/v1/markets/$id"
    done <"$WORK/ids" >"$WORK/curl.cfg"
    curl -s -K "$WORK/curl.cfg"
    kill -TERM "$plain"
    wait "$plain" 2>/dev/null || true

    local nghttpd_port
    nghttpd_port=$(free_port)
    sed "s|^|http://127.0.0.1:$edge/v1/markets/|" "$WORK/ids" >"$WORK/edge.uris"
    sed "s|^|http://127.0.0.1:$nghttpd_port/v1/markets/|" "$WORK/ids" >"$WORK/nghttpd.uris"
    local ours theirs
    ours=$(count reads "@$WORK/edge.uris" "$BIN/odds-edge" --config "$WORK/reads/edge.json")
    theirs=$(count nghttpd-reads "@$WORK/nghttpd.uris" \
        nghttpd -n 1 --no-tls -d "$WORK/htdocs" "$nghttpd_port")
    report "reads: GET /v1/markets/{id} over $(wc -l <"$WORK/ids") ids (h2c, -c 10 -m 10):" \
        "$ours" "$theirs"
}

# profiled NAME COMMAND...: starts COMMAND under callgrind with instrumentation off; sets
# PROFILED_PID.
profiled() {
    local name=$1
    shift
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$WORK/callgrind.$name" \
        "$@" >/dev/null 2>"$WORK/$name.log" &
    PROFILED_PID=$!
    PIDS+=("$PROFILED_PID")
}

# finish_profile NAME PID: stops counting, writes the profile and prints its total.
finish_profile() {
    callgrind_control -i off "$2" >/dev/null 2>&1
    callgrind_control -d "$2" >/dev/null 2>&1
    if [[ -n "${PROFILE_DIR:-}" ]]; then
        mkdir -p "$PROFILE_DIR"
        cp "$WORK/callgrind.$1"* "$PROFILE_DIR/"
    fi
    cat "$WORK/callgrind.$1"* | awk '/^totals:/ {total += $2} END {print total}'
}

# profiled_network NAME ORIGIN_KEYS EDGE_KEYS: an origin and one edge, both under callgrind
# with counting off, their configurations extended by the given JSON keys. Sets FEED, ADMIN,
# EDGE (ports), ORIGIN_PID and EDGE_PID.
profiled_network() {
    local name=$1 origin_keys=$2 edge_keys=$3
    FEED=$(free_port); ADMIN=$(free_port); EDGE=$(free_port)
    mkdir -p "$WORK/$name"
    cat >"$WORK/$name/origin.json" <<JSON
{"dataDirectory": "origin", "listen": "127.0.0.1:$FEED", "adminListen": "127.0.0.1:$ADMIN",
 "adminToken": "$ADMIN_TOKEN", "feedToken": "$FEED_TOKEN", $origin_keys "logLevel": "warning"}
JSON
    cat >"$WORK/$name/edge.json" <<JSON
{"edgeID": "bench-edge", "listen": "127.0.0.1:$EDGE", "dataDirectory": "edge", $edge_keys
 "logLevel": "warning", "origin": {"address": "127.0.0.1:$FEED", "token": "$FEED_TOKEN"}}
JSON
    profiled "origin-$name" "$BIN/odds-origin" --config "$WORK/$name/origin.json"
    ORIGIN_PID=$PROFILED_PID
    wait_for "http://127.0.0.1:$ADMIN/healthz"
    profiled "edge-$name" "$BIN/odds-edge" --config "$WORK/$name/edge.json"
    EDGE_PID=$PROFILED_PID
    wait_for "http://127.0.0.1:$EDGE/readyz"
}

# metric PORT NAME: the value of the Prometheus sample NAME at 127.0.0.1:PORT/metrics.
metric() {
    curl -s "http://127.0.0.1:$1/metrics" | awk -v name="$2" '$1 == name {print $2}'
}

bets() {
    mkdir -p "$WORK/bets"
    openssl genpkey -algorithm ed25519 -out "$WORK/bets/k1.key" 2>/dev/null
    openssl pkey -in "$WORK/bets/k1.key" -pubout -out "$WORK/bets/k1.pub"
    profiled_network bets '"tokenSigningKey": {"id": "k1", "privateKeyFile": "k1.key"},' \
        '"tokenKeys": [{"id": "k1", "publicKeyFile": "k1.pub"}],'
    "$BIN/odds-bench" bets --admin "http://127.0.0.1:$ADMIN" --token "$ADMIN_TOKEN" \
        --edge "http://127.0.0.1:$EDGE" --seconds 3 --connections 4 --in-flight 4 \
        --accounts 20 --rate 50 >"$WORK/bets.out" &
    local bench=$!
    # Counting starts with the first accepted bet: the accounts and tokens are made by then.
    local first=0
    for _ in $(seq 1 600); do
        first=$(metric "$FEED" origin_bets_accepted_total)
        [[ ${first:-0} -gt 0 ]] && break
        sleep 0.05
    done
    callgrind_control -i on "$ORIGIN_PID" >/dev/null 2>&1
    callgrind_control -i on "$EDGE_PID" >/dev/null 2>&1
    first=$(metric "$FEED" origin_bets_accepted_total)
    wait "$bench"
    local accepted origin_total edge_total
    accepted=$(( $(metric "$FEED" origin_bets_accepted_total) - first ))
    origin_total=$(finish_profile origin-bets "$ORIGIN_PID")
    edge_total=$(finish_profile edge-bets "$EDGE_PID")
    echo "bets: $accepted accepted through one edge after set-up (odds-bench bets, 3 s a phase):"
    python3 -c "print('  odds-origin  %d' % round($origin_total / $accepted))"
    python3 -c "print('  odds-edge    %d' % round($edge_total / $accepted))"
}

apply() {
    profiled_network apply "" ""
    local propagation=(
        "$BIN/odds-bench" propagation --admin "http://127.0.0.1:$ADMIN" --token "$ADMIN_TOKEN"
        --feed "http://127.0.0.1:$FEED" --feed-token "$FEED_TOKEN"
        --edge "http://127.0.0.1:$EDGE" --rate 2000 --markets 1000)
    # The card first, and one propagation run to warm up; then the counted one.
    "${propagation[@]}" --seconds 2 >/dev/null
    local before after total origin_total
    before=$(metric "$EDGE" edge_changes_applied_total)
    callgrind_control -i on "$ORIGIN_PID" >/dev/null 2>&1
    callgrind_control -i on "$EDGE_PID" >/dev/null 2>&1
    "${propagation[@]}" --seconds 4 >/dev/null
    total=$(finish_profile edge-apply "$EDGE_PID")
    origin_total=$(finish_profile origin-apply "$ORIGIN_PID")
    after=$(metric "$EDGE" edge_changes_applied_total)
    echo "apply: $((after - before)) market changes (2,000/s in batches of 20, 1,000 markets):"
    python3 -c "print('  odds-origin  %d' % round($origin_total / ($after - $before)))"
    python3 -c "print('  odds-edge    %d' % round($total / ($after - $before)))"
}

if [[ $CASE == bets ]]; then
    echo "instructions per accepted bet, user space:"
    bets
    exit 0
fi
if [[ $CASE == apply ]]; then
    echo "instructions per market change, user space:"
    apply
    exit 0
fi
echo "instructions per request, user space, one server thread, $REQUESTS requests:"
if [[ $CASE == transport || $CASE == all ]]; then transport; fi
if [[ $CASE == reads || $CASE == all ]]; then reads; fi
