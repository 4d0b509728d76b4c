"""odd.Noisy (prints everywhere) under the name Value, for the thread test."""
from .odd import Noisy as Value  # noqa: F401
