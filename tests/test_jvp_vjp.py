"""jvp and vjp (torch.func semantics), checked against sympy's exact Jacobian, central
differences, the reverse-mode jacobian, and the adjoint identity <J v, u> == <v, J^T u>."""

import math
import sys

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite import Value


def f(p, z):
    """Two positional arguments, one a tuple; the output a dict holding a list."""
    x, y = p
    return {"a": x * y.sin() + z ** 2, "b": [(x * z).tanh(), (0.5 * y).exp() * x]}


def f_sympy(x, y, z):
    return [x * sp.sin(y) + z ** 2, sp.tanh(x * z), sp.exp(y / 2) * x]


def flat_output(out):
    return [out["a"], *out["b"]]


def exact_jacobian(point):
    symbols = sp.symbols("x y z")
    matrix = sp.Matrix(f_sympy(*symbols)).jacobian(sp.Matrix(symbols))
    evaluate = sp.lambdify(symbols, matrix, modules="mpmath")
    values = evaluate(*(mpmath.mpf(v) for v in point))
    return [[values[i, j] for j in range(3)] for i in range(3)]


POINTS = [(0.3, -1.2, 0.8), (1.5, 0.4, -2.0), (-0.7, 2.5, 0.1)]
VECTORS = [(1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0), (0.5, -2.0, 1.5)]


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("v", VECTORS)
def test_jvp_and_vjp_match_sympy(point, v):
    x, y, z = point
    J = exact_jacobian(point)
    out, tangent = ag.jvp(f, ((x, y), z), ((v[0], v[1]), v[2]))
    expected = [float(sum(J[i][j] * v[j] for j in range(3))) for i in range(3)]
    assert flat_output(tangent) == pytest.approx(expected, rel=1e-13, abs=1e-15)
    assert type(tangent["b"]) is list and set(tangent) == {"a", "b"}
    assert flat_output(out) == pytest.approx([float(e) for e in f_sympy(*map(mpmath.mpf, point))], rel=1e-14)

    _, pullback = ag.vjp(f, (x, y), z)
    u = v
    (gx, gy), gz = pullback({"a": u[0], "b": [u[1], u[2]]})
    expected = [float(sum(u[i] * J[i][j] for i in range(3))) for j in range(3)]
    assert [gx, gy, gz] == pytest.approx(expected, rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("point", POINTS)
def test_jvp_matches_central_differences(point):
    v, h = (0.5, -2.0, 1.5), 1e-6
    shifted = lambda s: [out.data for out in flat_output(f((Value(point[0] + s * v[0]), Value(point[1] + s * v[1])),
                                                          Value(point[2] + s * v[2])))]
    difference = [(a - b) / (2 * h) for a, b in zip(shifted(h), shifted(-h))]
    _, tangent = ag.jvp(f, ((point[0], point[1]), point[2]), ((v[0], v[1]), v[2]))
    assert flat_output(tangent) == pytest.approx(difference, rel=1e-6, abs=1e-6)


reals = st.floats(-3.0, 3.0)


@settings(derandomize=True)
@given(st.tuples(reals, reals, reals), st.tuples(reals, reals, reals), st.tuples(reals, reals, reals))
def test_adjoint_identity_and_agreement_with_the_jacobian(point, v, u):
    x, y, z = point
    _, tangent = ag.jvp(f, ((x, y), z), ((v[0], v[1]), v[2]))
    _, pullback = ag.vjp(f, (x, y), z)
    (gx, gy), gz = pullback({"a": u[0], "b": [u[1], u[2]]})
    Jv, JTu = flat_output(tangent), [gx, gy, gz]
    # every entry of J is below 10 in size here, so these sums are far inside the tolerance
    assert sum(a * b for a, b in zip(Jv, u)) == pytest.approx(sum(a * b for a, b in zip(v, JTu)), rel=1e-10, abs=1e-9)

    rows = ag.jacobian(lambda x, y, z: flat_output(f((x, y), z)))(x, y, z)
    assert Jv == pytest.approx([sum(r * c for r, c in zip(row, v)) for row in rows], rel=1e-12, abs=1e-12)
    assert JTu == pytest.approx([sum(u[i] * rows[i][j] for i in range(3)) for j in range(3)], rel=1e-12, abs=1e-12)


class TestSemantics:
    def test_scalar_function_returns_floats_like_torch_func(self):
        out, tangent = ag.jvp(lambda x: x * x, (3.0,), (2.0,))
        assert (out, tangent) == (9.0, 12.0) and type(tangent) is float
        out, pullback = ag.vjp(lambda x, y: x * y, 3.0, 4.0)
        assert out == 12.0 and pullback(1.0) == (4.0, 3.0) and pullback(2.0) == (8.0, 6.0)

    def test_outputs_that_are_constants_or_ignore_the_input_have_zero_tangent(self):
        out, tangent = ag.jvp(lambda x, y: [x * 2.0, 7.0, y], (1.0, 5.0), (1.0, 0.0))
        assert out == [2.0, 7.0, 5.0] and tangent == [2.0, 0.0, 0.0]
        _, pullback = ag.vjp(lambda x: [x * 2.0, 7.0], 1.0)
        assert pullback([1.0, 100.0]) == (2.0,)

    def test_a_structural_zero_masks_an_infinite_tangent_in_both_modes(self):
        # relu is flat below 0: an inf or nan arriving there contributes nothing (as in PyTorch)
        assert ag.jvp(lambda x: x.relu(), (-1.0,), (math.inf,))[1] == 0.0
        assert ag.vjp(lambda x: x.relu(), -1.0)[1](math.inf) == (0.0,)

    def test_forward_over_reverse_gives_hessian_vector_products(self):
        rosenbrock = lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2
        gradient = ag.grad(rosenbrock, argnums=(0, 1))
        _, hv = ag.jvp(gradient, (1.0, 1.0), (1.0, -2.0))
        assert hv == (802.0 - 400.0 * -2.0, -400.0 + 200.0 * -2.0)

    def test_jvp_and_vjp_nest_inside_grad(self):
        cube = lambda x: x ** 3
        assert ag.grad(lambda x: ag.jvp(cube, (x,), (1.0,))[1])(2.0) == 12.0  # d/dx 3x² = 6x
        assert ag.grad(lambda x: ag.vjp(cube, x)[1](1.0)[0])(2.0) == 12.0
        # a tangent that is a Value: d/dv [f'(x) v] = f'(x)
        assert ag.grad(lambda v: ag.jvp(cube, (2.0,), (v,))[1])(1.0) == 12.0

    def test_forward_mode_on_numbers_makes_no_node_beyond_those_f_makes(self):
        def nodes_made_while(call):
            made = []
            def count(frame, event, arg):
                code = frame.f_code
                if event == "call" and code.co_filename.startswith("<autograd_lite "):  # every node is made there
                    made.append(code.co_name)
            sys.setprofile(count)
            try:
                call()
            finally:
                sys.setprofile(None)
            return len(made)

        g = lambda x, y: (x * y).tanh() + x.exp() * 3.0
        by_f = nodes_made_while(lambda: g(Value(0.5), Value(-1.5)))
        assert by_f >= 5
        assert nodes_made_while(lambda: ag.jvp(g, (0.5, -1.5), (1.0, 2.0))) == by_f

    def test_a_deep_graph_needs_no_recursion(self):
        def chain(x):
            for _ in range(20_000):
                x = x * 1.0001
            return x
        assert ag.jvp(chain, (1.0,), (1.0,))[1] == pytest.approx(1.0001 ** 20_000, rel=1e-9)

    def test_no_perturbation_confusion_in_forward_mode(self):
        # d/dx [ d/dy (x * y) along 1 at y = x ] = d/dx x = 1
        assert ag.grad(lambda x: ag.jvp(lambda y: x * y, (x,), (1.0,))[1])(3.0) == 1.0


class TestErrors:
    def test_primals_must_be_a_tuple(self):
        with pytest.raises(TypeError, match=r"primals must be a tuple.*\(primal,\)"):
            ag.jvp(lambda x: x, 1.0, (1.0,))

    def test_one_tangent_per_primal_with_its_structure(self):
        with pytest.raises(ValueError, match="2 primals but 1 tangents"):
            ag.jvp(lambda x, y: x * y, (1.0, 2.0), (1.0,))
        with pytest.raises(ValueError, match=r"tangent 0 must have the structure of primal 0, \{'a': \*\}, got \[\*\]"):
            ag.jvp(lambda p: p["a"], ({"a": 1.0},), ([1.0],))

    def test_the_cotangent_must_have_the_output_structure(self):
        _, pullback = ag.vjp(lambda x: [x, x * 2.0], 1.0)
        with pytest.raises(ValueError, match=r"output's structure \[\*, \*\], got \*"):
            pullback(1.0)

    def test_bad_leaves_are_named(self):
        with pytest.raises(TypeError, match=r"jvp: tangent 0\[1\]: expected a number"):
            ag.jvp(lambda p: p[0], ([1.0, 2.0],), ([1.0, "x"],))
        with pytest.raises(TypeError, match=r"vjp: argument 0\['k'\]: expected a number"):
            ag.vjp(lambda p: p["k"], {"k": "text"})
