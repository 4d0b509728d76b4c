"""gradcheck: agrees with hand-derived gradients, catches wrong ones, reports clearly."""

import math
import os
import subprocess
import sys

import pytest

from autograd_lite import Value
from autograd_lite.rules import Rule
from autograd_lite.testing import GradcheckError, GradcheckReport, gradcheck
from autograd_lite.value import _unary

METHODS = ["central", "five-point", "richardson"]


def _wrong_tanh(self):
    """tanh with the derivative 1 - tanh (instead of 1 - tanh**2)."""
    return _unary(Rule("tanh", math.tanh, lambda x, out: (1.0 - out,)), self)


@pytest.mark.parametrize("method", METHODS)
def test_numeric_derivative_matches_hand_derived_values(method):
    # f(x, y) = x**2 * y + sin(y):  df/dx = 2xy, df/dy = x**2 + cos(y)
    x, y = 1.3, -0.7
    report = gradcheck(lambda a, b: a ** 2 * b + b.sin(), [x, y], method=method)
    assert report.ok
    assert report.numeric == pytest.approx([2 * x * y, x * x + math.cos(y)], rel=1e-8)
    assert report.analytic == pytest.approx([2 * x * y, x * x + math.cos(y)], rel=1e-12)
    assert report.worst in (0, 1)


def test_higher_order_methods_are_more_accurate_than_central_differences():
    exact = math.exp(2.0)  # d/dx exp(x) at 2
    errors = {m: abs(gradcheck(lambda v: v.exp(), [2.0], method=m, eps=1e-3).numeric[0] - exact) for m in METHODS}
    assert errors["five-point"] < errors["central"] / 100
    assert errors["richardson"] < errors["central"] / 100


@pytest.mark.parametrize("method, eps", [("central", 0.05), ("five-point", 0.05)])
def test_numeric_error_estimates_the_finite_differences_own_error(method, eps):
    # d/dx exp(x) at 2 is e**2; the estimate must be the right size, within a factor of 3
    report = gradcheck(lambda v: v.exp(), [2.0], method=method, eps=eps, atol=1.0, rtol=0.0)
    true_error = abs(report.numeric[0] - math.exp(2.0))
    assert true_error / 3 <= report.numeric_error[0] <= 3 * true_error


def test_richardsons_error_estimate_is_the_last_levels_change_an_upper_bound():
    report = gradcheck(lambda v: v.exp(), [2.0], method="richardson", eps=0.2, atol=1.0, rtol=0.0)
    true_error = abs(report.numeric[0] - math.exp(2.0))
    assert true_error <= report.numeric_error[0] <= 1e-6


def test_numeric_error_counts_rounding_even_when_two_steps_round_alike():
    # The central differences at h and h/2 of sin at -0.7 come out bit-identical, yet both
    # are ~2e-11 off: the estimate includes the rounding error of the finest step.
    report = gradcheck(lambda a, b: a ** 2 * b + b.sin(), [1.3, -0.7])
    true_error = abs(report.numeric[1] - (1.3 ** 2 + math.cos(-0.7)))
    assert true_error > 1e-11 and report.numeric_error[1] >= true_error


def test_well_conditioned_checks_are_conclusive():
    report = gradcheck(lambda a, b: (a * b).tanh() + a.exp() / b, [0.3, -1.2], method="richardson",
                       atol=1e-7, rtol=1e-7)
    assert report.ok and report.conclusive and report.inconclusive == []
    assert all(e <= a / 2 for e, a in zip(report.numeric_error, report.allowed))


@pytest.mark.parametrize("method", METHODS)
def test_a_kink_within_the_step_makes_the_check_inconclusive_and_the_message_says_so(method):
    # relu(x + y) at x + y = 1e-7: the step straddles the kink, and the finite difference
    # is wrong; the analytic gradient (1, 1) is right.
    eps = 1e-6 if method == "central" else 1e-3
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x, y: (x + y).relu(), [0.5, 1e-7 - 0.5], method=method, eps=eps)
    report = caught.value.report
    assert report.analytic == [1.0, 1.0] and report.inconclusive == [0, 1] and not report.conclusive
    assert "not necessarily wrong" in str(caught.value) and "smaller eps" in str(caught.value)


def test_a_wrong_derivative_at_a_well_conditioned_point_is_conclusive(monkeypatch):
    monkeypatch.setattr(Value, "tanh", _wrong_tanh)
    report = gradcheck(lambda a: a.tanh(), [0.8], raise_exception=False)
    assert not report.ok and report.conclusive
    assert "not necessarily wrong" not in report.failure_message() and "fd error" in str(report)


def test_wrong_derivative_raises_naming_the_worst_input_and_tolerances(monkeypatch):
    monkeypatch.setattr(Value, "tanh", _wrong_tanh)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda a, b: a * 2.0 + b.tanh(), [0.5, 0.8], atol=1e-6, rtol=1e-5)
    report = caught.value.report
    message = str(caught.value)
    assert report.worst == 1 and not report.ok
    assert "input 1" in message and "x1 = 0.8" in message
    assert repr(report.analytic[1]) in message and repr(report.numeric[1]) in message
    assert "atol + rtol*|numeric| = 1e-06 + 1e-05*" in message
    assert report.analytic[1] == pytest.approx(1 - math.tanh(0.8))
    assert report.numeric[1] == pytest.approx(1 - math.tanh(0.8) ** 2, rel=1e-8)
    assert isinstance(caught.value, AssertionError)


def test_without_raising_a_failed_check_returns_the_report(monkeypatch):
    monkeypatch.setattr(Value, "tanh", _wrong_tanh)
    report = gradcheck(lambda a: a.tanh(), [0.3], raise_exception=False)
    assert isinstance(report, GradcheckReport) and not report.ok
    assert "FAILED at input 0" in repr(report)


def test_tolerances_decide_pass_or_fail():
    # Central differences of exp at 2 with h = 0.1 are off by about h**2/6 * e**2 ~ 0.0123.
    loose = gradcheck(lambda v: v.exp(), [2.0], eps=0.05, atol=0.1, rtol=0.0)
    assert loose.ok
    with pytest.raises(GradcheckError):
        gradcheck(lambda v: v.exp(), [2.0], eps=0.05, atol=1e-4, rtol=0.0)


def test_fan_out_is_summed_total_derivative():
    # y = x * x + x: the three uses of x sum to 2x + 1
    report = gradcheck(lambda x: x * x + x, [3.0])
    assert report.analytic == [7.0]


def test_nan_gradient_is_a_failure():
    # nan compares false with everything; gradcheck must not let it pass as "close".
    nan_sin = Rule("sin", math.sin, lambda x, out: (math.nan,))
    with pytest.raises(GradcheckError, match="analytic nan"):
        gradcheck(lambda x, y: _unary(nan_sin, x) + y, [0.5, 2.0])


def test_closed_over_parameters_keep_their_grad():
    weight = Value(1.5)
    weight.grad = 0.25
    gradcheck(lambda x: (weight * x).tanh(), [0.4])
    assert weight.grad == 0.25


def test_output_equal_to_an_input_has_gradient_one():
    assert gradcheck(lambda x, y: y, [1.0, 2.0]).analytic == [0.0, 1.0]


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"inputs": []}, ValueError, "inputs is empty"),
        ({"inputs": 1.0}, TypeError, "wrap it: [1.0]"),
        ({"inputs": [math.nan]}, ValueError, "must be finite"),
        ({"inputs": [True]}, TypeError, "bool"),
        ({"inputs": [1.0], "eps": 0.0}, ValueError, "eps=...) must be > 0"),
        ({"inputs": [1.0], "atol": -1.0}, ValueError, "tolerances must be >= 0"),
        ({"inputs": [1.0], "method": "forward"}, ValueError, "'central', 'five-point', 'richardson'"),
    ],
)
def test_bad_arguments_are_rejected_with_a_clear_message(kwargs, error, words):
    inputs = kwargs.pop("inputs")
    with pytest.raises(error) as caught:
        gradcheck(lambda x: x * 2.0, inputs, **kwargs)
    assert words in str(caught.value)


def test_f_must_return_a_value():
    with pytest.raises(TypeError, match="f must return a Value"):
        gradcheck(lambda x: 3.0, [1.0])


def test_a_step_outside_the_domain_names_the_input_and_suggests_a_fix():
    with pytest.raises(ValueError, match=r"inputs\[0\] -0.01.*smaller eps"):
        gradcheck(lambda x: x.log(), [0.005], eps=0.01)


def test_gradcheck_works_without_hypothesis_and_strategies_say_what_to_install(tmp_path):
    # A stub module named hypothesis that fails to import stands in for "not installed".
    (tmp_path / "hypothesis").mkdir()
    (tmp_path / "hypothesis" / "__init__.py").write_text("raise ImportError('No module named hypothesis')\n")
    script = (
        "from autograd_lite.testing import gradcheck\n"
        "assert gradcheck(lambda x: x.sin(), [0.5]).ok\n"
        "try:\n"
        "    import autograd_lite.testing.strategies\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), root]))
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert 'pip install "autograd-lite[hypothesis]"' in result.stdout
