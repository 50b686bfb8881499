#!/usr/bin/env bash
# The README's run command. Installs what is missing, builds in release mode, and starts a
# local Oddsnet on loopback: one origin, two edges fed by it, a sample card (a football
# matchday and a tennis day) and a price simulator that moves prices like a trading feed.
# Ctrl-C stops everything cleanly. State lives in var/local (delete it to start afresh).
#
# Environment: SIMULATOR_RATE (price changes per second, default 200).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
oddsnet_install_packages "${ODDSNET_PACKAGES[@]}"
oddsnet_find_swift

RUN_DIR=$PWD/var/local
SIMULATOR_RATE=${SIMULATOR_RATE:-200}
ADMIN_TOKEN=$(python3 -c 'import json;print(json.load(open("origin-config/local.json"))["adminToken"])')
mkdir -p "$RUN_DIR"

# The customer-token key pair the local configs name: made once, kept with the stores.
KEYS=$RUN_DIR/keys
if [[ ! -f $KEYS/customer-local-1.pem ]]; then
    mkdir -p "$KEYS"
    openssl genpkey -algorithm ed25519 -out "$KEYS/customer-local-1.pem" 2>/dev/null
    openssl pkey -in "$KEYS/customer-local-1.pem" -pubout -out "$KEYS/customer-local-1.pub.pem"
    chmod 600 "$KEYS/customer-local-1.pem"
fi

swift build -c release --product odds-origin
swift build -c release --product odds-edge
swift build -c release --product odds-bench
swift build -c release --product oddsctl
swift build -c release --product odds-client
BIN=$(swift build -c release --show-bin-path)

PIDS=()
stop_all() {
    trap - INT TERM EXIT
    if ((${#PIDS[@]})); then
        kill -TERM "${PIDS[@]}" 2>/dev/null || true
        wait "${PIDS[@]}" 2>/dev/null || true
    fi
    echo "stopped (logs and stores in $RUN_DIR)"
}
trap stop_all INT TERM EXIT

wait_for() {
    for _ in $(seq 1 200); do
        curl -sf "$1" >/dev/null && return 0
        sleep 0.05
    done
    echo "run-local: $1 did not answer; see the logs in $RUN_DIR" >&2
    exit 1
}

"$BIN/odds-origin" --config origin-config/local.json 2>>"$RUN_DIR/origin.log" &
PIDS+=($!)
wait_for http://127.0.0.1:9001/healthz
for n in 1 2; do
    "$BIN/odds-edge" --config "edge-config/local-edge-$n.json" 2>>"$RUN_DIR/edge-$n.log" &
    PIDS+=($!)
done
wait_for http://127.0.0.1:8081/healthz
wait_for http://127.0.0.1:8082/healthz

"$BIN/odds-bench" card --admin http://127.0.0.1:9001 --token "$ADMIN_TOKEN"
"$BIN/odds-bench" simulate --admin http://127.0.0.1:9001 --token "$ADMIN_TOKEN" \
    --rate "$SIMULATOR_RATE" 2>>"$RUN_DIR/simulator.log" &
PIDS+=($!)
wait_for http://127.0.0.1:8081/readyz
wait_for http://127.0.0.1:8082/readyz

# A customer account with money on it, and a token for it, so bets can be tried.
CTL=("$BIN/oddsctl" --origin http://127.0.0.1:9001 --token "$ADMIN_TOKEN")
if "${CTL[@]}" account create demo >/dev/null 2>&1; then
    "${CTL[@]}" account deposit demo 100000 --reference "local welcome" >/dev/null
fi
"${CTL[@]}" --json token issue --account demo --ttl 7d |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' >"$RUN_DIR/customer-token"

cat <<INFO

Oddsnet is up on loopback (logs and LMDB stores in $RUN_DIR):
  origin  feed  http://127.0.0.1:9000   (/v1/feed, /metrics)
          admin http://127.0.0.1:9001   (token in origin-config/local.json)
  edge-1        http://127.0.0.1:8081   (h2c with prior knowledge, and HTTP/1.1)
  edge-2        http://127.0.0.1:8082
  simulator     $SIMULATOR_RATE price changes per second
Open http://127.0.0.1:8081/ in a browser for the live odds page
(customer token for bets: $RUN_DIR/customer-token). Or try:
  curl -s http://127.0.0.1:8081/v1/markets/fb-1-mo
  curl -sN 'http://127.0.0.1:8081/v1/stream?markets=fb-1-mo'
  $BIN/odds-client watch --edge http://127.0.0.1:8081 --edge http://127.0.0.1:8082
  curl -s http://127.0.0.1:8082/v1/events?sport=tennis
  curl -si --http2-prior-knowledge http://127.0.0.1:8081/v1/events/fb-1
  $BIN/oddsctl --origin http://127.0.0.1:9001 --token $ADMIN_TOKEN edges
  $BIN/oddsctl --origin http://127.0.0.1:9001 --token $ADMIN_TOKEN market suspend fb-1-mo
  scripts/place-bet.sh fb-1-mo home 500     # 5.00 on the price edge-1 shows now
  $BIN/oddsctl --origin http://127.0.0.1:9001 --token $ADMIN_TOKEN account show demo
Ctrl-C stops everything.
INFO
wait
