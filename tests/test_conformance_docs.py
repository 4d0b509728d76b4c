"""docs/conformance.md shows micrograd's report exactly as a fresh run prints it."""

import re
from pathlib import Path

import micrograd.engine

from autograd_lite.cli import main as autograd_lite_main
from autograd_lite.testing.conformance.check import DEFAULT, THOROUGH

PAGE = Path(__file__).resolve().parent.parent / "docs" / "conformance.md"
COMMAND = "$ autograd-lite conform micrograd.engine:Value --installed"


def shown_output(command):
    """The ```text block right after the ```console block that holds ``command``."""
    text = PAGE.read_text(encoding="utf-8")
    found = re.search(r"```console\n" + re.escape(command) + r"\n```\n\n```text\n(.*?)\n```", text, re.DOTALL)
    assert found, f"docs/conformance.md has no ```console block with {command!r} followed by its output"
    return found.group(1)


def test_the_page_shows_the_micrograd_report_exactly_as_a_fresh_run_prints_it(capsys):
    # the page says: it meets the default rubric's pass mark, so exit code 0
    assert autograd_lite_main(["conform", "micrograd.engine:Value", "--installed"]) == 0
    out = capsys.readouterr().out.rstrip("\n")
    installed = str(Path(micrograd.engine.__file__).resolve().parent.parent)
    assert f"File: {installed}/micrograd/engine.py (sha256 " in out
    assert same_python(out.replace(installed, ".../site-packages")) == same_python(shown_output(COMMAND))


def same_python(report):
    """The report with the words that change across Python versions made one: 3.11 says
    "maximum recursion depth exceeded while calling a Python object", 3.13 only "exceeded"."""
    return report.replace("exceeded while calling a Python object", "exceeded")


def test_thorough_searches_about_ten_times_longer_with_larger_graphs():
    assert THOROUGH.op_examples >= 10 * DEFAULT.op_examples
    assert THOROUGH.graph_examples >= 10 * DEFAULT.graph_examples
    assert THOROUGH.max_size > DEFAULT.max_size
