"""The gradient through a chain thousands of ops deep, in a fresh Python process.

A recursive topological sort dies past Python's default recursion limit (1000 frames), so
the chain is built and differentiated in a child process that has that default limit, and
killed after a time limit: an engine that crashes, recurses forever or is quadratic cannot
take the kit down with it. The child is ``python -m`` this module when the class can be
imported by name; otherwise (a class defined in a script or a function) a fork of this
process, where the platform has one.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
from typing import Any, NoReturn

Outcome = dict[str, Any]  # {"grad": x0.grad}, {"error": one line} or {"skipped": why}

from ...atomic import write_atomically
from .sandbox import Discard, describe

DEFAULT_RECURSION_LIMIT = 1000


def chain_lines(cls: str, depth: int, lifted: bool) -> list[str]:
    step = f"y + {cls}(1.0)" if lifted else "y + 1.0"
    return [f"x0 = {cls}(0.5)", "y = x0", f"for _ in range({depth}):", f"    y = {step}", "y.backward()"]


def importable_name(V: object) -> tuple[str, str] | None:
    """``(module, qualname)`` if importing that gives back ``V`` itself, else None."""
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


def run_chain(V: Any, depth: int, lifted: bool, time_limit: float) -> Outcome:
    """``{"grad": x0.grad}`` or ``{"error": one line}`` or ``{"skipped": why}``."""
    with tempfile.TemporaryDirectory(prefix="conform-chain-") as folder:
        path = os.path.join(folder, "result.json")
        name = importable_name(V)
        if name is not None:
            outcome = _run_subprocess(name, depth, lifted, path, time_limit)
        elif "fork" in multiprocessing.get_all_start_methods():
            outcome = _run_fork(V, depth, lifted, path, time_limit)
        else:
            return {"skipped": "the class cannot be imported by name (define it in a module) and this "
                               "platform cannot fork"}
        if outcome is not None:
            return outcome
        with open(path, encoding="utf-8") as file:
            result: Outcome = json.load(file)  # written whole or not at all (write_atomically)
            return result


def _run_subprocess(name: tuple[str, str], depth: int, lifted: bool, path: str, time_limit: float) -> Outcome | None:
    paths = [os.path.abspath(p) if p else os.getcwd() for p in sys.path]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths))
    command = [sys.executable, "-m", __name__, *name, str(depth), "lifted" if lifted else "number", path]
    try:
        completed = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, timeout=time_limit)
    except subprocess.TimeoutExpired:
        return _timed_out(time_limit)
    return _died(completed.returncode, path)


def _run_fork(V: Any, depth: int, lifted: bool, path: str, time_limit: float) -> Outcome | None:
    process = multiprocessing.get_context("fork").Process(target=_forked, args=(V, depth, lifted, path))
    process.start()
    try:
        process.join(time_limit)
    finally:
        if process.is_alive():  # the time limit, or Ctrl-C while waiting
            process.kill()
            process.join()
            timed_out = True
        else:
            timed_out = False
    return _timed_out(time_limit) if timed_out else _died(process.exitcode, path)


def _timed_out(time_limit: float) -> Outcome:
    return {"error": f"no result within {time_limit:g} s (the process was stopped)"}


def _died(code: int | None, path: str) -> Outcome | None:
    if os.path.exists(path):
        return None
    if code is not None and code < 0:
        try:
            how = f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            how = f"was killed by signal {-code}"
    else:
        how = f"exited with code {code}"
    return {"error": f"the process {how} before reporting a result (a crash in the engine?)"}


def _forked(V: Any, depth: int, lifted: bool, path: str) -> NoReturn:
    sys.setrecursionlimit(DEFAULT_RECURSION_LIMIT)
    _write(path, chain_gradient(V, depth, lifted))
    os._exit(0)


def chain_gradient(V: Any, depth: int, lifted: bool) -> Outcome:
    """Build ``y = x0 + 1 + 1 + ...`` (``depth`` ops) and differentiate it."""
    step = "y + Value(1.0)" if lifted else "y + 1.0"
    where = "Value(0.5)"
    try:
        with contextlib.redirect_stdout(Discard()):
            x = V(0.5)
            y = x
            for k in range(depth):
                where = f"{step} (op {k + 1} of the chain)"
                y = y + V(1.0) if lifted else y + 1.0
            where = "y.backward()"
            y.backward()
            where = "x0.grad"
            return {"grad": float(x.grad)}
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        return {"error": f"{where} raised {describe(error)}"}


def _write(path: str, result: Outcome) -> None:
    write_atomically(path, json.dumps(result))


def _main(argv: list[str]) -> NoReturn:
    module, qualname, depth, mode, path = argv
    V: Any
    try:
        V = importlib.import_module(module)
        for part in qualname.split("."):
            V = getattr(V, part)
    except BaseException as error:
        _write(path, {"error": f"importing {module} in a fresh process raised {describe(error)}"})
    else:
        _write(path, chain_gradient(V, int(depth), mode == "lifted"))
    os._exit(0)  # no teardown: freeing a 100,000-node graph is not the engine's test


if __name__ == "__main__":
    _main(sys.argv[1:])
