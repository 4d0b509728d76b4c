"""exp is one long C call: no Python code runs in which a signal could be handled."""
from .hostile_base import Value as Base


class Value(Base):
    def exp(self):
        sum(range(10 ** 12))
        return self
