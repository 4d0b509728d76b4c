"""Properties over random module trees and GPT sizes (hypothesis): the state dict holds every
registered Value once, in named_parameters() order, and loading it (or a checkpoint) into a
fresh model reproduces the model exactly."""

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Value
from autograd_lite import nn

numbers = st.floats(-1e6, 1e6, allow_nan=False)
tensors = st.recursive(numbers.map(Value), lambda inner: st.lists(inner, min_size=1, max_size=3), max_leaves=8)


class Tree(nn.Module):
    def __init__(self, items, children):
        for i, item in enumerate(items):
            setattr(self, f"t{i}", item)
        self.children = children
        self._count = len(items)  # private: not registered


trees = st.recursive(st.lists(tensors, max_size=3).map(lambda items: Tree(items, [])),
                     lambda inner: st.tuples(st.lists(tensors, max_size=2), st.lists(inner, max_size=2)).map(
                         lambda pair: Tree(*pair)), max_leaves=4)


def leaves(x):
    return [x] if isinstance(x, Value) else [v for item in x for v in leaves(item)]


def all_values(tree):
    own = [v for i in range(tree._count) for v in leaves(getattr(tree, f"t{i}"))]
    return own + [v for child in tree.children for v in all_values(child)]


@settings(max_examples=50, deadline=None)
@given(trees)
def test_parameters_are_every_registered_value_in_assignment_order(tree):
    assert [id(p) for p in tree.parameters()] == [id(v) for v in all_values(tree)]


@settings(max_examples=50, deadline=None)
@given(trees, st.data())
def test_a_state_dict_loaded_elsewhere_reproduces_every_value(tree, data):
    original = [p.data for p in tree.parameters()]
    sd = tree.state_dict()
    for p in tree.parameters():
        p.data = data.draw(numbers)
    tree.load_state_dict(sd)
    assert [p.data for p in tree.parameters()] == original


sizes = st.tuples(st.integers(1, 6), st.integers(1, 5), st.integers(1, 2), st.sampled_from([(2, 1), (4, 2), (6, 3)]),
                  st.integers(0, 2**32 - 1))


@settings(max_examples=20, deadline=None)
@given(sizes)
def test_a_gpt_checkpoint_round_trips_exactly(size):
    vocab, block, layers, (n_embd, n_head), seed = size
    model = nn.GPT(vocab, block, n_layer=layers, n_embd=n_embd, n_head=n_head, std=1.0, seed=seed)
    with tempfile.TemporaryDirectory() as folder:
        model.save(Path(folder) / "gpt.json")
        again = nn.load(Path(folder) / "gpt.json")
    assert again.state_dict() == model.state_dict()
    tokens = [t % vocab for t in range(block + 1)]
    assert again.loss(tokens).data == model.loss(tokens).data
