"""`autograd-lite grad ... --practice page.html`: the expression's practice page, written
whole; the path, the renderer and the graph's size are refused before anything is printed."""

import json
import re

from cli_support import call_cli, printed_numbers, run_cli


def page_data(path):
    """The practice page's embedded data (its questions and screens)."""
    text = path.read_text(encoding="utf-8")
    (data,) = re.findall(r'<script type="application/json" class="ag-steps-data">(.*?)</script>', text, re.S)
    return text, json.loads(data)


def test_the_page_is_written_and_asks_for_the_sum_at_x(tmp_path):
    result = run_cli("grad", "x*y + x", "x=2", "y=3", "--practice", "practice.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # The printed grads are backward's once (the page runs on a fresh graph): df/dx = y + 1 = 4.
    assert printed_numbers(result.stdout)["df/dx"] == 4.0 and printed_numbers(result.stdout)["df/dy"] == 2.0
    assert result.stdout.endswith("\nwrote practice.html (practice: 5 questions)\n")
    text, data = page_data(tmp_path / "practice.html")
    assert "<title>backward() on f: practise the chain rule</title>" in text
    prompts = {q["prompt"]: float(q["answer"]) for q in data["questions"]}
    # f = (x*y) + x: f gives the product 1 and x 1; the product gives x y = 3 and y x = 2.
    assert prompts["What is df/dx, x's total derivative?"] == 4.0
    assert sorted(prompts.values()) == [1.0, 1.0, 2.0, 3.0, 4.0]
    assert [p.name for p in tmp_path.iterdir()] == ["practice.html"]


def test_a_path_that_is_not_html_is_refused_before_any_work(tmp_path):
    result = call_cli("grad", "x*x", "x=2", "--practice", tmp_path / "practice.svg")
    assert result.returncode == 2 and result.stdout == ""
    assert "--practice writes an HTML page; give a path ending in .html" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_or_renderer_exits_1_before_anything_is_printed(tmp_path):
    result = call_cli("grad", "x*x", "x=2", "--practice", tmp_path / "no" / "practice.html")
    assert result.returncode == 1 and result.stdout == ""
    assert "does not exist" in result.stderr
    result = run_cli("grad", "x*x", "x=2", "--practice", "practice.html", cwd=tmp_path,
                     env={"AUTOGRAD_LITE_DOT": str(tmp_path / "no-such-dot")})
    assert result.returncode == 1 and result.stdout == ""
    assert "cannot draw the practice page practice.html" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_graph_too_big_for_a_page_is_refused_before_anything_is_printed(tmp_path):
    def products(n):  # n products, n constants, n - 1 sums and x: 3n values
        return " + ".join(f"x*{k}" for k in range(1, n + 1))

    result = call_cli("grad", products(21), "x=1", "--practice", tmp_path / "practice.html")
    assert result.returncode == 2 and result.stdout == ""
    assert "the expression has 63 values, more than the 60 a practice page draws" in result.stderr
    assert list(tmp_path.iterdir()) == []
    result = call_cli("grad", products(20), "x=1", "--practice", tmp_path / "practice.html")
    assert result.returncode == 0 and "(practice: 79 questions)" in result.stdout  # 60 values fit: 78 uses and x's total
