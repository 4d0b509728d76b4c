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
