"""Shared by the conformance tests: each engine is checked once per test session, and a
counterexample's printed code is run against an engine."""

import functools
import importlib

from autograd_lite.testing.conformance import check_engine
from autograd_lite.testing.conformance.check import Budget

# For the misbehaving engines: a short search, as their bugs need no searching.
QUICK = Budget(op_examples=5, graph_examples=20, twice_examples=10, max_size=4, chain_depths=(2_000,),
               chain_time_limit=20.0, call_time_limit=2.0)


def engine(spec):
    module, name = spec.split(":")
    return getattr(importlib.import_module(module), name)


@functools.lru_cache(maxsize=None)
def report(spec):
    """The default run's report for ``module:Class``."""
    return check_engine(engine(spec), name=spec)


def run_code(code, V, name="Value"):
    """Exec a counterexample's code with the engine's class under its own name; the namespace."""
    namespace = {name: V}
    exec(compile(code, "<counterexample>", "exec"), namespace)
    return namespace
