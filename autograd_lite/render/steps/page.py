"""The step-through page: the first frame inline, the others as patches of it, a few lines of
script, nothing fetched.

Without script (an untrusted notebook) the first frame and its caption still show. The saved
page's content security policy lets only its own script run (by its SHA-256): were a label
ever to get markup past the escaping, an injected script or ``javascript:`` link would not run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import base64
import hashlib
import html
import json
import re
import secrets

Patches = list[list[Any]]  # per frame: [element number, {"t": text, "a": {attribute: value}}] pairs

STYLE = """
.ag-steps { font-family: system-ui, sans-serif; color: #222; max-width: 100%; }
.ag-steps h1 { font-size: 1.2em; margin: 0.2em 0; }
.ag-steps .controls { display: flex; gap: 0.6em; align-items: center; flex-wrap: wrap; margin: 0.4em 0; }
.ag-steps button { font-size: 1em; padding: 0.25em 0.9em; }
.ag-steps input[type=range] { flex: 1 1 12em; max-width: 30em; }
.ag-steps .counter { font-variant-numeric: tabular-nums; font-weight: bold; min-width: 8em; }
.ag-steps .caption { font-size: 1.05em; line-height: 1.35; min-height: 4.05em; margin: 0.3em 0 0.5em; }
.ag-steps .drawing { overflow: auto; }
.ag-steps .drawing svg { max-width: 100%; height: auto; }
.ag-steps:focus { outline: none; }
.ag-steps .legend { font-size: 0.85em; color: #555; }
.ag-steps .swatch { display: inline-block; width: 1.6em; height: 0.8em; vertical-align: middle; }
"""

PATCH_SCRIPT = """
  var elements = {}, saved = {};
  root.querySelectorAll(".drawing [data-k]").forEach(function (element) {
    elements[element.getAttribute("data-k")] = element;
  });
  // Each frame is a patch of the first: put the first's values back, then apply the new one.
  function apply(patch, restore) {
    patch.forEach(function (change) {
      var element = elements[change[0]], attributes = change[1].a || {};
      if ("t" in change[1]) {
        var key = change[0] + " #text";
        if (!(key in saved)) { saved[key] = element.textContent; }
        element.textContent = restore ? saved[key] : change[1].t;
      }
      Object.keys(attributes).forEach(function (name) {
        var key = change[0] + " " + name;
        if (!(key in saved)) { saved[key] = element.getAttribute(name); }
        var value = restore ? saved[key] : attributes[name];
        if (value === null) { element.removeAttribute(name); } else { element.setAttribute(name, value); }
      });
    });
  }
"""

SCRIPT = """
(function () {
  var root = document.getElementById("%(id)s");
  var data = JSON.parse(root.querySelector("script.ag-steps-data").textContent);
  var n = data.captions.length, k = 0;
  var slider = root.querySelector("input[type=range]");
  var counter = root.querySelector(".counter");
  var caption = root.querySelector(".caption");
  var previous = root.querySelector("button.previous"), next = root.querySelector("button.next");
%(patches)s  function show(i) {
    i = Math.max(0, Math.min(n - 1, i));
    apply(data.patches[k], true);
    apply(data.patches[i], false);
    k = i;
    slider.value = String(k + 1);
    counter.textContent = "step " + (k + 1) + " / " + n;
    caption.textContent = data.captions[k];
    previous.disabled = (k === 0);
    next.disabled = (k === n - 1);
  }
  root.addEventListener("click", function (event) {
    if (!event.target.closest("button, input")) { root.focus(); }
  });
  previous.addEventListener("click", function () { show(k - 1); });
  next.addEventListener("click", function () { show(k + 1); });
  slider.addEventListener("input", function () { show(Number(slider.value) - 1); });
  document.addEventListener("keydown", function (event) {
    if (event.target === slider || event.altKey || event.ctrlKey || event.metaKey) { return; }
    // Keys belong to the step-through that has focus; with nothing focused, to the only one
    // on the page (a notebook may show several).
    var nothingFocused = event.target === document.body || event.target === document.documentElement;
    var alone = document.querySelectorAll(".ag-steps").length === 1;
    if (!root.contains(event.target) && !(nothingFocused && alone)) { return; }
    if (event.key === "ArrowRight") { show(k + 1); event.preventDefault(); }
    if (event.key === "ArrowLeft") { show(k - 1); event.preventDefault(); }
  });
  show(0);
})();
"""


def inline_svg(svg: str) -> str:
    """An SVG document as an element to paste into HTML (no XML declaration or comments)."""
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>", "", svg)
    return re.sub(r"<!--.*?-->", "", svg, flags=re.S).strip()


def script_json(data: object) -> str:
    """JSON that cannot end its <script> element early, whatever labels it carries."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def page_body(first_svg: str, patches: Patches, captions: Sequence[str], title: str) -> str:
    """The controls and the drawing, in one ``<div>`` whose script only touches that div."""
    return _body_and_script(first_svg, patches, captions, title)[0]


def _body_and_script(first_svg: str, patches: Patches, captions: Sequence[str], title: str,
                     page_id: str | None = None) -> tuple[str, str]:
    # Inline (several step-throughs in one notebook) each div needs an id of its own.
    page_id = page_id or "ag-steps-" + secrets.token_hex(4)
    script = SCRIPT % {"id": page_id, "patches": PATCH_SCRIPT.lstrip("\n")}
    n = len(captions)
    data = script_json({"captions": captions, "patches": patches})
    body = f"""<div class="ag-steps" id="{page_id}" tabindex="-1">
<style>{STYLE}</style>
<h1>{html.escape(title)}</h1>
<div class="controls">
<button type="button" class="previous" disabled>Previous</button>
<button type="button" class="next"{" disabled" if n == 1 else ""}>Next</button>
<input type="range" min="1" max="{n}" value="1" step="1" aria-label="Step">
<span class="counter" aria-live="polite">step 1 / {n}</span>
</div>
<p class="caption" aria-live="polite">{html.escape(captions[0])}</p>
<div class="drawing">{inline_svg(first_svg)}</div>
<p class="legend"><span class="swatch" style="background:#D55E00"></span> the use being added
(grey, dashed: its op is flat there, so it adds nothing) &nbsp;
<span class="swatch" style="background:#ffe599"></span> the value receiving it &nbsp;
<span class="swatch" style="border:3px solid #009E73"></span> \u2713 complete: every use has
contributed. Keys: \u2190 / \u2192.</p>
<script type="application/json" class="ag-steps-data">{data}</script>
<script>{script}</script>
</div>"""
    return body, script


def full_page(first_svg: str, patches: Patches, captions: Sequence[str], title: str) -> str:
    """A whole HTML document: self-contained, no network access, no script but its own."""
    # A whole page holds one step-through: its id comes from its content, so the same steps
    # save the same bytes every time.
    body, script = _body_and_script(first_svg, patches, captions, title, content_id(first_svg, patches, captions, title))
    return document(title, body, script)


def content_id(*content: object) -> str:
    """An element id from the page's content: the same steps save the same bytes every time."""
    text = json.dumps(content).encode("utf-8", "surrogatepass")
    return "ag-steps-" + hashlib.sha256(text).hexdigest()[:8]


def document(title: str, body: str, script: str) -> str:
    """``body`` as a whole HTML document whose content security policy runs ``script`` (the
    one inline script ``body`` holds, by its hash) and nothing else, and loads nothing."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src '{script_hash(script)}'; img-src data:; base-uri 'none'; form-action 'none'">
<title>{html.escape(title)}</title>
</head>
<body>
{body}
</body>
</html>
"""


def script_hash(script: str) -> str:
    """The CSP source that allows exactly this inline script: ``sha256-<base64 digest>``."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")
