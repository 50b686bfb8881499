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
