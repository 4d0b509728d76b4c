"""The practice page's style and script (see ``practice``). The script writes every text with
``textContent``, never as markup, and touches only its own ``<div>``."""

from __future__ import annotations

from .page import PATCH_SCRIPT

PRACTICE_STYLE = """
.ag-practice .score { font-variant-numeric: tabular-nums; margin: 0.2em 0; }
.ag-practice .caption { min-height: 2.7em; margin-bottom: 0.3em; }
.ag-practice .score.done { font-weight: bold; color: #005a3c; }
.ag-practice .panel { min-height: 6.6em; margin: 0 0 0.5em; }
.ag-practice .ask label { display: block; font-weight: bold; margin: 0 0 0.3em; }
.ag-practice .ask .row { display: flex; gap: 0.5em; align-items: center; flex-wrap: wrap; }
.ag-practice .ask input { font-size: 1.05em; padding: 0.2em 0.4em; width: 10em; font-variant-numeric: tabular-nums; }
.ag-practice .hint { margin: 0.35em 0 0; color: #8a3b00; }
.ag-practice .feedback { margin: 0 0 0.3em; font-weight: bold; }
.ag-practice .feedback.right { color: #005a3c; }
.ag-practice .feedback.revealed { color: #5d3a9b; }
.ag-practice .feedback:empty { display: none; }
.ag-practice button:focus-visible, .ag-practice input:focus-visible {
  outline: 3px solid #0072B2; outline-offset: 2px; }
"""

_SCRIPT = """
(function () {
  var root = document.getElementById("%(id)s");
  var data = JSON.parse(root.querySelector("script.ag-steps-data").textContent);
  var screens = data.captions.length, k = 0;
  var counter = root.querySelector(".counter"), caption = root.querySelector(".caption");
  var score = root.querySelector(".score"), feedback = root.querySelector(".feedback");
  var previous = root.querySelector("button.previous"), next = root.querySelector("button.next");
  var ask = root.querySelector(".ask"), label = ask.querySelector("label"), input = ask.querySelector("input");
  var check = ask.querySelector("button.check"), reveal = ask.querySelector("button.reveal");
  var hint = ask.querySelector(".hint");
  // Per question: wrong tries so far, and how it ended: "first", "hint" or "revealed".
  var results = data.questions.map(function () { return {tries: 0, outcome: null, typed: ""}; });
%(patches)s
  function unanswered(i) { return data.ask[i] >= 0 && results[data.ask[i]].outcome === null; }
  // The learner may look at every screen up to the first question not yet answered.
  function reached() {
    for (var i = 0; i < screens; i++) { if (unanswered(i)) { return i; } }
    return screens - 1;
  }
  // A number as typed: 18, -0.25, .5, 1.5e-3, a Unicode minus; inf and nan for those answers.
  function parse(text) {
    text = text.trim().replace(/\\u2212/g, "-").toLowerCase();
    if (/^[+-]?(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?$/.test(text)) { return Number(text); }
    if (/^[+-]?inf(inity)?$/.test(text)) { return text.charAt(0) === "-" ? -Infinity : Infinity; }
    if (text === "nan") { return NaN; }
    return null;
  }
  function accepts(question, x) {
    var want = parse(question.answer);
    if (isNaN(want)) { return isNaN(x); }
    if (!isFinite(want)) { return x === want; }
    return Math.abs(x - want) <= Math.max(data.rel * Math.abs(want), data.abs);
  }
  function outcomeText(r) {
    return {first: "right first try", hint: "right after a hint", revealed: "revealed"}[r.outcome];
  }
  function updateScore() {
    var count = {first: 0, hint: 0, revealed: 0}, left = 0;
    results.forEach(function (r) { if (r.outcome) { count[r.outcome] += 1; } else { left += 1; } });
    if (left === 0) {
      score.textContent = "Done: " + results.length + " question" + (results.length === 1 ? "" : "s") +
        ", " + count.first + " right first try, " + count.hint + " right after a hint, " +
        count.revealed + " revealed.";
    } else {
      score.textContent = "Score: " + count.first + " right first try \\u00b7 " + count.hint +
        " right after a hint \\u00b7 " + count.revealed + " revealed \\u00b7 " + left + " to go";
    }
    score.classList.toggle("done", left === 0);
  }
  function say(text, kind) { feedback.textContent = text; feedback.className = "feedback " + (kind || ""); }
  function show(i, focus) {
    i = Math.max(0, Math.min(reached(), i));
    var wasInside = ask.contains(document.activeElement);
    apply(data.patches[k], true);
    apply(data.patches[i], false);
    k = i;
    counter.textContent = "step " + data.steps[k] + " / " + data.n;
    caption.textContent = data.captions[k];
    say("");
    var q = data.ask[k];
    ask.hidden = q < 0;
    if (q >= 0) {
      var question = data.questions[q], r = results[q], open = r.outcome === null;
      label.textContent = question.prompt;
      input.hidden = check.hidden = reveal.hidden = !open;
      input.value = open ? r.typed : "";
      hint.textContent = open ? (r.tries ? question.hint : "") :
        (r.outcome === "revealed" ? "Revealed: " : "You answered " + r.typed.trim() + " (" + outcomeText(r) + "). ") +
        question.solution;
    }
    previous.disabled = k === 0;
    next.disabled = k >= reached();
    if (focus && unanswered(k)) { input.focus(); }
    else if (wasInside && (ask.hidden || input.hidden)) { (next.disabled ? root : next).focus(); }
    updateScore();
  }
  // A right answer or a reveal ends the question: the page moves on and says how it went.
  function finish(outcome, message, kind) {
    results[data.ask[k]].outcome = outcome;
    show(k + 1, false);
    var last = results.every(function (r) { return r.outcome !== null; });
    say(message + (last ? " That was the last question: your score is above." : ""), kind);
    (next.disabled ? root : next).focus();
  }
  function submit() {
    var question = data.questions[data.ask[k]], r = results[data.ask[k]];
    var x = parse(input.value);
    if (x === null) {
      hint.textContent = "Type a number, such as 18, -0.25 or 1.5e-3." + (r.tries ? " " + question.hint : "");
      input.focus();
      return;
    }
    r.typed = input.value;
    if (accepts(question, x)) {
      finish(r.tries ? "hint" : "first", "\u2713 Right" + (r.tries ? " (after a hint)." : ", first try."), "right");
    } else {
      r.tries += 1;
      hint.textContent = "Not " + input.value.trim() + ". " + question.hint;
      input.select();
    }
  }
  root.addEventListener("click", function (event) {
    if (!event.target.closest("button, input")) { root.focus(); }
  });
  previous.addEventListener("click", function () { show(k - 1, true); });
  next.addEventListener("click", function () { show(k + 1, true); });
  check.addEventListener("click", submit);
  reveal.addEventListener("click", function () {
    finish("revealed", "Revealed: the step is drawn below, and the caption explains it.", "revealed");
  });
  input.addEventListener("input", function () { results[data.ask[k]].typed = input.value; });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { submit(); event.preventDefault(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    // As on the normal page: keys belong to the step-through that has focus, or to the only one.
    var nothingFocused = event.target === document.body || event.target === document.documentElement;
    var alone = document.querySelectorAll(".ag-steps").length === 1;
    if (!root.contains(event.target) && !(nothingFocused && alone)) { return; }
    if (event.target === input && input.value !== "") { return; }  // the keys move the caret
    if (event.key === "ArrowRight") { show(k + 1, true); event.preventDefault(); }
    if (event.key === "ArrowLeft") { show(k - 1, true); event.preventDefault(); }
  });
  show(0, false);
})();
"""


def practice_script(page_id: str) -> str:
    """The practice page's script for the ``<div>`` with id ``page_id``."""
    return _SCRIPT % {"id": page_id, "patches": PATCH_SCRIPT.strip("\n")}
