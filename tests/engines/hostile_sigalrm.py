"""The engine ignores SIGALRM (the old kit's only clock) and sin never ends."""
import signal

from .hostile_base import Value as Base

signal.signal(signal.SIGALRM, signal.SIG_IGN)


class Value(Base):
    def sin(self):
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        while True:
            pass
