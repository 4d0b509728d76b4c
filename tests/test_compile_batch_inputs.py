"""Batch mode refuses what float mode and ``Value(...)`` refuse (bools, complex numbers,
strings, dates, masked arrays), with the same error, and takes what they take."""

import datetime
import fractions

import pytest

import autograd_lite as ag
from autograd_lite import Value

np = pytest.importorskip("numpy")

step = ag.compile(lambda x: x * x)

# Each is one example; the batch is two of them. None of them is a real number.
NOT_NUMBERS = [True, np.True_, 1 + 2j, np.complex128(1.0), "1.5", np.str_("1.5"),
               np.datetime64("2020-01-01"), np.timedelta64(3, "s"), datetime.date(2020, 1, 1), None]


def value_error(bad):
    with pytest.raises(TypeError) as error:
        Value(bad)
    return str(error.value).replace("Value()", "batch argument 0", 1)


@pytest.mark.parametrize("bad", NOT_NUMBERS, ids=repr)
def test_a_list_of_a_non_number_is_refused_with_values_error(bad):
    with pytest.raises(TypeError) as from_float:
        step(bad)
    with pytest.raises(TypeError) as from_batch:
        step.batch([bad, bad])
    assert str(from_batch.value) == value_error(bad)
    kind = "bool" if isinstance(bad, (bool, np.bool_)) else None
    assert kind is None or kind in str(from_float.value)


@pytest.mark.parametrize("bad", NOT_NUMBERS, ids=repr)
def test_an_array_of_a_non_number_is_refused_with_values_error(bad):
    array = np.array([bad, bad])
    with pytest.raises(TypeError) as from_batch:
        step.batch(array)
    expected = value_error(array[0] if array.dtype.kind != "O" else bad)
    assert str(from_batch.value) == expected


def test_a_mixed_list_does_not_read_a_bool_as_a_number():
    with pytest.raises(TypeError, match="got bool True"):
        step.batch([1.5, True])
    with pytest.raises(TypeError, match="got bool True"):
        step.batch([[1.5, 2.0], [True, 1.0]])


@pytest.mark.parametrize("bad", ["1.5", True, 1j], ids=repr)
def test_a_single_non_number_is_a_type_error_before_the_missing_batch_dimension(bad):
    with pytest.raises(TypeError) as from_batch:
        step.batch(bad)
    assert str(from_batch.value) == value_error(bad)
    with pytest.raises(ValueError, match="needs a leading batch dimension"):
        step.batch(1.5)


def test_masked_arrays_are_refused_in_batch_mode_float_mode_and_value():
    masked = np.ma.masked_array([1.0, 2.0], mask=[False, True])
    with pytest.raises(TypeError, match="masked MaskedArray, whose masked entries hold no numbers"):
        step.batch(masked)
    with pytest.raises(TypeError):
        step(masked)
    for scalar in (np.ma.masked, masked[1], np.ma.masked_array(2.0, mask=True)):  # these read as 0.0 or 2.0 before
        with pytest.raises(TypeError, match="masked"):
            Value(scalar)
        with pytest.raises(TypeError, match="masked"):
            step(scalar)


def test_numbers_of_every_real_kind_are_taken_as_float_mode_takes_them():
    x = [2, 0.5, fractions.Fraction(1, 4), np.float32(1.5), np.int64(-3), Value(0.25)]
    values, (dx,) = step.batch(np.array(x, dtype=object), reduce=None)
    expected = [step(v) for v in x]
    assert values.tolist() == [v for v, _ in expected] and dx.tolist() == [g for _, (g,) in expected]
    for dtype in (np.float16, np.float32, np.int8, np.uint64):
        values, (dx,) = step.batch(np.array([1, 3], dtype=dtype), reduce=None)
        assert values.tolist() == [1.0, 9.0] and dx.tolist() == [2.0, 6.0]  # x², 2x by hand
    assert step.batch([1.0, 3.0], reduce=None)[0].tolist() == [1.0, 9.0]
