"""Splitting long generated code into functions of bounded size.

CPython's compiler needs a few kilobytes per line of a function while it compiles it
(AST, symbol table, control-flow graph), about ten times the memory of the eager graph.
So a tape longer than ``ONE_FUNCTION_LINES`` lines becomes a chain of functions
``run_0 .. run_n`` of ``SEGMENT_LINES`` lines, each compiled on its own: the peak memory of code generation stays
that of one segment, whatever the graph's size. Variables that cross a segment boundary
pass through a dict ``S``, read once at the start of the segment that needs them; the
arithmetic, and so every bit of the results, is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

ONE_FUNCTION_LINES = 50_000  # up to this, one function: no variable crosses a boundary (fastest)
SEGMENT_LINES = 10_000  # beyond it, segments of this size: ~50 MB of compiler memory each

_NAME = re.compile(r"\b([vgLk]\d+)\b")  # the generated code's variables (k: constants)


def functions(body: list[str], n_constants: int, segment_lines: int | None = None) -> Iterator[str]:
    """The source of ``run(I, C)`` running ``body`` (lines without indentation, the last
    a ``return``), as function definitions to compile one at a time (a generator: each
    text exists only until it is compiled)."""
    limit = segment_lines or SEGMENT_LINES
    if len(body) <= (segment_lines or ONE_FUNCTION_LINES):
        head = [f"{', '.join(f'k{j}' for j in range(n_constants))}, = C"] if n_constants else []
        yield _function("run(I, C)", head + body)
        return
    chunks = [body[start:start + limit] for start in range(0, len(body), limit)]
    imports = [_read_before_written(chunk) for chunk in chunks]
    exports: list[list[str]] = []
    needed_later: set[str] = set()
    for k in range(len(chunks) - 1, -1, -1):  # backwards: what later segments read
        written = {line.partition(" = ")[0] for line in chunks[k] if not line.startswith("return ")}
        exports.append(sorted(written & needed_later))
        needed_later = (needed_later - written) | set(imports[k])
    exports.reverse()
    for k, chunk in enumerate(chunks):
        head = [f"{name} = C[{name[1:]}]" if name[0] == "k" else f"{name} = S[{name!r}]" for name in imports[k]]
        tail = [f"S[{name!r}] = {name}" for name in exports[k]]
        yield _function(f"run_{k}(I, C, S)", head + chunk + tail)
    calls = [f"run_{k}(I, C, S)" for k in range(len(chunks) - 1)]
    yield _function("run(I, C)", ["S = {}", *calls, f"return run_{len(chunks) - 1}(I, C, S)"])


def _read_before_written(lines: Iterable[str]) -> list[str]:
    """Names the lines read before they assign them, in first-read order."""
    written: set[str | None] = set()
    read: dict[str, None] = {}
    target: str | None
    for line in lines:
        target, _, expression = line.partition(" = ")
        if line.startswith("return "):
            target, expression = None, line
        for name in _NAME.findall(expression):
            if name not in written:
                read.setdefault(name, None)
        written.add(target)
    return list(read)


def _function(signature: str, lines: Iterable[str]) -> str:
    return f"def {signature}:\n" + "".join(f"    {line}\n" for line in lines)


def define(sources: Iterable[str], scope: dict[str, Any], filename: str) -> None:
    """Compile and define each function of ``sources`` in ``scope``, one at a time."""
    for source in sources:
        exec(compile(source, filename, "exec"), scope)  # generated from our own tape, never user text
