#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every test.
# Extra arguments go to `swift test` (for example: --filter ServerClientTests).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
oddsnet_install_packages "${ODDSNET_PACKAGES[@]}"
oddsnet_find_swift

# Tests open many sockets at once (1,000 streams, fuzzing connections).
ulimit -n 65536 2>/dev/null || true

swift build --build-tests
swift test --skip-build "$@"
