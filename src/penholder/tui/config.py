"""The user's settings: `~/.config/penholder/config.toml` (XDG_CONFIG_HOME respected).

```toml
theme = "nord"            # any Textual theme name

[keys]                    # binding id = key string (see `?` in the app for every id)
"table.sign" = "ctrl+g"
"app.help" = "f1"
```

A malformed file never stops the app: its problems are collected and shown once. The theme
chosen in the app's theme picker is written back (`save_theme`), leaving the rest of the file as
it was.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
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


_THEME_LINE = re.compile(r"^\s*theme\s*=")


def save_theme(theme: str, path: Path | None = None) -> Path:
    """Set the top-level `theme = "..."` of the config file, keeping every other line."""
    path = path or config_path()
    try:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    except FileNotFoundError:
        lines = []
    line = f"theme = {json.dumps(theme)}\n"
    for index, old in enumerate(lines):
        if old.lstrip().startswith("["):  # the first table: top-level keys come before it
            lines.insert(index, line)
            break
        if _THEME_LINE.match(old):
            lines[index] = line
            break
    else:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines.append(line)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".config-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("".join(lines))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
