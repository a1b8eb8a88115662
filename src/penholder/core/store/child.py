"""Starting one of Penholder's own modules as a child process, safely.

`python -m penholder...` would put the current directory first on the import path, and read
PYTHONPATH and the user's site folder: a folder holding a file named like one of our modules
(a hostile negotiation folder, say) would then run in our place, and could answer "good" for
every signature. The child runs isolated (`-I`) and imports from the folder this copy of
Penholder was loaded from, and nothing else first.
"""

from __future__ import annotations

import sys
from pathlib import Path

import penholder

_RUN = (
    "import runpy, sys; sys.path.insert(0, sys.argv[1]); module = sys.argv[2]; "
    "del sys.argv[1:3]; runpy.run_module(module, run_name='__main__', alter_sys=True)"
)


def own_module_command(module: str, *args: str) -> list[str]:
    """The command that runs `module` (a `penholder.…` module) as `__main__` with `args`."""
    if not module.startswith("penholder."):
        raise ValueError(f"{module} is not one of Penholder's modules")
    root = str(Path(penholder.__file__).resolve().parents[1])
    return [sys.executable, "-I", "-c", _RUN, root, module, *args]
