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
