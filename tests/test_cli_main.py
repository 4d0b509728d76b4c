"""The entry points: `python -m autograd_lite`, --help everywhere, --version, and that the
command line costs `import autograd_lite` nothing."""

import subprocess
import sys

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, as a package (the test-core extra)
    import tomli as tomllib

from cli_support import REPO, call_cli, run_cli


def test_version_is_the_projects_version(tmp_path):
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    result = run_cli("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"autograd-lite {declared}"


def test_the_console_script_is_declared():
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"autograd-lite": "autograd_lite.cli:main"}


@pytest.mark.parametrize("command", [[], ["demo"], ["grad"], ["train"], ["predict"]])
def test_help_everywhere(command):
    result = call_cli(*command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: autograd-lite")
    assert "--help" in result.stdout


def test_help_lists_every_command():
    text = call_cli("--help").stdout
    for command in ("demo", "grad", "train", "predict"):
        assert f"    {command} " in text


def test_no_command_prints_usage_and_exits_2():
    result = call_cli()
    assert result.returncode == 2
    assert "usage: autograd-lite" in result.stdout


def test_unknown_command_exits_2():
    result = call_cli("fly")
    assert result.returncode == 2
    assert "invalid choice: 'fly'" in result.stderr


def test_importing_the_library_does_not_import_the_command_line():
    code = "import sys, autograd_lite, nn; print(sorted(m for m in sys.modules if '.cli' in m))"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
