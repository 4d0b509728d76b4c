"""nn.to_torch(gpt) gives a TorchGPT that computes what nn.GPT computes, on batches, with
bitwise the same weights; nn.from_torch reads it back bitwise; the model trained here can
move on to PyTorch's batches. Our logits and gradients against the module's, to 1e-12."""

import pickle
import random

import pytest

torch = pytest.importorskip("torch", reason='PyTorch is not installed: pip install -e ".[export]"')

from autograd_lite import nn  # noqa: E402
from autograd_lite.nn.torch_gpt import TorchGPT  # noqa: E402

TOL = 1e-12


def model(seed=3, **sizes):
    config = dict(vocab_size=11, block_size=8, n_layer=2, n_embd=8, n_head=2) | sizes
    return nn.GPT(**config, seed=seed)


def documents(n, length, vocab, seed):
    rng = random.Random(seed)
    return [[rng.randrange(vocab) for _ in range(length)] for _ in range(n)]


def test_the_weights_are_copied_bitwise_and_the_copy_is_independent():
    gpt = model()
    module = nn.to_torch(gpt)
    assert isinstance(module, TorchGPT)
    for name, rows in gpt.state_dict().items():
        tensor = module.wte if name == "wte" else module.wpe if name == "wpe" else module.lm_head \
            if name == "lm_head" else getattr(module.layers[int(name[5])], name.split(".")[1])
        assert tensor.dtype == torch.float64 and tensor.tolist() == rows, name
    with torch.no_grad():
        module.wte.add_(1.0)
    assert module.wte.tolist() != [[v.data for v in row] for row in gpt.wte.weight]


@pytest.mark.parametrize("sizes", [{}, {"n_layer": 1, "n_embd": 4, "n_head": 4}, {"n_head": 1}])
def test_logits_and_every_gradient_match_ours(sizes):
    gpt = model(**sizes)
    module = nn.to_torch(gpt)
    tokens = documents(1, 7, gpt.vocab_size, seed=5)[0]
    ours = gpt(tokens)
    theirs = module(torch.tensor(tokens))
    assert theirs.shape == (7, gpt.vocab_size)
    assert torch.allclose(torch.tensor([[z.data for z in row] for row in ours], dtype=torch.float64), theirs.detach(), atol=TOL, rtol=0)
    loss = gpt.loss(tokens)
    loss.backward()
    torch_loss = module.loss(torch.tensor(tokens))
    torch_loss.backward()
    assert abs(loss.data - torch_loss.item()) < TOL
    ours_grads = {name: [[v.grad for v in row] for row in tensor] for name, tensor in gpt.named_tensors()}
    for name, tensor in zip(ours_grads, [module.wte, module.wpe, module.lm_head,
                                         *[getattr(layer, key) for layer in module.layers
                                           for key in ("attn_wq", "attn_wk", "attn_wv", "attn_wo", "mlp_fc1",
                                                       "mlp_fc2")]]):
        assert torch.allclose(torch.tensor(ours_grads[name], dtype=torch.float64), tensor.grad, atol=TOL, rtol=0), name


def test_a_batch_gives_each_documents_logits_and_the_mean_loss():
    gpt = model()
    module = nn.to_torch(gpt)
    batch = documents(3, 6, gpt.vocab_size, seed=9)
    logits = module(torch.tensor(batch))
    assert logits.shape == (3, 6, gpt.vocab_size)
    for doc, theirs in zip(batch, logits):
        ours = torch.tensor([[z.data for z in row] for row in gpt(doc)], dtype=torch.float64)
        assert torch.allclose(ours, theirs.detach(), atol=TOL, rtol=0)
    mean = sum(gpt.loss(doc).data for doc in batch) / 3  # equal lengths: the mean over every position
    assert abs(module.loss(torch.tensor(batch)).item() - mean) < TOL


def test_from_torch_reads_it_back_bitwise_after_training_there():
    gpt = model()
    module = nn.to_torch(gpt)
    optimizer = torch.optim.Adam(module.parameters(), lr=0.01)
    for doc in documents(3, 8, gpt.vocab_size, seed=1):
        optimizer.zero_grad()
        module.loss(torch.tensor(doc)).backward()
        optimizer.step()
    back = nn.from_torch(module)
    assert isinstance(back, nn.GPT) and back.config() == gpt.config()
    assert back.state_dict() == {name: tensor.tolist() for name, tensor in [
        ("wte", module.wte), ("wpe", module.wpe), ("lm_head", module.lm_head),
        *[(f"layer{i}.{key}", getattr(layer, key)) for i, layer in enumerate(module.layers)
          for key in ("attn_wq", "attn_wk", "attn_wv", "attn_wo", "mlp_fc1", "mlp_fc2")]]}
    assert nn.from_torch(nn.to_torch(back)).state_dict() == back.state_dict()


def test_the_module_pickles_and_bad_input_is_a_clear_error():
    module = nn.to_torch(model())
    again = pickle.loads(pickle.dumps(module))
    tokens = torch.tensor([1, 2, 3])
    assert torch.equal(again(tokens), module(tokens))
    with pytest.raises(ValueError, match="block_size 8"):
        module(torch.zeros(9, dtype=torch.int64))
    with pytest.raises(ValueError, match="integer ids"):
        module(torch.zeros(3))


def test_from_torch_refuses_a_hooked_module_and_a_too_large_one():
    module = nn.to_torch(model())
    with pytest.raises(ValueError, match="max_parameters"):
        nn.from_torch(module, max_parameters=100)
    handle = module.register_forward_hook(lambda *args: None)
    with pytest.raises((TypeError, ValueError), match="hook"):
        nn.from_torch(module)
    handle.remove()
    assert isinstance(nn.from_torch(module), nn.GPT)
