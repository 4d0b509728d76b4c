"""Engines that misbehave in the ways the kit must survive: they hang, raise oddly, print,
return floats. Each is the correct iterative engine with one thing changed."""

import math

from . import iterative


class OnlyAddAndMultiply:
    """A first-lecture engine: + and * of Values, nothing else (no numbers either)."""

    def __init__(self, data, _children=()):
        self.data, self.grad = data, 0.0
        self._prev, self._backward = _children, lambda: None

    def __add__(self, other):
        out = OnlyAddAndMultiply(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        out = OnlyAddAndMultiply(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    topological_order = iterative.Value.topological_order
    backward = iterative.Value.backward


class WrongExp(iterative.Value):
    """exp exists and returns a wrong value: a failure, never "not provided"."""

    def exp(self):
        return self._unary(math.exp(self.data) + 1.0, math.exp(self.data))


class ExpRaises(iterative.Value):
    def exp(self):
        raise ZeroDivisionError("exp is broken")


class AttributesRaise(iterative.Value):
    """Attribute lookup of anything missing raises RuntimeError, not AttributeError."""

    tanh = None

    def __getattribute__(self, name):
        if name == "tanh":
            raise RuntimeError("no attributes for you")
        return super().__getattribute__(name)


class SinHangs(iterative.Value):
    def sin(self):
        while True:
            pass


class BackwardHangsOnBigGraphs(iterative.Value):
    """Fine on small graphs; on the deep chain backward never returns."""

    def backward(self):
        if len(self.topological_order()) > 1000:
            while True:
                pass
        super().backward()


class RsubReturnsFloat(iterative.Value):
    def __rsub__(self, other):
        return other - self.data


class CosExits(iterative.Value):
    def cos(self):
        raise SystemExit("cos calls sys.exit")


class NanGradient(iterative.Value):
    def sqrt(self):
        return self._unary(math.sqrt(self.data), math.nan)


class Noisy(iterative.Value):
    """Prints while it computes, as students' debugging engines do."""

    def __add__(self, other):
        print("adding", self.data, other)
        return super().__add__(other)

    def backward(self):
        print("backward!")
        super().backward()


class ConstructorRaises:
    def __init__(self, data):
        raise ValueError("no Values today")


class BadMessage(Exception):
    def __str__(self):
        raise RuntimeError("even the message is broken")


class LogRaisesBadMessage(iterative.Value):
    def log(self):
        raise BadMessage()


class NegRecursesForever(iterative.Value):
    """Each level goes through the C-level operator slot, so it uses the C stack."""

    def __neg__(self):
        return -self
