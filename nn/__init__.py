"""The top-level ``nn``: the same package as :mod:`autograd_lite.nn`, under a short name.

``import nn`` gives the very module ``autograd_lite.nn`` (``nn.MLP is autograd_lite.nn.MLP``),
and ``nn.checkpoint``, ``nn.datasets`` and the other submodules are the same module objects
too, so classes, checkpoints and ``isinstance`` checks agree whichever name imported them.

A file called ``nn.py`` in the current folder shadows this name (Python puts the script's
folder first on ``sys.path``); ``from autograd_lite import nn`` always works, which is why the
CLI, the docs and the examples use it.
"""

import importlib
import pkgutil
import sys

import autograd_lite.nn as _package
from autograd_lite.nn import *  # noqa: F403 -- the names, for editors and type checkers
from autograd_lite.nn import __all__

# One module object per submodule under both names: without this, ``import nn.checkpoint``
# would execute the file a second time and make a second CheckpointError class.
for _info in pkgutil.walk_packages(_package.__path__, _package.__name__ + "."):
    sys.modules["nn" + _info.name[len(_package.__name__):]] = importlib.import_module(_info.name)
sys.modules[__name__] = _package
