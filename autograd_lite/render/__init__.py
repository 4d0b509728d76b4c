"""Drawing computation graphs (``draw_graph``) and writing out grads as sums (``explain``).

Files: ``paths`` (uses and path contributions), ``labels`` (text and styles), ``dot``
(the Graphviz graph), ``collapse`` (node limit), ``renderer`` (finding dot), ``drawing``
(the returned object), ``explain``, ``steps`` (``backward_steps``: backward as a process).
"""

try:
    import graphviz  # noqa: F401 -- checked here so the error says what to install
except ImportError as error:  # pragma: no cover - exercised in a subprocess by tests/test_imports.py
    raise ImportError("drawing graphs needs the graphviz Python package, which autograd-lite's install "
                      "normally brings: pip install graphviz graphviz-pure") from error

from .collapse import GraphTooLargeError
from .draw import draw_dot, draw_graph
from .explain import explain
from .output import check_save_path
from .renderer import ENV_VAR, FormatNotSupportedError, RenderError, RendererNotFoundError, find_renderer
from .steps import BackwardSteps, backward_steps

__all__ = ["draw_graph", "draw_dot", "explain", "backward_steps", "BackwardSteps", "find_renderer",
           "check_save_path", "ENV_VAR", "GraphTooLargeError", "RenderError", "RendererNotFoundError",
           "FormatNotSupportedError"]
