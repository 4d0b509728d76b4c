"""The fused eager methods, generated from rules.TABLE, behave exactly like the readable
reference methods: same value, same parents, same local derivatives, same errors."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Value, rules
from autograd_lite.value import _METHODS, reference_method
from conftest import thorough_examples
from test_ops_against_sympy import PER_OP_COST

finite = st.floats(-50, 50, allow_nan=False)
METHODS = [(name, op) for op, pair in _METHODS.items() for name in pair if name]


def outcome(method, args):
    try:
        out = method(*args)
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        return type(error), str(error)
    return out.data, out.parents, out.local_grads, out.op


@pytest.mark.parametrize("name, op", METHODS, ids=[m for m, _ in METHODS])
def test_fused_method_matches_the_reference(name, op):
    arity = len(rules.RULES[op].inputs)

    @settings(max_examples=thorough_examples(PER_OP_COST))
    @given(st.lists(finite | st.sampled_from([0.0, -0.0, math.inf, math.nan]), min_size=2, max_size=2))
    def check(numbers):
        args = [Value(n) for n in numbers[:arity]]
        if arity == 2 and name.startswith("__r"):
            args[1] = numbers[1]  # reflected: the number arrives as the other operand
        fused, reference = getattr(Value, name), reference_method(name)
        assert fused is not reference
        got, expected = outcome(fused, args), outcome(reference, args)
        if isinstance(got[0], type):
            assert got == expected
        else:
            assert got[0] == expected[0] or (math.isnan(got[0]) and math.isnan(expected[0]))
            assert [p.data for p in got[1]] == [p.data for p in expected[1]]
            assert repr(got[2]) == repr(expected[2]) and got[3] == expected[3]

    check()
