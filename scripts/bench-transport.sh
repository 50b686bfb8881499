#!/usr/bin/env bash
# Transport benchmark: odds-edge (demo mode) against nghttpd and nginx, all serving the same
# market document on this machine, measured with h2load over h2c and TLS.
#
# Usage: scripts/bench-transport.sh [--markdown FILE]
#
# Environment (all optional):
#   THREADS         worker threads for odds-edge and nghttpd (default: nproc)
#   DURATION        measured seconds per h2load run (default: 3)
#   WARMUP          h2load warm-up seconds before each measurement (default: 1)
#   ROUNDS          times every cell is measured; the table shows medians (default: 3)
#   H2LOAD_THREADS  h2load client threads (default: 1)
#   SINGLE_CONNECTION_CPUS  same, split or none: CPU pinning of the -c 1 -m 1 runs (default:
#                   same, client and server on one CPU; see pin_for_case)
#   KEEP_TMP=1      keep the temp dir (server logs, h2load output and per-request logs)
#   ODDS_EDGE       an odds-edge binary to measure instead of building this checkout
#
# Each h2load run gets a freshly started server and only that server, so the servers and h2load
# share the machine's cores the same way in every row. docs/benchmarks/transport.md explains
# the method and the targets.

set -euo pipefail

readonly CASES=("-c 1 -m 1" "-c 100 -m 10" "-c 1000 -m 1")
readonly PROTOCOLS=(h2c tls)
readonly DOC_PATH=/v1/markets/m100001
readonly READY_TIMEOUT_SECONDS=15
readonly STOP_TIMEOUT_SECONDS=10
readonly WANTED_OPEN_FILES=65536

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench_dir="$repo_root/scripts/bench"
cd "$repo_root"

markdown_file=""
while (($#)); do
    case "$1" in
        --markdown)
            [[ $# -ge 2 ]] || { echo "--markdown needs a file" >&2; exit 2; }
            markdown_file="$(realpath -m "$2")"
            shift 2
            ;;
        -h | --help)
            awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"
            exit 0
            ;;
        *)
            echo "unknown argument: $1 (try --help)" >&2
            exit 2
            ;;
    esac
done

THREADS="${THREADS:-$(nproc)}"
DURATION="${DURATION:-3}"
WARMUP="${WARMUP:-1}"
ROUNDS="${ROUNDS:-3}"
SINGLE_CONNECTION_CPUS="${SINGLE_CONNECTION_CPUS:-same}"
case "$SINGLE_CONNECTION_CPUS" in
    same | split | none) ;;
    *) echo "SINGLE_CONNECTION_CPUS must be same, split or none" >&2; exit 2 ;;
esac
H2LOAD_THREADS="${H2LOAD_THREADS:-1}"

log() { printf '%s\n' "$*" >&2; }
die() { log "bench-transport: $*"; exit 1; }

# --- tools ---------------------------------------------------------------------------------------

install_missing_tools() {
    local packages=()
    command -v h2load >/dev/null || packages+=(nghttp2-client)
    command -v nghttpd >/dev/null || packages+=(nghttp2-server)
    command -v openssl >/dev/null || packages+=(openssl)
    command -v curl >/dev/null || packages+=(curl)
    command -v python3 >/dev/null || packages+=(python3)
    command -v taskset >/dev/null || packages+=(util-linux)
    local want_nginx=false
    command -v nginx >/dev/null || want_nginx=true
    if ((${#packages[@]} == 0)) && ! $want_nginx; then
        return 0
    fi

    local sudo=()
    ((EUID == 0)) || sudo=(sudo)
    log "installing: ${packages[*]}$($want_nginx && echo ' nginx-light')"
    "${sudo[@]}" apt-get update -q
    if ((${#packages[@]})); then
        "${sudo[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}"
    fi
    if $want_nginx; then
        # nginx-light is gone from some releases; plain nginx has HTTP/2 and TLS as well.
        "${sudo[@]}" apt-get install -y -q --no-install-recommends nginx-light \
            || "${sudo[@]}" apt-get install -y -q --no-install-recommends nginx
    fi
}

install_missing_tools
export PATH="$PATH:/usr/sbin:/sbin"   # nghttpd and nginx live in sbin

if [[ -n "${ODDS_EDGE:-}" ]]; then
    odds_edge="$(realpath "$ODDS_EDGE")"
    log "measuring $odds_edge (not building)"
else
    log "building odds-edge (release)"
    swift build -c release --product odds-edge >&2 \
        || die "the release build failed; ODDS_EDGE=PATH measures a binary built elsewhere"
    odds_edge="$repo_root/.build/release/odds-edge"
fi

# 1000 client connections plus as many server sockets need more than the usual 1024.
hard_limit="$(ulimit -Hn)"
if [[ "$hard_limit" == unlimited || "$hard_limit" -ge "$WANTED_OPEN_FILES" ]]; then
    ulimit -n "$WANTED_OPEN_FILES"
else
    ulimit -n "$hard_limit"
fi

# Other work on the machine (a build, a test run) skews every row, so measure how busy the CPUs
# are over one second, with no server running, and say so when it is more than a little.
readonly BUSY_WARNING_PERCENT=10
cpu_busy_percent() {
    local first second
    first="$(head -1 /proc/stat)"
    sleep 1
    second="$(head -1 /proc/stat)"
    # Fields after "cpu": user nice system idle iowait irq softirq steal ...
    awk -v a="$first" -v b="$second" 'BEGIN {
        split(a, x); split(b, y)
        for (i = 2; i <= 9; i++) total += y[i] - x[i]
        idle = (y[5] - x[5]) + (y[6] - x[6])
        busy = total > 0 ? 100 * (total - idle) / total : 0
        printf "%.0f\n", busy
    }'
}

# --- temp dir, cleanup ---------------------------------------------------------------------------

tmp="$(mktemp -d -t bench-transport.XXXXXX)"
server_pid=""

cleanup() {
    stop_server
    if [[ "${KEEP_TMP:-0}" == 1 ]]; then
        log "kept $tmp"
    else
        rm -rf "$tmp"
    fi
}

# Whether the last started server still runs; a crashed one may linger as a zombie until reaped.
server_running() {
    local state
    state="$(awk '{ print $3 }' "/proc/$server_pid/stat" 2>/dev/null)" || return 1
    [[ -n "$state" && "$state" != Z ]]
}

# Asks the server to stop, and kills it if it has not stopped by the deadline.
stop_server() {
    [[ -n "$server_pid" ]] || return 0
    kill "$server_pid" 2>/dev/null || true
    local deadline=$((SECONDS + STOP_TIMEOUT_SECONDS))
    while server_running && ((SECONDS < deadline)); do
        sleep 0.05
    done
    if server_running; then
        log "  server $server_pid did not stop in ${STOP_TIMEOUT_SECONDS}s; killing it"
        kill -KILL "$server_pid" 2>/dev/null || true
    fi
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# nginx workers run as nobody when nginx starts as root; they must be able to read the docroot.
chmod 755 "$tmp"
mkdir -p "$tmp/docroot" "$tmp/runs"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0));
print(s.getsockname()[1])'
}

# --- servers -------------------------------------------------------------------------------------

# curl arguments that speak HTTP/2 the way h2load will: prior knowledge or ALPN.
curl_args() {
    case "$1" in
        h2c) echo "--http2-prior-knowledge" ;;
        tls) echo "--http2 --insecure" ;;
    esac
}

scheme() { [[ "$1" == tls ]] && echo https || echo http; }

# The path each server is asked for. nghttpd picks content-type only by file extension, so it
# serves a .json copy of the same bytes; the others serve the path odds-edge uses.
doc_path_for() { [[ "$1" == nghttpd ]] && echo "$DOC_PATH.json" || echo "$DOC_PATH"; }

# Poll until the server answers or the deadline passes; fails early if the server exited.
wait_until_serving() {
    local url="$1" protocol="$2" deadline=$((SECONDS + READY_TIMEOUT_SECONDS))
    # shellcheck disable=SC2046
    until curl -sf -o /dev/null --max-time 1 $(curl_args "$protocol") "$url"; do
        server_running || return 1
        ((SECONDS < deadline)) || return 1
        sleep 0.05
    done
}

write_nginx_config() {
    local protocol="$1" port="$2" flags tls_lines=""
    if [[ "$protocol" == tls ]]; then
        flags="ssl http2"
        tls_lines="ssl_certificate $tmp/cert.pem; ssl_certificate_key $tmp/key.pem;"
    else
        # In nginx 1.22 "listen ... http2" without ssl serves h2c with prior knowledge.
        flags="http2"
    fi
    mkdir -p "$tmp/nginx"
    sed -e "s|@PREFIX@|$tmp/nginx|g" -e "s|@PORT@|$port|g" -e "s|@DOCROOT@|$tmp/docroot|g" \
        -e "s|@LISTEN_FLAGS@|$flags|g" -e "s|@TLS_LINES@|$tls_lines|g" \
        "$bench_dir/nginx.conf.template" >"$tmp/nginx/nginx.conf"
}

# With one connection, one server thread and h2load take turns, and where the scheduler puts
# them decides the figure: on the VM this was written on, a wake-up across CPUs cost about
# 70 us more than one on the same CPU, so -c 1 rows flipped between two modes from run to run.
# Pinning fixes the layout. same (default): client and server share the last CPU, so the
# figure is the per-request work of both; split: client on CPU 0, server on the others;
# none: the scheduler decides. Runs with many connections are never pinned.
client_pin=()
server_pin=()
pin_for_case() {
    client_pin=()
    server_pin=()
    local last_cpu=$(($(nproc) - 1))
    [[ "$1" == "-c 1 -m 1" ]] && ((last_cpu > 0)) || return 0
    case "$SINGLE_CONNECTION_CPUS" in
        same)
            client_pin=(taskset -c "$last_cpu")
            server_pin=(taskset -c "$last_cpu")
            ;;
        split)
            client_pin=(taskset -c 0)
            server_pin=(taskset -c "1-$last_cpu")
            ;;
        none) ;;
    esac
}

# start_server NAME PROTOCOL: starts it in the background, sets server_pid and server_url.
# The server runs on the CPUs server_pin names (see pin_for_case); its threads inherit them.
start_server() {
    local name="$1" protocol="$2" port
    port="$(free_port)"
    local server_log="$tmp/$name-$protocol.log"
    local tls_args=()
    [[ "$protocol" == tls ]] && tls_args=(--tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem")
    case "$name" in
        odds-edge)
            "${server_pin[@]}" "$odds_edge" --demo --listen "127.0.0.1:$port" \
                --threads "$THREADS" "${tls_args[@]}" --log-level warning 2>>"$server_log" &
            ;;
        nghttpd)
            # nghttpd takes PORT [KEY CERT]; without a key and cert it needs --no-tls.
            local tls_files=(--no-tls)
            [[ "$protocol" == tls ]] && tls_files=("$tmp/key.pem" "$tmp/cert.pem")
            "${server_pin[@]}" nghttpd -a 127.0.0.1 -n "$THREADS" -d "$tmp/docroot" \
                "$port" "${tls_files[@]}" >>"$server_log" 2>&1 &
            ;;
        nginx)
            write_nginx_config "$protocol" "$port"
            "${server_pin[@]}" nginx -e "$tmp/nginx/nginx-error.log" -p "$tmp/nginx" \
                -c "$tmp/nginx/nginx.conf" >>"$server_log" 2>&1 &
            ;;
    esac
    server_pid=$!
    server_url="$(scheme "$protocol")://127.0.0.1:$port$(doc_path_for "$name")"
    wait_until_serving "$server_url" "$protocol" \
        || die "$name ($protocol) did not start serving; its log: $(cat "$server_log")"
}

# Check a server returns exactly the reference bytes as application/json.
check_document() {
    local name="$1" protocol="$2" got="$tmp/check-body" content_type
    # shellcheck disable=SC2046
    content_type="$(curl -sf $(curl_args "$protocol") -o "$got" -w '%{content_type}' \
        "$server_url")"
    cmp -s "$got" "$tmp/document.json" || die "$name ($protocol) served a different body"
    [[ "$content_type" == application/json* ]] \
        || die "$name ($protocol) served content-type '$content_type'"
}

# --- the document --------------------------------------------------------------------------------

start_server odds-edge h2c
# shellcheck disable=SC2046
curl -sf $(curl_args h2c) -o "$tmp/document.json" "$server_url"
stop_server
mkdir -p "$tmp/docroot$(dirname "$DOC_PATH")"
cp "$tmp/document.json" "$tmp/docroot$DOC_PATH"
cp "$tmp/document.json" "$tmp/docroot$DOC_PATH.json"
chmod -R a+rX "$tmp/docroot"
document_bytes="$(wc -c <"$tmp/document.json")"
log "document: $DOC_PATH, $document_bytes bytes"

# --- runs ----------------------------------------------------------------------------------------

results="$tmp/results.tsv"
printf '%s\t' round protocol case server threads rps p50_ms p99_ms succeeded failed errored \
    timeout non_2xx >"$results"
printf 'note\n' >>"$results"

threads_for() { [[ "$1" == nginx ]] && echo "1 worker" || echo "$THREADS"; }

# run_case ROUND NAME PROTOCOL CASE: one h2load run against a server started just for it.
run_case() {
    local round="$1" name="$2" protocol="$3" case="$4" note="" slug
    slug="$round-$name-$protocol-$(tr -d ' -' <<<"$case")"
    local out="$tmp/runs/$slug.out" requests_log="$tmp/runs/$slug.log"

    pin_for_case "$case"
    start_server "$name" "$protocol"
    check_document "$name" "$protocol"

    # shellcheck disable=SC2086
    "${client_pin[@]}" h2load -t "$H2LOAD_THREADS" $case -D "$DURATION" --warm-up-time "$WARMUP" \
        --log-file "$requests_log" "$server_url" >"$out" 2>&1 \
        || note="h2load exited $?"

    if ! server_running; then
        local status=0
        wait "$server_pid" || status=$?
        server_pid=""
        note="${note:+$note; }server exited (status $status)"
        log "  $name ($protocol) exited during '$case' with status $status"
    fi
    stop_server

    local summary
    summary="$(python3 "$bench_dir/h2load_summary.py" "$out" "$requests_log")"
    log "$(printf '%s  %-4s %-13s %-10s' "$round" "$protocol" "$case" "$name")" \
        "$(cut -f1 <<<"$summary") req/s, p50 $(cut -f2 <<<"$summary") ms," \
        "p99 $(cut -f3 <<<"$summary") ms${note:+, $note}"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$protocol" "$case" "$name" \
        "$(threads_for "$name")" "$summary" "$note" >>"$results"
}

# Every round measures every cell once. Within a round the three servers run back to back for
# each case, starting with a different server each round, so slow drift on the machine (another
# job starting, the CPU clock changing) lands on all three alike and not on one server's rows.
servers=(odds-edge nghttpd nginx)
busy_samples=()
for ((round = 1; round <= ROUNDS; round++)); do
    busy="$(cpu_busy_percent)"
    busy_samples+=("$busy%")
    if ((busy > BUSY_WARNING_PERCENT)); then
        log "warning: the CPUs are $busy% busy with other work; round $round will be noisy"
    fi
    for protocol in "${PROTOCOLS[@]}"; do
        for case in "${CASES[@]}"; do
            for ((i = 0; i < ${#servers[@]}; i++)); do
                name="${servers[(i + round - 1) % ${#servers[@]}]}"
                run_case "$round" "$name" "$protocol" "$case"
            done
        done
    done
done

# --- report --------------------------------------------------------------------------------------

context="$tmp/context.txt"
if [[ -n "${ODDS_EDGE:-}" ]]; then
    built_from="odds-edge binary $odds_edge"
else
    built_from="odds-edge built from $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    git diff --quiet HEAD -- Sources Package.swift 2>/dev/null \
        || built_from="$built_from with local edits"
fi
{
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ), $built_from"
    echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
    echo "threads: odds-edge $THREADS, nghttpd $THREADS, nginx 1 worker (worker_processes 1)"
    echo "load: h2load -t $H2LOAD_THREADS -D $DURATION --warm-up-time $WARMUP, one server" \
        "at a time, $ROUNDS rounds; each cell is the median of its rounds"
    echo "document: $DOC_PATH, $document_bytes bytes of JSON, the same bytes from every server"
    echo "versions: $(h2load --version | head -1), $(nginx -v 2>&1 | sed 's/^nginx version: //')"
    echo "TLS: self-signed P-256 certificate, ALPN h2"
    echo "-c 1 -m 1 runs pinned: SINGLE_CONNECTION_CPUS=$SINGLE_CONNECTION_CPUS" \
        "(same: h2load and the server share one CPU; split: separate CPUs; none: unpinned)"
    echo "CPU busy with other work before each round: ${busy_samples[*]}"
} >"$context"

python3 "$bench_dir/report.py" "$results" "$context" ${markdown_file:+"$markdown_file"}

# Anything odds-edge logged at warning or above during the runs is worth a look.
if cat "$tmp"/odds-edge-*.log 2>/dev/null | grep -q .; then
    log ""
    log "odds-edge logged (first 10 lines; KEEP_TMP=1 keeps the whole logs):"
    cat "$tmp"/odds-edge-*.log | head -10 >&2
fi
