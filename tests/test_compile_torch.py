"""Compiled.to_torch: a PyTorch module generated from the same tape and rule text. Its
values and torch-autograd gradients equal float mode's (which is bitwise the eager
engine's) to 1e-12 on random graphs, for every op of rules.TABLE, and for a network
with parameters; over any batch shape, with PyTorch's broadcasting and dtypes."""

import ast
import builtins
import math
import subprocess
import sys

import autograd_lite as ag
import pytest
from autograd_lite import nn, rules
from autograd_lite.testing.strategies import expressions
from autograd_lite.value import apply
from hypothesis import given, settings
from hypothesis import strategies as st

from compile_support import evaluate, programs

torch = pytest.importorskip("torch", reason='PyTorch is not installed: pip install -e ".[torch]"')
from autograd_lite.compiler.codegen import Emitter  # noqa: E402
from autograd_lite.compiler.torch_dialect import OWN_GRADIENT, own_gradient_function, torch_namespace  # noqa: E402

F64 = torch.float64


def close(got, expected):
    """Equal to 1e-12 relative (or 1e-12 absolute near zero); nan where float mode has nan."""
    if math.isnan(expected):
        return math.isnan(got)
    return got == pytest.approx(expected, rel=1e-12, abs=1e-12)


def torch_values_and_grads(module, columns):
    """Values and d value / d each argument, per example, by torch autograd."""
    tensors = [torch.tensor(c, dtype=F64, requires_grad=True) for c in columns]
    out = module(*tensors)
    grads = torch.autograd.grad(out.sum(), tensors, allow_unused=True)
    return out.tolist(), [g.tolist() if g is not None else [0.0] * len(columns[0]) for g in grads]


@settings(max_examples=40, deadline=None)
@given(expressions(max_size=6))
def test_random_expressions_equal_float_mode(ex):
    step = ag.compile(lambda *xs: ex(*xs))
    module = step.to_torch(*ex.inputs)
    value, grads = step(*ex.inputs)
    got_values, got_grads = torch_values_and_grads(module, [[x, x] for x in ex.inputs])  # a batch of 2
    assert close(got_values[0], value) and close(got_values[1], value)
    for got, expected in zip(got_grads, grads):
        assert close(got[0], expected) and close(got[1], expected), (got, expected)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_random_programs_over_a_batch_equal_float_mode_per_example(data):
    # All ops, elu and clamp included, and the ops over lists (sum, dot, logsumexp, softmax).
    program = data.draw(programs(max_steps=8))
    n = program[0]
    rows = data.draw(st.lists(st.lists(st.floats(-3.0, 3.0), min_size=n, max_size=n), min_size=1, max_size=4))
    step = ag.compile(lambda *xs: evaluate(program, xs))
    module = step.to_torch(*rows[0])
    got_values, got_grads = torch_values_and_grads(module, [list(c) for c in zip(*rows)])
    for b, row in enumerate(rows):
        value, grads = step(*row)
        assert close(got_values[b], value)
        assert all(close(g[b], e) for g, e in zip(got_grads, grads)), (got_grads, grads)


# A number for each constant a table row can name, and points inside every op's domain
# (log, sqrt, asin, acos, pow...) that also meet the kinks: clamped_log's and clamp's bounds,
# maximum's ties, elu's and leaky_relu's 0 (the points minus 0.5).
CONSTANTS = {"n": 2.5, "slope": 0.1, "alpha": 0.7, "lo": 0.3, "hi": 0.7, "eps": 0.3, "i": 1.0}
POINTS = [0.25, 0.5, 0.8, 0.5]
OTHER = [0.3, 0.6, 0.9, 0.5]
SHIFTED = {"leaky_relu", "elu", "relu", "abs"}


def table_rule(op):
    """The rule of table row ``op``, with its constants set to CONSTANTS."""
    row = rules.ROWS[op]
    return rules.with_constants(op, *[CONSTANTS[name] for name in row[2].split()]) if row[2] else rules.RULES[op]


def test_every_table_row_has_a_torch_version():
    # Fails for a new row whose forward text calls a helper with no PyTorch twin, or a new
    # op over a list that the torch dialect cannot run.
    namespace = dict(torch_namespace(torch), _sum=sum)
    for op in rules.ROWS:
        rule = table_rule(op)
        if op in OWN_GRADIENT:
            own_gradient_function(torch, rule)  # compiles its forward and local text for torch
            continue
        text = Emitter("torch").forward(rule, ["a", "b"] if rule.variadic else list(rule.inputs), "out")
        names = {node.id for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Name)}
        missing = names - set(namespace) - set(dir(builtins)) - {"a", "b", "x", *rule.inputs} - {"k0", "k1"}
        assert not missing, f"op {op!r} has no PyTorch twin of {sorted(missing)}"
        if "_LIST_OP_RULES" in text:
            namespace["_LIST_OP_RULES"][(op, *rule.param_values)]  # NotImplementedError for an unknown op


@pytest.mark.parametrize("op", list(rules.ROWS))
def test_every_table_row_equals_float_mode(op):
    rule = table_rule(op)
    arity = 2 if rule.variadic else len(rule.inputs)
    shift = 0.5 if op in SHIFTED else 0.0
    columns = [[x - shift for x in POINTS], OTHER][:arity]
    step = ag.compile(lambda *xs: apply(rule, xs))
    got_values, got_grads = torch_values_and_grads(step.to_torch(*[c[0] for c in columns]), columns)
    for b, row in enumerate(zip(*columns)):
        value, grads = step(*row)
        assert close(got_values[b], value)
        assert all(close(g[b], e) for g, e in zip(got_grads, grads)), (op, row, got_grads, grads)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "gelu", "elu", "leaky_relu", "softplus",
                                        nn.activations.ScaledSigmoid(1.5, 2.0, trainable=True)], ids=str)
def test_a_network_with_params_has_our_parameter_gradients(activation):
    X, labels = nn.datasets.moons(12, noise=0.1, seed=0)
    y = [2.0 * t - 1.0 for t in labels]
    model = nn.MLP(2, [5, 4, 1], activation=activation, seed=2)
    params = model.parameters()
    step = ag.compile(lambda x, t: (1.0 - t * model(x)).relu() + nn.l2_penalty(params, 1e-3), params=params)
    module = step.to_torch(X[0], y[0])
    assert [tuple(p.shape) for p in module.parameters()] == [(len(params),)]
    loss = module(torch.tensor(X, dtype=F64), torch.tensor(y, dtype=F64)).sum()
    loss.backward()
    for p in params:
        p.grad = 0.0
    expected = math.fsum(step(x, t)[0] for x, t in zip(X, y))
    assert close(loss.item(), expected)
    for got, p in zip(module.params.grad.tolist(), params):
        assert got == pytest.approx(p.grad, rel=1e-12, abs=1e-14)


def test_logsumexp_of_an_input_and_a_constant():
    step = ag.compile(lambda x: ag.logsumexp([x, ag.Value(0.5), 2.0 * x]))
    got_values, (got_grads,) = torch_values_and_grads(step.to_torch(1.0), [[-1.0, 0.5, 3.0]])
    for b, x in enumerate([-1.0, 0.5, 3.0]):
        value, (grad,) = step(x)
        assert close(got_values[b], value) and close(got_grads[b], grad)


def test_the_layers_are_matrix_products_in_torch_too():
    model = nn.MLP(2, [4, 4, 1], seed=0)
    module = ag.compile(lambda x: model(x), params=model.parameters()).to_torch([0.0, 0.0])
    assert "_matmul" in module._run.__code__.co_names


def test_distributed_data_parallel_wraps_the_module(tmp_path):
    distributed = pytest.importorskip("torch.distributed", reason="this PyTorch has no torch.distributed")
    if not distributed.is_available() or not distributed.is_gloo_available():
        pytest.skip("this PyTorch has no gloo backend")
    model = nn.MLP(2, [3, 1], seed=0)
    params = model.parameters()
    step = ag.compile(lambda x: model(x) ** 2, params=params)
    x = torch.tensor([[1.0, 2.0], [0.5, -1.0]], dtype=F64)
    distributed.init_process_group("gloo", store=distributed.FileStore(str(tmp_path / "store"), 1),
                                   rank=0, world_size=1)
    try:
        ddp = torch.nn.parallel.DistributedDataParallel(step.to_torch([0.0, 0.0]))
        ddp(x).mean().backward()
    finally:
        distributed.destroy_process_group()
    step.batch(x.numpy(), reduce="mean")
    assert ddp.module.params.grad.tolist() == pytest.approx([p.grad for p in params], rel=1e-12)


def test_a_softmax_output_layer_and_a_log_of_it():
    model = nn.MLP(3, [4, 3], output_activation="softmax", seed=1)
    params = model.parameters()
    step = ag.compile(lambda x, k: -model(x)[k].log(), params=params, static_argnums=(1,))
    module = step.to_torch([0.1, 0.2, 0.3], 2)
    X = [[0.1, 0.2, 0.3], [-1.0, 0.5, 2.0]]
    module(torch.tensor(X, dtype=F64), 2).sum().backward()
    for p in params:
        p.grad = 0.0
    expected = math.fsum(step(x, 2)[0] for x in X)
    assert module.params.grad.tolist() == pytest.approx([p.grad for p in params], rel=1e-12, abs=1e-14)
    assert close(module(torch.tensor(X, dtype=F64), 2).sum().item(), expected)
    with pytest.raises(ValueError, match="static argument 1 was 2 .* got 0"):
        module(torch.tensor(X, dtype=F64), 0)


def test_training_in_torch_and_copying_the_params_back():
    model = nn.MLP(2, [3, 1], seed=0)
    params = model.parameters()
    step = ag.compile(lambda x: model(x) ** 2, params=params)
    module = step.to_torch([0.0, 0.0])
    optimizer = torch.optim.SGD(module.parameters(), lr=0.1)
    x = torch.tensor([[1.0, 2.0], [0.5, -1.0]], dtype=F64)
    optimizer.zero_grad()
    module(x).mean().backward()
    optimizer.step()
    for p in params:
        p.grad = 0.0
    before = [p.data for p in params]
    step.batch(x.numpy(), reduce="mean")  # our gradient of the same step
    module.copy_params_to_values()
    assert [p.data for p in params] == pytest.approx([b - 0.1 * p.grad for b, p in zip(before, params)], rel=1e-12)


def test_batch_shapes_broadcast_as_in_pytorch():
    step = ag.compile(lambda x, ys: x * ys[0] + ys[1].exp())
    module = step.to_torch(1.0, [2.0, 3.0])
    x = torch.tensor([[1.0], [2.0]], dtype=F64)          # batch (2, 1)
    ys = torch.tensor([[0.5, 0.0], [1.0, -1.0], [2.0, 1.0]], dtype=F64)  # batch (3,), trailing (2,)
    out = module(x, ys)
    assert out.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            assert close(out[i, j].item(), step(x[i, 0].item(), ys[j].tolist())[0])
    assert module(2.0, [1.0, 0.0]).shape == ()  # Python numbers: no batch
    assert module(torch.ones(0), torch.ones(0, 2)).shape == (0,)
    with pytest.raises(ValueError, match=r"batch shapes \[\(2,\), \(3,\)\] do not broadcast"):
        module(torch.ones(2), torch.ones(3, 2))


def test_dtypes_compute_in_float64_and_gradients_keep_the_input_dtype():
    module = ag.compile(lambda x: x * x + 0.1).to_torch(1.0)
    x32 = torch.tensor([0.1, 0.2], dtype=torch.float32, requires_grad=True)
    out = module(x32)
    assert out.dtype == F64 and out.detach().tolist() == [x32[0].item() ** 2 + 0.1, x32[1].item() ** 2 + 0.1]
    out.sum().backward()
    assert x32.grad.dtype == torch.float32
    assert module(torch.tensor([1, 2])).tolist() == [1.1, 4.1]  # ints
    with pytest.raises(TypeError, match="complex"):
        module(torch.tensor([1j]))
    with pytest.raises(ValueError, match=r"trailing shape \(2,\)"):
        ag.compile(lambda v: v[0] * v[1]).to_torch([1.0, 2.0])(torch.ones(3))
    with pytest.raises(TypeError, match="a tensor holds a number or a"):
        ag.compile(lambda d: d["a"] * 2.0).to_torch({"a": 1.0})


def test_out_of_domain_gives_what_pytorch_gives_not_an_error():
    module = ag.compile(lambda x, y: x.log() + 1.0 / y).to_torch(1.0, 1.0)
    out = module(torch.tensor([-1.0, 0.0, 1.0]), torch.tensor([1.0, 1.0, 0.0]))
    assert math.isnan(out[0]) and out[1] == -math.inf and out[2] == math.inf
    with pytest.raises(ValueError, match="log: operand must be > 0"):
        ag.compile(lambda x, y: x.log() + 1.0 / y)(-1.0, 1.0)  # float mode: the engine's error


def test_second_derivatives_by_torch_equal_ours():
    f = lambda x, y: (x * y).tanh() + x ** 3 * y.sin()  # noqa: E731
    module = ag.compile(f).to_torch(0.0, 0.0)
    point = (torch.tensor(0.7, dtype=F64), torch.tensor(-0.4, dtype=F64))
    expected = ag.hessian(f, argnums=(0, 1))(0.7, -0.4)
    got = torch.autograd.functional.hessian(lambda x, y: module(x, y), point)
    for i in range(2):
        for j in range(2):
            assert close(got[i][j].item(), expected[i][j])


def test_maximum_splits_a_tie_and_clamped_logs_gradient_passes_its_clamp_as_ours():
    # Their local text is not the derivative of the branch their forward text takes, so
    # their torch gradient comes from the local text; torch.maximum splits a tie too.
    f = lambda a, b: ag.maximum(a, b) * 3.0 + ag.minimum(a, b) + nn.binary_cross_entropy(a, 1.0)  # noqa: E731
    module = ag.compile(f).to_torch(0.5, 0.5)
    a = torch.tensor([0.5, 1.0, 0.2], dtype=F64, requires_grad=True)
    b = torch.tensor([0.5, 0.5, 0.4], dtype=F64, requires_grad=True)
    module(a, b).sum().backward()
    expected = [ag.compile(f)(x, y)[1] for x, y in zip(a.tolist(), b.tolist())]
    assert a.grad.tolist() == pytest.approx([da for da, _ in expected], rel=1e-12)
    assert b.grad.tolist() == pytest.approx([db for _, db in expected], rel=1e-12)
    pair = [torch.tensor(1.0, dtype=F64, requires_grad=True) for _ in range(2)]
    torch.maximum(*pair).backward()
    assert [t.grad.item() for t in pair] == [0.5, 0.5]


def test_elus_discarded_branch_does_not_make_the_gradient_nan_far_right():
    step = ag.compile(lambda x: x.elu(0.5))
    x = torch.tensor([800.0, 1.0, -1.0, -800.0], dtype=F64, requires_grad=True)
    step.to_torch(1.0)(x).sum().backward()
    assert x.grad.tolist() == [step(v)[1][0] for v in (800.0, 1.0, -1.0, -800.0)]


def test_a_long_tape_becomes_a_chain_of_functions_with_the_same_results(monkeypatch):
    from autograd_lite.compiler import segments
    monkeypatch.setattr(segments, "ONE_FUNCTION_LINES", 12)
    monkeypatch.setattr(segments, "SEGMENT_LINES", 6)
    model = nn.MLP(2, [4, 4, 1], activation="tanh", seed=0)
    params = model.parameters()
    f = lambda x: ag.maximum(model(x), 0.1 * x[0]).sin() + nn.l2_penalty(params, 1e-3)  # noqa: E731
    step = ag.compile(f, params=params)
    module = step.to_torch([0.0, 0.0])
    plain = module._run.__closure__[0].cell_contents  # too long for one function: plain nodes, in segments
    assert "run_1" in plain.__globals__ and "_matmul" not in plain.__code__.co_names
    X = [[0.5, -1.0], [1.0, 2.0]]
    module(torch.tensor(X, dtype=F64)).sum().backward()
    for p in params:
        p.grad = 0.0
    expected = math.fsum(step(x)[0] for x in X)
    assert module.params.grad.tolist() == pytest.approx([p.grad for p in params], rel=1e-12, abs=1e-15)
    assert close(module(torch.tensor(X, dtype=F64)).sum().item(), expected)


def test_a_custom_op_runs_its_own_functions_for_first_derivatives_only():
    cube = ag.op("cube", lambda x: x ** 3, lambda x, out: (3.0 * x * x,))
    module = ag.compile(lambda x: cube(x) + 1.0).to_torch(1.0)
    x = torch.tensor([2.0, -1.0], dtype=F64, requires_grad=True)
    out = module(x)
    (grad,) = torch.autograd.grad(out.sum(), x)
    assert out.tolist() == [9.0, 0.0] and grad.tolist() == [12.0, 3.0]  # x**3 + 1 and 3x**2
    # Its local rule runs on floats: torch would take 3x**2 for a constant, and the second
    # derivative of cube(x) + x * x would silently be 2. Refused instead.
    module = ag.compile(lambda x: cube(x) + x * x).to_torch(1.0)
    with pytest.raises(RuntimeError, match="custom op 'cube' has first derivatives only"):
        torch.autograd.grad(module(x).sum(), x, create_graph=True)


def test_without_torch_the_error_names_the_extra():
    code = ("import sys; sys.modules['torch'] = None\n"
            "import autograd_lite as ag\n"
            "try:\n    ag.compile(lambda x: x * 2.0).to_torch(1.0)\n"
            "except ImportError as error:\n    print(error)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert 'pip install "autograd-lite[torch]"' in out
