#!/usr/bin/env bash
# Runs the trainer's pytest suite with the trainer venv (installing it first if needed).
# Extra arguments go to pytest, e.g. `services/trainer/test.sh -k parity -x`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${EDGEFLOW_HOME:-$repo/.edgeflow}/venvs/trainer"
bash "$here/install.sh"
cd "$here"
# Tests must not log to a real MLflow server the caller happens to have configured.
unset MLFLOW_TRACKING_URI
exec "$venv/bin/python" -m pytest "$@"
