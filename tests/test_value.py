"""The Value node: what it stores, how it compares, and what it refuses."""

from fractions import Fraction

import pytest

from autograd_lite import Value


class TestConstruction:
    def test_data_is_a_float_and_grad_starts_at_zero(self):
        v = Value(3)
        assert type(v.data) is float and v.data == 3.0
        assert type(v.grad) is float and v.grad == 0.0

    def test_label(self):
        assert Value(1.0, label="w1").label == "w1"
        assert Value(1.0).label == ""

    def test_other_real_numbers_are_converted(self):
        assert Value(Fraction(1, 4)).data == 0.25

    @pytest.mark.parametrize("bad, type_name", [("a", "str"), (None, "NoneType"), ([1], "list"), (1j, "complex")])
    def test_non_numbers_raise_type_error_naming_the_type(self, bad, type_name):
        with pytest.raises(TypeError, match=type_name):
            Value(bad)

    def test_bools_are_rejected_with_a_hint(self):
        with pytest.raises(TypeError, match=r"bool.*float\(flag\)"):
            Value(True)

    def test_repr_shows_data_grad_and_label(self):
        assert repr(Value(2.5)) == "Value(data=2.5, grad=0.0)"
        assert repr(Value(2.5, label="x")) == "Value(data=2.5, grad=0.0, label='x')"


class TestRecordedStructure:
    def test_a_leaf_has_no_op_and_no_parents(self):
        v = Value(1.0)
        assert v.op == "" and v.parents == () and v.local_grads == ()

    def test_an_op_records_its_parents_in_order(self):
        a, b = Value(2.0), Value(5.0)
        c = a - b
        assert c.op == "-" and c.parents == (a, b) and c.local_grads == (1.0, -1.0)

    def test_reflected_ops_keep_the_number_on_the_left(self):
        a = Value(2.0)
        c = 10.0 - a
        assert c.data == 8.0
        assert c.parents[1] is a and c.parents[0].data == 10.0

    def test_duplicates_are_kept(self):
        a = Value(3.0)
        assert (a * a).parents == (a, a)

    @pytest.mark.parametrize("make, op", [
        (lambda v: v**2, "**2"), (lambda v: v**0.5, "**0.5"), (lambda v: v ** Value(2.0), "**"),
        (lambda v: v.tanh(), "tanh"), (lambda v: v.leaky_relu(0.1), "leaky_relu(0.1)"), (lambda v: -v, "neg"),
    ])
    def test_op_names(self, make, op):
        assert make(Value(1.5)).op == op


class TestIdentityAndOrdering:
    def test_equality_and_hash_are_identity(self):
        a, b = Value(1.0), Value(1.0)
        assert a == a and a != b
        assert len({a, b, a}) == 2
        assert {a: "first", b: "second"}[b] == "second"

    def test_ordering_compares_data_and_returns_bool(self):
        a, b = Value(1.0), Value(2.0)
        assert (a < b, a <= b, a > b, a >= b) == (True, True, False, False)
        assert (a < 1.5, 0.5 < a, a >= 1) == (True, True, True)
        assert max([a, b]) is b

    def test_ordering_against_a_non_number_raises_type_error(self):
        with pytest.raises(TypeError, match="Value"):
            Value(1.0) < "a"

    def test_comparisons_record_nothing(self):
        a = Value(1.0)
        _ = a < 2
        assert a.parents == ()

    def test_item_is_the_number(self):
        assert Value(2.5).item() == 2.5 and type(Value(2).item()) is float


class TestMixingWithNumbers:
    @pytest.mark.parametrize("bad", ["a", None, [1.0], True])
    def test_arithmetic_with_a_non_number_raises_type_error(self, bad):
        with pytest.raises(TypeError):
            Value(1.0) + bad
        with pytest.raises(TypeError):
            bad * Value(1.0)

    def test_numbers_on_either_side(self):
        x = Value(4.0)
        assert [(2 + x).data, (x + 2).data, (2 - x).data, (x - 2).data] == [6.0, 6.0, -2.0, 2.0]
        assert [(2 * x).data, (x / 2).data, (2 / x).data, (2**x).data, (x**2).data] == [8.0, 2.0, 0.5, 16.0, 16.0]
