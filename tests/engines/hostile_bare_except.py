"""tanh loops forever and swallows everything, the kit's own interrupts included."""
import time

from .hostile_base import Value as Base


class Value(Base):
    def tanh(self):
        while True:
            try:
                time.sleep(0.01)
            except:  # noqa: E722  the attack
                pass
