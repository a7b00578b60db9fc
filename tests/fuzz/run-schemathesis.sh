#!/usr/bin/env bash
# Fuzzes the HTTP API against its own OpenAPI document with schemathesis (every check):
# creates the fuzzer's venv when missing, starts the API on a free 127.0.0.1 port over a
# throwaway registry holding a linear test model and a fresh key, runs schemathesis, stops
# the API by pid. Exits non-zero on any finding (a 5xx, a response that breaks the spec, a
# schema-valid request refused, an invalid one accepted, …).
#   bash tests/fuzz/run-schemathesis.sh [extra schemathesis run options, e.g. --max-examples 20]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd)
HOME_DIR=${EDGEFLOW_HOME:-$ROOT/.edgeflow}
VENV=$HOME_DIR/venvs/schemathesis
REQS=$ROOT/deploy/local/schemathesis/requirements.txt

stamp=$(sha256sum "$REQS" | cut -d' ' -f1)
if [[ ! -x $VENV/bin/schemathesis ]] || [[ $(cat "$VENV/.requirements.sha256" 2>/dev/null) != "$stamp" ]]; then
  echo "fuzz: installing schemathesis into $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQS"
  echo "$stamp" >"$VENV/.requirements.sha256"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/edgeflow-fuzz-XXXXXX")
API_PID=""
cleanup() {
  if [[ -n $API_PID ]] && kill -0 "$API_PID" 2>/dev/null; then
    kill -TERM "$API_PID"
    for _ in $(seq 50); do kill -0 "$API_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$API_PID" 2>/dev/null && kill -KILL "$API_PID"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

api_env=$(node --import tsx tests/fuzz/prepare-api.ts "$WORK")
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
URL=http://127.0.0.1:$PORT

# In-process model events (KAFKA_BROKERS empty) and a rate limit the fuzzer will not reach.
env $api_env KAFKA_BROKERS= PORT="$PORT" HOST=127.0.0.1 EDGEFLOW_HOME="$WORK/home" \
  EDGEFLOW_API_RATE_PER_SECOND=1000000 EDGEFLOW_API_RATE_BURST=1000000 EDGEFLOW_API_POLL_SECONDS=0 \
  LOG_LEVEL=${LOG_LEVEL:-warn} node --import tsx services/api/main.ts >"$WORK/api.out" 2>"$WORK/api.log" &
API_PID=$!

for _ in $(seq 300); do
  if curl -fsS "$URL/ready" >/dev/null 2>&1; then break; fi
  kill -0 "$API_PID" 2>/dev/null || { echo "fuzz: the API exited:" >&2; cat "$WORK/api.log" >&2; exit 1; }
  sleep 0.2
done
curl -fsS "$URL/ready" >/dev/null || { echo "fuzz: the API is not ready at $URL" >&2; cat "$WORK/api.log" >&2; exit 1; }

status=0
# From the throwaway folder: schemathesis keeps a .schemathesis/ cache in its working directory.
(cd "$WORK" && "$VENV/bin/schemathesis" --config-file "$ROOT/tests/fuzz/schemathesis.toml" run "$URL/openapi.json" \
  --checks all -H "X-API-Key: $(cat "$WORK/key")" --workers 1 --no-color --generation-database none "$@") || status=$?

if grep -q '"level":"error"' "$WORK/api.log"; then
  echo "fuzz: the API logged errors:" >&2
  grep '"level":"error"' "$WORK/api.log" | head -20 >&2
  status=${status/#0/1}
fi
echo "fuzz: schemathesis exit status $status"
exit "$status"
