"""docs/design.md's file map names every file of the two packages, and nothing that is gone."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_the_map_names_every_module_and_only_existing_files():
    page = (ROOT / "docs" / "design.md").read_text()
    section = page[page.index("## Where things live"):page.index("## One definition per op")]
    named = set(re.findall(r"^\| `([^`]+)` \|", section, flags=re.MULTILINE))
    files = {str(p.relative_to(ROOT)) for folder in ("autograd_lite", "nn") for p in (ROOT / folder).rglob("*.py")}
    assert not files - named, f"files missing from docs/design.md's map: {sorted(files - named)}"
    gone = {name for name in named if not (ROOT / name).exists()}
    assert not gone, f"docs/design.md's map names files that do not exist: {sorted(gone)}"
