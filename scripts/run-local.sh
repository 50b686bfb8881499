#!/usr/bin/env bash
# The README's run command. Installs what is missing, builds in release mode and starts two
# demo edges on loopback (h2c and HTTP/1.1 on one port each, TLS on another); Ctrl-C stops
# them cleanly. The origin and live prices join this network with the odds core.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
oddsnet_install_packages "${ODDSNET_PACKAGES[@]}"
oddsnet_find_swift

EDGE_A_PORT=${EDGE_A_PORT:-8081}
EDGE_B_PORT=${EDGE_B_PORT:-8082}
EDGE_TLS_PORT=${EDGE_TLS_PORT:-8443}
RUN_DIR=${RUN_DIR:-$PWD/var/local}
mkdir -p "$RUN_DIR"

swift build -c release --product odds-edge
BIN=$(swift build -c release --show-bin-path)/odds-edge

# A self-signed certificate for the TLS listener, made once.
if [[ ! -f "$RUN_DIR/edge.pem" ]]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 \
        -subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -keyout "$RUN_DIR/edge.key" -out "$RUN_DIR/edge.pem" 2>/dev/null
fi

PIDS=()
stop_all() {
    trap - INT TERM EXIT
    if ((${#PIDS[@]})); then
        kill -TERM "${PIDS[@]}" 2>/dev/null || true
        wait "${PIDS[@]}" 2>/dev/null || true
    fi
    echo "stopped"
}
trap stop_all INT TERM EXIT

"$BIN" --demo --listen "127.0.0.1:$EDGE_A_PORT" 2>>"$RUN_DIR/edge-a.log" &
PIDS+=($!)
"$BIN" --demo --listen "127.0.0.1:$EDGE_B_PORT" 2>>"$RUN_DIR/edge-b.log" &
PIDS+=($!)
"$BIN" --demo --listen "127.0.0.1:$EDGE_TLS_PORT" --tls-cert "$RUN_DIR/edge.pem" \
    --tls-key "$RUN_DIR/edge.key" 2>>"$RUN_DIR/edge-tls.log" &
PIDS+=($!)

for port in "$EDGE_A_PORT" "$EDGE_B_PORT"; do
    for _ in $(seq 1 100); do
        curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
        sleep 0.1
    done
done

cat <<INFO
Oddsnet demo network is up (logs in $RUN_DIR):
  edge A   http://127.0.0.1:$EDGE_A_PORT   (h2c with prior knowledge, and HTTP/1.1)
  edge B   http://127.0.0.1:$EDGE_B_PORT
  edge TLS https://127.0.0.1:$EDGE_TLS_PORT (self-signed: $RUN_DIR/edge.pem)
Try:
  curl --http2-prior-knowledge http://127.0.0.1:$EDGE_A_PORT/v1/markets/m100001
  curl -N http://127.0.0.1:$EDGE_B_PORT/v1/demo/ticks?count=20\&interval_ms=250
  curl --cacert $RUN_DIR/edge.pem https://127.0.0.1:$EDGE_TLS_PORT/metrics
Ctrl-C stops everything.
INFO
wait
