"""The pictures in docs/img/ are what docs/examples/render_pictures.py draws today.

Rendering is not byte-stable across Graphviz versions (coordinates move), so a picture is
compared by what it shows: the text of every box, every edge (by its end points) with its
label, and every cluster. A stale picture fails with the command that regenerates it.
"""

import importlib.util
from pathlib import Path

import pytest

from render_support import Svg

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "docs" / "examples" / "render_pictures.py"
REGENERATE = "python docs/examples/render_pictures.py"


def load_script():
    spec = importlib.util.spec_from_file_location("render_pictures", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def what_it_shows(svg_text):
    svg = Svg(svg_text)
    return {kind: sorted((title, svg.texts(group)) for title, groups in getattr(svg, kind).items()
                         for group in groups)
            for kind in ("nodes", "edges", "clusters")}


PICTURES = load_script().pictures()


def test_every_committed_picture_is_drawn_by_the_script():
    committed = {path.name for path in (ROOT / "docs" / "img").glob("*.svg")}
    assert committed == set(PICTURES), f"docs/img/ and {SCRIPT.name} disagree; run {REGENERATE}"


@pytest.mark.parametrize("name", sorted(PICTURES))
def test_committed_picture_is_not_stale(name):
    committed = what_it_shows((ROOT / "docs" / "img" / name).read_text(encoding="utf-8"))
    fresh = what_it_shows(PICTURES[name].svg())
    for kind in ("nodes", "edges", "clusters"):
        assert committed[kind] == fresh[kind], f"docs/img/{name} is stale ({kind} differ); run {REGENERATE}"


def test_a_changed_picture_is_detected(tmp_path):
    """The comparison can fail: one number changed in a box is a difference."""
    svg = PICTURES["diamond.svg"].svg()
    assert what_it_shows(svg.replace("grad 54.0000", "grad 55.0000")) != what_it_shows(svg)
