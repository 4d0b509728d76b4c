"""Grading a class (docs/grading.md): `conform --grade` on a folder of planted submissions
(tests/grading_support.py) with the page's own rubric; resolution inside each student's
folder; the rubric and its score; outputs written whole or not at all."""

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import micrograd.engine
import pytest
from grading_support import write_class, write_submission

from autograd_lite.testing.conformance.cli import main
from autograd_lite.testing.conformance.grade import COLUMNS, grade_all
from autograd_lite.testing.conformance.report import FAILED, NOT_PROVIDED, PASSED, Report, Result
from autograd_lite.testing.conformance.rubric import RubricError, Rubric, grade, load_rubric, rubric_from

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
PAGE = ROOT / "docs" / "grading.md"
COMMAND = ("$ autograd-lite conform --grade submissions --engine micrograd.engine:Value --rubric rubric.toml "
           "--csv grades.csv --json grades.json")
INSTALLED = os.path.realpath(micrograd.engine.__file__)


def page_block(after, language):
    text = PAGE.read_text(encoding="utf-8")
    found = re.search(re.escape(after) + r"\n```\n\n```" + language + r"\n(.*?)\n```", text, re.DOTALL)
    assert found, f"docs/grading.md has no ```{language} block after {after!r}"
    return found.group(1)


def page_rubric():
    found = re.search(r"```toml\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.DOTALL)
    return found.group(1)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The page's command, run once in a fresh folder: (folder, exit code, stdout, seconds)."""
    folder = tmp_path_factory.mktemp("ml101")
    write_class(folder / "submissions")
    (folder / "rubric.toml").write_text(page_rubric(), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "autograd_lite.testing.conformance", *COMMAND.split()[3:]],
                         cwd=folder, env=env, capture_output=True, text=True, timeout=600)
    assert run.stderr == ""
    return folder, run.returncode, run.stdout, time.monotonic() - started


def rows_of(folder):
    with open(folder / "grades.csv", newline="", encoding="utf-8") as file:
        return {row["name"]: row for row in csv.DictReader(file)}


def test_the_page_shows_the_grading_run_exactly_as_it_prints(graded):
    folder, code, out, seconds = graded
    shown = out.rstrip("\n").replace(os.path.realpath(folder) + "/", "/home/teacher/ml101/")
    assert shown == page_block(COMMAND, "text")
    assert code == 1  # some submissions do not meet the pass mark
    assert seconds < 300


def test_each_row_names_the_students_own_file_and_its_sha256_never_the_installed_package(graded):
    folder = graded[0]
    rows = rows_of(folder)
    assert list(rows) == ["alice", "bob", "carol", "dan", "erin", "frank", "gina", "hugo"]
    with open(folder / "grades.csv", newline="", encoding="utf-8") as file:
        assert next(csv.reader(file)) == COLUMNS
    alice = folder / "submissions" / "alice" / "micrograd" / "engine.py"
    assert rows["alice"]["file"] == os.path.realpath(alice)
    assert rows["alice"]["sha256"] == hashlib.sha256(alice.read_bytes()).hexdigest()
    assert INSTALLED in rows["hugo"]["error"] and rows["hugo"]["file"] == ""
    assert "SyntaxError" in rows["gina"]["error"]


def test_the_rubric_passes_the_lecture_engine_with_warnings_and_fails_the_planted_bugs(graded):
    rows = rows_of(graded[0])
    assert rows["alice"]["passed"] == "True" and rows["alice"]["score"] == "100.0"
    assert rows["alice"]["second_backward"] == "warning" and rows["alice"]["deep_chain"] == "warning"
    assert rows["bob"]["passed"] == "True" and rows["bob"]["second_backward"] == "passed"
    assert rows["carol"]["fan_out"] == "failed" and rows["carol"]["passed"] == "False"
    assert rows["dan"]["passed"] == "False"  # a ** n is required by the page's rubric
    assert float(rows["carol"]["score"]) == 75.0  # fan_out's 25 of 100 lost
    assert all(rows[n]["passed"] == "False" and rows[n]["score"] == "0.0" for n in ("gina", "hugo"))


def test_the_json_has_the_same_rows_with_each_students_report(graded):
    folder = graded[0]
    data = json.loads((folder / "grades.json").read_text(encoding="utf-8"))
    csv_rows = rows_of(folder)
    assert [row["name"] for row in data] == list(csv_rows)
    for row in data:
        assert str(row["score"]) == csv_rows[row["name"]]["score"]
    carol = next(row for row in data if row["name"] == "carol")
    assert carol["report"]["file"].endswith("carol/micrograd/engine.py")


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity") or not os.path.exists("/proc/self/stat"),
                    reason="needs Linux's CPU affinity and /proc")
def test_more_jobs_than_cpus_and_a_busy_machine_leave_every_grade_as_it_is(graded, tmp_path):
    folder = graded[0]
    for student in ("alice", "bob", "carol"):
        shutil.copytree(folder / "submissions" / student, tmp_path / student)
    before = os.sched_getaffinity(0)
    core = min(before)
    spin = "import os\nos.sched_setaffinity(0, {%d})\nwhile True: pass\n" % core
    spinner = subprocess.Popen([sys.executable, "-c", spin])
    os.sched_setaffinity(0, {core})  # three jobs and a spinning process on one core
    try:
        rows = grade_all(str(tmp_path), "micrograd.engine:Value", load_rubric(str(folder / "rubric.toml")), jobs=3)
    finally:
        os.sched_setaffinity(0, before)
        spinner.kill()
        spinner.wait()
    alone = rows_of(folder)
    for row in rows:
        assert (str(row["score"]), str(row["passed"])) == (alone[row["name"]]["score"], alone[row["name"]]["passed"])
        assert "; ".join(row["failures"]) == alone[row["name"]]["failures"]


def test_a_namespace_folder_is_graded_from_the_submission_not_from_site_packages(tmp_path):
    write_submission(tmp_path / "alice", "iterative")
    out = tmp_path / "report.json"
    assert main(["micrograd.engine:Value", "--path", str(tmp_path / "alice"), f"--json={out}"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    engine = tmp_path / "alice" / "micrograd" / "engine.py"
    assert data["file"] == os.path.realpath(engine) != INSTALLED
    assert data["sha256"] == hashlib.sha256(engine.read_bytes()).hexdigest()


def test_a_module_found_only_outside_the_folder_is_refused_naming_the_file(tmp_path, capsys):
    out = tmp_path / "report.json"
    assert main(["micrograd.engine:Value", "--path", str(tmp_path), f"--json={out}"]) == 2
    err = capsys.readouterr().err
    assert INSTALLED in err and "--installed" in err and err.count("\n") == 1
    assert not out.exists()  # a load failure leaves no file, not an empty one


def test_a_link_out_of_the_folder_is_refused(tmp_path, capsys):
    (tmp_path / "engine.py").symlink_to(INSTALLED)
    assert main(["engine:Value", "--path", str(tmp_path)]) == 2
    assert f"resolves to {INSTALLED}, outside" in capsys.readouterr().err


def test_outputs_are_written_whole_or_not_at_all(tmp_path, capsys):
    write_submission(tmp_path / "subs" / "gina", "syntax error")
    grades = tmp_path / "grades.csv"
    args = ["--grade", str(tmp_path / "subs"), "--engine", "micrograd.engine:Value", "--csv", str(grades)]
    assert main([*args, "--json", str(tmp_path / "no-such-folder" / "grades.json")]) == 2
    assert not grades.exists() and list(tmp_path.iterdir()) == [tmp_path / "subs"]
    capsys.readouterr()
    assert main(args) == 1  # a row with the error, never an empty file
    assert rows_of(tmp_path)["gina"]["error"].startswith("importing micrograd.engine raised SyntaxError")


def report_of(statuses):
    """A report with the given {line: (kind, status)}."""
    return Report("x", [Result(name, kind, status) for name, (kind, status) in statuses.items()])


LINES = {"a + b": ("op", PASSED), "a * b": ("op", PASSED), "a.tanh()": ("op", FAILED), "a.exp()": ("op", NOT_PROVIDED),
         "n - a": ("op", PASSED), "random graphs without fan-out (trees)": ("property", PASSED),
         "fan-out: a node used twice or more": ("property", FAILED),
         "a second backward() gives": ("property", FAILED)}


def test_the_score_is_the_weighted_share_that_holds_computed_by_hand():
    graded = grade(report_of(LINES))
    # ops: 2 of 3 provided pass (exp is not provided): 40 * 2/3; reflected 10; gradients 25;
    # fan-out 0 of 25; second backward weighs 0 (a warning); no deep chain line: 100 in all
    assert graded.score == round(100 * (40 * 2 / 3 + 10 + 25) / 100, 1)
    assert graded.warnings == ["a second backward() gives"]
    assert not graded.passed and graded.properties["fan_out"] == FAILED


def test_a_required_op_that_fails_fails_the_pass_mark_whatever_the_score():
    graded = grade(report_of(LINES), Rubric(pass_mark=0.0, required_ops=("a.tanh()",)))
    assert not graded.passed and graded.problems == ["required op a.tanh(): failed"]
    assert grade(report_of(LINES), Rubric(pass_mark=60.0, required_ops=("a + b",))).passed


def test_a_rubric_is_read_from_toml_or_json_and_a_typo_is_an_error(tmp_path):
    (tmp_path / "r.json").write_text('{"pass_mark": 80, "weights": {"deep_chain": 5}}', encoding="utf-8")
    rubric = load_rubric(str(tmp_path / "r.json"))
    assert rubric.pass_mark == 80 and rubric.weights["deep_chain"] == 5 and rubric.weights["ops"] == 40
    (tmp_path / "r.toml").write_text(page_rubric(), encoding="utf-8")
    assert load_rubric(str(tmp_path / "r.toml")).required_ops == ("a + b", "a * b", "a ** n", "a.relu()")
    for bad, message in [({"pass_mark": 120}, "pass_mark must be a number from 0 to 100"),
                         ({"weights": {"fanout": 1}}, "no property called 'fanout'"),
                         ({"required_ops": ["a+b"]}, "no op called 'a+b'"),
                         ({"passmark": 50}, "unknown key 'passmark'")]:
        with pytest.raises(RubricError, match=re.escape(message)):
            rubric_from(bad)


def test_a_bad_rubric_is_exit_code_2_with_what_to_fix(tmp_path, capsys):
    (tmp_path / "r.json").write_text("{", encoding="utf-8")
    assert main(["engine:Value", "--rubric", str(tmp_path / "r.json")]) == 2
    assert "is not valid JSON" in capsys.readouterr().err
