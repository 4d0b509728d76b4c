"""A rubric: which ops are required, what each property is worth, and the pass mark.

A rubric is a TOML file (Python 3.11+, or with tomli installed) or a JSON file::

    pass_mark = 100                      # out of 100
    required_ops = ["a + b", "a * b"]    # missing or wrong: the pass mark is not met
    [weights]                            # a weight of 0 makes a failure a warning
    ops = 40                             # each provided op alone (reflected ones below)
    reflected = 10                       # n + a, n - a, n * a, n / a, n ** a
    gradients = 25                       # random graphs without fan-out
    fan_out = 25
    second_backward = 0
    deep_chain = 0

The score is the weighted share of what holds, 0 to 100: an op group scores the share of
its provided ops that pass (a group with no provided op is left out), a property 1 or 0.
"""

from __future__ import annotations

import json
import os
from typing import Any, NamedTuple

from .report import FAILED, NOT_PROVIDED, PASSED, Report, Result

KEYS = ("ops", "reflected", "gradients", "fan_out", "second_backward", "deep_chain")
DEFAULT_WEIGHTS = {"ops": 40.0, "reflected": 10.0, "gradients": 25.0, "fan_out": 25.0, "second_backward": 0.0,
                   "deep_chain": 0.0}


class RubricError(Exception):
    """The rubric file is missing, unreadable or malformed; ``str()`` says what to fix."""


class Rubric(NamedTuple):
    pass_mark: float = 100.0
    required_ops: tuple[str, ...] = ("a + b", "a * b")
    weights: dict[str, float] = DEFAULT_WEIGHTS


DEFAULT_RUBRIC = Rubric()


def key_of(result: Result) -> str:
    """Which rubric key a report line counts for."""
    if result.kind == "op":
        return "reflected" if result.name.startswith("n ") else "ops"
    name = result.name
    if name.startswith("random graphs without fan-out"):
        return "gradients"
    if name.startswith("fan-out"):
        return "fan_out"
    if name.startswith("a second backward"):
        return "second_backward"
    if name.startswith("gradient through a chain"):
        return "deep_chain"
    return "fan_out" if "fan-out" in name else name  # new probe lines of the fan-out kind


class Grade(NamedTuple):
    score: float                 # 0 to 100
    passed: bool                 # the pass mark is met and every required op holds
    properties: dict[str, str]   # rubric key -> "passed", "failed", "warning", "not provided"
    problems: list[str]          # why the pass mark is not met, one line each
    warnings: list[str]          # the failed lines of weight 0


def grade(report: Report, rubric: Rubric = DEFAULT_RUBRIC) -> Grade:
    """Score ``report`` with ``rubric``."""
    groups: dict[str, list[Result]] = {}
    for r in report.results:
        groups.setdefault(key_of(r), []).append(r)
    total = earned = 0.0
    properties: dict[str, str] = {}
    warnings: list[str] = []
    for key, results in groups.items():
        weight = rubric.weights.get(key, 0.0)
        counted = [r for r in results if r.status != NOT_PROVIDED]
        if not counted:
            properties[key] = NOT_PROVIDED
            continue
        share = sum(r.status == PASSED for r in counted) / len(counted)
        status = PASSED if share == 1.0 else FAILED
        if weight == 0.0 and status == FAILED:
            status = "warning"
            warnings += [r.name for r in counted if r.status != PASSED]
        properties[key] = status
        total += weight
        earned += weight * share
    score = round(100.0 * earned / total, 1) if total else 0.0
    by_name = {r.name: r for r in report.results}
    problems = [f"required op {op}: {by_name[op].status if op in by_name else 'not checked'}"
                for op in rubric.required_ops if op not in by_name or by_name[op].status != PASSED]
    if score < rubric.pass_mark:
        problems.append(f"score {score:g} is below the pass mark {rubric.pass_mark:g}")
    return Grade(score, not problems, properties, problems, warnings)


def load_rubric(path: str) -> Rubric:
    """A Rubric from a .toml or .json file; RubricError with what to fix."""
    try:
        with open(path, "rb") as file:
            raw = file.read()
    except OSError as error:
        raise RubricError(f"cannot read the rubric {path}: {error.strerror or error}") from None
    if path.endswith(".json"):
        try:
            data = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise RubricError(f"the rubric {path} is not valid JSON: {error}") from None
    else:
        toml = _toml()
        if toml is None:
            raise RubricError(f"reading a TOML rubric needs Python 3.11+ or the tomli package (pip install tomli); "
                              f"or write {os.path.basename(path)} as JSON")
        try:
            data = toml.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise RubricError(f"the rubric {path} is not valid TOML: {error}") from None
    return rubric_from(data, path)


def _toml() -> Any:
    import importlib

    for name in ("tomllib", "tomli"):  # tomllib is Python 3.11+; tomli its backport
        try:
            return importlib.import_module(name)
        except ImportError:
            pass
    return None


def rubric_from(data: Any, path: str = "the rubric") -> Rubric:
    """Check the fields one by one; an unknown key is an error (a typo must not grade)."""
    if not isinstance(data, dict):
        raise RubricError(f"{path}: expected a table of pass_mark, required_ops and weights")
    unknown = set(data) - {"pass_mark", "required_ops", "weights"}
    if unknown:
        raise RubricError(f"{path}: unknown key {sorted(unknown)[0]!r} (the keys are pass_mark, required_ops, weights)")
    mark = data.get("pass_mark", DEFAULT_RUBRIC.pass_mark)
    if isinstance(mark, bool) or not isinstance(mark, (int, float)) or not 0 <= mark <= 100:
        raise RubricError(f"{path}: pass_mark must be a number from 0 to 100, got {mark!r}")
    from .program import FORMS_BY_NAME

    ops = data.get("required_ops", list(DEFAULT_RUBRIC.required_ops))
    if not isinstance(ops, list) or not all(isinstance(op, str) for op in ops):
        raise RubricError(f"{path}: required_ops must be a list of op names such as \"a + b\"")
    for op in ops:
        if op not in FORMS_BY_NAME:
            raise RubricError(f"{path}: no op called {op!r}; the ops are {', '.join(FORMS_BY_NAME)}")
    weights = dict(DEFAULT_WEIGHTS)
    given = data.get("weights", {})
    if not isinstance(given, dict):
        raise RubricError(f"{path}: weights must be a table of {', '.join(KEYS)}")
    for key, weight in given.items():
        if key not in KEYS:
            raise RubricError(f"{path}: no property called {key!r} in weights; they are {', '.join(KEYS)}")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
            raise RubricError(f"{path}: the weight of {key} must be a number >= 0, got {weight!r}")
        weights[key] = float(weight)
    return Rubric(float(mark), tuple(ops), weights)
