"""A class of submissions for the grading tests and docs/grading.md: each student's folder
has micrograd/engine.py in a folder without __init__.py (the layout that used to resolve to
the installed micrograd), with a planted bug or none."""

import shutil
from pathlib import Path

import micrograd.engine

ENGINES = Path(__file__).resolve().parent / "engines"

# student -> (what micrograd/engine.py is, a note for the reader)
CLASS = {
    "alice": "micrograd",              # Karpathy's engine, as in the lecture
    "bob": "iterative",                # correct, iterative sort, resets intermediate grads
    "carol": "assign_not_accumulate",  # = where += belongs
    "dan": "wrong_power",              # d/dx x**n written n * x**n
    "erin": "rsub_sign",               # 2 - x computes x - 2
    "frank": "tanh_one_minus_t",       # tanh' written 1 - t
    "gina": "syntax error",
    "hugo": "nothing",                 # handed in an empty folder
}


def write_submission(folder, kind):
    package = Path(folder) / "micrograd"
    package.mkdir(parents=True)
    if kind == "nothing":
        (package / "README.txt").write_text("todo\n", encoding="utf-8")
    elif kind == "syntax error":
        (package / "engine.py").write_text("class Value(:\n", encoding="utf-8")
    elif kind == "micrograd":
        shutil.copy(micrograd.engine.__file__, package / "engine.py")
    else:
        shutil.copy(ENGINES / "iterative.py", package / "iterative.py")
        if kind == "iterative":
            (package / "engine.py").write_text("from .iterative import Value\n", encoding="utf-8")
        else:
            shutil.copy(ENGINES / f"{kind}.py", package / "engine.py")


def write_class(root, copies=1):
    """``root/<student>/micrograd/engine.py`` for every student (``copies`` times each,
    as alice, alice2, ...); the folder."""
    root = Path(root)
    for copy in range(copies):
        for student, kind in CLASS.items():
            write_submission(root / (student + (str(copy + 1) if copy else "")), kind)
    return root
