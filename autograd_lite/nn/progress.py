"""``nn.fit``'s live progress inside Jupyter: one display that updates after each epoch.

On a terminal ``fit`` draws its bar on stderr (``ProgressBar`` in train.py); in a log (not a
TTY and not a notebook) it stays quiet. In a Jupyter kernel stderr is not a TTY, yet a person
is watching, so ``fit`` shows a progress element with the latest numbers through an IPython
display handle. IPython is not a dependency: it is used only when it is already running the
code.
"""

from __future__ import annotations

import html
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any, TextIO

MIN_SECONDS_BETWEEN_UPDATES = 0.1  # a kernel message per epoch of a 10^4-epoch run would flood


def in_notebook() -> bool:
    """True inside a Jupyter kernel (an IPython shell with a kernel), False in a terminal
    IPython, a plain interpreter or when IPython is not imported at all."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # a half-imported or unusual IPython: fall back to the terminal rules
        return False
    return shell is not None and getattr(shell, "kernel", None) is not None


def notebook_progress(epochs: int, stream: TextIO | None = None, verbose: bool = True) -> NotebookProgress | None:
    """A :class:`NotebookProgress` when ``fit`` runs in a notebook with ``verbose`` and no
    ``stream`` of its own, else None (then the terminal bar decides)."""
    if not verbose or stream is not None or not in_notebook():
        return None
    from IPython.display import display  # type: ignore[import-not-found, unused-ignore]  # optional

    return NotebookProgress(epochs, display)


class NotebookProgress:
    """A ``<progress>`` bar and ``epoch k/n loss ...`` in one output that ``update`` rewrites.

    ``display`` is IPython's ``display`` function (a parameter so it can be replaced)."""

    def __init__(self, epochs: int, display: Callable[..., Any]) -> None:
        self.epochs = epochs
        self.start = time.perf_counter()
        self.last_shown: float | None = None
        self.handle = display(self._bundle(0, {}), raw=True, display_id=True)

    def update(self, epoch: int, logs: Mapping[str, float]) -> None:
        done = epoch + 1
        now = time.perf_counter()
        if (done < self.epochs and self.last_shown is not None
                and now - self.last_shown < MIN_SECONDS_BETWEEN_UPDATES):
            return
        self.last_shown = now
        self.handle.update(self._bundle(done, logs), raw=True)

    def _bundle(self, done: int, logs: Mapping[str, float]) -> dict[str, str]:
        numbers = " ".join(f"{key} {value:.4f}" for key, value in logs.items())
        text = f"epoch {done}/{self.epochs} {numbers} {time.perf_counter() - self.start:.1f}s".replace("  ", " ")
        bar = (f'<progress value="{done}" max="{self.epochs}" style="width: 10em; vertical-align: middle">'
               f"</progress>")
        return {"text/plain": text, "text/html": f"{bar} <code>{html.escape(text)}</code>"}
