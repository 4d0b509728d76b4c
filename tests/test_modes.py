"""no_grad and scope: context managers and decorators whose state is per thread and per
context."""

import threading

import pytest

import autograd_lite as ag
from autograd_lite import Value


class TestNoGrad:
    def test_ops_inside_record_no_parents(self):
        x = Value(2.0)
        with ag.no_grad():
            y = x * x + 1
            assert not ag.is_grad_enabled()
        assert ag.is_grad_enabled()
        assert y.data == 5.0 and y.parents == ()
        y.backward()
        assert x.grad == 0.0

    def test_as_a_decorator(self):
        @ag.no_grad()
        def update(p):
            return p * 2

        assert update(Value(1.0)).parents == ()
        assert (Value(1.0) * 2).parents != ()

    def test_enable_grad_inside_no_grad(self):
        with ag.no_grad():
            with ag.enable_grad():
                assert (Value(1.0) * 2).parents != ()
            assert (Value(1.0) * 2).parents == ()

    def test_state_is_restored_after_an_exception(self):
        with pytest.raises(RuntimeError):
            with ag.no_grad():
                raise RuntimeError
        assert ag.is_grad_enabled()

    def test_state_is_per_thread(self):
        inside, release, seen = threading.Event(), threading.Event(), []

        def worker():
            with ag.no_grad():
                inside.set()
                release.wait(5)

        thread = threading.Thread(target=worker)
        thread.start()
        inside.wait(5)
        seen.append((Value(1.0) * 2).parents != ())
        release.set()
        thread.join()
        assert seen == [True]


class TestScope:
    def test_values_remember_the_nested_scope(self):
        with ag.scope("mlp"):
            with ag.scope("layer0"):
                inner = Value(1.0) * 2
            outer = inner + 1
        assert (inner.scope, outer.scope, (outer * 1).scope) == ("mlp/layer0", "mlp", "")

    def test_as_a_decorator(self):
        @ag.scope("loss")
        def loss(v):
            return v * v

        assert loss(Value(3.0)).scope == "loss"

    @pytest.mark.parametrize("bad", ["", "a/b"])
    def test_bad_names_are_refused(self, bad):
        with pytest.raises(ValueError, match="scope name"):
            ag.scope(bad)

    @pytest.mark.parametrize("bad", [None, 3, b"layer"])
    def test_a_name_that_is_not_a_str_is_a_type_error(self, bad):
        with pytest.raises(TypeError, match="scope name must be a str"):
            ag.scope(bad)
