"""The step-through page against hostile strings, as draw_graph is tested in
test_render_hostile.py: a custom op's name, a label, what ``number_format`` returns. Each is
shown as that text in every frame, in the captions and on the page; nothing becomes a link,
a node or markup; the saved page runs only its own script."""

import base64
import hashlib
import re
import warnings
from html.parser import HTMLParser

import pytest

import autograd_lite as ag
from autograd_lite import Value, backward_steps, draw_graph
from autograd_lite.render.paths import GraphIndex

from render_support import Svg, renderer  # noqa: F401  (renderer is a fixture)
from test_render_hostile import HOSTILE, LINE_COUNT, JAVASCRIPT_LINK, assert_nothing_injected, shown
from test_render_steps import svg_state

# The name in the issue: an HTML-like label whose cell is a javascript: link.
TABLE_LINK = '<<TABLE><TR><TD HREF="javascript:alert(1)">click</TD></TR></TABLE>>'
OP_NAMES = HOSTILE + [("table-link-upper-case", TABLE_LINK), ("my-op", "<my op>")]


def hostile_op(name):
    return ag.op(name, forward=lambda x: 2.0 * x, local=lambda x, out: (2.0,))


def recorded_strictly(root, **options):
    """backward_steps(root) with its frames rendered; a DotSyntaxWarning fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        recorded = backward_steps(root, **options)
        recorded.frames  # noqa: B018  (renders the layout under the warning filter)
    return recorded


class Markup(HTMLParser):
    """Every element and attribute of an HTML text, read by Python's own parser."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes, self.scripts, self._in_script = [], [], [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]
        if tag == "script":
            self._in_script = dict(attrs).get("type", "")
            self.scripts.append([self._in_script, ""])

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts[-1][1] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None


def assert_page_injects_nothing(text):
    markup = Markup(text)
    assert "a" not in markup.tags, "a link element was injected"
    for tag, name, value in markup.attributes:
        assert "href" not in name and not name.startswith("on"), (tag, name, value)  # no link, no handler
        # data-label holds an edge label's text until its step (text, never a URL).
        assert name == "data-label" or "javascript" not in value.lower(), (tag, name, value)
    # Exactly the page's own two: its data (JSON, never run) and its script.
    assert [kind for kind, _ in markup.scripts] == ["application/json", ""]
    return markup


def op_graph(name):
    """x -> op(x) = y -> L = y * x; returns (L, the position of y's op node)."""
    x = Value(2.0, label="x")
    y = hostile_op(name)(x)
    y.label = "y"
    L = y * x
    L.label = "L"
    return L, GraphIndex(L).position[y]


@pytest.mark.parametrize("name, text", OP_NAMES, ids=[name for name, _ in OP_NAMES])
def test_a_hostile_custom_op_name_is_drawn_verbatim_in_every_frame(renderer, name, text):
    L, y = op_graph(text)
    recorded = recorded_strictly(L)
    for frame in recorded.frames:
        assert_nothing_injected(frame, expected_nodes=5)  # x, y, L and the two ops
        op_texts = svg_state(frame)[2][f"n{y}op"]
        assert shown(" ".join(op_texts)) == shown(text)
        assert len(op_texts) == LINE_COUNT.get(name, 1)
    assert_page_injects_nothing(recorded.html())
    assert_page_injects_nothing(recorded._repr_html_())


def test_an_op_name_is_drawn_exactly_as_draw_graph_draws_it(renderer):
    for text in ("<my op>", TABLE_LINK, "ends with \\", "a\x01\udcff", "two\nlines"):
        L, y = op_graph(text)
        drawn = Svg(draw_graph(L).svg()).node_texts(f"n{y}op")  # the same ids: GraphIndex positions
        steps_texts = svg_state(recorded_strictly(L).frames[0])[2][f"n{y}op"]
        assert [shown(t) for t in steps_texts] == drawn


@pytest.mark.parametrize("name, text", HOSTILE, ids=[name for name, _ in HOSTILE])
def test_a_hostile_label_is_one_line_of_text_in_the_boxes_and_the_captions(renderer, name, text):
    x = Value(2.0, label=text)
    L = x * x
    L.label = "L"
    recorded = recorded_strictly(L)
    for frame in recorded.frames:
        assert_nothing_injected(frame, expected_nodes=3)
        assert shown(svg_state(frame)[2]["n0"][0].removesuffix(" \u2713")) == shown(text)
    assert shown(text) in shown(recorded.captions[-1])  # "<text> is complete ..."
    assert_page_injects_nothing(recorded.html())


@pytest.mark.parametrize("name, text", HOSTILE, ids=[name for name, _ in HOSTILE])
def test_a_hostile_number_format_is_one_line_of_text_in_every_field(renderer, name, text):
    x = Value(2.0, label="x")
    L = x * x
    L.label = "L"
    recorded = recorded_strictly(L, number_format=lambda _: text)
    last = svg_state(recorded.frames[-1])[2]
    one_line = " ".join(text.splitlines())  # a line break would split a box's field in two
    # x's box: name, data, grad = the sum of its two uses; both edges x -> (*) labelled.
    assert last["n0"] == ["x \u2713", f"data {one_line}", f"grad {one_line} = {one_line} + {one_line}"]
    assert [shown(" ".join(last[f"e1_{slot}"])) for slot in (0, 1)] == [shown(text)] * 2
    assert_page_injects_nothing(recorded.html())


def test_characters_an_svg_cannot_hold_are_shown_as_the_escapes_draw_graph_shows(renderer, tmp_path):
    x = Value(1.0, label="x\udcff")
    y = hostile_op("op\x01")(x)
    L = y * x
    drawn = Svg(draw_graph(L).svg())
    op = f"n{GraphIndex(L).position[y]}op"
    # The oracle: what draw_graph shows (test_render_hostile checks it against the escapes).
    assert drawn.node_texts("n0")[0] == "x\\udcff" and drawn.node_texts(op) == ["op\\x01"]
    recorded = recorded_strictly(L)
    for frame in recorded.frames:
        texts = svg_state(frame)[2]
        assert texts["n0"][0].removesuffix(" \u2713") == "x\\udcff" and texts[op] == ["op\\x01"]
    assert all("\udcff" not in caption for caption in recorded.captions)
    assert "x\\udcff is complete" in recorded.captions[-1]
    page = tmp_path / "steps.html"
    recorded.save(page)  # encodable as UTF-8
    assert "x\\udcff" in page.read_text(encoding="utf-8")
    recorded._repr_html_().encode("utf-8")


def test_the_saved_page_allows_only_its_own_script_by_its_hash(renderer):
    L, _ = op_graph(JAVASCRIPT_LINK)
    page = recorded_strictly(L).html()
    (policy,) = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    directives = dict(part.strip().split(None, 1) for part in policy.split(";"))
    own_script = Markup(page).scripts[1][1]
    digest = base64.b64encode(hashlib.sha256(own_script.encode("utf-8")).digest()).decode()
    assert directives["script-src"] == f"'sha256-{digest}'"  # no 'unsafe-inline', no other source
    assert directives["default-src"] == "'none'"


def test_the_same_steps_save_the_same_page_every_time(tmp_path):
    first, second = (backward_steps(op_graph("+")[0]).html() for _ in range(2))
    assert first == second  # a saved page is reproducible: its element id comes from its content
