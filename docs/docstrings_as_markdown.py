"""Griffe extension for the API reference: our docstrings are plain text with a few reST
habits, and mkdocstrings renders them as Markdown. Without this, ``x**2 ... y**2`` turns
into bold text, ``>>>`` examples into nested quotes and reST tables into one paragraph.

Converted, outside code spans only:

* products and exponents written ``w1*x1`` and ``a**b`` are escaped, so they stay ``*`` and
  ``**`` (without it, ``w1*x1 + ... + wn*xn`` turns into italics); emphasis like ``*this*``
  and ``**this**`` is kept: there the stars touch a space or the line's start on one side;
* ``>>>`` examples become fenced ``pycon`` blocks;
* reST simple tables (``=====  =====`` rules) become fenced ``text`` blocks;
* reST roles such as ``:class:`Rule``` become code spans.

Loaded by docs/mkdocs.yml (mkdocstrings ``extensions``); the package itself is not changed.
"""

import re

import griffe

CODE_SPAN = re.compile(r"(``.+?``|`[^`\n]+`)")
OPERATOR = re.compile(r"(?<=[\w)\]])\*{1,2}(?=[\w(\-])")  # a star between operands: * or **
ROLE = re.compile(r":(?:class|func|mod|meth|attr|data|exc|obj):`~?([^`]+)`")
TABLE_RULE = re.compile(r"^=+( +=+)+\s*$")


def _escape_operators(line):
    parts = CODE_SPAN.split(line)
    return "".join(part if i % 2 else OPERATOR.sub(lambda m: "\\*" * len(m[0]), part)
                   for i, part in enumerate(parts))


def docstring_to_markdown(text):
    """The docstring text with the conversions listed in the module docstring applied."""
    lines, out, index = ROLE.sub(r"`\1`", text).split("\n"), [], 0
    while index < len(lines):
        line = lines[index]
        if line.lstrip().startswith(">>>"):
            out.append("```pycon")
            while index < len(lines) and lines[index].strip():
                out.append(lines[index])
                index += 1
            out.append("```")
            continue
        if TABLE_RULE.match(line):
            out.append("```text")
            rules_seen = 0
            while index < len(lines) and rules_seen < 3:
                rules_seen += bool(TABLE_RULE.match(lines[index]))
                out.append(lines[index].replace("``", ""))
                index += 1
            out.append("```")
            continue
        out.append(_escape_operators(line))
        index += 1
    return "\n".join(out)


class DocstringsAsMarkdown(griffe.Extension):
    """Rewrite every docstring of a package once it is loaded (the package's own too)."""

    def on_package(self, *, pkg, **kwargs):
        stack = [pkg]
        while stack:
            obj = stack.pop()
            if obj.docstring is not None:
                obj.docstring.value = docstring_to_markdown(obj.docstring.value)
            stack.extend(member for member in obj.members.values() if not member.is_alias)
