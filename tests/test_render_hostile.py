"""Any string a user controls (a Value's label, a scope name, a checkpoint's model name, the
number formatter's output) is drawn as that text and nothing else: the DOT parses, the SVG is
well-formed XML, no link, node or attribute is injected, and the text reads as written."""

import warnings

import pytest

import autograd_lite as ag
from autograd_lite import Value, draw_graph

from render_support import SVG, Svg, renderer  # noqa: F401  (renderer is a fixture)

JAVASCRIPT_LINK = '<<table href="javascript:alert(1)"><tr><td>click</td></tr></table>>'
BREAK_OUT = '"]; n0 [URL="javascript:alert(1)" label="'

# (id, text) pairs: each is tried as a Value label, a scope name, and formatter output.
HOSTILE = [
    ("quotes", 'say "hi" \'there\''),
    ("break-out-of-attribute", BREAK_OUT),
    ("javascript-scheme", "javascript:alert(document.cookie)"),
    ("html-like-label", "<b>bold</b>"),
    ("html-table-with-href", JAVASCRIPT_LINK),
    ("angle-brackets", "<x> & <y>"),
    ("entities", "&lt;script&gt; &amp; &#60; &#x3c;"),
    ("trailing-backslash", "ends with \\"),
    ("backslashes", "\\ \\\\ \\\\\\"),
    ("graphviz-escapes", "\\N \\G \\E \\T \\H \\L \\l \\r \\n"),
    ("record-syntax", "{a|b} <port> |"),
    ("dot-syntax", "} subgraph cluster_x { node -> edge; graph [label=x]"),
    ("ports", "a:b:c"),
    ("newlines", "line one\nline two\r\nline three"),
    ("non-bmp", "\U0001d4b3 \U0001f600 \u2202L/\u2202x"),
    ("very-long", "x" * 3000),
]
LINE_COUNT = {"newlines": 3}


def shown(text):
    """What a reader sees: the text with runs of whitespace as one space."""
    return " ".join(text.split())


def assert_nothing_injected(svg_text, expected_nodes):
    svg = Svg(svg_text)  # well-formed XML, or ParseError
    for element in svg.root.iter():
        assert element.tag != SVG + "a", "a link element was injected"
        for name, value in element.attrib.items():
            assert "href" not in name, f"{name}={value!r} was injected"
            assert "javascript" not in value.lower(), f"{name}={value!r} was injected"
    assert svg.count("nodes") == expected_nodes
    return svg


def render_strictly(drawing):
    """The SVG; a DotSyntaxWarning from the graphviz package fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return drawing.svg()


@pytest.mark.parametrize("name, text", HOSTILE, ids=[name for name, _ in HOSTILE])
def test_a_hostile_value_label_is_drawn_verbatim(renderer, name, text):
    x = Value(2.0, label=text)
    L = x * x  # x fans out: its edges carry labels too
    L.label = "L"
    L.backward()
    svg = assert_nothing_injected(render_strictly(draw_graph(L)), expected_nodes=3)
    texts = svg.node_texts("n0")
    assert shown(" ".join(texts[:-2])) == shown(text)
    assert len(texts) == LINE_COUNT.get(name, 1) + 2
    assert texts[-1] == "grad 4.0000 = 2.0000 + 2.0000"  # dL/dx = x + x


@pytest.mark.parametrize("name, text", [case for case in HOSTILE if "/" not in case[1]],
                         ids=[name for name, text in HOSTILE if "/" not in text])
def test_a_hostile_scope_name_is_drawn_verbatim_as_a_cluster_and_as_a_box(renderer, name, text):
    with ag.scope(text):
        with ag.scope("inner"):
            w = Value(3.0, label="w")
        y = w * 2.0
    L = y + 1.0
    L.backward()
    svg = assert_nothing_injected(render_strictly(draw_graph(L)), expected_nodes=7)
    labels = [shown(label) for label in svg.cluster_labels()]
    assert sorted(labels) == sorted([shown(text), shown(text + "/inner")])
    collapsed = assert_nothing_injected(render_strictly(draw_graph(L, collapse_depth=1)),
                                        expected_nodes=4)  # the box, 1.0, + and L
    boxes = [texts for texts in map(Svg.texts, (g for gs in collapsed.nodes.values() for g in gs))
             if texts[-1] == "3 values"]  # w, 2.0 and y
    assert [shown(" ".join(texts[:-1])) for texts in boxes] == [shown(text)]


@pytest.mark.parametrize("name, text", HOSTILE, ids=[name for name, _ in HOSTILE])
def test_a_hostile_number_format_is_drawn_verbatim(renderer, name, text):
    x = Value(2.0, label="x")
    L = x * x
    L.backward()
    svg = assert_nothing_injected(render_strictly(draw_graph(L, number_format=lambda _: text)),
                                  expected_nodes=3)
    edges = svg.edges["n0->n1op"]  # x * x: two edges, one per use
    assert [shown(" ".join(Svg.texts(edge))) for edge in edges] == [shown(text)] * 2


def test_characters_an_svg_cannot_hold_are_shown_as_escapes(renderer):
    # \x01 and U+FFFE are not allowed in XML; a lone surrogate (an undecodable byte read with
    # surrogateescape) cannot even be encoded as UTF-8 for the renderer.
    x = Value(1.0, label="a\x01b\ufffec\udcff")
    with ag.scope("s\x02"):
        L = x * 2.0
    L.backward()
    svg = assert_nothing_injected(render_strictly(draw_graph(L)), expected_nodes=4)
    assert svg.node_texts("n0")[0] == "a\\x01b\\ufffec\\udcff"
    assert svg.cluster_labels() == ["s\\x02"]


def test_a_scope_ending_in_a_backslash_draws_its_cluster_and_the_dot_source_warns_nothing():
    with ag.scope("model\\"):
        L = Value(1.0, label="w") * 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        source = draw_graph(L).source
    assert 'label="model\\\\"' in source  # DOT for the text model\ (the backslash escaped)


def test_a_checkpoint_whose_model_name_is_hostile_draws_as_text(renderer, tmp_path):
    import json

    from autograd_lite import nn

    hostile = 'mlp" URL="javascript:alert(1)" x="\\'
    path = tmp_path / "model.json"
    nn.save(nn.MLP(2, [2, 1], seed=0), path)
    data = json.loads(path.read_text())
    data["architecture"]["name"] = hostile  # as an attacker would edit the file
    path.write_text(json.dumps(data))
    model = nn.load(path)
    loss = model([Value(1.0, label="x1"), Value(2.0, label="x2")])
    loss.backward()
    svg = assert_nothing_injected(render_strictly(draw_graph(loss)), expected_nodes=len(Svg(
        draw_graph(loss, clusters=False).svg()).nodes))  # clusters add no nodes
    assert hostile in svg.cluster_labels()
