#!/usr/bin/env bash
# Places one bet through a local edge as the demo customer of scripts/run-local.sh: reads the
# market from the edge, bets at the price and version it shows, and prints the answer.
#
# Usage: scripts/place-bet.sh MARKET SELECTION STAKE [POLICY]
#   STAKE in minor units (500 is 5.00); POLICY exact (default) or better.
# Environment: EDGE (default http://127.0.0.1:8081), TOKEN_FILE (default
# var/local/customer-token), IDEMPOTENCY_KEY (default: a fresh one; reuse one to retry).
set -euo pipefail
cd "$(dirname "$0")/.."
if (($# < 3)); then
    sed -n 5,8p "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
market=$1 selection=$2 stake=$3 policy=${4:-exact}
edge=${EDGE:-http://127.0.0.1:8081}
token=$(cat "${TOKEN_FILE:-var/local/customer-token}")
key=${IDEMPOTENCY_KEY:-$(python3 -c 'import uuid; print(uuid.uuid4())')}

body=$(curl -sf --http2-prior-knowledge "$edge/v1/markets/$market" | python3 -c '
import json, sys
market = json.load(sys.stdin)
selection, stake, policy = sys.argv[1], int(sys.argv[2]), sys.argv[3]
price = next((s["price"]["decimal"] for s in market["selections"] if s["id"] == selection),
             None)
if price is None:
    sys.exit("no selection %s in market %s" % (selection, market["id"]))
print(json.dumps({"market": market["id"], "selection": selection, "price": price,
                  "marketVersion": market["version"], "stake": stake, "policy": policy}))
' "$selection" "$stake" "$policy")
echo "bet:    $body (Idempotency-Key $key)"
echo -n "answer: "
curl -s --http2-prior-knowledge "$edge/v1/bets" -H "Authorization: Bearer $token" \
    -H "Idempotency-Key: $key" -H "content-type: application/json" -d "$body" \
    -w '  (HTTP %{http_code})\n'
