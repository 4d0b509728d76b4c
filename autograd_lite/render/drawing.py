"""The object ``draw_graph`` returns: DOT source, SVG on demand, saving, Jupyter display."""

import os

from ..atomic import write_atomically
from .renderer import RendererNotFoundError, render

TEXT_FORMATS = {".dot": None, ".gv": None}
RENDERED_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}


class GraphDrawing:
    """A drawn computation graph.

    ``graph`` is the ``graphviz.Digraph``; ``source`` its DOT text. ``svg()`` and ``save()``
    run a renderer (see ``autograd_lite.render.renderer``); ``source`` and saving ``.dot``
    need none. The drawing holds text only, so it keeps no Value alive.
    """

    def __init__(self, graph, value_count, box_count, collapse_depth):
        self.graph = graph
        self.value_count = value_count  # Values in the graph under the root
        self.box_count = box_count  # value boxes drawn (collapsed scopes count as one)
        self.collapse_depth = collapse_depth  # None when nothing was collapsed

    @property
    def source(self):
        """The DOT text."""
        return self.graph.source

    def pipe(self, output_format):
        """The rendered bytes in a renderer format such as ``"svg"`` or ``"png"``."""
        return render(self.source, output_format)

    def svg(self):
        """The SVG text."""
        return self.pipe("svg").decode("utf-8")

    def save(self, path):
        """Write to ``path``; the extension picks the format (.svg, .png, .pdf, .dot, .gv).

        The file is written whole or not at all (temporary file, then rename).
        """
        path = os.fspath(path)
        extension = os.path.splitext(path)[1].lower()
        if extension in TEXT_FORMATS:
            data = self.source.encode("utf-8")
        elif extension in RENDERED_FORMATS:
            data = self.pipe(RENDERED_FORMATS[extension])
        else:
            known = ", ".join([*RENDERED_FORMATS, *TEXT_FORMATS])
            raise ValueError(f"cannot tell the format of {path!r} from its extension; "
                             f"use one of {known}")
        write_atomically(path, data)
        return path

    def _repr_svg_(self):
        return self.svg()

    def _repr_mimebundle_(self, include=None, exclude=None):
        try:
            return {"image/svg+xml": self.svg()}
        except RendererNotFoundError as error:
            return {"text/plain": f"{self!r}\n{error}"}

    def __repr__(self):
        collapsed = f", scopes collapsed at depth {self.collapse_depth}" if self.collapse_depth else ""
        return (f"<GraphDrawing of {self.value_count} values in {self.box_count} boxes{collapsed}; "
                f"use .svg(), .save('graph.svg') or .source>")
