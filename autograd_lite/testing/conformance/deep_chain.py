"""The deep chain as code, and whether a class can be imported by name.

The chain itself (``x0 + 1 + 1 + ...``, 10,000 and 100,000 ops) is built in the engine's
own process (:mod:`._child`), which has Python's default recursion limit (1000 frames):
a recursive topological sort dies there as it would in a student's script.
"""

from __future__ import annotations

import importlib

DEFAULT_RECURSION_LIMIT = 1000


def chain_lines(cls: str, depth: int, lifted: bool) -> list[str]:
    step = f"y + {cls}(1.0)" if lifted else "y + 1.0"
    return [f"x0 = {cls}(0.5)", "y = x0", f"for _ in range({depth}):", f"    y = {step}", "y.backward()"]


def importable_name(V: object) -> tuple[str, str] | None:
    """``(module, qualname)`` if importing that gives back ``V`` itself, else None (a class
    defined in a function or in ``__main__``). Only looks in ``sys.modules``-backed imports
    of modules already loaded, so no engine code runs here that has not run already."""
    module, qualname = getattr(V, "__module__", None), getattr(V, "__qualname__", "")
    if not isinstance(module, str) or module == "__main__" or "<locals>" in qualname:
        return None
    try:
        found: object = importlib.import_module(module)
        for part in qualname.split("."):
            found = getattr(found, part)
    except Exception:
        return None
    return (module, qualname) if found is V else None
