"""Config files shared by both engines: strict pydantic tables, TOML, ``--set`` overrides, and
error messages that name the key, the value and what is allowed (:class:`ConfigError`)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, PositiveInt, ValidationError, model_validator

__all__ = ["Strict", "RunTimes", "ConfigError", "validate", "apply_overrides", "set_path", "read_toml"]


class Strict(BaseModel):
    """A config table: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class RunTimes(Strict):
    """What both engines' [run] tables share: time step, length and burn-in (system time
    units), the noise seed and the numba threads."""

    dt: PositiveFloat
    time: PositiveFloat
    burn_in: float = Field(default=0.0, ge=0)
    seed: int = Field(default=0, ge=0, lt=2**63)
    threads: PositiveInt | None = None

    @model_validator(mode="after")
    def _times(self) -> RunTimes:
        if self.burn_in >= self.time:
            raise ValueError(f"run.burn_in = {self.burn_in} must be smaller than run.time = {self.time}")
        if self.time / self.dt < 1:
            raise ValueError(f"run.time = {self.time} is shorter than one step dt = {self.dt}")
        return self


class ConfigError(ValueError):
    """Invalid configuration; the message names the key, the value and what is allowed."""


def _models_in(ann: Any) -> list[type[BaseModel]]:
    """The pydantic models named by an annotation (through Optional, Union, Annotated)."""
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return [ann]
    return [m for arg in get_args(ann) for m in _models_in(arg)]


def _allowed_keys(loc: tuple, root: type[BaseModel]) -> list[str]:
    """Keys allowed in the table that holds the key at ``loc`` (pydantic error location)."""
    candidates: list[type[BaseModel]] = [root]
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        tagged = [
            m for m in candidates if "kind" in m.model_fields and get_args(m.model_fields["kind"].annotation) == (part,)
        ]
        if tagged:  # a discriminated-union tag
            candidates = tagged
            continue
        fields = candidates[0].model_fields if candidates else {}
        candidates = _models_in(fields[part].annotation) if part in fields else []
    return sorted(candidates[0].model_fields) if len(candidates) == 1 else []


def _format(err: ValidationError, root: type[BaseModel]) -> str:
    lines = []
    tags = _kind_tags(root)
    for e in err.errors():
        loc = tuple(e["loc"])
        key = ".".join(str(p) for p in loc if not (isinstance(p, str) and p in tags))
        if e["type"] == "extra_forbidden":
            allowed = ", ".join(_allowed_keys(loc, root)) or "(none)"
            lines.append(f"unknown key '{key}'; allowed keys here: {allowed}")
        elif e["type"] == "missing":
            lines.append(f"missing key '{key}'")
        elif e["type"] == "union_tag_invalid":
            lines.append(
                f"{key}.kind = {e['input'].get('kind')!r} is not allowed; allowed kinds: {e['msg'].split(': ', 1)[-1]}"
            )
        elif e["type"] == "union_tag_not_found":
            lines.append(f"{key} needs a 'kind'")
        else:
            where = f"'{key}'" if key else "config"
            msg = e["msg"].removeprefix("Value error, ")
            shown = "" if e["type"] == "value_error" else f" = {e['input']!r}"
            lines.append(f"{where}{shown}: {msg}")
    return "invalid configuration:\n  " + "\n  ".join(lines)


def _kind_tags(root: type[BaseModel]) -> set[str]:
    """Every ``kind`` literal of the models reachable from ``root`` (discriminated-union tags)."""
    tags: set[str] = set()
    seen: set[type] = set()
    todo = [root]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            if name == "kind":
                tags.update(str(v) for v in get_args(info.annotation))
            todo.extend(_models_in(info.annotation))
    return tags


def validate(root: type[BaseModel], data: dict) -> BaseModel:
    """``root.model_validate(data)``; a :class:`ConfigError` with a readable message if invalid."""
    try:
        return root.model_validate(data)
    except ValidationError as err:
        raise ConfigError(_format(err, root)) from None


def _parse_value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def set_path(data: dict, path: str, value: Any) -> None:
    """Set ``data[a][b][...] = value`` for ``path = "a.b..."``; digits index lists."""
    parts = path.split(".")
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ConfigError(f"key '{path}': '{part}' is not an index of a list of {len(node)}")
            if last:
                node[int(part)] = value
            else:
                node = node[int(part)]
        elif isinstance(node, dict):
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
        else:
            raise ConfigError(f"key '{path}': '{part}' is not inside a table or list")


def apply_overrides(data: dict, overrides: list[str]) -> dict:
    """Apply ``key.path=value`` overrides (values parsed as TOML, else taken as strings; digits
    index lists, e.g. ``system.temperatures.0=3``)."""
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"override {item!r}: expected key.path=value, e.g. run.replicas=100")
        key, _, text = item.partition("=")
        set_path(data, key.strip(), _parse_value(text.strip()))
    return data


def read_toml(path: str | Path, what: str = "config file") -> dict:
    """Parse a TOML file; a missing file or bad TOML is a :class:`ConfigError`."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"{what} not found: {path}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path} is not valid TOML: {err}") from None
