"""GPT benchmark: one training step of microgpt's model (vocab 27, block_size 16, n_layer 1,
n_embd 16, n_head 4), eager nn.GPT against microgpt's own program (re-created in
microgpt_reference.py), side by side in one run, the same weights and documents.

    python benchmarks/gpt.py [--repeats 5] [--steps 3] [--tokens 8]

A step is what microgpt's loop does: the forward pass over one document of ``--tokens``
tokens (BOS, name, BOS), the mean cross-entropy, backward, an Adam update with microgpt's
betas and linear decay, grads zeroed, the graph dropped. Reported: medians of interleaved
runs, per step, and the ratio ours / microgpt.
"""

import argparse
import random
import sys

import microgpt_reference as micro
from harness import compare, print_table

from autograd_lite import nn

VOCAB, BLOCK, LAYERS, EMBD, HEADS = 27, 16, 1, 16, 4


def documents(length, count=8, seed=0):
    rng = random.Random(seed)
    return [[VOCAB - 1] + [rng.randrange(VOCAB - 1) for _ in range(length - 2)] + [VOCAB - 1] for _ in range(count)]


def contenders(docs, num_steps=1000):
    sd = micro.init_state_dict(VOCAB, BLOCK, LAYERS, EMBD, rng=random.Random(42))
    model = nn.GPT(VOCAB, BLOCK, LAYERS, EMBD, HEADS)
    model.load_state_dict(sd)
    theirs = micro.Adam(micro.parameters(sd), num_steps=num_steps)
    ours = nn.Adam(model.parameters(), lr=nn.linear_decay(0.01, 0.0, num_steps), betas=(0.85, 0.99), eps=1e-8)
    counters = {"ours": 0, "microgpt": 0}

    def ours_step():
        tokens = docs[counters["ours"] % len(docs)]
        loss = model.loss(tokens[:BLOCK + 1])
        ours.zero_grad()
        loss.backward()
        ours.step()
        counters["ours"] += 1

    def micro_step():
        step = counters["microgpt"]
        loss = micro.document_loss(docs[step % len(docs)], sd, LAYERS, HEADS, BLOCK)
        loss.backward()
        theirs.step(step)
        counters["microgpt"] = step + 1

    return {"nn.GPT (eager)": ours_step, "microgpt": micro_step}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=8, help="tokens per document, BOS included (at most 17)")
    args = parser.parse_args()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))  # microgpt's topological sort recurses
    medians = compare(contenders(documents(args.tokens)), args.repeats, gc_enabled=True, steps=args.steps)
    base = medians["microgpt"]
    print_table(f"One training step, {args.tokens}-token documents (medians of {args.repeats} interleaved runs "
                f"of {args.steps} steps)", ["", "s / step", "ratio to microgpt"],
                [[name, f"{t:.4f}", f"{t / base:.3f}x"] for name, t in medians.items()])


if __name__ == "__main__":
    main()
