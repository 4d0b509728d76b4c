"""Practice mode: the step-through page asks the learner for each step before showing it.

For every ``parent.grad += local * grad`` the page first shows the step with its result
withheld and asks for the contribution ``local × grad``; at a fan-out, once every use has
contributed, it also asks for the total. Each question is a :class:`Question`; the page's
screens are the seed, then per step: the contribution question, the total question (at a
completed fan-out), and the step as the normal page shows it.

An answer is right when ``|typed - answer| <= max(REL_TOL * |answer|, ABS_TOL)``: within
0.1 % of the answer, and within 1e-6 of it when the answer is (close to) 0, where a relative
tolerance alone would ask for exactly 0.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from ..labels import join_terms, printable
from .frames import View, WAITING
from .page import STYLE, content_id, document, inline_svg, script_json
from .practice_assets import PRACTICE_STYLE, practice_script
from .record import Step, short

if TYPE_CHECKING:
    from ..paths import GraphIndex
    from .frames import Format
    from .page import Patches

REL_TOL = 1e-3
ABS_TOL = 1e-6


class Question(NamedTuple):
    """One answer the practice page asks for, and the texts it shows around it."""

    step: int  # the step asked about (an index into BackwardSteps.steps)
    kind: str  # "contribution" (local × grad for one use) or "total" (the sum at a fan-out)
    answer: float  # the number the page expects: the engine's contribution or total
    prompt: str  # the question, the answer box's label
    hint: str  # shown after a wrong answer: what to multiply (or add), without the number
    solution: str  # shown once answered or revealed: the answer and how it is made


class Screen(NamedTuple):
    """What the page shows at one position: a frame, a caption, maybe a question."""

    view: View
    caption: str
    question: int | None  # index into the questions, or None for a step shown whole
    step: int  # index into the steps


def plan(index: GraphIndex, steps: Sequence[Step], texts: Sequence[str], names: Sequence[str],
         fmt: Format) -> tuple[list[Question], list[Screen]]:
    """The questions and the screens of the practice page for the recorded ``steps``."""
    out = names[index.position[index.root]]
    questions: list[Question] = []
    screens = [Screen(View(steps[0], texts[0], steps[0].complete, True), steps[0].caption, None, 0)]
    shown: dict[int, str] = {}  # receiver -> its grad field so far
    for k, (step, text) in enumerate(zip(steps, texts)):
        if step.consumer is None:
            shown[step.receiver] = text
            continue
        receiver, consumer = names[step.receiver], names[step.consumer]
        node = index.order[step.receiver]
        op = " ".join(printable(index.order[step.consumer].op).split())  # as the drawing shows it, on one line
        ask = contribution_question(k, step, receiver, consumer, op, fmt)
        questions.append(ask)
        screens.append(Screen(View(step, shown.get(step.receiver, WAITING), False, False),
                              f"{receiver} receives a contribution from {consumer} (the orange edge).",
                              len(questions) - 1, k))
        uses = len(index.uses_of(node))
        if step.complete and uses > 1:
            questions.append(total_question(k, step, receiver, out, uses))
            withheld = "grad ?" + text[len(f"grad {fmt(step.total)}"):]
            screens.append(Screen(View(step, withheld, False, True),
                                  f"{ask.solution} {receiver} has now heard from all {uses} of its uses; "
                                  f"its box shows their contributions.", len(questions) - 1, k))
        screens.append(Screen(View(step, text, step.complete, True), step.caption, None, k))
        shown[step.receiver] = text
    return questions, screens


def contribution_question(k: int, step: Step, receiver: str, consumer: str, op: str, fmt: Format) -> Question:
    """The question before ``step``: what does the consumer add to the receiver's grad?"""
    local = f"\u2202{consumer}/\u2202{receiver}"
    hint = (f"{consumer} adds {local} \u00d7 {consumer}.grad: the derivative of {consumer}'s op "
            f"({op}) with respect to this input, {receiver}, at the data in the boxes, times "
            f"{consumer}.grad, the complete grad shown in {consumer}'s box.")
    if step.masked:
        answer = 0.0
        solution = (f"{consumer} adds nothing to {receiver}.grad: {local} = 0 (its op is flat "
                    f"there), so the contribution is 0 whatever {consumer}.grad is.")
    else:
        answer = step.local * step.incoming
        solution = (f"{consumer} adds {fmt(answer)} to {receiver}.grad: {local} = {short(step.local)} "
                    f"times {consumer}.grad = {short(step.incoming)}.")
    prompt = f"What does {consumer} add to {receiver}.grad? (local derivative \u00d7 grad)"
    return Question(k, "contribution", answer, prompt, hint, solution)


def total_question(k: int, step: Step, receiver: str, out: str, uses: int) -> Question:
    """The question at a completed fan-out: the sum of the receiver's contributions."""
    total = f"d{out}/d{receiver}"
    hint = (f"{total} is the sum of the contributions from {receiver}'s {uses} uses: add the "
            f"terms in its box (a use through a flat op adds nothing).")
    solution = f"{total} = {join_terms(step.terms, short, 6) or '0'} = {short(step.total)}."
    prompt = f"What is {total}, {receiver}'s total derivative?"
    return Question(k, "total", step.total, prompt, hint, solution)


def score_text(questions: int) -> str:
    """The score line before any answer (the page's script keeps it up to date)."""
    return f"Score: 0 right first try \u00b7 0 right after a hint \u00b7 0 revealed \u00b7 {questions} to go"


def practice_body(first_svg: str, patches: Patches, screens: Sequence[Screen], questions: Sequence[Question],
                  steps: int, title: str, page_id: str | None = None) -> tuple[str, str]:
    """The practice page's ``<div>`` and its script. Every text reaches the page through
    ``html.escape`` or, in the data, through ``textContent``: never as markup."""
    import secrets

    page_id = page_id or "ag-steps-" + secrets.token_hex(4)
    script = practice_script(page_id)
    data = script_json({
        "captions": [screen.caption for screen in screens],
        "steps": [screen.step + 1 for screen in screens],
        "ask": [-1 if screen.question is None else screen.question for screen in screens],
        "questions": [{"answer": repr(q.answer), "prompt": q.prompt, "hint": q.hint, "solution": q.solution}
                      for q in questions],
        "patches": patches, "n": steps, "rel": REL_TOL, "abs": ABS_TOL})
    body = f"""<div class="ag-steps ag-practice" id="{page_id}" tabindex="-1">
<style>{STYLE}{PRACTICE_STYLE}</style>
<h1>{html.escape(title)}</h1>
<div class="controls">
<button type="button" class="previous" disabled>Previous</button>
<button type="button" class="next"{" disabled" if len(screens) == 1 else ""}>Next</button>
<span class="counter" aria-live="polite">step 1 / {steps}</span>
</div>
<p class="score" aria-live="polite">{score_text(len(questions))}</p>
<p class="caption" aria-live="polite">{html.escape(screens[0].caption)}</p>
<div class="panel">
<p class="feedback" role="status"></p>
<div class="ask" hidden>
<label for="{page_id}-answer"></label>
<div class="row"><input id="{page_id}-answer" type="text" inputmode="decimal" autocomplete="off" spellcheck="false">
<button type="button" class="check">Check</button>
<button type="button" class="reveal">Reveal</button></div>
<p class="hint" aria-live="polite"></p>
</div>
</div>
<div class="drawing">{inline_svg(first_svg)}</div>
<p class="legend"><span class="swatch" style="background:#D55E00"></span> the use being added
(grey, dashed: its op is flat there, so it adds nothing) &nbsp;
<span class="swatch" style="background:#ffe599"></span> the value receiving it &nbsp;
<span class="swatch" style="border:3px solid #009E73"></span> \u2713 complete: every use has
contributed. Keys: Enter checks an answer; \u2190 / \u2192 move (in the answer box, while it is empty).</p>
<script type="application/json" class="ag-steps-data">{data}</script>
<script>{script}</script>
</div>"""
    return body, script


def practice_page(first_svg: str, patches: Patches, screens: Sequence[Screen], questions: Sequence[Question],
                  steps: int, title: str) -> str:
    """The practice page as a whole HTML document (the same policy as the normal page)."""
    page_id = content_id(first_svg, patches, [list(s[1:]) for s in screens], [list(q) for q in questions], title)
    return document(title, *practice_body(first_svg, patches, screens, questions, steps, title, page_id))
