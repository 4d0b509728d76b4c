"""The README and the docs' Getting started page describe the `test` extra in one sentence,
the same in both, naming exactly the packages pyproject.toml lists for it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SENTENCE = re.compile(r"The `test` extra adds .*?\.(?=\s|$)", re.DOTALL)


def extra_packages():
    """The package names in pyproject.toml's ``test = [...]`` (tomllib is 3.11+ only)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    listing = re.search(r"^test = \[(.*?)\]", text, flags=re.MULTILINE | re.DOTALL)[1]
    return {re.match(r"[A-Za-z0-9_.-]+", item)[0].lower() for item in re.findall(r'"([^"]+)"', listing)}


def description(path):
    found = SENTENCE.findall((ROOT / path).read_text(encoding="utf-8"))
    assert len(found) == 1, f"{path} should describe the test extra once, found {len(found)}"
    return " ".join(found[0].split())


def test_readme_and_getting_started_describe_the_test_extra_alike():
    assert description("README.md") == description("docs/index.md")


def test_the_description_names_every_package_of_the_test_extra():
    named = set(re.findall(r"[a-z][a-z0-9-]+", description("README.md")))
    packages = extra_packages()
    assert len(packages) >= 5
    assert packages <= named, f"not described: {sorted(packages - named)}"


def packages_of(extra):
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    listing = re.search(rf"^{re.escape(extra)} = \[(.*?)\]", text, flags=re.MULTILINE | re.DOTALL)[1]
    return {re.match(r"[A-Za-z0-9_.-]+", item)[0].lower() for item in re.findall(r'"([^"]+)"', listing)}


def test_the_test_core_extra_is_the_test_extra_less_the_heavy_parts():
    core, full = packages_of("test-core"), packages_of("test")
    assert core - full == {"tomli"}  # tomllib's backport, for Python 3.10
    assert full - core == {"torch", "playwright", "nbclient", "nbformat", "ipykernel", "mypy", "matplotlib"}


def test_ci_runs_the_suite_on_the_oldest_and_newest_python_the_readme_names():
    requires = re.search(r'^requires-python = ">=(3\.\d+)"', (ROOT / "pyproject.toml").read_text(), re.MULTILINE)[1]
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    oldest, newest = re.search(r"for any supported Python \((3\.\d+) to (3\.\d+)\)", readme).groups()
    assert oldest == requires
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(rf"^for version in {re.escape(oldest)} {re.escape(newest)}; do$", ci, re.MULTILINE)
    assert 'pip" install --quiet -e ".[test-core]"' in ci
    assert 'CI=true AUTOGRAD_LITE_TEST_CORE=1 ".venv-$version/bin/python" -m pytest' in ci


def test_no_page_shows_a_temporary_path():
    """What a page shows is typed or printed by a test run; neither may carry a temporary folder
    (a notebook's printed outputs are checked when it runs, in tests/test_notebooks.py)."""
    import re
    docs = Path(__file__).resolve().parent.parent / "docs"
    pages = [*docs.glob("*.md"), Path(__file__).resolve().parent.parent / "README.md"]
    shown = [page.name for page in pages if re.search(r"/tmp/|/var/folders/|\btmp[a-z0-9_]{8}\b",
                                                      page.read_text(encoding="utf-8"))]
    assert shown == []


def test_each_notebooks_title_is_its_name_in_the_sites_navigation():
    """mkdocs-jupyter titles a notebook's page from its first heading (and drops a code span in
    it), so the heading and the nav entry in docs/mkdocs.yml must say the same thing."""
    import json
    nav = {}
    for line in (ROOT / "docs" / "mkdocs.yml").read_text(encoding="utf-8").splitlines():
        found = re.match(r"\s*- (.+): (notebooks/\S+\.ipynb)$", line)
        if found:
            nav[found.group(2)] = found.group(1)
    notebooks = sorted((ROOT / "docs" / "notebooks").glob("*.ipynb"))
    assert {f"notebooks/{path.name}" for path in notebooks} == set(nav)
    for path in notebooks:
        first = "".join(json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"]).splitlines()[0]
        assert first == f"# {nav[f'notebooks/{path.name}']}", path.name
