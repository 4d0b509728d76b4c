"""y.data is a float subclass whose __float__ and __str__ never return."""
from .hostile_base import Value as Base


class Forever(float):
    def __float__(self):
        while True:
            pass

    def __str__(self):
        while True:
            pass

    __repr__ = __str__


class Value(Base):
    def __init__(self, data, _children=()):
        super().__init__(Forever(data), _children)
