"""Helpers for the rendering tests: which renderers exist here, and reading SVG structure."""

import platform
import shutil
import sys
import xml.etree.ElementTree as ET

import pytest

from autograd_lite import Value
from autograd_lite.render.renderer import ENV_VAR, PURE_NAME, scripts_dirs

SVG = "{http://www.w3.org/2000/svg}"
PURE_HAS_WHEELS = (sys.platform in ("linux", "darwin", "win32")
                   and platform.machine() in ("x86_64", "AMD64", "aarch64", "arm64", "ARM64"))


def graphviz_pure_path():
    found = shutil.which(PURE_NAME)
    for folder in scripts_dirs():
        found = found or shutil.which(PURE_NAME, path=folder)
    return found


def available_renderers():
    """pytest params: graphviz-pure (required where it has wheels) and system dot if present."""
    params = []
    pure = graphviz_pure_path()
    if pure or PURE_HAS_WHEELS:
        params.append(pytest.param(pure, id="graphviz-pure"))
    system_dot = shutil.which("dot")
    params.append(pytest.param(system_dot, id="system-dot", marks=pytest.mark.skipif(
        system_dot is None, reason="no system Graphviz dot on PATH")))
    return params


@pytest.fixture(params=available_renderers())
def renderer(request, monkeypatch):
    """Each available renderer in turn, chosen through the environment variable."""
    if request.param is None:
        pytest.fail("graphviz-pure is not installed; `pip install -e .` should install it")
    monkeypatch.setenv(ENV_VAR, request.param)
    return request.param


class Svg:
    """The parts of a rendered SVG that tests look at: nodes, edges, clusters by title."""

    def __init__(self, text):
        self.root = ET.fromstring(text)
        self.nodes = self._groups("node")
        self.edges = self._groups("edge")
        self.clusters = self._groups("cluster")

    def _groups(self, kind):
        found = {}
        for group in self.root.iter(SVG + "g"):
            if group.get("class") == kind:
                title = group.find(SVG + "title").text
                found.setdefault(title, []).append(group)
        return found

    def count(self, kind):
        return sum(len(groups) for groups in getattr(self, kind).values())

    @staticmethod
    def texts(group):
        return [" ".join((text.text or "").split()) for text in group.iter(SVG + "text")]

    def cluster_labels(self):
        """The label of every cluster (the scope path it stands for)."""
        return sorted(" ".join(self.texts(group)) for groups in self.clusters.values() for group in groups)

    def title_of_node_reading(self, first_line):
        """The title (DOT id) of the one node whose first line of text is ``first_line``."""
        (title,) = [title for title, groups in self.nodes.items() for group in groups
                    if self.texts(group)[:1] == [first_line]]
        return title

    def node_texts(self, title):
        (group,) = self.nodes[title]
        return self.texts(group)

    def node_fill(self, title):
        (group,) = self.nodes[title]
        shape = group.find(SVG + "polygon")
        return shape.get("fill")

    def edge_labels(self, title):
        return [text for group in self.edges.get(title, []) for text in self.texts(group)]


def fresh_diamond():
    """x feeds u = 2x and v = x**2; L = u*v = 2x^3. At x = 3: u = 6, v = 9, L = 54.
    dL/du = v = 9, dL/dv = u = 6; x's two paths give 9*2 = 18 and 6*(2*3) = 36, total 54.
    Returned without a backward pass: (x, u, v, L)."""
    x = Value(3.0, label="x")
    u = x * 2
    u.label = "u"
    v = x ** 2
    v.label = "v"
    L = u * v
    L.label = "L"
    return x, u, v, L
