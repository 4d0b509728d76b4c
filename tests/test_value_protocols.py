"""Python protocols on a Value: format(), round(), == and != against numbers, and the
orderings' result type. Expected strings are Python's own formatting of the plain number."""

import math

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import TracingError, Value


# --- format() and round() use the number ---------------------------------------------

def test_a_float_format_spec_formats_the_number():
    v = Value(math.pi, label="p")
    assert f"{v:.3f}" == "3.142"
    assert format(v, "e") == "3.141593e+00"
    assert f"{v:>8.2f}|{v:+.1%}" == "    3.14|+314.2%"
    assert "{:g}".format(Value(1e-7)) == "1e-07"


def test_an_empty_spec_gives_the_repr():
    v = Value(2.5, label="w")
    assert f"{v}" == str(v) == repr(v) == "Value(data=2.5, grad=0.0, label='w')"
    assert format(v) == repr(v)


@pytest.mark.parametrize("spec", ["d", "s", "x", ".3q"])
def test_a_spec_that_is_not_a_float_spec_is_a_clear_error(spec):
    with pytest.raises(ValueError, match=rf"format spec '{spec}' is not a float format.*x\.data.*str\(x\)"):
        format(Value(1.5), spec)


def test_round_with_no_digits_is_an_int_as_for_a_float():
    assert round(Value(2.5)) == 2 and type(round(Value(2.5))) is int  # half to even, as round(2.5)
    assert round(Value(-1.7)) == -2 and type(round(Value(-1.7))) is int


def test_round_with_digits_is_a_float():
    r = round(Value(math.pi), 3)
    assert r == 3.142 and type(r) is float
    assert round(Value(1234.5), -2) == 1200.0


def test_round_of_nan_is_pythons_own_error():
    with pytest.raises(ValueError, match="NaN"):
        round(Value(math.nan))


def test_percent_formatting_still_refuses_and_says_use_data():
    with pytest.raises(TypeError, match=r"x\.data"):
        "%.3f" % Value(1.0)  # noqa: UP031 - the old style is what is tested


@pytest.mark.parametrize("read", [lambda x: f"{x:.2f}", lambda x: round(x, 2), lambda x: round(x)])
def test_formatting_or_rounding_a_traced_value_is_a_tracing_error(read):
    with pytest.raises(TracingError, match="traced Value"):
        ag.compile(lambda x: x * float(len(str(read(x)))))(1.0)


# --- == and != -------------------------------------------------------------------------

@pytest.mark.parametrize("number", [0, 0.0, 1.5, True, np.float64(0.0), np.int64(0), np.float32(0.0), 1j])
def test_equality_with_a_number_is_a_type_error_that_says_compare_data(number):
    v = Value(0.0)
    for compare in (lambda: v == number, lambda: v != number, lambda: number == v, lambda: number != v):
        with pytest.raises(TypeError, match=r"compare identity.*x\.data"):
            compare()


def test_if_v_not_equal_zero_no_longer_silently_takes_the_branch():
    v = Value(0.0)
    with pytest.raises(TypeError, match=r"x\.data != 0"):
        if v != 0:
            pass


def test_values_compare_by_identity_and_hash_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a == a and not (a != a)
    assert a != b and not (a == b)  # equal numbers, different nodes
    assert {a: "a", b: "b"}[b] == "b" and len({a, b, a}) == 2
    assert a in [b, a] and b not in [a]  # list membership is identity too
    assert hash(a) == object.__hash__(a)


def test_equality_with_other_objects_is_just_false():
    v = Value(1.0)
    assert v != None and not (v == None)  # noqa: E711 - the operator is what is tested
    assert v != "1.0" and v not in ["1.0", None]


# --- orderings give Python bools ---------------------------------------------------

@pytest.mark.parametrize("other", [3, 3.0, np.float64(3.0), np.float32(3.0), np.int64(3), Value(3.0)])
def test_orderings_return_python_bools_also_against_numpy_scalars(other):
    v = Value(2.0)
    results = [v < other, v <= other, v > other, v >= other, other > v, other >= v, other < v, other <= v]
    assert [type(r) for r in results] == [bool] * 8
    assert results == [True, True, False, False, True, True, False, False]
