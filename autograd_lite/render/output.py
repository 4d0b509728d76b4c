"""The object ``draw_graph`` returns: DOT source, SVG on demand, saving, Jupyter display."""

from __future__ import annotations

import os
from typing import Any

from ..aliases import FilePath

from ..atomic import write_atomically
from .renderer import FormatNotSupportedError, RendererNotFoundError, render, require_format

TEXT_FORMATS = {".dot": None, ".gv": None}
RENDERED_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}


def check_save_path(path: FilePath) -> str | None:
    """The renderer format ``save(path)`` will use (None for DOT text), checked before any work.

    ValueError for an extension that names no format; RendererNotFoundError when the format
    needs a renderer and there is none; FormatNotSupportedError when the renderer found
    cannot write it (graphviz-pure has no PDF), listing the extensions that work with it.
    """
    text = os.fspath(path)
    extension = os.path.splitext(text)[1].lower()
    if extension in TEXT_FORMATS:
        return None
    if extension not in RENDERED_FORMATS:
        known = ", ".join([*RENDERED_FORMATS, *TEXT_FORMATS])
        raise ValueError(f"cannot tell the format of {text!r} from its extension; use one of {known}")
    output_format = RENDERED_FORMATS[extension]
    try:
        require_format(output_format)
    except FormatNotSupportedError as error:
        formats = error.formats
        working = [ext for ext, fmt in RENDERED_FORMATS.items() if fmt in formats] + list(TEXT_FORMATS)
        name = output_format.upper()
        raise FormatNotSupportedError(
            f"cannot write {text!r}: the Graphviz renderer found, {error.executable}, has no "
            f"{name} output. With it, save as {', '.join(working[:-1])} or {working[-1]}. For "
            f"{name}, install the system Graphviz (apt install graphviz | brew install graphviz "
            f"| winget install graphviz), which is preferred to graphviz-pure, or convert the "
            f"SVG (e.g. rsvg-convert -f {output_format} graph.svg -o graph.{output_format}).",
            error.executable, output_format, formats) from None
    return output_format


class GraphDrawing:
    """A drawn computation graph.

    ``graph`` is the ``graphviz.Digraph``; ``source`` its DOT text. ``svg()`` and ``save()``
    run a renderer (see ``autograd_lite.render.renderer``); ``source`` and saving ``.dot``
    need none. The drawing holds text only, so it keeps no Value alive.
    """

    def __init__(self, graph: Any, value_count: int, box_count: int, collapse_depth: int | None) -> None:
        self.graph = graph
        self.value_count = value_count  # Values in the graph under the root
        self.box_count = box_count  # value boxes drawn (collapsed scopes count as one)
        self.collapse_depth = collapse_depth  # None when nothing was collapsed

    @property
    def source(self) -> str:
        """The DOT text."""
        source: str = self.graph.source
        return source

    def pipe(self, output_format: str) -> bytes:
        """The rendered bytes in a renderer format such as ``"svg"`` or ``"png"``."""
        return render(self.source, output_format)

    def svg(self) -> str:
        """The SVG text."""
        return self.pipe("svg").decode("utf-8")

    def save(self, path: FilePath) -> str:
        """Write to ``path``; the extension picks the format (.svg, .png, .pdf, .dot, .gv).

        A format the renderer cannot write is refused first (see :func:`check_save_path`).
        The file is written whole or not at all (temporary file, then rename).
        """
        text = os.fspath(path)
        output_format = check_save_path(text)
        data = self.source.encode("utf-8") if output_format is None else self.pipe(output_format)
        write_atomically(text, data)
        return text

    def _repr_svg_(self) -> str:
        return self.svg()

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        try:
            return {"image/svg+xml": self.svg()}
        except RendererNotFoundError as error:
            return {"text/plain": f"{self!r}\n{error}"}

    def __repr__(self) -> str:
        collapsed = f", scopes collapsed at depth {self.collapse_depth}" if self.collapse_depth else ""
        return (f"<GraphDrawing of {self.value_count} values in {self.box_count} boxes{collapsed}; "
                f"use .svg(), .save('graph.svg') or .source>")
