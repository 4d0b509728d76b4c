"""The smallest correct engine (+ and * of Values, iterative backward), for the hostile
engines (hostile_*.py): each changes one thing to attack the kit, not to be wrong."""


class Value:
    def __init__(self, data, _children=()):
        self.data, self.grad = data, 0.0
        self._prev, self._backward = tuple(_children), lambda: None

    def _op(self, other, data, local_self, local_other):
        out = type(self)(data, (self, other))

        def _backward():
            self.grad += local_self * out.grad
            other.grad += local_other * out.grad
        out._backward = _backward
        return out

    def __add__(self, other):
        return self._op(other, self.data + other.data, 1.0, 1.0)

    def __mul__(self, other):
        return self._op(other, self.data * other.data, other.data, self.data)

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
