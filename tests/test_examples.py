"""The README's example prints what hand-derivation gives."""

import math
import runpy
from pathlib import Path

import pytest


def test_quickstart_prints_the_hand_derived_total_derivative(capsys):
    runpy.run_path(str(Path(__file__).parent.parent / "docs" / "examples" / "quickstart.py"))
    printed = capsys.readouterr().out
    h = math.tanh(0.5 * -1.0)
    dL_dh = 2 * (0.5 * h) * 0.5 + 1.2  # via z1 = 0.5h (squared), plus via z2 = 1.2h
    dh_dpre = 1 - h * h
    assert f"dL/dh = {2 * 0.5 * h * 0.5:.4f} + {1.2:.4f} = {dL_dh:.4f}" in printed
    assert f"dL/dx = {dL_dh * dh_dpre * -1.0:.4f}, dL/dw = {dL_dh * dh_dpre * 0.5:.4f}" in printed


def test_the_readme_grad_command_prints_what_the_readme_shows_and_what_hand_derivation_gives(tmp_path):
    import re
    import shlex
    import subprocess
    import sys

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```bash\n(autograd-lite grad .*?)\n```\n\n```text\n(.*?)\n```", readme, re.DOTALL)
    assert found, "README.md shows an autograd-lite grad command and its output"
    command, shown = shlex.split(found.group(1)), found.group(2)
    run = subprocess.run([sys.executable, "-m", "autograd_lite", *command[1:]], cwd=tmp_path, capture_output=True,
                         text=True, encoding="utf-8", timeout=120)
    assert run.returncode == 0 and run.stderr == ""
    assert run.stdout.rstrip("\n") == shown
    assert (tmp_path / "graph.svg").is_file()
    # by hand: f = tanh(u) x with u = x w + b; df/dx = t + x w (1 - t^2), the two paths through x
    x, w, b = 0.5, -1.0, 2.0
    t = math.tanh(x * w + b)
    assert f"df/dx = {t + x * w * (1 - t * t)!r}" in shown.splitlines()
    assert f"df/dw = {x * x * (1 - t * t)!r}" in shown.splitlines() and "x is used 2 times" in shown
