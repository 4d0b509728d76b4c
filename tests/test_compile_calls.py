"""How a compiled call finds its trace: ``argnums`` and ``static_argnums`` are checked as
``ag.grad`` checks ``argnums``, the cache of traces is bounded, and ``to_torch()`` without
arguments uses the one trace or asks for example arguments."""

import gc
import tracemalloc

import pytest

import autograd_lite as ag


def f(x, y):
    return x * x * y  # d/dx = 2xy, d/dy = x²


@pytest.mark.parametrize("bad", [(2,), (-3,), (0, 5)])
def test_an_argnums_position_out_of_range_is_the_same_error_as_in_grad(bad):
    with pytest.raises(ValueError, match="argnums") as from_grad:
        ag.grad(f, bad)(3.0, 2.0)
    step = ag.compile(f, argnums=bad)
    with pytest.raises(ValueError, match="argnums") as from_compile:
        step(3.0, 2.0)
    assert str(from_compile.value).replace("compile", "grad") == str(from_grad.value)
    assert step.traces == 0


@pytest.mark.parametrize("bad", [(2,), (-3,)])
def test_a_static_argnums_position_out_of_range_is_refused_by_name(bad):
    with pytest.raises(ValueError, match=r"static_argnums .* does not fit a call with 2 positional arguments"):
        ag.compile(f, static_argnums=bad)(3.0, 2.0)


def test_negative_positions_count_from_the_end_as_in_grad():
    assert ag.compile(f, argnums=(-1,))(3.0, 2.0) == (18.0, (9.0,))
    assert ag.grad(f, (-1,))(3.0, 2.0) == (9.0,)
    step = ag.compile(lambda x, k: x * k, static_argnums=(-1,))
    assert step(3.0, 2) == (6.0, (2.0,))  # k is static: no gradient, and it is not traced as a number
    with pytest.raises(ValueError, match="both static .* and differentiated"):
        ag.compile(f, static_argnums=(-1,), argnums=(1,))(3.0, 2.0)
    with pytest.raises(ValueError, match="both static .* and differentiated"):
        ag.compile(f, static_argnums=(1,), argnums=(1,))


def test_gradients_come_in_argnums_order_as_in_grad():
    assert ag.grad(f, (1, 0))(3.0, 2.0) == (9.0, 12.0)
    assert ag.compile(f, argnums=(1, 0))(3.0, 2.0) == (18.0, (9.0, 12.0))


def test_a_repeated_position_gives_its_gradient_twice_as_floats():
    assert ag.grad(f, (0, 0))(3.0, 2.0) == (12.0, 12.0)
    assert all(type(g) is float for g in ag.grad(f, (0, 0))(3.0, 2.0))
    value, grads = ag.value_and_grad(lambda p: p[0] * p[1], (0, 0))([2.0, 5.0])
    assert value == 10.0 and grads == ([5.0, 2.0], [5.0, 2.0]) and grads[0] is not grads[1]
    assert ag.jacobian(f, (1, 0, 1))(3.0, 2.0) == [9.0, 12.0, 9.0]
    value, grads = ag.compile(f, argnums=(0, 0))(3.0, 2.0)
    assert grads == (12.0, 12.0) and all(type(g) is float for g in grads)


def test_positions_that_are_not_a_tuple_of_ints_are_refused_with_how_to_write_them():
    with pytest.raises(TypeError, match=r"static_argnums must be a tuple of argument positions, e.g. static_argnums=\(1,\)"):
        ag.compile(f, static_argnums=1)
    with pytest.raises(TypeError, match=r"argnums must be a tuple"):
        ag.compile(f, argnums=0)
    with pytest.raises(TypeError, match="must hold ints"):
        ag.compile(f, argnums=("x",))
    with pytest.raises(TypeError, match="must hold ints"):
        ag.compile(f, argnums=(True,))


def test_batch_mode_follows_argnums_order_and_checks_it_too():
    np = pytest.importorskip("numpy")
    x, y = np.array([3.0, 1.0]), np.array([2.0, 4.0])
    values, (dy, dx) = ag.compile(f, argnums=(1, 0)).batch(x, y, reduce=None)
    assert dy.tolist() == [9.0, 1.0] and dx.tolist() == [12.0, 8.0]
    with pytest.raises(ValueError, match="argnums"):
        ag.compile(f, argnums=(2,)).batch(x, y)


# --- the cache of traces is bounded ---------------------------------------------------------

def test_the_least_recently_used_trace_is_dropped_past_max_traces():
    step = ag.compile(lambda x, k: x * k, static_argnums=(1,), max_traces=3)
    for k in (1, 2, 3):
        assert step(2.0, k) == (2.0 * k, (float(k),))
    step(2.0, 1)  # 1 is now the most recently used; 2 the least
    assert step(2.0, 4) == (8.0, (4.0,)) and step.traces == 4 and len(step._cache) == 3
    step(2.0, 1)
    step(2.0, 3)
    assert step.traces == 4  # 1 and 3 were kept
    assert step(2.0, 2) == (4.0, (2.0,)) and step.traces == 5  # 2 was dropped, and is traced again


def test_memory_stays_bounded_with_many_static_values():
    def held_after(values):
        step = ag.compile(lambda x, k: (x * k).tanh() + x * x * k, static_argnums=(1,), max_traces=50)
        gc.collect()
        tracemalloc.start()
        try:
            for k in range(values):
                step(0.5, k)
            gc.collect()
            return tracemalloc.get_traced_memory()[0], step
        finally:
            tracemalloc.stop()

    few, _ = held_after(50)
    many, step = held_after(500)
    assert len(step._cache) == 50 and step.traces == 500
    assert many < 1.5 * few, (few, many)  # ten times the static values, about the same memory


def test_max_traces_must_be_a_positive_int():
    from autograd_lite.compiler import calls
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="max_traces must be an int >= 1"):
            ag.compile(f, max_traces=bad)
    assert calls.MAX_TRACES == ag.compile(f)._cache.limit == 256  # as docs/compile.md says


# --- to_torch() without example arguments ---------------------------------------------------

def test_to_torch_without_arguments_uses_the_one_trace():
    torch = pytest.importorskip("torch")
    step = ag.compile(lambda x, ys: x * ys[0] + ys[1])
    step(0.0, [0.0, 0.0])
    module = step.to_torch()
    out = module(torch.tensor([2.0, 3.0], dtype=torch.float64), torch.tensor([[5.0, 1.0], [7.0, -1.0]]))
    assert out.tolist() == [11.0, 20.0]
    assert step.traces == 1


def test_to_torch_without_arguments_keeps_the_static_values_of_the_trace():
    torch = pytest.importorskip("torch")
    step = ag.compile(lambda x, k: x * k, static_argnums=(1,))
    step(1.0, 3)
    module = step.to_torch()
    assert module(torch.tensor(2.0, dtype=torch.float64), 3).item() == 6.0
    with pytest.raises(ValueError, match="static argument 1 was 3"):
        module(torch.tensor(2.0, dtype=torch.float64), 4)


def test_to_torch_without_arguments_and_no_trace_or_several_asks_for_example_arguments():
    pytest.importorskip("torch")
    step = ag.compile(lambda x, k: x * k, static_argnums=(1,))
    with pytest.raises(TypeError, match=r"has not been traced yet: pass example arguments.*to_torch\(0.0"):
        step.to_torch()
    step(1.0, 2)
    step(5.0, 2)  # the same structure and static value: still one trace
    step.to_torch()
    step(1.0, 3)
    with pytest.raises(TypeError, match="has 2 traces .* pass example arguments"):
        step.to_torch()


def test_to_torch_of_a_function_of_no_arguments_needs_none():
    torch = pytest.importorskip("torch")
    w = ag.Value(3.0)
    step = ag.compile(lambda: w * w, params=[w])
    assert step.to_torch()().item() == 9.0
    assert torch.is_tensor(step.to_torch().params)
