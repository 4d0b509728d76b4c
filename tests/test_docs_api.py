"""The API reference's docstring conversion (docs/docstrings_as_markdown.py): maths written
in docstrings stays maths in Markdown instead of turning into italics or bold."""

import importlib.util
import sys
import types
from pathlib import Path

import pytest

import autograd_lite

SCRIPT = Path(__file__).resolve().parent.parent / "docs" / "docstrings_as_markdown.py"


@pytest.fixture(scope="module")
def to_markdown():
    # The conversion needs no griffe; the module imports it only for the mkdocs extension
    # class, and the docs extra (not the test extra) installs it.
    saved = sys.modules.get("griffe")
    if saved is None:
        sys.modules["griffe"] = types.SimpleNamespace(Extension=object)
    try:
        spec = importlib.util.spec_from_file_location("docstrings_as_markdown", SCRIPT)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        if saved is None:
            del sys.modules["griffe"]
    return module.docstring_to_markdown


def test_products_are_escaped_so_they_are_not_italics(to_markdown):
    assert to_markdown("w1*x1 + ... + wn*xn as one node") == r"w1\*x1 + ... + wn\*xn as one node"


def test_exponents_emphasis_and_code_spans(to_markdown):
    assert to_markdown("x**2 + f(x)*y[0]") == r"x\*\*2 + f(x)\*y[0]"
    assert to_markdown("keep *this* and **that**") == "keep *this* and **that**"
    assert to_markdown("code ``w1*x1`` stays") == "code ``w1*x1`` stays"


def test_dots_docstring_renders_without_italics(to_markdown):
    markdown = pytest.importorskip("markdown", reason="markdown comes with the docs extra")
    html = markdown.markdown(to_markdown(autograd_lite.dot.__doc__))
    assert "<em>" not in html and "w1*x1 + ... + wn*xn" in html
