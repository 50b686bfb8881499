#!/usr/bin/env bash
# Installs what building and testing Oddsnet needs on Debian 12, and only what is missing.
# Sourced by the other scripts; safe to run on its own. Needs root (or sudo) for apt-get.
set -euo pipefail

# Debian packages the build and the tests use: the C libraries (as -dev packages; jemalloc is
# the programs' allocator), the real HTTP/2 peers the tests talk to (curl, nghttp, nghttpd,
# h2load) and openssl for test certificates.
ODDSNET_PACKAGES=(
    libnghttp2-dev libssl-dev liblmdb-dev libjemalloc-dev pkg-config
    nghttp2-client nghttp2-server curl openssl ca-certificates python3
)
# What the tests need besides: a headless browser for the live page's test.
ODDSNET_TEST_PACKAGES=(
    chromium chromium-driver python3-selenium fonts-dejavu-core
)

oddsnet_install_packages() {
    local missing=()
    local package
    for package in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"
        then
            missing+=("$package")
        fi
    done
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    local sudo=""
    if [[ $(id -u) -ne 0 ]]; then
        sudo="sudo"
    fi
    echo "setup: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

oddsnet_find_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        if [[ -x /opt/swift/usr/bin/swift ]]; then
            export PATH="/opt/swift/usr/bin:$PATH"
        else
            echo "setup: the Swift 6 toolchain is not on PATH (expected /opt/swift)" >&2
            exit 2
        fi
    fi
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    oddsnet_install_packages "${ODDSNET_PACKAGES[@]}"
    oddsnet_find_swift
    echo "setup: ready ($(swift --version 2>/dev/null | head -1))"
fi
