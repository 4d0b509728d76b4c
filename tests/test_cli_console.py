"""Every subcommand runs on a console that cannot encode its notation (ASCII, cp1252) and
with a reader that closes the pipe early, as a real process: no traceback, a sensible exit
code, and notation written as ASCII (``·`` -> ``*``, ``∂`` -> ``D``, ``−`` -> ``-``)."""

import csv
import os
import subprocess
import sys

import pytest

from autograd_lite import nn
from autograd_lite.cli.console import ASCII_NOTATION, BROKEN_PIPE_EXIT, ERRORS
from cli_support import REPO

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes and byte arguments")

SETOSA, VERSICOLOR, VIRGINICA = "s\u00e9tosa", "versi\u2202color", "virg\u00b7inica \U0001f600"


def run(*args, cwd, encoding=None, stdout=subprocess.PIPE, stderr=subprocess.PIPE):
    """``python -m autograd_lite *args`` with the repository on PYTHONPATH; output as bytes."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    env.pop("PYTHONIOENCODING", None)
    if encoding:
        env["PYTHONIOENCODING"] = encoding
    return subprocess.run([sys.executable, "-m", "autograd_lite", *args], cwd=cwd, env=env,
                          stdout=stdout, stderr=stderr, timeout=300)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """Iris with the species spelled in characters ASCII (and partly cp1252) lacks, and a
    model trained on it."""
    folder = tmp_path_factory.mktemp("console")
    X, y = nn.datasets.iris()
    with open(folder / "flowers.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["a", "b", "c", "d", "species"])
        writer.writerows([*x, (SETOSA, VERSICOLOR, VIRGINICA)[t]] for x, t in zip(X, y))
    trained = run("train", "--data", "flowers.csv", "--hidden", "4", "--epochs", "1", "--save",
                  "model.json", cwd=folder)
    assert trained.returncode == 0, trained.stderr.decode()
    return folder


COMMANDS = {
    "grad": ["grad", "x*x", "x=3", "--explain"],
    "train": ["train", "--data", "flowers.csv", "--hidden", "4", "--epochs", "2", "--save", "again.json"],
    "predict": ["predict", "model.json", "flowers.csv"],
    "demo": ["demo", "--epochs", "1", "--out", "demo"],
    "help": ["--help"],
    "grad-help": ["grad", "--help"],
}


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_runs_on_a_console_that_lacks_its_characters(workdir, command, encoding):
    result = run(*COMMANDS[command], cwd=workdir, encoding=encoding)
    stderr = result.stderr.decode(encoding)  # strict: every byte is in the console's encoding
    assert "Traceback" not in stderr
    assert result.returncode == 0, stderr
    stdout = result.stdout.decode(encoding)
    assert stdout.strip()
    if command == "grad":  # d(x*x)/dx at 3: the two paths give 3 + 3 = 6
        assert "df/dx = 6.0" in stdout
        (equation,) = [line for line in stdout.splitlines() if line.startswith("df/dx = D")]
        assert equation.endswith("= 6")
        assert "\\u" not in equation  # the notation has ASCII spellings, not escapes


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
def test_names_the_console_cannot_show_are_escaped_not_mangled_into_a_crash(workdir, encoding):
    result = run("predict", "model.json", "flowers.csv", cwd=workdir, encoding=encoding)
    assert result.returncode == 0 and b"Traceback" not in result.stderr
    header = result.stdout.decode(encoding).splitlines()[0]
    assert "\\U0001f600" in header  # no ASCII spelling: a backslash escape
    assert "versiDcolor" in header  # ∂ -> D


def test_an_error_about_a_character_the_console_lacks_is_one_line(tmp_path):
    result = run("grad", "x\u00b2 + \u03b8", "x=3", cwd=tmp_path, encoding="ascii")
    assert result.returncode == 2
    stderr = result.stderr.decode("ascii")
    assert "Traceback" not in stderr and stderr.startswith("autograd-lite grad: error:")
    assert "U+00B2" in stderr


def test_an_undecodable_argument_is_echoed_as_an_escape(tmp_path):
    # On a UTF-8 system the byte 0xff arrives as the lone surrogate U+DCFF, which UTF-8
    # itself cannot encode when the error message repeats the argument.
    result = subprocess.run([sys.executable, "-m", "autograd_lite", "grad", b"x\xff", "x=1"], cwd=tmp_path,
                            env=dict(os.environ, PYTHONPATH=str(REPO), PYTHONIOENCODING="utf-8"),
                            capture_output=True, timeout=120)
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr and b"autograd-lite grad: error:" in result.stderr


def closed_pipe():
    """The write end of a pipe whose reader has already gone: every write fails with EPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    return write_end


@pytest.mark.parametrize("command", COMMANDS)
def test_a_reader_that_closed_the_pipe_ends_the_command_quietly(workdir, command):
    (workdir / "again.json").unlink(missing_ok=True)  # train's output, from an earlier test
    write_end = closed_pipe()
    try:
        result = run(*COMMANDS[command], cwd=workdir, stdout=write_end)
    finally:
        os.close(write_end)
    assert b"Traceback" not in result.stderr and b"Exception ignored" not in result.stderr
    assert result.stderr == b"" or command == "predict"  # predict's accuracy line goes to stderr
    # From Python 3.11 on, argparse's help swallows the write error itself and exits 0; the
    # rest, and help on 3.10, stop with 141.
    swallowed = "help" in command and sys.version_info >= (3, 11)
    assert result.returncode == (0 if swallowed else BROKEN_PIPE_EXIT)
    assert not (workdir / "again.json").exists()  # train stopped at its first line


def test_with_stderr_on_the_closed_pipe_too_the_exit_is_still_quiet(tmp_path):
    write_end = closed_pipe()
    try:
        result = run("grad", "x**", "x=3", cwd=tmp_path, stdout=write_end, stderr=write_end)
    finally:
        os.close(write_end)
    assert result.returncode == BROKEN_PIPE_EXIT  # a traceback at exit would give 1 or 120


def test_head_reading_one_line_then_leaving_stops_training_quietly(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    process = subprocess.Popen([sys.executable, "-m", "autograd_lite", "demo", "--epochs", "60", "--out", "d"],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = process.stdout.readline()
    process.stdout.close()  # what `| head -1` does after its line
    stderr = process.stderr.read()
    process.wait(timeout=300)
    assert first.startswith(b"Training")
    assert b"Traceback" not in stderr
    assert process.returncode in (0, BROKEN_PIPE_EXIT)  # 0 if it finished before the reader left


def test_every_notation_character_has_a_plain_ascii_spelling():
    for char, spelling in ASCII_NOTATION.items():
        assert spelling.isascii() and spelling, char
        assert char.encode("ascii", ERRORS) == spelling.encode("ascii")
    assert "\u03b8".encode("ascii", ERRORS) == b"\\u03b8"
    assert "\udcff".encode("utf-8", ERRORS) == b"\\udcff"


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
def test_in_ascii_a_local_partial_still_never_reads_as_the_total(tmp_path, encoding):
    # explain writes totals with d and an op's local partial with ∂; a console without ∂
    # must not turn df/dt1 = ∂f/∂t1 + ∂f/∂t1 into the circular-looking df/dt1 = df/dt1 + df/dt1.
    result = run("grad", "tanh(v1)*tanh(v1)", "v1=0.5", "--explain", cwd=tmp_path, encoding=encoding)
    text = result.stdout.decode("ascii")
    assert result.returncode == 0
    assert "df/dt1 = Df/Dt1 + Df/Dt1" in text
    assert "D: one op's local partial" in text
