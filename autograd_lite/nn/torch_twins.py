"""PyTorch twins of nn's pieces that torch.nn lacks, made only when torch is imported.

``TorchScaledSigmoid`` is ``nn.ScaledSigmoid`` as a ``torch.nn.Module``. ``import nn`` imports
every submodule, and torch is optional (the ``export`` extra), so the class is made on first
use; it is still this module's attribute, ``autograd_lite.nn.torch_twins.TorchScaledSigmoid``
(a module ``__getattr__``), which is what pickle and ``torch.save`` look up.
"""

import threading

INSTALL = 'pip install "autograd-lite[export]"'


def require_torch():
    """The torch module; ImportError naming the extra that installs it."""
    try:
        import torch
    except ImportError as error:
        raise ImportError(f"exporting to PyTorch needs torch, which is not installed: {INSTALL}") from error
    return torch


_made = {}
_making = threading.Lock()  # two threads' first calls must not make two different classes


def scaled_sigmoid_class():
    """The ``TorchScaledSigmoid`` class, made on first use (it subclasses torch.nn.Module)."""
    with _making:
        if "TorchScaledSigmoid" not in _made:
            _made["TorchScaledSigmoid"] = _make_scaled_sigmoid_class(require_torch())
        return _made["TorchScaledSigmoid"]


def _make_scaled_sigmoid_class(torch):

    class TorchScaledSigmoid(torch.nn.Module):
        """``c * sigmoid(beta * x)`` element-wise: ``nn.ScaledSigmoid`` in PyTorch. With
        ``trainable=True``, c and beta are Parameters of shape ``(features,)``, one per
        neuron of the layer before, starting at ``c`` and ``beta``."""

        def __init__(self, features, c=1.0, beta=1.0, trainable=False):
            super().__init__()
            self.features, self.trainable = int(features), bool(trainable)
            self.initial_c, self.initial_beta = float(c), float(beta)
            if self.trainable:
                self.c = torch.nn.Parameter(torch.full((self.features,), self.initial_c, dtype=torch.float64))
                self.beta = torch.nn.Parameter(torch.full((self.features,), self.initial_beta, dtype=torch.float64))
            else:
                self.c, self.beta = self.initial_c, self.initial_beta

        def forward(self, x):
            return self.c * torch.sigmoid(self.beta * x)

        def extra_repr(self):
            return (f"features={self.features}, c={self.initial_c!r}, beta={self.initial_beta!r}, "
                    f"trainable={self.trainable}")

    # Named as this module's attribute (see __getattr__), so torch.save/pickle find the class.
    TorchScaledSigmoid.__module__, TorchScaledSigmoid.__qualname__ = __name__, "TorchScaledSigmoid"
    return TorchScaledSigmoid


def __getattr__(name):
    if name == "TorchScaledSigmoid":
        return scaled_sigmoid_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
