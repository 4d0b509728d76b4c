"""Where nn.fit's progress goes: a notebook display in Jupyter, the bar on a terminal, nothing
in a log. (The kernel end to end is in test_notebooks.py.)"""

import subprocess
import sys
import types

import pytest

from autograd_lite import nn
from autograd_lite.nn import progress


class FakeHandle:
    def __init__(self, shown):
        self.shown = shown

    def update(self, bundle, raw):
        assert raw
        self.shown.append(bundle)


def fake_display(shown):
    def display(bundle, raw, display_id):
        assert raw and display_id is True
        shown.append(bundle)
        return FakeHandle(shown)
    return display


def fake_ipython(monkeypatch, shell):
    module = types.ModuleType("IPython")
    module.get_ipython = lambda: shell
    monkeypatch.setitem(sys.modules, "IPython", module)


def test_a_jupyter_kernel_counts_as_a_notebook_and_a_terminal_ipython_does_not(monkeypatch):
    fake_ipython(monkeypatch, types.SimpleNamespace(kernel=object()))
    assert progress.in_notebook()
    fake_ipython(monkeypatch, types.SimpleNamespace())  # TerminalInteractiveShell has no kernel
    assert not progress.in_notebook()
    fake_ipython(monkeypatch, None)  # IPython imported, but not running this code
    assert not progress.in_notebook()
    monkeypatch.delitem(sys.modules, "IPython")
    assert not progress.in_notebook()


def test_no_notebook_display_when_quiet_or_given_a_stream(monkeypatch):
    fake_ipython(monkeypatch, types.SimpleNamespace(kernel=object()))
    assert progress.notebook_progress(5, verbose=False) is None
    assert progress.notebook_progress(5, stream=sys.stderr) is None


def test_the_display_shows_epoch_numbers_and_a_progress_element():
    shown = []
    bar = progress.NotebookProgress(4, fake_display(shown))
    assert shown[0]["text/plain"].startswith("epoch 0/4 ")
    for epoch in range(4):
        bar.update(epoch, {"loss": 1.0 / (epoch + 1), "accuracy": 0.25 * (epoch + 1)})
    last = shown[-1]
    assert last["text/plain"].startswith("epoch 4/4 loss 0.2500 accuracy 1.0000 ")
    assert '<progress value="4" max="4"' in last["text/html"]


def test_updates_are_throttled_but_the_last_epoch_is_always_shown(monkeypatch):
    clock = iter([0.0] + [0.001 * i for i in range(1, 200)])
    monkeypatch.setattr(progress.time, "perf_counter", lambda: next(clock))
    shown = []
    bar = progress.NotebookProgress(50, fake_display(shown))
    for epoch in range(50):
        bar.update(epoch, {"loss": 0.5})
    # 50 epochs within ~0.1 s: the first update, then only the final one
    assert [bundle["text/plain"].split()[1] for bundle in shown] == ["0/50", "1/50", "50/50"]


def test_fit_is_quiet_in_a_log():
    """stderr and stdout redirected to files/pipes, no IPython: fit prints nothing."""
    code = ("from autograd_lite import nn; X, y = nn.datasets.moons(20, seed=0); m = nn.MLP(2, [3, 1], seed=0); "
            "nn.fit(m, X, [2 * t - 1 for t in y], nn.hinge_loss, nn.SGD(m.parameters(), lr=0.1), epochs=2)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")


def test_fit_uses_the_notebook_display_inside_a_kernel(monkeypatch):
    shown = []
    fake_ipython(monkeypatch, types.SimpleNamespace(kernel=object()))
    display_module = types.ModuleType("IPython.display")
    display_module.display = fake_display(shown)
    monkeypatch.setitem(sys.modules, "IPython.display", display_module)
    X, y = nn.datasets.moons(20, seed=0)
    model = nn.MLP(2, [3, 1], seed=0)
    nn.fit(model, X, [2 * t - 1 for t in y], nn.hinge_loss, nn.SGD(model.parameters(), lr=0.1), epochs=2)
    assert shown[-1]["text/plain"].startswith("epoch 2/2 loss ")
