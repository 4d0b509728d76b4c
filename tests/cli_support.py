"""Running the command line: as a subprocess (``python -m autograd_lite``, the real entry
point, from the repository without installing it) or in-process through ``main`` for the
long lists of rejected inputs, where a process per case would cost a quarter second each."""

import contextlib
import csv
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

from autograd_lite.cli import main

REPO = Path(__file__).resolve().parent.parent


class Result(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args, cwd, env=None, timeout=120):
    """``python -m autograd_lite *args`` in ``cwd``, with the repository on PYTHONPATH."""
    environment = dict(os.environ, **(env or {}))
    paths = [p for p in (environment.get("PYTHONPATH_FIRST"), str(REPO), environment.get("PYTHONPATH")) if p]
    environment["PYTHONPATH"] = os.pathsep.join(paths)
    environment.pop("PYTHONPATH_FIRST", None)
    finished = subprocess.run([sys.executable, "-m", "autograd_lite", *map(str, args)], cwd=cwd,
                              env=environment, capture_output=True, text=True, timeout=timeout)
    return Result(finished.returncode, finished.stdout, finished.stderr)


def call_cli(*args, cwd=None):
    """``main(args)`` in this process, with its output captured and argparse's exits caught."""
    out, err = io.StringIO(), io.StringIO()
    previous = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exit_:
                code = exit_.code
    finally:
        os.chdir(previous)
    return Result(code, out.getvalue(), err.getvalue())


def printed_numbers(stdout):
    """{"f": value, "df/dx": gradient, ...} from `grad`'s 'name = number' lines."""
    numbers = {}
    for line in stdout.splitlines():
        name, sep, text = line.partition(" = ")
        try:
            numbers[name] = float(text)
        except ValueError:
            continue
    return numbers


def write_csv(path, header, rows):
    """A CSV file at ``path`` with a header row and ``rows``; returns ``path``."""
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def error_line(result, command):
    """The single stderr line of a refused command, checked to be one clean line."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"autograd-lite {command}: error: "), result.stderr
    return lines[0]
