"""Correct, but its ``tanh`` works for about 0.25 CPU seconds each call (a slow student engine
on a busy machine): the kit's limits count CPU time, so it passes however loaded the machine."""

import time

from . import iterative


class Value(iterative.Value):
    def tanh(self):
        end = time.thread_time() + 0.25
        while time.thread_time() < end:
            pass
        return super().tanh()
