#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every test.
# Extra arguments go to `swift test` (for example: --filter ServerClientTests).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
oddsnet_install_packages "${ODDSNET_PACKAGES[@]}" "${ODDSNET_TEST_PACKAGES[@]}"
oddsnet_find_swift

# Tests open many sockets at once (fuzzing connections, floods): allow as many as permitted.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

swift build --build-tests
# The release build is what run-local.sh and the benchmarks use; the optimizer must take it too.
swift build -c release
# One test at a time: the tests start servers and processes and wait on them with deadlines,
# and on a 2-core machine parallel tests would starve each other's event loops and timers.
swift test --skip-build --no-parallel "$@"
