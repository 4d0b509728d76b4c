"""Labels are strings, checked where they are set (not later, when a graph is drawn)."""

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import Value
from autograd_lite import value as value_module


class Shouty(str):
    def __format__(self, spec):
        raise AssertionError("a str subclass's own methods must not run")

    def __html__(self):
        raise AssertionError("a str subclass's own methods must not run")


@pytest.mark.parametrize("bad", [123, 1.5, None, b"w", ["w"], True])
def test_a_label_that_is_not_a_str_is_refused_when_the_value_is_made(bad):
    with pytest.raises(TypeError, match=rf"Value\(label=\.\.\.\) must be a str, got {type(bad).__name__}; pass"):
        Value(1.0, label=bad)


@pytest.mark.parametrize("bad", [123, None, b"w"])
def test_setting_a_label_that_is_not_a_str_is_refused_and_the_old_label_kept(bad):
    v = Value(1.0, label="w")
    with pytest.raises(TypeError, match=rf"a Value's label must be a str, got {type(bad).__name__}"):
        v.label = bad
    assert v.label == "w"
    node = v * 2.0
    with pytest.raises(TypeError, match="label must be a str"):
        node.label = 7
    assert node.label == ""


def test_the_readable_init_checks_labels_as_the_fused_one_does():
    reference = value_module._REFERENCE["__init__"]
    v = Value.__new__(Value)
    with pytest.raises(TypeError, match=r"Value\(label=\.\.\.\) must be a str, got int"):
        reference(v, 1.0, 123)


@pytest.mark.parametrize("text", [np.str_("w1"), Shouty("w1")])
def test_a_str_subclass_is_accepted_and_stored_as_a_plain_str(text):
    v = Value(1.0, label=text)
    assert type(v.label) is str and v.label == "w1"
    v.label = text
    assert type(v.label) is str
    assert f"{v.label}" == "w1"


def test_labels_set_afterwards_still_work():
    v = Value(2.0) * Value(3.0)
    v.label = "product"
    assert v.label == "product" and repr(Value(1.0, label="x")) == "Value(data=1.0, grad=0.0, label='x')"


@pytest.mark.parametrize("bad", [123, None])
def test_a_custom_ops_name_must_be_a_str(bad):
    with pytest.raises(TypeError, match=rf"op: name must be a str, got {type(bad).__name__}"):
        ag.op(bad, forward=lambda x: x, local=lambda x, out: (1.0,))
