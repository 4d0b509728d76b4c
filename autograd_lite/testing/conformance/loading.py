"""``MODULE:ATTR`` to a class, with a one-line error for everything that can go wrong."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import os
import re
import sys
from importlib.machinery import PathFinder
from typing import TYPE_CHECKING, Any

from .sandbox import BudgetSpent, EngineError, EngineGone, Raised, TimeUp, guarded

if TYPE_CHECKING:
    from .session import Session, Target

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


def find_module_file(module_name: str, search_path: list[str], installed: bool = False) -> str | None:
    """The file ``import module_name`` would load from ``search_path``, found without running
    any code (no package's ``__init__`` runs); "" for a folder without ``__init__.py``
    (a namespace package); None if there is none. With ``installed``, the top-level package
    is also looked for by this process's import hooks, as an editable install's finder."""
    parts = module_name.split(".")
    locations = list(search_path)
    spec: Any = None
    for i in range(len(parts)):
        try:
            spec = PathFinder.find_spec(".".join(parts[: i + 1]), locations)
            if spec is None and i == 0 and installed:
                spec = _found_by_import_hooks(parts[0])
        except (ImportError, OSError, ValueError):
            return None
        if spec is None:
            return None
        if i < len(parts) - 1:
            if not spec.submodule_search_locations:
                return None
            locations = list(spec.submodule_search_locations)
    origin = spec.origin
    return "" if origin in (None, "namespace") else os.path.realpath(origin)


def _found_by_import_hooks(name: str) -> Any:
    """A top-level module's spec from the finders on ``sys.meta_path`` (finding runs no module code)."""
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        if find is None or finder is PathFinder:
            continue
        try:
            spec = find(name, None)
        except Exception:  # a finder that cannot answer is no answer
            continue
        if spec is not None and spec.origin not in ("built-in", "frozen"):
            return spec
    return None


def sha256_of(file: str) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def source_of(cls: type) -> dict[str, str] | None:
    """``{"file": ..., "sha256": ...}`` of the file that defines ``cls``, if there is one."""
    try:
        file = inspect.getsourcefile(cls) or inspect.getfile(cls)
        return {"file": os.path.realpath(file), "sha256": sha256_of(file)}
    except (TypeError, OSError):
        return None


def _search_path() -> list[str]:
    return [os.path.abspath(p) for p in sys.path if p]


def target_for(spec: str, folder: str | None = None, installed: bool = False) -> tuple[Target, dict[str, str]]:
    """Where ``"module:Attr"`` is, without importing it: inside ``folder`` (default: the
    current one), or, with ``installed``, wherever Python would import it from. A module
    found only outside ``folder`` is refused with an EngineLoadError naming the file."""
    from .session import Target

    module_name, attribute = _split(spec)
    if installed:
        file = find_module_file(module_name, _search_path(), installed=True)
        if not file:
            raise EngineLoadError(_not_found(module_name, None, file))
        target = Target(module_name, attribute)
        return target, {"file": file, "sha256": sha256_of(file)}
    root = os.path.realpath(folder if folder is not None else os.getcwd())
    if not os.path.isdir(root):
        raise EngineLoadError(f"--path {folder}: there is no such folder")
    file = find_module_file(module_name, [root])
    if not file:
        elsewhere = find_module_file(module_name, _search_path())
        if elsewhere:
            raise EngineLoadError(f"{module_name} is not in {root}: Python would import {elsewhere} instead, which is "
                                  f"not the submission (put {module_name.replace('.', '/')}.py in the folder, or pass "
                                  f"--installed to check an installed package)")
        raise EngineLoadError(_not_found(module_name, root, file))
    if os.path.commonpath([root, file]) != root:
        raise EngineLoadError(f"{module_name} resolves to {file}, outside {root} (a link?): refused")
    target = Target(module_name, attribute, [root, *_search_path()], root=root, file=file)
    return target, {"file": file, "sha256": sha256_of(file)}


def _not_found(module_name: str, root: str | None, file: str | None) -> str:
    top = module_name.split(".")[0]
    if file == "":
        return f"{module_name} is a folder without a module in it: name the module file (e.g. {module_name}.engine)"
    where = f" in {root}" if root else ""
    return (f"no module named {module_name!r}{where}: run from the folder that contains {top}.py (or use --path), "
            f"or install the package ({EXAMPLE})")


def start_or_explain(session: Session, spec: str) -> None:
    """Start the engine's process and load the engine; an EngineLoadError if it cannot."""
    try:
        session.start()
    except Raised as error:
        if error.type_name == "LoadError":
            raise EngineLoadError(error.message) from None
        raise EngineLoadError(f"loading {spec.strip()} raised {error}") from None
    except TimeUp:
        session.stop()
        raise EngineLoadError(f"importing {spec.strip()} did not finish within {session.call_limit:g} s") from None
    except (EngineGone, BudgetSpent) as error:
        session.stop()
        raise EngineLoadError(f"loading {spec.strip()}: {error}") from None
