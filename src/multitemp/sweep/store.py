"""One JSON file per finished point, ``OUT/points/<config hash>.json``, written atomically
(temporary file, then rename), so that a sweep killed at any moment loses only the points in
flight, and a re-run skips what is done."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


class PointStore:
    def __init__(self, out_dir: str | Path):
        self.dir = Path(out_dir) / "points"
        self.dir.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.dir / f"{key}.json"

    def load(self, key: str) -> dict[str, Any] | None:
        try:
            return json.loads(self.path(key).read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def is_done(self, key: str) -> bool:
        rec = self.load(key)
        return rec is not None and rec.get("status") == "ok"

    def save(self, key: str, record: dict[str, Any]) -> None:
        path = self.path(key)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        tmp.write_text(json.dumps(record))
        os.replace(tmp, path)
