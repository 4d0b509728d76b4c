"""`autograd-lite conform MODULE:CLASS` and `python -m autograd_lite.testing.conformance`:
exit codes 0 / 1 / 2, --json, one-line errors for engines that cannot be loaded, and the
pytest helper a course puts in its test file."""

import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conformance_support import report

from autograd_lite.cli import main as autograd_lite_main
from autograd_lite.testing.conformance.cli import main, write

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A working folder the engine modules are written to; sys.path and modules restored."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    yield tmp_path
    for name in [n for n in sys.modules if n.startswith(("engine_", "student_engine"))]:
        del sys.modules[name]


@pytest.mark.parametrize("spec, files, message", [
    ("my_engine", {}, "'my_engine' is not of the form MODULE:CLASS"),
    ("my_engine.py:Value", {}, "give the module name without .py, e.g. my_engine:Value"),
    ("missing_engine:Value", {}, "run from the folder that contains missing_engine.py (or use --path)"),
    ("engine_a:Valu", {"engine_a.py": "class Value:\n    pass\n"}, "engine_a has no attribute 'Valu'; its classes: Value"),
    ("engine_b:make", {"engine_b.py": "def make(x):\n    return x\n"}, "engine_b:make is a function, not a class"),
    ("engine_c:Value", {"engine_c.py": "import math\nmath.log(-1)\n"},
     "importing engine_c raised ValueError: math domain error; fix the module, then run again"),
    ("engine_d:Value", {"engine_d.py": "class Value(:\n"}, "importing engine_d raised SyntaxError"),
    ("engine_e:Value", {"engine_e.py": "import sys\nsys.exit(3)\n"}, "importing engine_e raised SystemExit: 3"),
])
def test_an_engine_that_cannot_be_loaded_is_one_line_on_stderr_and_exit_code_2(folder, capsys, spec, files, message):
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    assert main([spec]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert autograd_lite_main(["conform", spec]) == 2
    assert message in capsys.readouterr().err


def test_a_passing_engine_exits_0_and_prints_the_same_report_as_an_earlier_run(capsys):
    assert autograd_lite_main(["conform", "engines.iterative:Value", "--installed"]) == 0
    earlier = report("engines.iterative:Value")
    out = capsys.readouterr().out
    assert out == str(earlier) + "\n\nScore 100 of 100 by the default rubric, pass mark 100 met\n"
    assert out.splitlines()[1].startswith(f"File: {TESTS / 'engines' / 'iterative.py'} (sha256 ")


def test_a_failing_engine_exits_1_and_json_is_the_report_as_data(capsys):
    assert main(["engines.odd:ConstructorRaises", "--installed", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["passed"] is False and data["engine"] == "engines.odd:ConstructorRaises"
    assert data["not_provided"] == [] and data["backward_twice"] is None
    assert data["results"][0]["status"] == "failed"
    assert data["results"][0]["counterexample"]["error"] == "ConstructorRaises(0.5) raised ValueError: no Values today"


def test_an_engine_in_the_current_folder_is_found_by_the_console_command(folder, capsys):
    (folder / "student_engine.py").write_text("class Value:\n    def __init__(self, x):\n        self.data = x\n",
                                              encoding="utf-8")
    assert autograd_lite_main(["conform", "student_engine:Value"]) == 1
    assert "Value(0.5) has no .grad and no .backward()" in capsys.readouterr().out


def test_usage_errors_exit_2():
    with pytest.raises(SystemExit) as exit_:
        main(["--no-such-option", "a:B"])
    assert exit_.value.code == 2


def test_python_dash_m_runs_the_kit_without_a_traceback(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(TESTS)]))
    run = [sys.executable, "-m", "autograd_lite.testing.conformance"]
    failing = subprocess.run([*run, "engines.odd:ConstructorRaises", "--installed"], capture_output=True, text=True, env=env,
                             cwd=tmp_path, timeout=120)
    assert failing.returncode == 1 and failing.stderr == ""
    assert "FAILED: 1 failed, 0 passed, 0 not provided" in failing.stdout.splitlines()
    missing = subprocess.run([*run, "nope:Value"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert missing.returncode == 2 and missing.stdout == "" and "Traceback" not in missing.stderr


def test_installed_finds_a_package_where_python_would_import_it_an_editable_install_included(tmp_path):
    """pip install -e puts an import hook on sys.meta_path, not a folder on sys.path: the
    project itself, installed that way by the README, is checked from an unrelated folder."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([sys.executable, "-m", "autograd_lite.testing.conformance", "autograd_lite:Value",
                          "--installed"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert run.stderr == "" and run.returncode == 0, run.stderr
    assert f"File: {ROOT / 'autograd_lite' / '__init__.py'} (sha256 " in run.stdout


def test_a_console_that_cannot_encode_the_report_gets_escapes_instead_of_a_crash():
    console = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    write("x0.log() raised ValueError: log(\u03c0 - 4) is undefined", console)
    console.seek(0)
    assert console.read() == "x0.log() raised ValueError: log(\\u03c0 - 4) is undefined\n"


def test_pytest_suite_gives_one_test_per_line_of_the_report(tmp_path):
    (tmp_path / "test_course.py").write_text(textwrap.dedent("""\
        from autograd_lite.testing import conformance
        from engines.odd import OnlyAddAndMultiply

        test_first_lecture = conformance.pytest_suite(OnlyAddAndMultiply)
        test_typo = conformance.pytest_suite("engines.no_such_engine:Value")
        """), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(TESTS)]))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rN", "test_course.py"],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert run.stdout.splitlines()[-1].startswith("28 failed, 6 passed, 22 skipped"), run.stdout
    assert "the engine could not be loaded: no module named 'engines.no_such_engine'" in run.stdout
