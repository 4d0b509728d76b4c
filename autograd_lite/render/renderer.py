"""Finding a Graphviz ``dot`` to turn DOT text into SVG or PNG, and running it.

Search order: the ``AUTOGRAD_LITE_DOT`` environment variable; the system ``dot`` on PATH;
the ``graphviz-pure`` executable (a pip-installable port of Graphviz) on PATH, then in the
running interpreter's scripts folder, so an un-activated virtual environment works too.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig

ENV_VAR = "AUTOGRAD_LITE_DOT"
PURE_NAME = "graphviz-pure"

HOW_TO_GET_ONE = (
    "Install one of:\n"
    "  pip install graphviz-pure        (no system packages needed)\n"
    "  apt install graphviz  |  brew install graphviz  |  winget install graphviz\n"
    f"or set {ENV_VAR} to the path of a dot executable.\n"
    "Without a renderer, .source and .save('graph.dot') still work."
)


class RendererNotFoundError(RuntimeError):
    """No Graphviz renderer was found; the message lists the ways to get one."""


class RenderError(RuntimeError):
    """The renderer ran but failed (bad format, crash or timeout)."""


class FormatNotSupportedError(RenderError):
    """The renderer found cannot write the format asked for; the message lists what it can."""

    def __init__(self, message: str, executable: str, output_format: str, formats: frozenset[str]) -> None:
        super().__init__(message)
        self.executable = executable
        self.output_format = output_format
        self.formats = formats  # the -T formats the renderer reported


def scripts_dirs() -> list[str]:
    """Folders where pip puts the running interpreter's executables."""
    dirs = [sysconfig.get_path("scripts"), os.path.dirname(sys.executable)]
    return [d for d in dict.fromkeys(dirs) if d]


def find_renderer() -> str:
    """The path of the dot executable to use; RendererNotFoundError if there is none."""
    override = os.environ.get(ENV_VAR)
    if override:
        found = shutil.which(override)
        if found is None:
            raise RendererNotFoundError(
                f"{ENV_VAR} is set to {override!r}, which is not an executable file. "
                f"Point it at a dot executable (e.g. /usr/bin/dot or the graphviz-pure "
                f"script) or unset it to search automatically.")
        return found
    found = shutil.which("dot") or shutil.which(PURE_NAME)
    if found:
        return found
    for folder in scripts_dirs():
        found = shutil.which(PURE_NAME, path=folder)
        if found:
            return found
    searched = ", ".join(["PATH", *scripts_dirs()])
    raise RendererNotFoundError(
        f"No Graphviz renderer found to make SVG/PNG (looked for 'dot' and '{PURE_NAME}' "
        f"in {searched}).\n{HOW_TO_GET_ONE}")


def output_formats(executable: str) -> frozenset[str] | None:
    """The ``-T`` formats the renderer at ``executable`` writes, or None if it does not say.

    Asked once per executable (``dot -T?`` lists them, as does graphviz-pure, which has no
    PDF), so a format it lacks is refused before any layout work.
    """
    try:
        stat = os.stat(executable)
    except OSError:
        return None
    return _listed_formats(executable, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _listed_formats(executable: str, mtime_ns: int, size: int) -> frozenset[str] | None:  # the file's identity: a replaced dot is asked again
    try:
        finished = subprocess.run([executable, "-T?"], stdin=subprocess.DEVNULL, capture_output=True,
                                  timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (finished.stderr + finished.stdout).decode("utf-8", "replace")
    _, found, listed = text.partition("Use one of:")
    if not found:
        return None
    return frozenset(word.split(":")[0] for word in listed.split())


def require_format(output_format: str) -> str:
    """The renderer to use for ``output_format``; FormatNotSupportedError if it lacks it."""
    executable = find_renderer()
    formats = output_formats(executable)
    if formats is not None and output_format not in formats:
        raise FormatNotSupportedError(
            f"the Graphviz renderer found, {executable}, cannot write {output_format.upper()} "
            f"(it writes: {' '.join(sorted(formats))}). For {output_format.upper()}, install the "
            f"system Graphviz (apt install graphviz | brew install graphviz | winget install "
            f"graphviz) or set {ENV_VAR} to a dot that has it.",
            executable, output_format, formats)
    return executable


def render(source: str, output_format: str, timeout: float = 120) -> bytes:
    """Run the renderer on DOT ``source``; return the output bytes (e.g. SVG or PNG).

    FormatNotSupportedError, before any layout work, if the renderer lacks the format.
    """
    executable = require_format(output_format)
    try:
        finished = subprocess.run([executable, f"-T{output_format}"], input=source.encode("utf-8"),
                                  capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise RenderError(f"{executable} took more than {timeout} s to lay out the graph; "
                          f"draw a smaller graph or collapse scopes (see draw_graph's "
                          f"max_nodes and collapse_depth)") from None
    except OSError as error:
        raise RenderError(f"could not run {executable}: {error}") from None
    if finished.returncode != 0 or not finished.stdout:
        message = finished.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"{executable} -T{output_format} failed (exit {finished.returncode}): "
                          f"{message or 'no output'}")
    return finished.stdout
