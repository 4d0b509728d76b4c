""".data is the string "0.5", which float() would happily read."""
from .hostile_base import Value as Base


class Value(Base):
    def __init__(self, data, _children=()):
        super().__init__(data, _children)
        self.data = str(data)

    def __add__(self, other):
        return type(self)(float(self.data) + float(other.data), (self, other))

    def __mul__(self, other):
        return type(self)(float(self.data) * float(other.data), (self, other))
