"""The API reference's docstring conversion (docs/docstrings_as_markdown.py): maths written
in docstrings stays maths in Markdown instead of turning into italics or bold."""

import importlib.util
import re
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


# -- every public name is on the API page ------------------------------------------------
PUBLIC = ["autograd_lite", "autograd_lite.nn", "autograd_lite.nn.datasets", "autograd_lite.testing",
          "autograd_lite.testing.strategies", "autograd_lite.testing.conformance", "autograd_lite.compiler"]


def _directives():
    """(object, shows members) for each `::: path` of docs/api.md, resolved as mkdocstrings does."""
    import importlib

    text = (SCRIPT.parent / "api.md").read_text(encoding="utf-8")
    found = []
    for match in re.finditer(r"^::: (\S+)((?:\n    .*)*)", text, re.MULTILINE):
        parts = match.group(1).split(".")
        for i in range(len(parts), 0, -1):
            try:
                thing = importlib.import_module(".".join(parts[:i]))
            except ImportError:
                continue
            for part in parts[i:]:
                thing = getattr(thing, part)
            break
        found.append((thing, "members: false" not in match.group(2)))
    return found


def _documented(thing, directives):
    for shown, members in directives:
        if shown is thing:
            return True
        if isinstance(shown, types.ModuleType) and members:
            public = getattr(shown, "__all__", None)
            names = public if public is not None else [n for n in vars(shown) if not n.startswith("_")]
            for name in names:
                if getattr(shown, name, None) is thing and (
                        public is not None or getattr(thing, "__module__", None) == shown.__name__):
                    return True
    return False


@pytest.mark.parametrize("module", PUBLIC)
def test_every_public_name_has_a_place_on_the_api_page(module):
    import importlib

    directives = _directives()
    package = importlib.import_module(module)
    assert hasattr(package, "__all__"), f"{module} says what is public with __all__"
    missing = [name for name in package.__all__ if not isinstance(getattr(package, name), types.ModuleType)
               and not _documented(getattr(package, name), directives)]
    assert missing == [], f"docs/api.md shows nothing for {module}: {', '.join(missing)}"


def test_the_value_entry_shows_the_methods_it_inherits():
    text = (SCRIPT.parent / "api.md").read_text(encoding="utf-8")
    assert re.search(r"::: autograd_lite\.Value\n    options:\n      inherited_members: true", text)
    inherited = {name for klass in autograd_lite.Value.__mro__[1:-1] for name in vars(klass)}
    assert {"tanh", "relu", "exp", "sigmoid"} <= inherited  # what the option brings onto the page
    # mkdocstrings leaves out a member with no docstring: every public method has one
    undocumented = [name for name in dir(autograd_lite.Value) if not name.startswith("_")
                    and callable(getattr(autograd_lite.Value, name)) and not getattr(autograd_lite.Value, name).__doc__]
    assert undocumented == []
