"""compile() in float mode: the generated code reproduces backward() bit for bit, on
inputs other than the ones it was traced on."""

import math

import autograd_lite as ag
from autograd_lite import nn
import pytest
from autograd_lite import Value
from hypothesis import given, settings
from hypothesis import strategies as st

from compile_support import bits, evaluate, inputs, programs


def eager(program, xs):
    leaves = [Value(x) for x in xs]
    out = evaluate(program, leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


@settings(max_examples=150)
@given(st.data())
def test_compiled_equals_eager_bitwise_on_new_inputs(data):
    program = data.draw(programs())
    n = program[0]
    traced_at = data.draw(st.lists(inputs, min_size=n, max_size=n))
    new_inputs = data.draw(st.lists(inputs, min_size=n, max_size=n))
    step = ag.compile(lambda *xs: evaluate(program, xs))
    step(*traced_at)
    value, grads = step(*new_inputs)
    expected_value, expected_grads = eager(program, new_inputs)
    assert bits(value) == bits(expected_value)
    assert list(map(bits, grads)) == list(map(bits, expected_grads))
    assert step.traces == 1


def test_gradient_matches_hand_derivation():
    # f = x*y + sin(x): df/dx = y + cos(x), df/dy = x (an oracle independent of the engine)
    step = ag.compile(lambda x, y: x * y + x.sin())
    value, (dx, dy) = step(0.5, -2.0)
    assert value == pytest.approx(0.5 * -2.0 + math.sin(0.5))
    assert dx == pytest.approx(-2.0 + math.cos(0.5)) and dy == pytest.approx(0.5)


def test_lists_give_gradients_of_the_same_shape_and_reshapes_retrace():
    step = ag.compile(lambda ws, xs: ag.dot(ws, xs) + ws[0] * ws[0])
    value, (dws, dxs) = step([1.0, 2.0], [3.0, 4.0])
    assert value == 12.0 and dws == [5.0, 4.0] and dxs == [1.0, 2.0]
    step([1.0, 2.0, 3.0], [1.0, 1.0, 1.0])
    assert step.traces == 2


def test_unused_input_has_zero_gradient_and_constants_are_folded():
    c = Value(3.0)
    step = ag.compile(lambda x, y: x * c.exp())
    assert step(2.0, 5.0) == (2.0 * math.exp(3.0), (math.exp(3.0), 0.0))


def test_static_arguments_are_part_of_the_cache_key():
    step = ag.compile(lambda z, t: ag.logsumexp(z) - z[t], static_argnums=(1,))
    _, (grad0,) = step([1.0, 2.0], 0)
    _, (grad1,) = step([1.0, 2.0], 1)
    s = [math.exp(1.0) / (math.exp(1.0) + math.exp(2.0)), math.exp(2.0) / (math.exp(1.0) + math.exp(2.0))]
    assert grad0 == pytest.approx([s[0] - 1.0, s[1]]) and grad1 == pytest.approx([s[0], s[1] - 1.0])
    assert step.traces == 2


def test_params_read_current_data_and_accumulate_into_grad_like_backward():
    w = Value(2.0)
    step = ag.compile(lambda x: w * x * x, params=[w])
    w.data = 3.0
    value, (dx,) = step(5.0)
    assert value == 75.0 and dx == 30.0 and w.grad == 25.0
    step(1.0)
    assert w.grad == 26.0  # accumulates, as backward() does


def test_mlp_training_gives_the_same_loss_curve_bitwise():
    X, labels = nn.datasets.moons(30, noise=0.1, seed=3)
    y = [2 * t - 1 for t in labels]

    def train(compiled):
        model = nn.MLP(2, [8, 8, 1], seed=5)
        params = model.parameters()
        optimizer = nn.SGD(params, lr=0.05)

        def loss_of(X):
            return nn.hinge_loss([model(x) for x in X], y) + nn.l2_penalty(params, 1e-4)

        step = ag.compile(loss_of, params=params)
        curve = []
        for _ in range(8):
            optimizer.zero_grad()
            if compiled:
                loss, _ = step(X)
            else:
                out = loss_of(X)
                out.backward()
                loss = out.data
            optimizer.step()
            curve.append(loss)
        return curve, [p.data for p in params]

    compiled_curve, compiled_params = train(True)
    eager_curve, eager_params = train(False)
    assert list(map(bits, compiled_curve)) == list(map(bits, eager_curve))
    assert list(map(bits, compiled_params)) == list(map(bits, eager_params))
    assert compiled_curve[-1] < compiled_curve[0]


def test_domain_errors_on_new_inputs_are_the_engines():
    step = ag.compile(lambda x: x.log() + (x - 1.0).sqrt() + 1.0 / x)
    step(2.0)
    with pytest.raises(ValueError, match=r"log: operand must be > 0, got -1.0"):
        step(-1.0)
    with pytest.raises(ValueError, match=r"sqrt: operand must be >= 0"):
        step(0.5)
    with pytest.raises(OverflowError, match="exp"):
        ag.compile(lambda x: x.exp())(1000.0)


def test_bad_arguments_are_named():
    step = ag.compile(lambda x: x * 2.0)
    with pytest.raises(TypeError, match="argument 0 expects a real number.*bool"):
        step(True)
    with pytest.raises(TypeError, match="must return a scalar Value"):
        ag.compile(lambda x: 1.0)(2.0)
    with pytest.raises(TypeError, match="params must be Values"):
        ag.compile(lambda x: x, params=[1.0])


def test_argnums_chooses_which_gradients_are_computed():
    w = Value(2.0)
    step = ag.compile(lambda x, y: w * x * y, params=[w], argnums=(1,))
    assert step(3.0, 4.0) == (24.0, (6.0,)) and w.grad == 12.0
    assert ag.compile(lambda x: w * x, params=[w], argnums=())(5.0) == (10.0, ())


def test_an_input_returned_as_is_and_a_constant_output():
    assert ag.compile(lambda x: x)(3.0) == (3.0, (1.0,))
    assert ag.compile(lambda x: Value(2.0) * 3.0)(1.0) == (6.0, (0.0,))


# --- zero-masking: a zero local derivative contributes nothing, even times nan or inf ---------

@pytest.mark.parametrize("f, x, expected", [
    # (-2)**relu(y) is the constant 1 for y < 0; d/dexponent at a negative base is nan,
    # but relu's local derivative there is 0.0, so the gradient is 0.0 (as PyTorch gives).
    (lambda y: (-2.0) ** y.relu(), -1.0, (1.0, 0.0)),
    # sqrt'(0) = inf meets relu'(-1) = 0: sqrt(relu(x)) is 0 for x < 0, so 0.0; plus x: 1.0.
    (lambda x: x.relu().sqrt(), -1.0, (0.0, 0.0)),
    (lambda x: x.relu().sqrt() + x, -1.0, (-1.0, 1.0)),
    (lambda x: x.leaky_relu(0.0).sqrt(), -1.0, (-0.0, 0.0)),
    (lambda x: x ** 0 * (x - 2.0).sqrt(), 2.0, (0.0, math.inf)),
])
def test_a_zero_local_derivative_masks_a_nan_or_inf_adjoint(f, x, expected):
    step = ag.compile(f)
    assert step(x) == (expected[0], (expected[1],))
    assert step(x) == (expected[0], (expected[1],))  # the masked code, built once, is reused


def test_a_computed_zero_is_not_a_mask_in_compiled_code_either():
    # 0 * x as a product node: d/dx = 0.0 only because the other factor is 0 there, times
    # the inf adjoint of sqrt at 0; eager says nan (0 * inf), and so must compile.
    x = Value(3.0)
    (x * 0.0).sqrt().backward()
    assert math.isnan(x.grad)
    _, (dx,) = ag.compile(lambda x: (x * 0.0).sqrt())(3.0)
    assert math.isnan(dx)


def test_a_nonzero_local_derivative_keeps_nan():
    # x**y at a negative base has no derivative in y: nan, with or without masking.
    _, (dx,) = ag.compile(lambda y: (-2.0) ** y)(1.0)
    assert math.isnan(dx)


def test_zero_masking_also_applies_in_batch_mode():
    np = pytest.importorskip("numpy")
    step = ag.compile(lambda y: (-2.0) ** y.relu() + y.relu().sqrt())
    values, (dy,) = step.batch(np.array([-1.0, -3.0, 4.0]), reduce=None)
    assert values.tolist() == [1.0, 1.0, 16.0 + 2.0]
    # at y = 4: d/dy (-2)**y is nan (negative base), sqrt'(4) = 0.25
    assert dy[:2].tolist() == [0.0, 0.0] and math.isnan(dy[2])
    # reduced: the sum of per-example gradients, masked where they are
    assert step.batch(np.array([-1.0, -3.0]), reduce="sum") == (2.0, (0.0,))
    w = Value(-1.0)
    with_params = ag.compile(lambda y: (-2.0) ** (w * y).relu(), params=[w], argnums=())
    assert with_params.batch(np.array([1.0, 2.0]), reduce="mean") == (1.0, ()) and w.grad == 0.0


@settings(max_examples=60)
@given(st.data())
def test_the_masked_code_gives_the_same_bits_where_no_adjoint_is_nan_or_inf(data):
    from autograd_lite.compiler import codegen
    program = data.draw(programs())
    n = program[0]
    xs = data.draw(st.lists(inputs, min_size=n, max_size=n))
    step = ag.compile(lambda *args: evaluate(program, args))
    step(*xs)
    tape = step._cache[next(iter(step._cache))]["tape"]
    masked, constants = codegen._compiled(tape, codegen.float_namespace(), "float", True, None)
    value, grads = masked(xs, constants)
    expected_value, expected_grads = eager(program, xs)
    if not any(map(math.isnan, expected_grads)):
        assert bits(value) == bits(expected_value)
        assert list(map(bits, grads)) == list(map(bits, expected_grads))


# --- NaN: compiled and eager agree on where a NaN is, not on its sign bit or payload ---------

@pytest.mark.parametrize("f, xs", [
    (lambda x, y: -(x * y), [math.nan, 2.0]),
    (lambda x, y: (-x) * y, [1.0, math.nan]),       # d/dx: -g, where eager computes -1.0 * g: the sign differs
    (lambda x, y: x - y, [1.0, math.nan]),
    (lambda x, y: x ** y, [-2.0, 3.0]),             # no derivative in y at a negative base
    (lambda x, y: (x - y).tanh() * math.inf, [1.0, 1.0]),
])
def test_a_nan_in_eager_is_a_nan_in_compiled_and_every_other_result_is_bitwise_equal(f, xs):
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    out.backward()
    value, grads = ag.compile(f)(*xs)
    for compiled, expected in zip([value, *grads], [out.data, *(leaf.grad for leaf in leaves)]):
        assert math.isnan(compiled) == math.isnan(expected)
        assert bits(compiled) == bits(expected)  # bits() writes every nan as 'nan'
    assert any(map(math.isnan, [value, *grads]))
