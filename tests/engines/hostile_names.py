"""Names that would be code: the class's __name__ and an exception's type name hold a
newline and a statement."""
from .hostile_base import Value as Base

INJECTED = "V\nimport os; os.environ['INJECTED'] = '1'\nV"


class Value(Base):
    def tanh(self):
        raise type(INJECTED, (Exception,), {})("boom")

    def exp(self):
        return type(INJECTED, (), {})()


Value.__name__ = INJECTED
Value.__qualname__ = "Value"
