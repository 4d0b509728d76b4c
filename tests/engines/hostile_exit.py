"""backward() ends the process with exit code 0, which the old kit took for a pass."""
import os

from .hostile_base import Value as Base


class Value(Base):
    def backward(self):
        os._exit(0)
