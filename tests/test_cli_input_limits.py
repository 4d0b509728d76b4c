"""Unbounded input is refused early, in one line: a CSV "row" without line breaks after a
bounded read (never a MemoryError or an out-of-memory kill), and a model too big to build
before a single parameter is made."""

import os
import sys
import tracemalloc

import pytest

from autograd_lite.cli.csvdata import MAX_ROW_CHARS, CsvTable
from autograd_lite.cli.errors import CommandError
from autograd_lite.nn.export import MAX_PARAMETERS
from cli_support import REPO, call_cli, error_line, write_csv

LIMIT_BYTES = 512 * 2**20  # address space for the child: reading /dev/zero whole would exceed it in seconds


def _run_limited(*args, cwd):
    """``python -m autograd_lite *args`` with at most LIMIT_BYTES of address space."""
    import resource
    import subprocess

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p))
    return subprocess.run([sys.executable, "-m", "autograd_lite", *args], cwd=cwd, env=env, preexec_fn=limit,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not os.path.exists("/dev/zero") or sys.platform != "linux", reason="Linux /dev/zero")
@pytest.mark.parametrize("command", ["train", "predict"])
def test_dev_zero_as_data_is_refused_in_one_line_within_bounded_memory(tmp_path, command):
    if command == "predict":
        assert call_cli("train", "--data", "moons", "--epochs", "1", "--hidden", "2", "--save", "m.json",
                        cwd=tmp_path).returncode == 0
    args = ["train", "--data", "/dev/zero"] if command == "train" else ["predict", "m.json", "/dev/zero"]
    result = _run_limited(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-500:]
    assert f"/dev/zero, line 1: a row of more than {MAX_ROW_CHARS:,} characters" in error_line(result, command)


def test_a_long_line_without_a_newline_is_refused_after_reading_only_about_the_limit(tmp_path):
    path = tmp_path / "one_line.csv"
    path.write_text("1," * (4 * MAX_ROW_CHARS))  # 8 MiB, no line break
    tracemalloc.start()
    try:
        with pytest.raises(CommandError, match=r"line 1: a row of more than 1,048,576 characters"):
            CsvTable(str(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * MAX_ROW_CHARS  # well under the file's 8 MiB: a bounded read, not the whole line


def test_a_row_spread_over_many_lines_by_quotes_is_bounded_too(tmp_path):
    path = tmp_path / "quoted.csv"
    field = '"' + "x\n" * 1000 + '"'  # 2,000 characters, well under csv's field limit
    path.write_text("a,b\n" + ",".join([field] * (MAX_ROW_CHARS // 2000 + 1)) + "\n")
    with pytest.raises(CommandError, match=r"line 2: a row of more than 1,048,576 characters"):
        with CsvTable(str(path)) as table:
            list(table)


def test_rows_just_under_the_limit_are_read_and_a_wide_header_is_checked_in_linear_time(tmp_path):
    width = MAX_ROW_CHARS // 8 - 1  # "1234567," is 8 characters; with the newline, under the limit
    write_csv(tmp_path / "wide.csv", [f"f{i}" for i in range(width)] + ["label"],
              [[1234567] * width + ["a"], [7654321] * width + ["b"]])
    with CsvTable(str(tmp_path / "wide.csv")) as table:
        rows = list(table)
    assert [(values[0], values[-1], label) for _, values, label in rows] == [(1234567, 1234567, "a"),
                                                                            (7654321, 7654321, "b")]


def test_hidden_layers_too_big_to_build_are_refused_before_reading_anything():
    result = call_cli("train", "--data", "no-such-file.csv", "--hidden", "100000,100000")
    assert result.returncode == 2
    line = result.stderr.splitlines()[-1]
    assert "10,000,100,000 parameters between the hidden layers" in line  # 100000 * 100000 + 100000 biases
    assert f"more than {MAX_PARAMETERS:,}" in line and "no-such-file" not in result.stderr


def test_a_model_too_big_for_its_inputs_is_refused_before_building(tmp_path):
    # the hidden layers alone have 1000 * 997 + 997 = 997,997 parameters, under the limit; with
    # iris' 4 inputs and 3 classes: (4 * 1000 + 1000) + 997,997 + (997 * 3 + 3) = 1,005,991
    result = call_cli("train", "--data", "iris", "--hidden", "1000,997", "--epochs", "1")
    assert result.returncode == 2
    assert "has 1,005,991 parameters" in error_line(result, "train")
    assert result.stdout == ""  # nothing built, nothing trained
    assert 1000 * 997 + 997 < MAX_PARAMETERS < 1_005_991
