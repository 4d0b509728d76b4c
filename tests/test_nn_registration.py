"""nn.Module subclasses written as PyTorch users write them: attributes holding Values,
Modules, or lists/tuples/dicts of them are registered in assignment order; names, state
dicts, strict loading and checkpoints follow from that."""

import json

import pytest

from autograd_lite import Value
from autograd_lite import nn


class Affine(nn.Module):
    def __init__(self):
        self.scale = Value(2.0)
        self.shift = [Value(0.5), Value(-0.5)]


class Net(nn.Module):
    def __init__(self):
        self.first = Affine()
        self.matrix = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]
        self.blocks = [Affine(), Affine()]
        self.heads = {"a": Value(7.0), "b": Affine()}
        self.sizes = [2, 3]          # not Values: not registered
        self._cache = [Value(9.0)]   # private: not registered

    def __call__(self, x):
        return self.first.scale * x


def test_attributes_register_in_assignment_order_depth_first():
    names = [name for name, _ in Net().named_parameters()]
    assert names == ["first.scale", "first.shift.0", "first.shift.1",
                     "matrix.0.0", "matrix.0.1", "matrix.1.0", "matrix.1.1",
                     "blocks.0.scale", "blocks.0.shift.0", "blocks.0.shift.1",
                     "blocks.1.scale", "blocks.1.shift.0", "blocks.1.shift.1",
                     "heads.a", "heads.b.scale", "heads.b.shift.0", "heads.b.shift.1"]


def test_parameters_are_the_named_values_in_the_same_order():
    net = Net()
    assert net.parameters() == [p for _, p in net.named_parameters()]
    assert net.parameters()[0] is net.first.scale and net.parameters()[3] is net.matrix[0][0]
    assert all(p is not net._cache[0] for p in net.parameters())


def test_reassigning_keeps_the_place_and_other_values_unregister():
    net = Net()
    net.first = Affine()  # same place
    assert [n for n, _ in net.named_parameters()][0] == "first.scale"
    net.matrix = "gone"
    assert not any(n.startswith("matrix") for n, _ in net.named_parameters())
    del net.heads
    assert not any(n.startswith("heads") for n, _ in net.named_parameters())


def test_a_list_appended_to_after_assignment_counts():
    class Grows(nn.Module):
        def __init__(self):
            self.layers = []
            self.layers.append(nn.Linear(2, 1, seed=0))
    assert [n for n, _ in Grows().named_parameters()] == ["layers.0.weight.0.0", "layers.0.weight.0.1",
                                                          "layers.0.bias.0"]


def test_a_registered_list_that_later_holds_something_else_is_an_error_naming_it():
    class Mixed(nn.Module):
        def __init__(self):
            self.items = []
            self.items.append(Value(1.0))
            self.items.append("text")
    with pytest.raises(TypeError, match=r"Mixed\.items\.1 holds a str"):
        Mixed().parameters()


def test_modules_lists_every_submodule_depth_first():
    net = Net()
    assert [name for name, _ in net.named_modules()] == ["", "first", "blocks.0", "blocks.1", "heads.b"]
    assert net.modules()[0] is net and net.modules()[2] is net.blocks[0]


def test_zero_grad_clears_every_parameter():
    net = Net()
    for p in net.parameters():
        p.grad = 3.0
    net.zero_grad()
    assert {p.grad for p in net.parameters()} == {0.0}


def test_state_dict_is_one_entry_per_tensor_with_nested_lists():
    sd = Net().state_dict()
    assert list(sd) == ["first.scale", "first.shift", "matrix", "blocks.0.scale", "blocks.0.shift",
                        "blocks.1.scale", "blocks.1.shift", "heads.a", "heads.b.scale", "heads.b.shift"]
    assert sd["matrix"] == [[1.0, 2.0], [3.0, 4.0]] and sd["first.scale"] == 2.0
    json.dumps(sd)  # plain floats and lists


def test_load_state_dict_takes_numbers_or_values():
    net = Net()
    sd = net.state_dict()
    sd["matrix"] = [[Value(5.0), 6], [7.0, 8.0]]
    net.load_state_dict(sd)
    assert net.state_dict()["matrix"] == [[5.0, 6.0], [7.0, 8.0]]


def test_a_bad_state_dict_names_every_problem_and_changes_nothing():
    net = Net()
    before = net.state_dict()
    bad = dict(before)
    del bad["first.scale"]
    bad["extra"] = 1.0
    bad["matrix"] = [[1.0, 2.0], [3.0]]
    bad["heads.a"] = [1.0]
    with pytest.raises(ValueError) as error:
        net.load_state_dict(bad)
    message = str(error.value)
    assert "missing ['first.scale']" in message and "unexpected ['extra']" in message
    assert "matrix[1] (expected shape (2,), got length 1)" in message
    assert "heads.a (expected a number, got a list of 1)" in message
    assert net.state_dict() == before


@pytest.mark.parametrize("bad, error", [(True, TypeError), ("1.0", TypeError), (None, TypeError)])
def test_a_non_number_in_a_state_dict_is_refused_by_name(bad, error):
    net = Net()
    before = net.state_dict()
    with pytest.raises(error, match="'first.scale'"):
        net.load_state_dict({**before, "first.scale": bad})
    assert net.state_dict() == before


def test_non_strict_loading_sets_only_what_is_given():
    net = Net()
    net.load_state_dict({"heads.a": 1.5, "not.there": 2.0}, strict=False)
    assert net.heads["a"].data == 1.5 and net.first.scale.data == 2.0


def test_old_style_models_keep_their_names_order_and_checkpoints():
    model = nn.MLP(2, [3, 1], seed=0)
    assert [n for n, _ in model.named_parameters()][:4] == ["layer0/neuron0/w0", "layer0/neuron0/w1",
                                                            "layer0/neuron0/b", "layer0/neuron1/w0"]
    assert list(model.state_dict()) == [n for n, _ in model.named_parameters()]
    assert [type(m).__name__ for m in model.modules()] == ["MLP", "Layer", "Neuron", "Neuron", "Neuron",
                                                           "Layer", "Neuron"]


def test_a_built_in_module_saves_and_loads_rebuilt_from_its_arguments(tmp_path):
    gpt = nn.GPT(5, 4, n_layer=2, n_embd=4, n_head=2, seed=3)
    gpt.save(tmp_path / "gpt.json")
    again = nn.load(tmp_path / "gpt.json")
    assert type(again) is nn.GPT and again.config() == gpt.config()
    assert again.state_dict() == gpt.state_dict()
    for module in (nn.Linear(3, 2, bias=False), nn.Embedding(4, 3), nn.RMSNorm(3, elementwise_affine=True),
                   nn.LayerNorm(3), nn.CausalSelfAttention(4, 2)):
        module.save(tmp_path / "m.json")
        loaded = nn.load(tmp_path / "m.json")
        assert type(loaded) is type(module) and loaded.state_dict() == module.state_dict()


def test_a_user_module_loads_into_an_instance_the_user_makes(tmp_path):
    net = Net()
    net.matrix[0][0].data = -1.25
    net.save(tmp_path / "net.json")
    with pytest.raises(nn.CheckpointError, match=r"user-defined module.*nn.load_into"):
        nn.load(tmp_path / "net.json")
    fresh = nn.load_into(Net(), tmp_path / "net.json")
    assert fresh.state_dict() == net.state_dict()


def test_load_into_refuses_a_user_module_of_another_shape(tmp_path):
    Net().save(tmp_path / "net.json")
    other = Net()
    other.matrix = [[Value(0.0)]]
    with pytest.raises(nn.CheckpointError, match="different architecture"):
        nn.load_into(other, tmp_path / "net.json")
    assert other.matrix[0][0].data == 0.0


def test_a_checkpoint_declaring_a_huge_gpt_but_storing_little_is_refused_before_building(tmp_path):
    nn.GPT(5, 4, n_embd=4, n_head=2).save(tmp_path / "gpt.json")
    data = json.loads((tmp_path / "gpt.json").read_text())
    data["architecture"]["n_embd"] = 10**9
    (tmp_path / "gpt.json").write_text(json.dumps(data))
    with pytest.raises(nn.CheckpointError, match="declares .* parameters"):
        nn.load(tmp_path / "gpt.json")


@pytest.mark.parametrize("change, match", [
    ({"n_head": 3}, "n_embd \\(4\\) must be divisible by n_head \\(3\\)"),
    ({"n_layer": "1"}, "'n_layer' must be a positive int"),
    ({"vocab_size": True}, "'vocab_size' must be a positive int"),
    ({"user_defined": True}, "user-defined module"),
])
def test_a_tampered_gpt_architecture_is_refused_by_name(tmp_path, change, match):
    nn.GPT(5, 4, n_embd=4, n_head=2).save(tmp_path / "gpt.json")
    data = json.loads((tmp_path / "gpt.json").read_text())
    data["architecture"].update(change)
    (tmp_path / "gpt.json").write_text(json.dumps(data))
    with pytest.raises(nn.CheckpointError, match=match):
        nn.load(tmp_path / "gpt.json")


def test_a_tampered_linear_architecture_is_refused(tmp_path):
    nn.Linear(2, 2).save(tmp_path / "linear.json")
    data = json.loads((tmp_path / "linear.json").read_text())
    data["architecture"]["bias"] = "yes"
    (tmp_path / "linear.json").write_text(json.dumps(data))
    with pytest.raises(nn.CheckpointError, match="'bias' must be true or false"):
        nn.load(tmp_path / "linear.json")


def test_load_into_a_gpt_of_another_size_is_refused_and_changes_nothing(tmp_path):
    nn.GPT(5, 4, n_embd=4, n_head=2, seed=0).save(tmp_path / "gpt.json")
    other = nn.GPT(5, 4, n_embd=4, n_head=1, seed=1)
    before = other.state_dict()
    with pytest.raises(nn.CheckpointError, match="different architecture"):
        nn.load_into(other, tmp_path / "gpt.json")
    assert other.state_dict() == before


def test_load_state_dict_takes_numpy_arrays():
    np = pytest.importorskip("numpy")
    layer = nn.Linear(2, 2, seed=0)
    layer.load_state_dict({"weight": np.array([[1.0, 2.0], [3.0, 4.0]]), "bias": np.zeros(2)})
    assert layer.state_dict() == {"weight": [[1.0, 2.0], [3.0, 4.0]], "bias": [0.0, 0.0]}


def test_load_state_dict_needs_a_dict():
    with pytest.raises(TypeError, match="expects a dict of name -> numbers, got list"):
        nn.Linear(2, 2).load_state_dict([1.0])
