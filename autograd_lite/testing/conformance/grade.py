"""Grading a class: every subfolder of SUBMISSIONS is one student's engine.

``autograd-lite conform --grade SUBMISSIONS --engine MODULE:CLASS``. Submissions are graded
``jobs`` at a time in worker processes (each engine in its own sandbox, under the kit), one
row each: name, the file graded and its SHA-256, the score and whether the pass mark is
met, one column per rubric property, the warnings and the error if it could not be loaded.
The rows are written to CSV and JSON whole or not at all.
"""

from __future__ import annotations

import collections
import contextlib
import csv
import io
import json
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from ...atomic import open_atomically
from .rubric import DEFAULT_RUBRIC, KEYS, Rubric, grade

Row = dict[str, Any]
COLUMNS = ["name", "file", "sha256", "score", "passed", *KEYS, "warnings", "failures", "error"]
GRACE = 60.0  # beyond a submission's own time budget, before its row says so


def submissions(folder: str) -> list[str]:
    """The immediate subfolders of ``folder``, sorted; hidden ones and __pycache__ left out."""
    names = [n for n in os.listdir(folder) if not n.startswith((".", "_")) and os.path.isdir(os.path.join(folder, n))]
    return sorted(names)


def grade_one(folder: str, spec: str, rubric: Rubric, timeout: float, data_attr: str | None = None) -> Row:
    """One submission's row (runs in a worker process; never raises for the engine's sake)."""
    from .check import DEFAULT, check_engine
    from .loading import EngineLoadError

    name = os.path.basename(folder)
    row: Row = {"name": name, "file": None, "sha256": None, "score": 0.0, "passed": False, "warnings": [],
                "failures": [], "error": None, **{key: None for key in KEYS}}
    budget = DEFAULT._replace(total_time_limit=timeout, chain_time_limit=min(DEFAULT.chain_time_limit, timeout))
    try:
        report = check_engine(spec, path=folder, budget=budget, name=f"{name}: {spec}", data_attr=data_attr)
    except EngineLoadError as error:
        row["error"] = str(error)
        return row
    graded = grade(report, rubric)
    row.update(file=report.source["file"] if report.source else None,
               sha256=report.source["sha256"] if report.source else None,
               score=graded.score, passed=graded.passed, warnings=graded.warnings,
               failures=[r.name for r in report.failures if r.name not in graded.warnings], **graded.properties)
    row["report"] = report.as_dict()
    return row


def grade_all(folder: str, spec: str, rubric: Rubric = DEFAULT_RUBRIC, jobs: int | None = None,
              timeout: float = 60.0, progress: Callable[[Row], None] | None = None,
              data_attr: str | None = None) -> list[Row]:
    """Every submission's row, in name order; ``data_attr`` names the attribute that holds a
    node's number in every submission (``--data-attr``), as for one engine."""
    names = submissions(folder)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(names) or 1))
    rows: dict[str, Row] = {}
    context = multiprocessing.get_context("spawn")  # no fork of a process that may hold threads
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        futures: dict[str, Future[Row]] = {
            n: pool.submit(grade_one, os.path.join(folder, n), spec, rubric, timeout, data_attr) for n in names}
        for n, future in futures.items():
            try:
                rows[n] = future.result(timeout=timeout * len(names) + GRACE)
            except Exception as error:  # the kit's own failure: say so in the row, go on
                rows[n] = {"name": n, "score": 0.0, "passed": False, "error": f"the grader failed: {error!r}"}
            if progress is not None:
                progress(rows[n])
    return [rows[n] for n in names]


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(value)
    return "" if value is None else value


def to_csv(rows: Sequence[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in COLUMNS])
    return out.getvalue()


def to_json(rows: Sequence[Row]) -> str:
    return json.dumps([{c: row.get(c) for c in [*COLUMNS, "report"] if c in row} for row in rows], indent=2,
                      allow_nan=False)


def write_outputs(rows: Sequence[Row], csv_path: str | None, json_path: str | None) -> None:
    """Both files whole or neither: each is a temporary file until both are written, and
    both temporary files exist (their folders are writable) before any text is made."""
    with contextlib.ExitStack() as stack:
        files = [(stack.enter_context(open_atomically(path, "w", encoding="utf-8", newline="")), make)
                 for path, make in ((csv_path, to_csv), (json_path, to_json)) if path]
        for file, make in files:
            file.write(make(rows))


def summary(rows: Sequence[Row], rubric: Rubric) -> str:
    """One screen: how many met the pass mark, the scores, the most common failures."""
    graded = [r for r in rows if not r.get("error")]
    passing = sum(bool(r.get("passed")) for r in rows)
    lines = [f"Graded {len(rows)} submissions: {passing} met the pass mark ({rubric.pass_mark:g}), "
             f"{len(rows) - passing} did not, {len(rows) - len(graded)} could not be loaded."]
    buckets = [("100", 100.0, 100.0), ("90-99", 90.0, 99.95), ("70-89", 70.0, 89.95), ("50-69", 50.0, 69.95),
               ("0-49", 0.0, 49.95)]
    lines += ["", "Scores:"]
    for label, low, high in buckets:
        count = sum(low <= r["score"] <= high for r in graded)
        lines.append(f"  {label:>6}  {count:3d}  {'#' * count}")
    failures = collections.Counter(f for r in graded for f in r.get("failures", []))
    warnings = collections.Counter(w for r in graded for w in r.get("warnings", []))
    errors = collections.Counter(r["error"].split(":")[0] for r in rows if r.get("error"))
    for title, counter in (("Most common failures:", failures), ("Warnings (weight 0):", warnings),
                           ("Could not be loaded:", errors)):
        if counter:
            lines += ["", title]
            lines += [f"  {n:3d}  {what}" for what, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:5]]
    return "\n".join(lines)


def table(rows: Sequence[Row]) -> str:
    """A line per submission: score, pass mark met, name, and the first problem."""
    lines = []
    for r in rows:
        mark = "pass" if r.get("passed") else "FAIL"
        error = r.get("error")
        why = error.split(": ")[0] if error else ", ".join(r.get("failures", [])[:2])  # the CSV has it all
        why = why if len(why) <= 100 else why[:97] + "..."
        lines.append(f"{r['score']:5.1f}  {mark}  {r['name']}" + (f"  ({why})" if why else ""))
    return "\n".join(lines)
