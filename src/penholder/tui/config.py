"""The user's settings: `~/.config/penholder/config.toml` (XDG_CONFIG_HOME respected).

```toml
theme = "nord"            # any Textual theme name

[keys]                    # binding id = key string (see `?` in the app for every id)
"table.sign" = "ctrl+g"
"app.help" = "f1"
```

A malformed file never stops the app: its problems are collected and shown once.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path


def config_home() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "penholder"


def state_home() -> Path:
    """Where local, unsent work is kept (XDG_STATE_HOME, else ~/.local/state)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "penholder"


def config_path() -> Path:
    if env := os.environ.get("PENHOLDER_CONFIG"):
        return Path(env)
    return config_home() / "config.toml"


@dataclass(frozen=True)
class Config:
    keys: dict[str, str] = field(default_factory=dict)
    theme: str | None = None
    problems: tuple[str, ...] = ()


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        return Config(problems=(f"cannot read {path}: {exc.strerror}",))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return Config(problems=(f"{path} is not valid TOML: {exc}",))
    problems: list[str] = []
    keys: dict[str, str] = {}
    table = data.get("keys", {})
    if not isinstance(table, dict):
        problems.append(f"{path}: [keys] must be a table of binding id = key")
        table = {}
    for binding_id, key in table.items():
        if isinstance(key, str) and key.strip():
            keys[str(binding_id)] = key.strip()
        else:
            problems.append(f"{path}: key for {binding_id!r} must be a non-empty string")
    theme = data.get("theme")
    if theme is not None and not isinstance(theme, str):
        problems.append(f"{path}: theme must be a string")
        theme = None
    return Config(keys=keys, theme=theme, problems=tuple(problems))
