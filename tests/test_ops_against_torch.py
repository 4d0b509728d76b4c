"""Every op agrees with PyTorch in float64: the value, the first and the second derivative,
including PyTorch's conventions at kinks and ties (clamp at its bounds, maximum at a tie,
elu and abs at 0) and at the edges of a domain (asin at ±1)."""

import math

import pytest

import autograd_lite as ag

torch = pytest.importorskip("torch", reason='PyTorch is not installed: pip install -e ".[torch]"')

# name, engine function, torch function, points (kinks, ties and bounds included)
UNARY = [
    ("tan", ag.tan, torch.tan, [-1.2, -0.3, 0.0, 0.7, 1.5]),
    ("asin", ag.asin, torch.asin, [-1.0, -0.6, 0.0, 0.25, 0.99, 1.0]),
    ("acos", ag.acos, torch.acos, [-1.0, -0.6, 0.0, 0.25, 0.99, 1.0]),
    ("atan", ag.atan, torch.atan, [-40.0, -1.0, 0.0, 0.5, 3.0, 1e10]),
    ("sinh", ag.sinh, torch.sinh, [-20.0, -1.0, 0.0, 0.5, 3.0, 700.0]),
    ("cosh", ag.cosh, torch.cosh, [-20.0, -1.0, 0.0, 0.5, 3.0, 700.0]),
    ("log1p", ag.log1p, torch.log1p, [-0.999, -0.5, 0.0, 1e-12, 3.0, 1e6]),
    ("expm1", ag.expm1, torch.expm1, [-50.0, -1.0, 0.0, 1e-12, 3.0, 700.0]),
    ("erf", ag.erf, torch.erf, [-6.0, -1.0, 0.0, 0.3, 2.0, 30.0]),
    ("erfc", ag.erfc, torch.erfc, [-6.0, -1.0, 0.0, 0.3, 2.0, 25.0]),
    ("softplus", ag.softplus, torch.nn.functional.softplus, [-800.0, -30.0, -1.0, 0.0, 0.5, 15.0]),
    # Not far left: PyTorch's 1 + erf(x / sqrt 2) cancels there (test_ops_semantics checks the tail).
    ("gelu", ag.gelu, torch.nn.functional.gelu, [-3.0, -1.0, 0.0, 0.5, 3.0, 30.0]),
    ("silu", ag.silu, torch.nn.functional.silu, [-800.0, -30.0, -1.0, 0.0, 0.5, 3.0, 40.0]),
    ("elu", ag.elu, torch.nn.functional.elu, [-30.0, -1.0, 0.0, 0.5, 3.0]),
    ("elu_alpha", lambda x: ag.elu(x, 0.3), lambda x: torch.nn.functional.elu(x, 0.3), [-3.0, -1.0, 0.0, 2.0]),
    ("clamp", lambda x: ag.clamp(x, -1.0, 2.0), lambda x: torch.clamp(x, -1.0, 2.0), [-3.0, -1.0, 0.0, 2.0, 5.0]),
    ("clamp_hi", lambda x: ag.clamp(x, hi=0.5), lambda x: torch.clamp(x, max=0.5), [-3.0, 0.5, 2.0]),
    ("abs", lambda x: x.abs(), torch.abs, [-2.0, 0.0, 3.0]),
    ("exp", ag.exp, torch.exp, [-3.0, 0.0, 2.0]),
    ("log", ag.log, torch.log, [0.01, 1.0, 20.0]),
    ("sqrt", ag.sqrt, torch.sqrt, [0.01, 1.0, 20.0]),
    ("tanh", ag.tanh, torch.tanh, [-3.0, 0.0, 2.0]),
    ("sigmoid", ag.sigmoid, torch.sigmoid, [-30.0, 0.0, 2.0]),
    ("sin", ag.sin, torch.sin, [-3.0, 0.0, 2.0]),
    ("cos", ag.cos, torch.cos, [-3.0, 0.0, 2.0]),
]

BINARY = [
    ("maximum", ag.maximum, torch.maximum, [(1.0, 2.0), (2.0, 1.0), (1.5, 1.5), (-0.5, -0.5)]),
    ("minimum", ag.minimum, torch.minimum, [(1.0, 2.0), (2.0, 1.0), (1.5, 1.5), (-0.5, -0.5)]),
]


def close(got, expected):
    if math.isnan(expected):
        return math.isnan(got)
    if math.isinf(expected):
        return got == expected
    return got == pytest.approx(expected, rel=1e-12, abs=1e-300)


def torch_derivatives(f, point):
    """(value, gradient, Hessian) of f at point, by torch.autograd in float64."""
    xs = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in point]
    out = f(*xs)
    grads = torch.autograd.grad(out, xs, create_graph=True, allow_unused=True)
    hessian = []
    for g in grads:
        if g is None or not g.requires_grad:
            hessian.append([0.0] * len(xs))
            continue
        row = torch.autograd.grad(g, xs, retain_graph=True, allow_unused=True)
        hessian.append([0.0 if h is None else h.item() for h in row])
    return out.item(), [0.0 if g is None else g.item() for g in grads], hessian


def engine_derivatives(f, point):
    value = f(*[ag.Value(p) for p in point]).item()
    argnums = tuple(range(len(point)))
    return value, list(ag.grad(f, argnums=argnums)(*point)), ag.hessian(f)(*point)


CASES = [(name, f, g, (p,)) for name, f, g, points in UNARY for p in points] + [
    (name, f, g, p) for name, f, g, points in BINARY for p in points]


@pytest.mark.parametrize("name, engine_fn, torch_fn, point", CASES,
                         ids=[f"{c[0]}{list(c[3])}" for c in CASES])
def test_value_first_and_second_derivatives_match_pytorch_float64(name, engine_fn, torch_fn, point):
    value, grad, hessian = engine_derivatives(engine_fn, point)
    expected_value, expected_grad, expected_hessian = torch_derivatives(torch_fn, point)
    assert close(value, expected_value)
    assert all(map(close, grad, expected_grad)), (grad, expected_grad)
    for row, expected_row in zip(hessian, expected_hessian):
        assert all(map(close, row, expected_row)), (hessian, expected_hessian)
