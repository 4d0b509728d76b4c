"""``autograd-lite grad ... --practice page.html``: the expression's backward as a practice
page (``backward_steps(output, practice=True)``), written whole or not at all."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .errors import FAILED, CommandError

if TYPE_CHECKING:
    from ..value import Value

MAX_NODES = 60  # backward_steps' default: one drawing per step is only readable for small graphs


def check_practice_path(path: str) -> None:
    """Refuse, before any work, a path that is not a writable ``.html`` file or a machine
    without a Graphviz renderer (the page draws the graph)."""
    from ..atomic import check_target
    from ..render import find_renderer

    if os.path.splitext(path)[1].lower() not in (".html", ".htm"):
        raise CommandError(f"--practice writes an HTML page; give a path ending in .html, got {path!r}")
    with _page_errors(path):
        check_target(path)
        find_renderer()


def check_practice_size(output: Value) -> None:
    """Refuse, before anything is printed, a graph too big for a practice page."""
    from ..graph import topological_order

    size = len(topological_order(output))
    if size > MAX_NODES:
        raise CommandError(f"the expression has {size} values, more than the {MAX_NODES} a practice page "
                           f"draws (one drawing per step); practise on a smaller expression")


def save_practice_page(output: Value, path: str) -> None:
    """Record ``output.backward()`` as a practice page and write it to ``path``. ``output``
    must be a fresh graph: recording runs backward, so its leaves' grads change."""
    from ..render import backward_steps

    check_practice_size(output)
    steps = backward_steps(output, practice=True, max_nodes=MAX_NODES)
    with _page_errors(path):
        steps.save(path)
    print(f"\nwrote {path} (practice: {len(steps.questions)} questions)")


@contextlib.contextmanager
def _page_errors(path: str) -> Iterator[None]:
    """Writing the page's failures as one-line CommandErrors (exit 1)."""
    from ..render.renderer import RenderError, RendererNotFoundError

    try:
        yield
    except (RendererNotFoundError, RenderError) as error:
        raise CommandError(f"cannot draw the practice page {path}: {error}", FAILED) from None
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror or error}", FAILED) from None
