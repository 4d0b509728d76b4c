"""A conformance kit: check any micrograd-style scalar autodiff engine with property-based
tests, against sympy's exact derivatives.

>>> from autograd_lite.testing.conformance import check_engine
>>> report = check_engine("my_engine:Value")  # doctest: +SKIP  (./my_engine.py, in a sandbox)
>>> report.passed, report.not_provided, report.backward_twice   # doctest: +SKIP

From a shell: ``autograd-lite conform my_engine:Value`` (or ``python -m
autograd_lite.testing.conformance my_engine:Value``). In a course's test file:
``test_my_engine = pytest_suite("my_engine:Value")``. A class: ``autograd-lite conform
--grade SUBMISSIONS --engine MODULE:CLASS``. See docs/conformance.md and docs/grading.md.

Needs hypothesis and sympy (both in the "test" extra).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported on first use (below)
    from .check import Budget, check_engine
    from .loading import EngineLoadError, load_engine
    from .pytest_helper import pytest_suite
    from .report import Report

__all__ = ["check_engine", "load_engine", "pytest_suite", "Report", "Budget", "EngineLoadError"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the deep-chain child process imports this package and needs
    # none of hypothesis or sympy.
    if name in ("check_engine", "Budget"):
        from . import check
        return getattr(check, name)
    if name == "Report":
        from .report import Report
        return Report
    if name in ("load_engine", "EngineLoadError"):
        from . import loading
        return getattr(loading, name)
    if name == "pytest_suite":
        from .pytest_helper import pytest_suite
        return pytest_suite
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
