"""Long tapes compile as a chain of functions of bounded size, so the memory of code
generation stays that of one segment (CPython's compiler takes kilobytes per line of a
function); results are those of one function, bit for bit."""

import re

import autograd_lite as ag
import pytest
from autograd_lite import Value
from autograd_lite.compiler import codegen, segments
from hypothesis import given, settings
from hypothesis import strategies as st

from compile_support import bits, evaluate, inputs, programs

TRANSFER = re.compile(r"^    (\w+ = S\['\w+'\]|S\['\w+'\] = \w+|k\d+ = C\[\d+\])$")


def generated_functions(step):
    sources, _, _ = codegen.generate(step._cache[next(iter(step._cache))]["tape"])
    return list(sources)


def eager(program, xs):
    leaves = [Value(x) for x in xs]
    out = evaluate(program, leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


@settings(max_examples=60)
@given(st.data(), st.integers(1, 6))
def test_small_segments_give_the_bits_of_eager(data, limit):
    program = data.draw(programs(max_steps=16))
    xs = data.draw(st.lists(inputs, min_size=program[0], max_size=program[0]))
    original = segments.ONE_FUNCTION_LINES, segments.SEGMENT_LINES
    segments.ONE_FUNCTION_LINES = segments.SEGMENT_LINES = limit
    try:
        step = ag.compile(lambda *args: evaluate(program, args))
        value, grads = step(*xs)
    finally:
        segments.ONE_FUNCTION_LINES, segments.SEGMENT_LINES = original
    expected_value, expected_grads = eager(program, xs)
    assert bits(value) == bits(expected_value)
    assert list(map(bits, grads)) == list(map(bits, expected_grads))
    for function in generated_functions(step)[:-1]:  # the last is the driver calling the others
        body = [line for line in function.splitlines()[1:] if line and not TRANSFER.match(line)]
        assert len(body) <= limit, function


def test_a_long_chain_is_split_and_each_segment_is_no_longer_than_the_limit(monkeypatch):
    # A tape above ONE_FUNCTION_LINES lines is split into segments of SEGMENT_LINES lines.
    monkeypatch.setattr(segments, "ONE_FUNCTION_LINES", 500)
    monkeypatch.setattr(segments, "SEGMENT_LINES", 50)

    def chain(x, length=200):
        acc = x
        for _ in range(length):
            acc = (acc * 0.999).tanh() + x
        return acc

    short = ag.compile(lambda x: chain(x, 20))
    short(0.5)
    assert len(generated_functions(short)) == 1  # 80 nodes, below ONE_FUNCTION_LINES: one function
    step = ag.compile(chain)
    value, (dx,) = step(0.5)
    x = Value(0.5)
    out = chain(x)
    out.backward()
    assert (bits(value), bits(dx)) == (bits(out.data), bits(x.grad))
    functions = generated_functions(step)
    assert len(functions) > 20  # 800 nodes, ~1600 lines: at least 32 segments and a driver
    for function in functions[:-1]:
        body = [line for line in function.splitlines()[1:] if line and not TRANSFER.match(line)]
        assert len(body) <= 50


def test_batch_mode_segments_too(monkeypatch):
    np = pytest.importorskip("numpy")
    monkeypatch.setattr(segments, "ONE_FUNCTION_LINES", 3)
    monkeypatch.setattr(segments, "SEGMENT_LINES", 3)
    step = ag.compile(lambda x, y: ((x * y).tanh() * x + (x * x + 1.0).log()) * y.sin())
    values, grads = step.batch(np.array([0.3, -1.0]), np.array([-1.2, 2.0]), reduce=None)
    for b, row in enumerate([(0.3, -1.2), (-1.0, 2.0)]):
        value, row_grads = step(*row)
        assert values[b] == pytest.approx(value, rel=1e-12)
        assert [g[b] for g in grads] == pytest.approx(list(row_grads), rel=1e-12)
