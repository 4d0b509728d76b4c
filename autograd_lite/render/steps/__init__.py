"""``backward_steps``: backward as a process, one frame per ``parent.grad += local * grad``.

Files: ``record`` (the engine's order and the captions), ``frames`` (one layout, one SVG per
step), ``page`` (the self-contained step-through page), ``practice`` and ``practice_assets``
(practice mode: the page asks for each step before it shows it).
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, cast

from ...aliases import FilePath

from ...atomic import write_atomically
from ..collapse import GraphTooLargeError
from ..labels import number_formatter, printable
from ..paths import GraphIndex
from ..renderer import RendererNotFoundError, render
from .frames import build_layout_dot, frame_patches, grad_texts, make_frames, one_line, whole_views
from .page import full_page, page_body
from .practice import Question, Screen, plan, practice_body, practice_page
from .record import Step, record_steps

if TYPE_CHECKING:
    from ...value import Value
    from .page import Patches

__all__ = ["backward_steps", "BackwardSteps", "Step", "Question"]


def backward_steps(root: Value, gradient: float = 1.0, *, number_format: str | Callable[[float], str] = ".4f",
                   max_nodes: int = 60, parameters: Iterable[Value] | None = None,
                   practice: bool = False) -> BackwardSteps:
    """Run ``root.backward(gradient)`` and record every step of it; returns :class:`BackwardSteps`.

    The grads left behind are exactly those of ``backward()`` (it is the engine that runs).
    The steps are the root's seed, then each ``parent.grad += local * grad`` in the engine's
    order: a node passes its grad on only once every use of it has contributed, so at that
    moment its grad is the complete total derivative. A use whose local derivative is exactly
    0 contributes nothing (the engine's zero-masking rule) and is shown greyed.

    number_format: format spec (``".4f"``) or callable for every number shown.
    max_nodes: the most values to draw. The page holds one drawing per step, so above it
        GraphTooLargeError says what to do, and nothing has run (no grad changed).
    parameters: Values to style as parameters, as in ``draw_graph``.
    practice: make the page a practice page: before each step it asks for the contribution
        ``local * grad`` (and, at a fan-out once every use has contributed, the total), with
        a hint after a wrong answer, a Reveal button and a score; see ``.questions``.
    """
    from ...value import Value

    if not isinstance(root, Value):
        raise TypeError(f"backward_steps expects the output Value, got {type(root).__name__}")
    if isinstance(gradient, (bool, Value)) or not isinstance(gradient, numbers.Real):
        raise TypeError(f"gradient must be a real number (the seed, usually 1.0), got "
                        f"{type(gradient).__name__}")
    if not isinstance(practice, bool):
        raise TypeError(f"practice must be True or False, got {practice!r} ({type(practice).__name__}); "
                        f"backward_steps(root, practice=True) makes the page ask for every step")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")
    fmt = one_line(number_formatter(number_format))
    index = GraphIndex(root)
    if len(index.order) > max_nodes:
        raise GraphTooLargeError(
            f"the graph has {len(index.order)} values, more than max_nodes={max_nodes}; "
            f"backward_steps draws the whole graph once per step, which is only readable for "
            f"small graphs. Options: step through a smaller sub-expression (one neuron, one "
            f"example); use draw_graph(root) for the finished sums of a big graph; or raise "
            f"the limit with max_nodes={len(index.order)} (the page grows with values x steps).")
    steps = record_steps(index, float(gradient), fmt)
    root.backward(float(gradient))
    texts = grad_texts(index, steps, fmt, max_terms=6)
    # One line per name: a newline in a label would split the box's text into more fields.
    names = [" ".join(printable(index.name(node)).split()) or "?" for node in index.order]
    source = build_layout_dot(index, steps, texts, names, fmt, set(parameters) if parameters is not None else None)
    questions, screens = plan(index, steps, texts, names, fmt)
    return BackwardSteps(steps, texts, names, source, printable(index.name(root)), practice, questions, screens)


class BackwardSteps:
    """The recorded steps of one backward pass, as frames and as a step-through page.

    ``steps``: the :class:`Step` records; ``captions``: one sentence per step; ``source``: the
    DOT text of the shared layout; ``frames``: one SVG per step (rendered on first use, which
    needs a Graphviz renderer, see ``draw_graph``); ``html()`` / ``save(path)``: the page.
    ``practice``: whether the page is a practice page; ``questions``: the :class:`Question`
    records such a page asks, in order (recorded either way). It holds numbers and text only,
    so it keeps no Value alive.
    """

    def __init__(self, steps: list[Step], texts: list[str], names: list[str], source: str, output_name: str,
                 practice: bool = False, questions: Sequence[Question] = (), screens: Sequence[Screen] = ()) -> None:
        self.steps = steps
        self.captions = [step.caption for step in steps]
        self.names = names
        self.source = source
        self.practice = practice
        self.questions = list(questions)
        self.title = (f"backward() on {output_name}: practise the chain rule" if practice
                      else f"backward() on {output_name}, step by step")
        self._texts = texts
        self._screens = list(screens)
        self._layout: str | None = None

    def __len__(self) -> int:
        return len(self.steps)

    def _rendered_layout(self) -> str:
        if self._layout is None:
            self._layout = render(self.source, "svg").decode("utf-8")
        return self._layout

    @property
    def frames(self) -> list[str]:
        """One SVG text per step, all on the same layout."""
        return make_frames(self._rendered_layout(), whole_views(self.steps, self._texts), self.names)

    def _page_parts(self) -> tuple[str, Patches, list[str], str]:
        first, patches = frame_patches(self._rendered_layout(), whole_views(self.steps, self._texts), self.names)
        return cast(str, first), patches, self.captions, self.title  # None only without steps: there is always the seed

    def _practice_parts(self) -> tuple[str, Patches, list[Screen], list[Question], int, str]:
        first, patches = frame_patches(self._rendered_layout(), [screen.view for screen in self._screens], self.names)
        return cast(str, first), patches, self._screens, self.questions, len(self.steps), self.title

    def html(self) -> str:
        """The step-through (or practice) page: a whole HTML document with no external resources."""
        if self.practice:
            return practice_page(*self._practice_parts())
        return full_page(*self._page_parts())

    def save(self, path: FilePath) -> str:
        """Write the page to ``path`` (``.html``), whole or not at all; returns the path."""
        text = os.fspath(path)
        if os.path.splitext(text)[1].lower() not in (".html", ".htm"):
            raise ValueError(f"backward_steps saves an HTML page; give a path ending in .html, "
                             f"got {text!r}")
        write_atomically(text, self.html())
        return text

    def _repr_html_(self) -> str:
        try:
            if self.practice:
                return practice_body(*self._practice_parts())[0]
            return page_body(*self._page_parts())
        except RendererNotFoundError as error:
            import html
            return f"<pre>{html.escape(repr(self))}\n{html.escape(str(error))}</pre>"

    def __repr__(self) -> str:
        practice = f", practice: {len(self.questions)} questions" if self.practice else ""
        return (f"<BackwardSteps: {len(self.steps)} steps over {len(self.names)} values{practice}; "
                f"use .save('steps.html'), .html(), .frames or display it in Jupyter>")
