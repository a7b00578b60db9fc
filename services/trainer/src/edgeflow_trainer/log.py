"""Structured progress logs: one JSON line per event on stderr, in the same shape as the
TypeScript services' logs (time, level, component, msg, fields), so the retrainer can
forward them as they are."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from typing import Any


def _default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def log(level: str, msg: str, **fields: Any) -> None:
    record = {
        "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "level": level,
        "component": "trainer",
        "msg": msg,
        **fields,
    }
    sys.stderr.write(json.dumps(record, default=_default) + "\n")
    sys.stderr.flush()


def info(msg: str, **fields: Any) -> None:
    log("info", msg, **fields)


def warn(msg: str, **fields: Any) -> None:
    log("warn", msg, **fields)


def error(msg: str, **fields: Any) -> None:
    log("error", msg, **fields)
