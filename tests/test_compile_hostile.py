"""No text a user controls reaches the code that compile generates: not op names (also str
subclasses whose repr, str or format return code, or names with quotes and newlines), not
labels or scope names, not the repr of a float subclass. The generated source holds only
engine-made names, rules.TABLE's own text and the constants array; every attempt to inject
code here must leave no trace and give the right numbers."""

import ast
import re

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import Value, rules
from autograd_lite.compiler import batch, codegen
from autograd_lite.compiler.trace import Tape


@pytest.fixture
def marker(tmp_path):
    """A file that the injected code would create, and the code that would create it."""
    path = tmp_path / "PWNED"
    yield path, f"__import__('pathlib').Path({str(path)!r}).touch()"
    assert not path.exists(), "injected code ran"


def hostile_str(code):
    class Hostile(str):
        def __repr__(self):
            return code

        def __str__(self):
            return code

        def __format__(self, spec):
            return code

    return Hostile("hostile")


def hostile_float(code, number):
    class HostileFloat(float):
        def __repr__(self):
            return code

        __str__ = __repr__

        def __format__(self, spec):
            return code

    return HostileFloat(number)


def names(code):
    """Op names that try to break out of a string literal, a subscript or a line."""
    return [hostile_str(code), hostile_str(f"'];{code};x=['"), f'x"); {code}; ("', f"x'); {code}; ('",
            f"a\n{code}\n", "softmax[0]'];" + code + "#"]


def product_op(name):
    """A variable-input op (the product of its inputs) and a two-input one (a * b - 1)."""
    many = ag.op(name, lambda *xs: xs[0] * xs[1] * xs[2],
                 lambda *xo: (xo[1] * xo[2], xo[0] * xo[2], xo[0] * xo[1]))
    two = ag.op(name, lambda a, b: a * b - 1.0, lambda a, b, out: (b, a))
    return lambda a, b, c: many(a, b, c) + two(a, b)


POINT, OTHER = (2.0, 3.0, 5.0), (-1.0, 0.5, 4.0)


def hand(a, b, c):
    """abc + ab - 1 and its gradient (bc + b, ac + a, ab)."""
    return a * b * c + (a * b - 1.0), (b * c + b, a * c + a, a * b)


def test_hostile_op_names_run_nothing_in_float_mode(marker):
    _, code = marker
    for name in names(code):
        assert ag.compile(product_op(name))(*POINT) == hand(*POINT)


def test_hostile_op_names_run_nothing_in_batch_mode(marker):
    _, code = marker
    for name in names(code):
        values, grads = ag.compile(product_op(name)).batch(*map(np.array, zip(POINT, OTHER)), reduce=None)
        for k, example in enumerate((POINT, OTHER)):
            value, expected = hand(*example)
            assert (values[k], tuple(g[k] for g in grads)) == (value, expected)


def test_hostile_op_names_run_nothing_in_to_torch(marker):
    torch = pytest.importorskip("torch")
    _, code = marker
    for name in names(code):
        module = ag.compile(product_op(name)).to_torch(*POINT)
        xs = [torch.tensor(column, dtype=torch.float64, requires_grad=True) for column in zip(POINT, OTHER)]
        out = module(*xs)
        out.sum().backward()
        for k, example in enumerate((POINT, OTHER)):
            value, expected = hand(*example)
            assert out[k].item() == value
            assert tuple(x.grad[k].item() for x in xs) == expected


def test_hostile_labels_scopes_and_float_constants_run_nothing(marker):
    _, code = marker

    def f(x, y):
        with ag.scope(hostile_str(code)):
            c = Value(1.0, label=hostile_str(code))
            c.data = hostile_float(code, 0.5)  # a constant whose repr is code
            z = x * hostile_float(code, 2.0) + y.leaky_relu(hostile_float(code, 0.25))
            return (z + c) * x ** hostile_float(code, 3.0) + y.clamp(hostile_float(code, -1.0), 1.0)

    # By hand at (2, -4): z = 4 + 0.25 * -4 = 3; (z + 0.5) * 8 + clamp(-4) = 28 - 1 = 27;
    # d/dx = 2 * 8 + 3.5 * 3x**2 = 16 + 42 = 58; d/dy = 0.25 * 8 + 0 (clamped) = 2.
    step = ag.compile(f)
    x, y = Value(2.0), Value(-4.0)
    out = f(x, y)
    out.backward()
    assert step(2.0, -4.0) == (out.data, (x.grad, y.grad)) == (27.0, (58.0, 2.0))
    values, grads = step.batch(np.array([2.0, 2.0]), np.array([-4.0, -4.0]), reduce=None)
    assert values.tolist() == [27.0, 27.0] and [g.tolist() for g in grads] == [[58.0, 58.0], [2.0, 2.0]]


ENGINE_NAME = re.compile(r"(run(_\d+)?|[vgLkRMWXG]\d+|I[WX]?\d*|[CSPB]|GP|GX\d+)\Z")


def generated_source(tape, dialect):
    sources, _, _ = codegen.generate(tape, dialect, segment_lines=4)  # segments too: their names are strings
    return "".join(sources)


@pytest.mark.parametrize("dialect", ["float", "numpy"])
def test_the_generated_source_holds_only_engine_names_table_text_and_numbers(marker, dialect):
    _, code = marker
    x, y, z = (Value(v, label=hostile_str(code)) for v in (0.5, -1.0, 2.0))
    parts = [product_op(name)(x, y, z) for name in names(code)]
    parts += [ag.softmax([x, y, z])[1], ag.logsumexp([x, y]), ag.dot([x, y], [z, x]), x.leaky_relu(0.2),
              x * hostile_float(code, 1.5)]
    tape = Tape(ag.sum(parts), [x, y, z], [0, 1, 2])
    source = generated_source(tape, dialect)
    assert "pathlib" not in source and "hostile" not in source
    helpers = set(codegen.float_namespace()) | set(batch.numpy_namespace(np)) | {"_sum", "_elementwise"}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            assert ENGINE_NAME.match(node.id) or node.id in helpers or node.id in dir(__builtins__), node.id
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            assert node.value in rules.ROWS or ENGINE_NAME.match(node.value), node.value
        if isinstance(node, ast.Constant) and isinstance(node.value, float):
            assert node.value in TABLE_NUMBERS | {0.0, 1.0}, node.value  # the seed 1.0, a sum's 0.0
    assert "import" not in source


# The numbers written in the rules' own text (the constants of a node are read from C).
TABLE_NUMBERS = {node.value for row in rules.TABLE for text in row[3:]
                 for node in ast.walk(ast.parse(text.lstrip("*"), mode="eval"))
                 if isinstance(node, ast.Constant) and isinstance(node.value, float)}
