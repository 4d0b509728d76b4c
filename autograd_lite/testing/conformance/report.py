"""The report: one line per op and per property, counterexamples as code, text or JSON."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from .words import chain_sentence, error_sentence, one_line

if TYPE_CHECKING:
    from .properties import Counterexample

PASSED, FAILED, NOT_PROVIDED, SKIPPED = "passed", "failed", "not provided", "skipped"
CHAIN_PREFIX = "gradient through a chain"
_INDENT = " " * 16


class Result(NamedTuple):
    """One line of the report. ``kind`` is "op" (the op alone) or "property";
    ``counterexample`` is a :class:`~.properties.Counterexample` for a failure."""

    name: str
    kind: str
    status: str
    detail: str = ""
    counterexample: Counterexample | None = None

    @property
    def diagnosis(self) -> str:
        """For a failure: one sentence on what is wrong in the engine (else "")."""
        c = self.counterexample
        if self.status != FAILED or c is None:
            return ""
        if c.diagnosis:
            return c.diagnosis
        if self.name.startswith(CHAIN_PREFIX):
            return chain_sentence(c.error)
        return error_sentence(c.error) if c.error else ""


class Report:
    """What :func:`check_engine` found.

    ``passed``: every provided op and property holds. ``failures``: the failed
    :class:`Result` lines, each with a counterexample. ``not_provided``: names of the ops the
    engine does not have (e.g. ``"a.tanh()"``, ``"n ** a"``). ``backward_twice``:
    ``"accumulate"`` or ``"reset"``, what a second ``backward()`` does to leaves, or None if
    it does something else (a failure) or was not checked. ``str(report)`` is the text the
    command prints and ``report.as_dict()`` the data behind ``--json``.
    """

    def __init__(self, engine: str, results: Iterable[Result], backward_twice: str | None = None) -> None:
        self.engine = engine
        self.results = list(results)
        self.backward_twice = backward_twice
        self.source: dict[str, str] | None = None  # {"file": the engine's file, "sha256": its hash}

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def failures(self) -> list[Result]:
        return [r for r in self.results if r.status == FAILED]

    @property
    def not_provided(self) -> list[str]:
        return [r.name for r in self.results if r.status == NOT_PROVIDED]

    def result(self, name: str) -> Result:
        """The result line called ``name``."""
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(f"no result called {name!r}; the names are {', '.join(r.name for r in self.results)}")

    def summary(self) -> str:
        """``PASSED: 20 passed, 3 not provided`` (or ``FAILED: ...`` first)."""
        counts = {status: sum(r.status == status for r in self.results) for status in (FAILED, PASSED, NOT_PROVIDED)}
        parts = [f"{counts[FAILED]} failed"] if counts[FAILED] else []
        parts += [f"{counts[PASSED]} passed", f"{counts[NOT_PROVIDED]} not provided"]
        return f"{'FAILED' if counts[FAILED] else 'PASSED'}: {', '.join(parts)}"

    def __str__(self) -> str:
        lines = [f"Conformance of {self.engine}"]
        if self.source:
            lines.append(f"File: {self.source['file']} (sha256 {self.source['sha256'][:16]})")
        sections = {"op": "Each op alone, against sympy's exact derivative:",
                    "property": "Properties, on random graphs of the ops that passed:"}
        for kind, title in sections.items():
            results = [r for r in self.results if r.kind == kind]
            lines += ["", title] if results else []
            for r in results:
                detail = f" {r.detail}" if r.detail else ""
                lines.append(f"  {r.status:<13} {r.name:<12}{detail}".rstrip())
                if r.diagnosis:
                    lines.append(_INDENT + one_line(r.diagnosis))
                if r.counterexample is not None:
                    lines += [_INDENT + line for line in r.counterexample.code.splitlines()]
        lines += ["", self.summary()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Report {self.engine}: {self.summary()}>"

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        def counterexample(c: Counterexample | None) -> dict[str, Any] | None:
            if c is None:
                return None
            return {"code": c.code, "actual": _plain(c.actual), "expected": _plain(c.expected), "error": c.error}

        return {
            "engine": self.engine,
            "file": self.source["file"] if self.source else None,
            "sha256": self.source["sha256"] if self.source else None,
            "passed": self.passed,
            "backward_twice": self.backward_twice,
            "not_provided": self.not_provided,
            "results": [{"name": r.name, "kind": r.kind, "status": r.status, "detail": r.detail,
                         "diagnosis": r.diagnosis, "counterexample": counterexample(r.counterexample)}
                        for r in self.results],
        }

    def to_json(self) -> str:
        """``as_dict()`` as JSON text (a nan or inf gradient is written as the string "nan"...)."""
        return json.dumps(self.as_dict(), indent=2, allow_nan=False)


def _plain(numbers: dict[str, Any]) -> dict[str, Any]:
    """JSON has no nan or inf: those become strings."""
    def one(x: Any) -> Any:
        if isinstance(x, list):
            return [one(y) for y in x]
        return x if math.isfinite(x) else repr(x)

    return {name: one(x) for name, x in numbers.items()}
