"""autograd_lite.nn: neural networks built from autograd_lite Values.

>>> from autograd_lite import nn
>>> X, y = nn.datasets.moons(100, noise=0.1, seed=0)
>>> model = nn.MLP(2, [16, 16, 1], seed=0)
>>> opt = nn.SGD(model.parameters(), lr=0.1)
>>> history = nn.fit(model, X, [2 * t - 1 for t in y], nn.hinge_loss, opt, epochs=3, verbose=False)
>>> len(history["loss"])
3

Parameter order, initialisation and the graph each neuron builds: see ``autograd_lite.nn.module``.
"""

from . import activations, datasets, init
from .activations import ELU, LeakyReLU, ScaledSigmoid
from .checkpoint import load, load_into
from .saving import CheckpointError, save
from .data import batches, train_test_split
from .export import from_torch, to_torch
from .losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, hinge_loss,
                     l2_penalty, mse_loss)
from .module import MLP, Layer, Module, Neuron
from .layers import Embedding, LayerNorm, Linear, RMSNorm
from .attention import CausalSelfAttention, KVCache
from .gpt import GPT, generate
from .scaled import ScaledModel
from .optim import SGD, Adam, AdamW, Optimizer, clip_grad_norm, linear_decay
from .schedules import cosine_decay, warmup
from .metrics import accuracy, mean_squared_error, predict
from .train import fit

__all__ = [
    "Module", "Neuron", "Layer", "MLP", "Linear", "Embedding", "RMSNorm", "LayerNorm", "CausalSelfAttention",
    "KVCache", "GPT", "generate", "init", "LeakyReLU", "ELU", "ScaledSigmoid", "activations",
    "mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "hinge_loss",
    "l2_penalty", "SGD", "Adam", "AdamW", "Optimizer", "clip_grad_norm", "linear_decay", "cosine_decay", "warmup",
    "datasets", "train_test_split", "batches",
    "fit", "accuracy", "mean_squared_error", "predict",
    "save", "load", "load_into", "CheckpointError", "ScaledModel", "to_torch", "from_torch",
]
