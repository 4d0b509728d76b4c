"""Every notebook in docs/notebooks/ runs top to bottom in a real Jupyter kernel, and nn.fit's
progress shows in a kernel's cell output.

The notebooks are stored without outputs (a diff shows only what a person wrote); running
them here is what keeps them true. Needs nbclient and ipykernel (the ``test`` extra). On a
user's machine without them these tests skip with the reason; under CI (``CI=true``) a missing
kernel is a failure.
"""

import json
import tempfile
from pathlib import Path

import pytest

from extras_support import missing

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "docs" / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT = 240  # seconds; the slowest cell trains for ~3 s alone, more on a busy machine


def _require(module):
    try:
        return __import__(module)
    except ImportError:
        missing(f"{module} is not installed: pip install -e \".[test]\" to run notebooks in a kernel")


def run_in_kernel(notebook, folder):
    """Execute ``notebook`` (an nbformat node) in a fresh python3 kernel in ``folder``;
    nbclient raises CellExecutionError, naming the cell, if any cell fails."""
    nbclient = _require("nbclient")
    _require("ipykernel")
    client = nbclient.NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(folder)}})
    client.execute()
    return notebook


def outputs_text(cell):
    """Everything a cell showed, as text: streams, results and displays (text/plain)."""
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif "data" in output:
            parts.append(output.data.get("text/plain", ""))
    return "".join(parts)


def test_there_are_notebooks_to_run():
    names = {path.name for path in NOTEBOOKS}
    assert {"neuron-to-mlp.ipynb", "testing-gradients.ipynb", "practise-chain-rule.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, (
                f"{path.name} has stored outputs; clear them (Jupyter: Edit > Clear All Outputs)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_runs_in_a_kernel_without_errors(path, tmp_path):
    nbformat = _require("nbformat")
    notebook = run_in_kernel(nbformat.read(path, as_version=4), tmp_path)
    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.outputs if output.output_type == "error"]
    assert errors == []
    assert any(cell.outputs for cell in notebook.cells if cell.cell_type == "code")
    shown = "".join(outputs_text(cell) for cell in notebook.cells if cell.cell_type == "code")
    assert tempfile.gettempdir() not in shown and str(tmp_path) not in shown, "a page must not show a temporary path"


FIT_CELL = """
from autograd_lite import nn
X, y = nn.datasets.moons(40, noise=0.1, seed=0)
model = nn.MLP(2, [4, 1], seed=0)
history = nn.fit(model, X, [2 * t - 1 for t in y], nn.hinge_loss, nn.SGD(model.parameters(), lr=0.1),
                 epochs=3, verbose={verbose})
print("trained", len(history["loss"]), "epochs")
"""


def test_fit_shows_live_progress_in_a_kernel_and_nothing_when_quiet(tmp_path):
    nbformat = _require("nbformat")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(FIT_CELL.format(verbose=verbose)) for verbose in (True, False)]
    loud, quiet = run_in_kernel(notebook, tmp_path).cells

    displays = [output for output in loud.outputs if output.output_type == "display_data"]
    assert len(displays) == 1  # one display, updated in place: not one line per epoch
    assert displays[0].data["text/plain"].startswith("epoch 3/3 loss ")
    assert '<progress value="3" max="3"' in displays[0].data["text/html"]
    assert outputs_text(loud).endswith("trained 3 epochs\n")
    assert outputs_text(quiet) == "trained 3 epochs\n"
