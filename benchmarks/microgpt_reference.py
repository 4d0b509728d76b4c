"""A re-creation of Karpathy's microgpt (Feb 2026), written from its published description,
to compare nn.GPT against: the same loss and gradients (tests/test_nn_microgpt.py) and the
step time (benchmarks/gpt.py).

It is microgpt's program with its globals turned into arguments, so a test can import it:
the 4-slot ``Value`` (data, grad, _children, _local_grads) with a recursive topological sort,
``matrix`` (gaussian init, std 0.08), ``linear``, ``softmax``, ``rmsnorm``, ``gpt`` (one
position, keys and values appended per layer: the KV cache), the per-document loss, and Adam
(beta1 0.85, beta2 0.99, eps 1e-8) with a linear learning-rate decay. Not part of the
package; nothing here imports autograd_lite. Run it to train on a list of names:

    python benchmarks/microgpt_reference.py names.txt [steps]

Recollection, stated: the hyperparameters (n_embd 16, n_head 4, n_layer 1, block_size 16,
lr 0.01, 1000 steps), the std 0.08 for every matrix and the BOS id len(uchars) are as we
remember the published file.
"""

import math
import random
import sys


class Value:
    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data, children=(), local_grads=()):
        self.data = data
        self.grad = 0
        self._children = children
        self._local_grads = local_grads

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1, 1))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, other): return Value(self.data**other, (self,), (other * self.data**(other - 1),))
    def log(self): return Value(math.log(self.data), (self,), (1 / self.data,))
    def exp(self): return Value(math.exp(self.data), (self,), (math.exp(self.data),))
    def relu(self): return Value(max(0, self.data), (self,), (float(self.data > 0),))
    def __neg__(self): return self * -1
    def __radd__(self, other): return self + other
    def __sub__(self, other): return self + (-other)
    def __rsub__(self, other): return other + (-self)
    def __rmul__(self, other): return self * other
    def __truediv__(self, other): return self * other**-1
    def __rtruediv__(self, other): return other * self**-1

    def backward(self):
        topo = []
        visited = set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._children:
                    build_topo(child)
                topo.append(v)
        build_topo(self)
        self.grad = 1
        for v in reversed(topo):
            for child, local_grad in zip(v._children, v._local_grads):
                child.grad += local_grad * v.grad


def matrix(nout, nin, std=0.08, rng=random):
    return [[Value(rng.gauss(0, std)) for _ in range(nin)] for _ in range(nout)]


def init_state_dict(vocab_size, block_size, n_layer, n_embd, rng=random):
    state_dict = {"wte": matrix(vocab_size, n_embd, rng=rng), "wpe": matrix(block_size, n_embd, rng=rng),
                  "lm_head": matrix(vocab_size, n_embd, rng=rng)}
    for i in range(n_layer):
        state_dict[f"layer{i}.attn_wq"] = matrix(n_embd, n_embd, rng=rng)
        state_dict[f"layer{i}.attn_wk"] = matrix(n_embd, n_embd, rng=rng)
        state_dict[f"layer{i}.attn_wv"] = matrix(n_embd, n_embd, rng=rng)
        state_dict[f"layer{i}.attn_wo"] = matrix(n_embd, n_embd, rng=rng)
        state_dict[f"layer{i}.mlp_fc1"] = matrix(4 * n_embd, n_embd, rng=rng)
        state_dict[f"layer{i}.mlp_fc2"] = matrix(n_embd, 4 * n_embd, rng=rng)
    return state_dict


def parameters(state_dict):
    return [p for mat in state_dict.values() for row in mat for p in row]


def linear(x, w):
    return [sum(wi * xi for wi, xi in zip(wo, x)) for wo in w]


def softmax(logits):
    max_val = max(val.data for val in logits)
    exps = [(val - max_val).exp() for val in logits]
    total = sum(exps)
    return [e / total for e in exps]


def rmsnorm(x):
    ms = sum(xi * xi for xi in x) / len(x)
    scale = (ms + 1e-5) ** -0.5
    return [xi * scale for xi in x]


def gpt(token_id, pos_id, keys, values, state_dict, n_layer, n_head):
    head_dim = len(state_dict["wte"][0]) // n_head
    tok_emb = state_dict["wte"][token_id]
    pos_emb = state_dict["wpe"][pos_id]
    x = [t + p for t, p in zip(tok_emb, pos_emb)]
    x = rmsnorm(x)
    for li in range(n_layer):
        x_residual = x
        x = rmsnorm(x)
        q = linear(x, state_dict[f"layer{li}.attn_wq"])
        k = linear(x, state_dict[f"layer{li}.attn_wk"])
        v = linear(x, state_dict[f"layer{li}.attn_wv"])
        keys[li].append(k)
        values[li].append(v)
        x_attn = []
        for h in range(n_head):
            hs = h * head_dim
            q_h = q[hs:hs + head_dim]
            k_h = [ki[hs:hs + head_dim] for ki in keys[li]]
            v_h = [vi[hs:hs + head_dim] for vi in values[li]]
            attn_logits = [sum(q_h[j] * k_h[t][j] for j in range(head_dim)) / head_dim**0.5 for t in range(len(k_h))]
            attn_weights = softmax(attn_logits)
            head_out = [sum(attn_weights[t] * v_h[t][j] for t in range(len(v_h))) for j in range(head_dim)]
            x_attn.extend(head_out)
        x = linear(x_attn, state_dict[f"layer{li}.attn_wo"])
        x = [a + b for a, b in zip(x, x_residual)]
        x_residual = x
        x = rmsnorm(x)
        x = linear(x, state_dict[f"layer{li}.mlp_fc1"])
        x = [xi.relu() for xi in x]
        x = linear(x, state_dict[f"layer{li}.mlp_fc2"])
        x = [a + b for a, b in zip(x, x_residual)]
    return linear(x, state_dict["lm_head"])


def document_loss(tokens, state_dict, n_layer, n_head, block_size):
    """microgpt's forward over one tokenized document: the mean of -log p(next token)."""
    n = min(block_size, len(tokens) - 1)
    keys, values = [[] for _ in range(n_layer)], [[] for _ in range(n_layer)]
    losses = []
    for pos_id in range(n):
        token_id, target_id = tokens[pos_id], tokens[pos_id + 1]
        logits = gpt(token_id, pos_id, keys, values, state_dict, n_layer, n_head)
        probs = softmax(logits)
        losses.append(-probs[target_id].log())
    return (1 / n) * sum(losses)


class Adam:
    """microgpt's Adam loop: buffers m and v, bias correction, linear decay, grads zeroed."""

    def __init__(self, params, learning_rate=0.01, beta1=0.85, beta2=0.99, eps_adam=1e-8, num_steps=1000):
        self.params, self.lr, self.beta1, self.beta2, self.eps = params, learning_rate, beta1, beta2, eps_adam
        self.num_steps, self.m, self.v = num_steps, [0.0] * len(params), [0.0] * len(params)

    def step(self, step):
        lr_t = self.lr * (1 - step / self.num_steps)
        beta1, beta2, m, v = self.beta1, self.beta2, self.m, self.v
        for i, p in enumerate(self.params):
            m[i] = beta1 * m[i] + (1 - beta1) * p.grad
            v[i] = beta2 * v[i] + (1 - beta2) * p.grad ** 2
            m_hat = m[i] / (1 - beta1 ** (step + 1))
            v_hat = v[i] / (1 - beta2 ** (step + 1))
            p.data -= lr_t * m_hat / (v_hat ** 0.5 + self.eps)
            p.grad = 0


def main(path, num_steps=1000, n_layer=1, n_embd=16, n_head=4, block_size=16):
    random.seed(42)
    docs = [line.strip() for line in open(path).read().strip().split("\n") if line.strip()]
    random.shuffle(docs)
    uchars = sorted(set("".join(docs)))
    BOS = len(uchars)
    state_dict = init_state_dict(len(uchars) + 1, block_size, n_layer, n_embd)
    params = parameters(state_dict)
    adam = Adam(params, num_steps=num_steps)
    for step in range(num_steps):
        doc = docs[step % len(docs)]
        tokens = [BOS] + [uchars.index(ch) for ch in doc] + [BOS]
        loss = document_loss(tokens, state_dict, n_layer, n_head, block_size)
        loss.backward()
        adam.step(step)
        print(f"step {step + 1:4d} / {num_steps:4d} | loss {loss.data:.4f}", end="\r")
    print()


if __name__ == "__main__":
    main(sys.argv[1], *(int(a) for a in sys.argv[2:3]))
