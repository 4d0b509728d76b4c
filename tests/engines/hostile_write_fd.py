"""backward() writes to file descriptors 1 and 2 directly (no print to redirect)."""
import os

from .hostile_base import Value as Base


class Value(Base):
    def backward(self):
        os.write(1, b"}{ not json\n")
        os.write(2, b"noise on stderr\n")
        super().backward()
