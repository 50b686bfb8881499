# Shared by the odds-core benchmark scripts (sourced): loopback ports, waiting for a server,
# and starting an origin with edges from release builds in a temp dir.

# A free loopback TCP port.
free_port() {
    python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

# wait_for URL [curl options]: until URL answers 2xx, or exit 1 after about 20 s.
wait_for() {
    local url=$1
    shift
    for _ in $(seq 1 400); do
        curl -sf -m 2 "$@" "$url" >/dev/null && return 0
        sleep 0.05
    done
    echo "$(basename "$0"): $url did not answer" >&2
    exit 1
}

# Builds the programs in release mode and sets BIN to their folder.
build_release() {
    for product in "$@"; do
        swift build -c release --product "$product" >&2
    done
    BIN=$(swift build -c release --show-bin-path)
}

# start_network EDGES [EXTRA_EDGE_JSON]: an origin and EDGES edges fed by it, from $BIN, with
# their folders and logs in $tmp; appends their pids to PIDS. Sets ADMIN and FEED (the
# origin's ports), ADMIN_TOKEN, FEED_TOKEN, EDGE_PORTS and EDGE_PIDS. EXTRA_EDGE_JSON is
# more keys for each edge's configuration, like '"maxStreamClients": 100000,'.
start_network() {
    local edges=$1 extra=${2:-} n port
    FEED=$(free_port); ADMIN=$(free_port)
    ADMIN_TOKEN=bench-admin-token-0123456789
    FEED_TOKEN=bench-feed-token-0123456789
    cat >"$tmp/origin.json" <<JSON
{"dataDirectory": "origin", "listen": "127.0.0.1:$FEED", "adminListen": "127.0.0.1:$ADMIN",
 "adminToken": "$ADMIN_TOKEN", "feedToken": "$FEED_TOKEN", "logLevel": "warning"}
JSON
    "$BIN/odds-origin" --config "$tmp/origin.json" 2>"$tmp/origin.log" & PIDS+=($!)
    wait_for "http://127.0.0.1:$ADMIN/healthz"
    EDGE_PORTS=(); EDGE_PIDS=()
    for n in $(seq 1 "$edges"); do
        port=$(free_port)
        cat >"$tmp/edge-$n.json" <<JSON
{"edgeID": "edge-$n", "listen": "127.0.0.1:$port", "dataDirectory": "edge-$n",
 "threads": 1, "logLevel": "warning", $extra
 "origin": {"address": "127.0.0.1:$FEED", "token": "$FEED_TOKEN"}}
JSON
        "$BIN/odds-edge" --config "$tmp/edge-$n.json" 2>"$tmp/edge-$n.log" & PIDS+=($!)
        EDGE_PORTS+=("$port"); EDGE_PIDS+=("${PIDS[-1]}")
        wait_for "http://127.0.0.1:$port/readyz"
    done
}

# wait_until_caught_up ADMIN_PORT TOKEN EDGE_PORT: until the edge has applied everything the
# origin had sequenced when this was called (about 20 s at most).
wait_until_caught_up() {
    local head applied
    head=$(curl -s -H "authorization: Bearer $2" "http://127.0.0.1:$1/v1/admin/status" \
        | python3 -c 'import json,sys;print(json.load(sys.stdin)["sequence"])')
    for _ in $(seq 1 400); do
        applied=$(curl -s "http://127.0.0.1:$3/readyz" \
            | python3 -c 'import json,sys;print(json.load(sys.stdin)["appliedSequence"])')
        [[ "$applied" -ge "$head" ]] && return 0
        sleep 0.05
    done
    echo "$(basename "$0"): the edge on port $3 did not catch up" >&2
    return 1
}
