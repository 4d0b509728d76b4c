"""``MODULE:ATTR`` to a class, with a one-line error for everything that can go wrong."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import re
import sys

from .sandbox import EngineError, guarded

IMPORT_TIME_LIMIT = 60.0
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
EXAMPLE = "e.g. micrograd.engine:Value, or my_engine:Value for my_engine.py in this folder"


class EngineLoadError(Exception):
    """The engine could not be loaded; ``str()`` says why and what to do, in one line."""


def load_engine(spec: str) -> type:
    """The class named by ``"module:Attr"`` (``Attr`` may be dotted). The current folder is
    searched first, as ``python -m`` does, so ``my_engine:Value`` finds ./my_engine.py."""
    module_name, attribute = _split(spec)
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    found: object
    try:
        found = importlib.util.find_spec(module_name)
    except Exception:  # a parent package that fails to import: the import below says how
        found = True
    if found is None:
        raise EngineLoadError(f"no module named {module_name!r}: run from the folder that contains "
                              f"{module_name.split('.')[0]}.py, or install the package ({EXAMPLE})")
    try:
        module = guarded(lambda: importlib.import_module(module_name), f"importing {module_name}", IMPORT_TIME_LIMIT)
    except EngineError as error:
        raise EngineLoadError(f"{error}; fix the module, then run again") from None
    engine: object = module
    for depth, part in enumerate(attribute.split(".")):
        try:
            engine = guarded(lambda: getattr(engine, part), part, IMPORT_TIME_LIMIT)
        except EngineError as error:
            where = ".".join([module_name, *attribute.split(".")[:depth]])
            classes = sorted(n for n, v in vars(module).items() if inspect.isclass(v) and not n.startswith("_"))
            hint = f"; its classes: {', '.join(classes)}" if depth == 0 and classes else ""
            if error.exception_type == "AttributeError":
                raise EngineLoadError(f"{where} has no attribute {part!r}{hint}") from None
            raise EngineLoadError(f"looking up {part!r} in {where}: {error}") from None
    if not inspect.isclass(engine):
        raise EngineLoadError(f"{spec} is a {type(engine).__name__}, not a class: name the engine's Value class "
                              f"({EXAMPLE})")
    return engine


def _split(spec: object) -> tuple[str, str]:
    if not isinstance(spec, str):
        raise EngineLoadError(f"the engine must be named as a string MODULE:CLASS ({EXAMPLE}), got "
                              f"{type(spec).__name__}")
    module_name, colon, attribute = spec.strip().partition(":")
    if module_name.endswith(".py"):
        raise EngineLoadError(f"{spec!r}: give the module name without .py, e.g. {module_name[:-3]}:{attribute or 'Value'}")
    if not colon or not _DOTTED.match(module_name) or not _DOTTED.match(attribute):
        raise EngineLoadError(f"{spec!r} is not of the form MODULE:CLASS ({EXAMPLE})")
    return module_name, attribute
