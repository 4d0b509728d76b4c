"""The hypothesis profiles of tests/conftest.py: CI is deterministic, thorough searches far more."""

import os
import subprocess
import sys
from pathlib import Path

from hypothesis import settings

import conftest

TESTS = Path(__file__).resolve().parent

# A property that records every example it sees, run in a fresh pytest with this conftest.
RECORDING_PROPERTY = '''
import os
from hypothesis import given, strategies as st

@given(st.floats(-3.0, 3.0), st.integers(0, 1000))
def test_record(x, n):
    with open(os.environ["RECORD_TO"], "a") as record:
        record.write(f"{x!r} {n}\\n")
'''


def test_the_ci_profile_is_derandomized_bounded_and_prints_reproduction_blobs():
    ci = settings.get_profile("ci")
    assert ci.derandomize is True and ci.database is None
    assert ci.print_blob is True and ci.max_examples == conftest.CI_EXAMPLES


def test_the_default_dev_profile_draws_100_random_examples():
    dev = settings.get_profile("dev")
    assert dev.max_examples == 100 and dev.derandomize is False


def test_the_thorough_profile_is_random_and_searches_far_more_than_ci():
    thorough, ci = settings.get_profile("thorough"), settings.get_profile("ci")
    assert thorough.derandomize is False
    assert thorough.max_examples >= 50 * ci.max_examples
    assert conftest.THOROUGH_MINIMUM >= 5 * ci.max_examples


def test_expensive_properties_get_fewer_thorough_examples_but_never_fewer_than_5x_ci(monkeypatch):
    monkeypatch.setattr(conftest, "PROFILE", "thorough")
    assert conftest.thorough_examples(1) == conftest.THOROUGH_EXAMPLES
    assert conftest.thorough_examples(4) == conftest.THOROUGH_EXAMPLES // 4
    assert conftest.thorough_examples(1000) == 5 * conftest.CI_EXAMPLES
    monkeypatch.setattr(conftest, "PROFILE", "ci")
    assert conftest.thorough_examples(1000) == settings.default.max_examples


def run_recording_property(tmp_path, run, environment):
    folder = tmp_path / f"run{run}"
    folder.mkdir()
    (folder / "conftest.py").write_text((TESTS / "conftest.py").read_text())
    (folder / "test_record.py").write_text(RECORDING_PROPERTY)
    record = folder / "examples.txt"
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "HYPOTHESIS_PROFILE")}
    env.update(environment, RECORD_TO=str(record))
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_record.py"],
                            cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return record.read_text().splitlines()


def test_with_ci_set_two_runs_test_exactly_the_same_examples(tmp_path):
    first, second = (run_recording_property(tmp_path, run, {"CI": "true"}) for run in (1, 2))
    assert len(first) >= conftest.CI_EXAMPLES // 2  # the profile was loaded: far more than a few
    assert first == second


def test_without_ci_runs_are_random(tmp_path):
    # the check above could pass if the recording saw nothing random; here it must differ
    first, second = (run_recording_property(tmp_path, run, {}) for run in (1, 2))
    assert first != second


def test_dev_and_thorough_stay_random_on_a_ci_machine(tmp_path):
    # GITHUB_ACTIONS makes hypothesis load its own derandomized "ci" profile at import;
    # the other profiles must not inherit derandomize from it.
    first, second = (run_recording_property(tmp_path, run, {"GITHUB_ACTIONS": "true"}) for run in (1, 2))
    assert first != second
    script = "import conftest; from hypothesis import settings; print(settings.get_profile('thorough').derandomize)"
    env = dict(os.environ, GITHUB_ACTIONS="true")
    result = subprocess.run([sys.executable, "-c", script], cwd=TESTS, env=env, capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout.strip() == "False"
