"""nn.from_torch refuses what an MLP cannot carry: hooks and parametrizations, by name."""

import pytest

torch = pytest.importorskip("torch")

from autograd_lite import nn  # noqa: E402
from torch.nn.utils import parametrize  # noqa: E402
from torch.nn.utils.parametrizations import weight_norm  # noqa: E402


def net():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1)).double()


def doubled(module, inputs, output):
    return 2.0 * output


def shifted(module, inputs):
    return (inputs[0] + 1.0,)


def halve_gradient(module, grad_output):
    return (0.5 * grad_output[0],)


def ours(model, x):
    return model([float(v) for v in x])


HOOKS = [
    (lambda m: m[1].register_forward_hook(doubled), r"item 1 \(Tanh\) has a forward hook \(doubled"),
    (lambda m: m[0].register_forward_pre_hook(shifted), r"item 0 \(Linear\) has a forward pre-hook \(shifted"),
    (lambda m: m.register_forward_hook(doubled), r"the module \(Sequential\) has a forward hook \(doubled"),
    (lambda m: m[2].register_full_backward_pre_hook(halve_gradient), r"item 2 \(Linear\) has a backward pre-hook"),
    (lambda m: m[2].register_full_backward_hook(lambda mod, gi, go: gi), r"item 2 \(Linear\) has a backward hook"),
    (lambda m: m[0].weight.register_hook(lambda g: 0.5 * g), r"item 0 \(Linear\): its weight has a gradient hook"),
    (lambda m: torch.nn.modules.module.register_module_forward_hook(doubled), r"global forward hook \(doubled"),
]


@pytest.mark.parametrize("register, message", HOOKS)
def test_a_module_with_a_hook_is_refused_naming_the_hook_and_read_once_it_is_removed(register, message):
    module = net()
    handle = register(module)
    try:
        with pytest.raises(ValueError, match=message):
            nn.from_torch(module)
    finally:
        handle.remove()
    x = torch.tensor([[0.3, -0.7]], dtype=torch.float64)
    assert ours(nn.from_torch(module), x[0]).data == pytest.approx(module(x).item(), rel=1e-12)


def test_a_forward_hook_changes_what_the_module_computes():
    # why it is refused: the Linear layers alone (what an MLP would hold) compute half of it
    module, x = net(), torch.tensor([[0.3, -0.7]], dtype=torch.float64)
    plain = module(x).item()
    handle = module[2].register_forward_hook(doubled)
    assert module(x).item() == pytest.approx(2.0 * plain)
    handle.remove()


@pytest.mark.parametrize("kind", ["parametrizations", "legacy"])
def test_weight_norm_is_refused_and_read_once_baked_in(kind):
    module = net()
    if kind == "parametrizations":
        module[0] = weight_norm(module[0])
        message = r"item 0 \(ParametrizedLinear\) is parametrized \(weight by _WeightNorm"
    else:
        with pytest.warns(FutureWarning):
            module[0] = torch.nn.utils.weight_norm(module[0])
        message = r"item 0 \(Linear\) has a forward pre-hook \(WeightNorm"
    with pytest.raises(ValueError, match=message):
        nn.from_torch(module)
    x = torch.tensor([[0.3, -0.7]], dtype=torch.float64)
    expected = module(x).item()
    if kind == "parametrizations":
        parametrize.remove_parametrizations(module[0], "weight", leave_parametrized=True)
    else:
        torch.nn.utils.remove_weight_norm(module[0])
    assert ours(nn.from_torch(module), x[0]).data == pytest.approx(expected, rel=1e-12)


def test_a_lone_parametrized_linear_is_refused_as_parametrized():
    with pytest.raises(ValueError, match=r"the module \(ParametrizedLinear\) is parametrized"):
        nn.from_torch(weight_norm(torch.nn.Linear(2, 1)))


def test_state_dict_hooks_change_nothing_computed_and_are_allowed():
    module = net()
    module.register_state_dict_pre_hook(lambda m, prefix, keep_vars: None)
    module._register_state_dict_hook(lambda m, state, prefix, local: state)
    x = torch.tensor([[0.3, -0.7]], dtype=torch.float64)
    assert ours(nn.from_torch(module), x[0]).data == pytest.approx(module(x).item(), rel=1e-12)
