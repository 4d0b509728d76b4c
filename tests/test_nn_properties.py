"""Properties over random models (hypothesis): backward agrees with finite differences
for any smooth MLP, and checkpoints round-trip any finite float exactly (and refuse nan/inf)."""

import math

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import nn

smooth = st.sampled_from(["tanh", "sigmoid", "linear"])
architectures = st.tuples(
    st.integers(1, 3),                                  # nin
    st.lists(st.integers(1, 3), min_size=1, max_size=3),  # nouts
    smooth, st.sampled_from(["he", "xavier", "uniform"]), st.integers(0, 2**32 - 1),
)


@settings(max_examples=30, deadline=None)
@given(architectures, st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_mlp_gradients_match_central_differences(architecture, inputs):
    nin, nouts, activation, init, seed = architecture
    model = nn.MLP(nin, nouts, activation=activation, init=init, seed=seed)
    x = inputs[:nin]

    def loss():
        out = model(x)
        return nn.mse_loss(out, [0.5] * len(out) if isinstance(out, list) else 0.5)

    loss().backward()
    for p in model.parameters():
        original, h = p.data, 1e-5
        p.data = original + h
        up = loss().data
        p.data = original - h
        down = loss().data
        p.data = original
        assert math.isclose(p.grad, (up - down) / (2 * h), rel_tol=1e-5, abs_tol=1e-8)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=5, max_size=5))
def test_checkpoint_round_trips_any_finite_float_bit_for_bit(tmp_path_factory, numbers):
    model = nn.MLP(1, [2, 1])
    model.set_parameters(numbers + [0.0] * (model.num_parameters - 5))
    path = tmp_path_factory.mktemp("ckpt") / "m.json"
    model.save(path)
    loaded = nn.load(path)
    assert [repr(p.data) for p in loaded.parameters()] == [repr(p.data) for p in model.parameters()]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(), min_size=4, max_size=4), st.sampled_from([math.nan, math.inf, -math.inf]),
       st.integers(0, 4))
def test_a_model_with_any_nan_or_inf_parameter_is_never_saved(tmp_path_factory, numbers, bad, where):
    numbers = numbers[:where] + [bad] + numbers[where:]
    model = nn.MLP(1, [2, 1])
    model.set_parameters(numbers + [0.0] * (model.num_parameters - 5))
    folder = tmp_path_factory.mktemp("ckpt")
    with pytest.raises(nn.CheckpointError, match="non-finite parameter"):
        model.save(folder / "m.json")
    assert list(folder.iterdir()) == []
