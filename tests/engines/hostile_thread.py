"""Importing the engine starts a non-daemon thread that never ends; the engine is correct."""
import threading
import time

from .hostile_base import Value  # noqa: F401  the engine under test

try:
    threading.Thread(target=lambda: time.sleep(10 ** 6), daemon=False).start()
except RuntimeError:  # the sandbox allows no new thread
    pass
