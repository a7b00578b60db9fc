#!/usr/bin/env bash
# Creates (once) the trainer venv and installs requirements.lock + this package (editable).
# Re-installs only when requirements.lock or pyproject.toml changed (sha256 stamp), so it is
# cheap to call before every training or test run. Venv: ${EDGEFLOW_HOME:-<repo>/.edgeflow}/venvs/trainer.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
home="${EDGEFLOW_HOME:-$repo/.edgeflow}"
venv="$home/venvs/trainer"
stamp="$venv/.edgeflow-install-stamp"

say() { echo "[trainer install] $*" >&2; }

pick_python() {
  local candidate
  for candidate in "${EDGEFLOW_PYTHON:-}" python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

want="$(cat "$here/requirements.lock" "$here/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/python" ]; then
  say "up to date ($venv)"
  exit 0
fi

mkdir -p "$home/venvs"
# Two callers (tests, the retrainer) may race on a fresh machine: serialise on a lock file.
exec 9>"$home/venvs/.trainer-install.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/python" ]; then
  say "up to date ($venv)"
  exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
  python="$(pick_python)" || { say "needs Python >= 3.11 (set EDGEFLOW_PYTHON)"; exit 1; }
  say "creating venv with $("$python" --version 2>&1) at $venv"
  "$python" -m venv "$venv"
fi
if [ "$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" != "3.11" ]; then
  say "warning: requirements.lock is tested on Python 3.11; this venv has $("$venv/bin/python" --version 2>&1)"
fi

rm -f "$stamp"
say "installing requirements.lock (this takes a few minutes the first time)"
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q -r "$here/requirements.lock"
say "installing edgeflow_trainer (editable)"
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q --no-deps --no-build-isolation -e "$here"
"$venv/bin/python" -c 'import edgeflow_trainer, sklearn, lightgbm, skl2onnx, onnxmltools, onnxruntime' >&2
echo "$want" >"$stamp"
say "done ($venv)"
