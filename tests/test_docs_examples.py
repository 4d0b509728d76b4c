"""Every ```python block under docs/ runs, and every output a page shows is what the code prints.

The rule for pages:

* A page's ```python blocks run top to bottom in one namespace, like a notebook, with the
  working directory set to a fresh temporary folder (files a page saves go there).
* A ```python block followed directly (only blank lines between) by a ```text block must
  print exactly that text. Only trailing newlines are ignored, so every number shown is
  asserted.
* Code that must not run (an excerpt, a table row) goes in a ```text block. The aliases
  ```py and ```python3 are refused, so no Python block can slip past the runner.
"""

import contextlib
import importlib.util
import io
import re
import textwrap
import traceback
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[^\s`{]*)")
REFUSED_LANGUAGES = {"py", "python3", "py3"}


class Block:
    """One fenced code block: its language, its text and the line its fence opens on."""

    def __init__(self, lang, code, line):
        self.lang, self.code, self.line = lang, code, line
        self.expected_output = None  # the ```text block shown right after a python block
        self.blank_lines_after = 0

    def __repr__(self):
        return f"Block({self.lang!r}, line {self.line})"


def fenced_blocks(markdown):
    """The fenced code blocks of a Markdown page, in order, each python block paired with
    the ```text block that directly follows it (if any)."""
    lines = markdown.splitlines()
    blocks, index, previous_end = [], 0, None
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        fence, indent = opening["fence"], opening["indent"]
        start = index
        index += 1
        body = []
        while index < len(lines) and not re.match(rf"^[ \t]*{re.escape(fence)}{fence[0]}*[ \t]*$", lines[index]):
            body.append(lines[index])
            index += 1
        if index == len(lines):
            raise ValueError(f"line {start + 1}: the {fence} fence is never closed")
        code = textwrap.dedent("\n".join(body)) if indent else "\n".join(body)
        block = Block(opening["lang"].lower(), code + "\n", start + 1)
        if (blocks and block.lang == "text" and blocks[-1].lang == "python"
                and all(not line.strip() for line in lines[previous_end + 1:start])):
            blocks[-1].expected_output = block.code
        blocks.append(block)
        previous_end = index
        index += 1
    return blocks


def run_page(markdown, name="<page>"):
    """Run a page's python blocks in order in one namespace; raise AssertionError naming the
    block's line if one fails or prints something other than the text shown after it."""
    blocks = fenced_blocks(markdown)
    for block in blocks:
        if block.lang in REFUSED_LANGUAGES:
            raise AssertionError(f"{name}:{block.line}: use ```python (executed) or ```text "
                                 f"(not executed), not ```{block.lang}")
    namespace = {"__name__": "__docs__"}
    for block in (b for b in blocks if b.lang == "python"):
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                exec(compile(block.code, f"{name}:{block.line}", "exec"), namespace)
        except Exception:
            raise AssertionError(f"{name}:{block.line}: the python block raised\n"
                                 f"{traceback.format_exc()}") from None
        if block.expected_output is not None:
            shown, actual = block.expected_output.rstrip("\n"), printed.getvalue().rstrip("\n")
            if shown != actual:
                raise AssertionError(f"{name}:{block.line}: the page shows\n{shown}\n"
                                     f"but the code prints\n{actual}")


PAGES = sorted(DOCS.rglob("*.md"))


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_every_python_block_on_the_page_runs_and_prints_what_the_page_shows(page, tmp_path, monkeypatch):
    text = page.read_text(encoding="utf-8")
    if needs_torch(text) and importlib.util.find_spec("torch") is None:
        pytest.skip('the page uses PyTorch, which is not installed: pip install -e ".[torch]"')
    monkeypatch.chdir(tmp_path)
    run_page(text, name=str(page.relative_to(DOCS.parent)))


def needs_torch(markdown):
    """Whether a page's Python blocks use PyTorch (an import, or the nn export to it)."""
    code = "\n".join(block.code for block in fenced_blocks(markdown) if block.lang == "python")
    return re.search(r"^\s*(import|from) torch\b|\bto_torch\(|\bfrom_torch\(", code, re.MULTILINE) is not None


# --- the runner itself --------------------------------------------------------------------

def test_the_docs_have_pages_with_python_blocks():
    assert sum(any(b.lang == "python" for b in fenced_blocks(p.read_text(encoding="utf-8")))
               for p in PAGES) >= 8


def test_a_text_block_right_after_a_python_block_is_its_expected_output():
    page = "```python\nprint(1)\n```\n\n```text\n1\n```\n\nprose\n\n```text\nnot output\n```\n"
    python, shown, other = fenced_blocks(page)
    assert python.expected_output == "1\n"
    assert (shown.lang, other.lang) == ("text", "text")


def test_a_text_block_after_prose_is_not_an_expected_output():
    page = "```python\nprint(1)\n```\nSo it prints:\n```text\n2\n```\n"
    assert fenced_blocks(page)[0].expected_output is None
    run_page(page)  # nothing compared, nothing raised


def test_a_wrong_shown_output_fails_and_names_the_line():
    page = "Intro\n\n```python\nx = 0.1 + 0.2\nprint(x)\n```\n\n```text\n0.3\n```\n"
    with pytest.raises(AssertionError, match=r"page.md:3.*shows\n0\.3\nbut the code prints\n0\.30000000000000004"):
        run_page(page, name="page.md")


def test_blocks_share_one_namespace_in_page_order():
    run_page("```python\nx = 2\n```\n\n```python\nprint(x * 21)\n```\n\n```text\n42\n```\n")
    with pytest.raises(AssertionError, match="NameError"):
        run_page("```python\nprint(y)\n```\n\n```python\ny = 1\n```\n")


def test_a_failing_block_names_its_page_and_line():
    with pytest.raises(AssertionError, match=r"guide.md:5: the python block raised"):
        run_page("# T\n\ntext\n\n```python\n1 / 0\n```\n", name="guide.md")


def test_indented_blocks_and_longer_fences_are_read_whole():
    page = ("- item\n\n    ```python\n    print('in a list')\n    ```\n\n    ```text\n    in a list\n    ```\n\n"
            "````markdown\n```python\nraise SystemExit\n```\n````\n")
    blocks = fenced_blocks(page)
    assert [b.lang for b in blocks] == ["python", "text", "markdown"]
    run_page(page)  # the python inside the markdown example is not run


def test_python_aliases_that_would_escape_the_runner_are_refused():
    with pytest.raises(AssertionError, match="not ```py"):
        run_page("```py\nprint(1)\n```\n")


def test_an_unclosed_fence_is_an_error():
    with pytest.raises(ValueError, match="never closed"):
        fenced_blocks("```python\nprint(1)\n")


def test_every_page_and_notebook_is_in_the_site_navigation():
    """mkdocs only logs pages missing from the nav, so --strict would let one hide. Notebooks
    (docs/notebooks/*.ipynb, rendered by mkdocs-jupyter) are pages too."""
    config = (DOCS / "mkdocs.yml").read_text(encoding="utf-8")
    in_nav = set(re.findall(r"^\s*- [^:\n]+:\s*(\S+\.(?:md|ipynb))\s*$", config, flags=re.MULTILINE))
    notebooks = [p for p in DOCS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts]
    pages = {str(p.relative_to(DOCS)) for p in PAGES + notebooks}
    assert pages - in_nav == set(), "add these pages to nav: in docs/mkdocs.yml"
    assert in_nav - pages == set(), "the nav names pages that do not exist"
