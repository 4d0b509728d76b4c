"""The correct iterative engine with a node's number called something else than ``data``
(its source with ``.data`` renamed), and a class with no number, grad or backward."""

import pathlib

_SOURCE = (pathlib.Path(__file__).parent / "iterative.py").read_text(encoding="utf-8")


def _renamed(attribute, name):
    namespace = {"__name__": __name__}
    exec(compile(_SOURCE.replace(".data", f".{attribute}"), f"<iterative with .{attribute}>", "exec"), namespace)
    cls = namespace["Value"]
    cls.__name__ = cls.__qualname__ = name
    return cls


WithValue = _renamed("value", "WithValue")
WithVal = _renamed("val", "WithVal")
WithNumber = _renamed("number", "WithNumber")  # only --data-attr number finds it


class Bare:
    """A number under a name the kit does not guess, and no grad or backward."""

    def __init__(self, x):
        self.amount = x
