"""Splitting long generated code into functions of bounded size.

CPython's compiler needs a few kilobytes per line of a function while it compiles it
(AST, symbol table, control-flow graph), about ten times the memory of the eager graph.
So a tape longer than ``SEGMENT_LINES`` lines becomes a chain of functions
``run_0 .. run_n``, each compiled on its own: the peak memory of code generation stays
that of one segment, whatever the graph's size. Variables that cross a segment boundary
pass through a dict ``S``, read once at the start of the segment that needs them; the
arithmetic, and so every bit of the results, is unchanged.
"""

import re

SEGMENT_LINES = 50_000  # a few hundred MB of compiler memory at most; smaller tapes stay one function

_NAME = re.compile(r"\b([vgLk]\d+)\b")  # the generated code's variables (k: constants)


def functions(body, n_constants, segment_lines=None):
    """The source of ``run(I, C)`` running ``body`` (lines without indentation, the last
    a ``return``), as a list of function definitions to compile one at a time."""
    limit = segment_lines or SEGMENT_LINES
    if len(body) <= limit:
        head = [f"{', '.join(f'k{j}' for j in range(n_constants))}, = C"] if n_constants else []
        return [_function("run(I, C)", head + body)]
    chunks = [body[start:start + limit] for start in range(0, len(body), limit)]
    imports = [_read_before_written(chunk) for chunk in chunks]
    needed_later, sources = set(), []
    for k in range(len(chunks) - 1, -1, -1):  # backwards: what later segments read
        written = {line.partition(" = ")[0] for line in chunks[k] if not line.startswith("return ")}
        exports = sorted(written & needed_later)
        needed_later = (needed_later - written) | set(imports[k])
        head = [f"{name} = C[{name[1:]}]" if name[0] == "k" else f"{name} = S[{name!r}]" for name in imports[k]]
        tail = [f"S[{name!r}] = {name}" for name in exports]
        sources.append(_function(f"run_{k}(I, C, S)", head + chunks[k] + tail))
    calls = [f"run_{k}(I, C, S)" for k in range(len(chunks) - 1)]
    driver = _function("run(I, C)", ["S = {}", *calls, f"return run_{len(chunks) - 1}(I, C, S)"])
    return sources[::-1] + [driver]


def _read_before_written(lines):
    """Names the lines read before they assign them, in first-read order."""
    written, read = set(), {}
    for line in lines:
        target, _, expression = line.partition(" = ")
        if line.startswith("return "):
            target, expression = None, line
        for name in _NAME.findall(expression):
            if name not in written:
                read.setdefault(name, None)
        written.add(target)
    return list(read)


def _function(signature, lines):
    return f"def {signature}:\n" + "".join(f"    {line}\n" for line in lines)


def define(sources, scope, filename):
    """Compile and define each function of ``sources`` in ``scope``, one at a time."""
    for source in sources:
        exec(compile(source, filename, "exec"), scope)  # generated from our own tape, never user text
