"""Big graphs are collapsed or refused, never hung on; renderers are found, or the error
says how to get one; files are written whole or not at all."""

import os
import stat
import sys

import pytest

import autograd_lite as ag
from autograd_lite import Value, draw_graph
from autograd_lite.render import GraphTooLargeError, RendererNotFoundError, renderer
from autograd_lite.render.renderer import ENV_VAR, PURE_NAME

from render_support import Svg, graphviz_pure_path


def chain(length, scope_size=None):
    """x -> tanh -> tanh -> ...; with scope_size, every scope_size links share a scope."""
    node = Value(0.5, label="x")
    for i in range(length):
        if scope_size:
            with ag.scope(f"block{i // scope_size}"):
                node = node.tanh()
        else:
            node = node.tanh()
    return node


def test_a_hundred_thousand_node_graph_is_refused_with_the_ways_out():
    root = chain(100_000)
    with pytest.raises(GraphTooLargeError) as refused:
        draw_graph(root)
    message = str(refused.value)
    assert "100001 values" in message and "max_nodes=500" in message
    assert "scope" in message and "max_nodes=100001" in message


def test_a_big_scoped_graph_is_collapsed_to_one_box_per_scope():
    root = chain(2_000, scope_size=100)  # 20 scopes of 100 values, plus the input x
    drawing = draw_graph(root)
    assert drawing.collapse_depth == 1
    assert drawing.box_count == 21
    svg = Svg(drawing.svg())
    assert svg.count("nodes") == 21
    assert svg.count("edges") == 20  # x -> block0 -> block1 -> ... -> block19
    assert svg.node_texts(svg.title_of_node_reading("block3")) == ["block3", "100 values"]


def test_collapse_picks_the_deepest_depth_that_fits():
    node = Value(1.0, label="x")
    with ag.scope("model"):
        for block in range(3):
            with ag.scope(f"block{block}"):
                for _ in range(200):
                    node = node.tanh()
    drawing = draw_graph(node)  # 601 values; depth 2 gives x + 3 boxes
    assert drawing.collapse_depth == 2
    assert drawing.box_count == 4
    svg = Svg(drawing.svg())
    (model,) = svg.clusters.values()  # boxes stay inside their parent scope's cluster
    assert Svg.texts(model[0]) == ["model"]
    assert {svg.title_of_node_reading(f"model/block{i}") for i in range(3)} <= set(svg.nodes)


def test_an_explicit_collapse_depth_and_a_raised_limit_are_obeyed():
    root = chain(40, scope_size=10)
    assert draw_graph(root, collapse_depth=1).box_count == 5
    assert draw_graph(chain(600), max_nodes=1000).collapse_depth is None
    with pytest.raises(GraphTooLargeError, match="depth 1 still leaves 41 boxes"):
        draw_graph(chain(40, scope_size=1), collapse_depth=1, max_nodes=10)


@pytest.mark.parametrize("bad", [dict(rankdir="UP"), dict(max_nodes=0), dict(collapse_depth=0),
                                 dict(number_format=".4q"), dict(max_terms=True)])
def test_bad_options_are_named(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        draw_graph(Value(1.0), **bad)


@pytest.fixture
def no_renderer_anywhere(monkeypatch, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(renderer, "scripts_dirs", lambda: [str(empty)])
    return empty


def test_missing_renderer_error_names_every_fix(no_renderer_anywhere, tmp_path):
    drawing = draw_graph(Value(2.0, label="x") * 3)
    with pytest.raises(RendererNotFoundError) as missing:
        drawing.svg()
    message = str(missing.value)
    for fix in ("pip install graphviz-pure", "apt install graphviz", "brew install graphviz",
                "winget install graphviz", ENV_VAR):
        assert fix in message
    assert "digraph" in drawing.source  # DOT text needs no renderer
    saved = drawing.save(tmp_path / "graph.dot")
    assert open(saved).read() == drawing.source
    bundle = drawing._repr_mimebundle_()
    assert "pip install graphviz-pure" in bundle["text/plain"]


def test_graphviz_pure_is_found_in_the_interpreters_scripts_folder(no_renderer_anywhere, monkeypatch):
    pure = graphviz_pure_path()
    if pure is None:
        pytest.skip("graphviz-pure is not installed on this platform")
    monkeypatch.setattr(renderer, "scripts_dirs", lambda: [os.path.dirname(pure)])
    assert os.path.basename(renderer.find_renderer()).startswith(PURE_NAME)


def fake_dot(folder, name, output):
    """An executable that ignores its input and prints ``output``."""
    script = folder / name
    script.write_text(f"#!{sys.executable}\nimport sys\nsys.stdin.read()\nprint({output!r})\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


@pytest.mark.skipif(sys.platform == "win32", reason="shebang scripts")
def test_search_order_is_env_var_then_system_dot_then_graphviz_pure(no_renderer_anywhere, monkeypatch):
    fake_dot(no_renderer_anywhere, PURE_NAME, "<svg>pure</svg>")
    drawing = draw_graph(Value(1.0))
    assert drawing.svg() == "<svg>pure</svg>\n"
    fake_dot(no_renderer_anywhere, "dot", "<svg>system</svg>")
    assert drawing.svg() == "<svg>system</svg>\n"
    override = fake_dot(no_renderer_anywhere.parent, "my-dot", "<svg>override</svg>")
    monkeypatch.setenv(ENV_VAR, str(override))
    assert drawing.svg() == "<svg>override</svg>\n"


def test_an_env_var_pointing_nowhere_is_an_error_not_a_silent_fallback(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "no-such-dot"))
    with pytest.raises(RendererNotFoundError, match=ENV_VAR):
        draw_graph(Value(1.0)).svg()


def test_a_failed_save_leaves_the_old_file_untouched(monkeypatch, tmp_path):
    target = tmp_path / "graph.svg"
    target.write_text("old picture")

    def broken_renderer(source, output_format, timeout=120):
        raise renderer.RenderError("renderer crashed")

    monkeypatch.setattr("autograd_lite.render.output.render", broken_renderer)
    with pytest.raises(renderer.RenderError):
        draw_graph(Value(1.0)).save(target)
    assert target.read_text() == "old picture"
    assert os.listdir(tmp_path) == ["graph.svg"]


def test_save_picks_the_format_from_the_extension(tmp_path):
    drawing = draw_graph(Value(2.0, label="x") * 3)
    assert open(drawing.save(tmp_path / "g.svg")).read().lstrip().startswith("<?xml")
    assert open(drawing.save(tmp_path / "g.png"), "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match=r"\.svg"):
        drawing.save(tmp_path / "g.jpeg")
    assert sorted(os.listdir(tmp_path)) == ["g.png", "g.svg"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_saved_files_get_ordinary_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        saved = draw_graph(Value(1.0)).save(tmp_path / "g.dot")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(saved).st_mode) == 0o644


def test_a_fan_out_into_collapsed_boxes_is_labelled_with_each_boxs_share():
    # x feeds two scopes; in each, x * k then tanh chains. L = a + b with
    # a = 3x (scope A), b = 5x (scope B): dL/dx = 3 + 5 = 8, one labelled edge per box.
    x = Value(1.0, label="x")
    with ag.scope("A"):
        a = x * 3.0
    with ag.scope("B"):
        b = x * 5.0
    L = a + b
    L.backward()
    drawing = draw_graph(L, collapse_depth=1, number_format=".1f")
    svg = Svg(drawing.svg())
    box_a, box_b = svg.title_of_node_reading("A"), svg.title_of_node_reading("B")
    assert svg.edge_labels(f"n0->{box_a}") == ["3.0"]
    assert svg.edge_labels(f"n0->{box_b}") == ["5.0"]
    assert svg.node_texts("n0")[-1] == "grad 8.0 = 3.0 + 5.0"
