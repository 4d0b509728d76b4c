"""A format the renderer cannot write (graphviz-pure has no PDF) is refused before any work,
naming the formats that work; a renderer that has it writes the real thing. Each test asks
the renderer itself, with a tiny graph, whether it writes PDF, so it holds on a machine with
the system Graphviz as well as here."""

import subprocess

import pytest

from autograd_lite import Value, draw_graph
from autograd_lite.render import FormatNotSupportedError, renderer as renderer_module

from cli_support import run_cli
from render_support import renderer  # noqa: F401  (a fixture)


def writes_pdf(executable):
    """The oracle: does the renderer, run directly on a one-node graph, print a PDF?"""
    finished = subprocess.run([executable, "-Tpdf"], input=b"digraph { a }", capture_output=True,
                              timeout=60, check=False)
    return finished.returncode == 0 and finished.stdout.startswith(b"%PDF-")


@pytest.fixture
def layout_runs(monkeypatch):
    """The -T formats the renderer module ran a renderer with to lay out a graph (asking for
    its list of formats, ``-T?``, is not layout work)."""
    runs = []

    class RecordingSubprocess:
        def __getattr__(self, name):
            return getattr(subprocess, name)

        def run(self, argv, *args, **kwargs):
            if argv[1:] != ["-T?"]:
                runs.append(argv[1])
            return subprocess.run(argv, *args, **kwargs)

    monkeypatch.setattr(renderer_module, "subprocess", RecordingSubprocess())
    return runs


def test_save_pdf_writes_a_pdf_or_refuses_before_rendering(renderer, tmp_path, layout_runs):
    drawing = draw_graph(Value(2.0, label="x") * 3)
    target = tmp_path / "graph.pdf"
    if writes_pdf(renderer):
        drawing.save(target)
        assert target.read_bytes().startswith(b"%PDF-")
        return
    with pytest.raises(FormatNotSupportedError) as refused:
        drawing.save(target)
    message = str(refused.value)
    assert "graph.pdf" in message and "no PDF output" in message
    assert "save as .svg, .png, .dot or .gv" in message
    assert "apt install graphviz" in message
    assert layout_runs == []  # refused before any layout work
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(FormatNotSupportedError):
        drawing.pipe("pdf")
    assert layout_runs == []


def test_the_formats_listed_as_working_do_work(renderer, tmp_path):
    drawing = draw_graph(Value(2.0, label="x") * 3)
    assert open(drawing.save(tmp_path / "g.svg")).read().lstrip().startswith("<?xml")
    assert open(drawing.save(tmp_path / "g.png"), "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert open(drawing.save(tmp_path / "g.gv")).read() == drawing.source


def test_grad_svg_pdf_writes_a_pdf_or_refuses_before_computing(renderer, tmp_path):
    result = run_cli("grad", "x*x", "x=3", "--svg", "graph.pdf", cwd=tmp_path,
                     env={"AUTOGRAD_LITE_DOT": renderer})
    if writes_pdf(renderer):
        assert result.returncode == 0, result.stderr
        assert (tmp_path / "graph.pdf").read_bytes().startswith(b"%PDF-")
        return
    assert result.returncode == 1
    assert result.stdout == ""  # nothing computed or printed before the refusal
    assert "Traceback" not in result.stderr
    assert "no PDF output" in result.stderr and ".svg, .png, .dot or .gv" in result.stderr
    assert list(tmp_path.iterdir()) == []
