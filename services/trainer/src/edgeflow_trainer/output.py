"""The version folder is built in a hidden sibling directory and renamed into place, so a
reader never sees a half-written model and a failed run leaves nothing at --out."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from edgeflow_trainer.errors import BadInput


def check_out_free(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BadInput(f"{out}: --out already exists and is not an empty directory")


def staging_dir(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    # mkdtemp makes the folder private (0700); a version folder is read by other services.
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)
    return staging


def write_json(path: Path, value: Any) -> None:
    # allow_nan=False: NaN is not JSON, and the TypeScript side would fail to parse it.
    path.write_text(json.dumps(value, indent=2, allow_nan=False) + "\n", encoding="utf-8")


def publish(staging: Path, out: Path) -> None:
    check_out_free(out)
    if out.exists():
        out.rmdir()
    os.rename(staging, out)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
