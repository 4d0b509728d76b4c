"""``test_my_engine = pytest_suite("my_engine:Value")``: the kit as pytest tests, one per
line of the report, so a grader sees which checks a student's engine passes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .check import DEFAULT, FAN_OUT, THOROUGH, TREES, TWICE, chain_name, check_engine
from .loading import EngineLoadError
from .program import FORMS
from .report import FAILED, PASSED


def pytest_suite(engine: str | type, *, thorough: bool = False) -> Callable[[str], None]:
    """A pytest test function, parametrized over the report's lines. ``engine`` is
    ``"module:Class"`` (found in the current folder, see :func:`check_engine`) or the
    class itself. The engine is checked once, on the first test;
    a failed line fails with its counterexample, a not-provided op is skipped."""
    import pytest

    budget = THOROUGH if thorough else DEFAULT
    names = [form.name for form in FORMS] + [TREES, FAN_OUT, TWICE, chain_name(budget.chain_depths)]
    cache: dict[str, Any] = {}

    def report() -> Any:
        if "report" not in cache:
            try:
                cache["report"] = check_engine(engine, thorough=thorough)  # run in its sandbox
            except (EngineLoadError, TypeError) as error:
                cache["report"] = error
        return cache["report"]

    @pytest.mark.parametrize("check", names)
    def test_conformance(check: str) -> None:
        found = report()
        if isinstance(found, Exception):
            pytest.fail(f"the engine could not be loaded: {found}", pytrace=False)
        by_name = {r.name: r for r in found.results}
        result = by_name.get(check, found.results[0] if len(found.results) == 1 else None)
        if result is None:
            pytest.fail(f"{check}: not in the report", pytrace=False)
        if result.status == FAILED:
            shown = result.counterexample.code if result.counterexample is not None else result.detail
            pytest.fail(f"{result.name}: failed\n{shown}", pytrace=False)
        if result.status != PASSED:
            pytest.skip(f"{result.name}: {result.status} {result.detail}".strip())

    return test_conformance
