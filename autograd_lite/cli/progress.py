"""Training progress: nn.fit's bar on a terminal, a few plain lines otherwise (logs, CI)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping

NAMES = {"loss": "loss", "accuracy": "accuracy", "val_loss": "test loss", "val_accuracy": "test accuracy"}


def epoch_printer(epochs: int, lines: int = 6) -> Callable[[int, Mapping[str, float]], None] | None:
    """An ``on_epoch_end`` that prints about ``lines`` lines, or None on a terminal."""
    if sys.stderr.isatty():
        return None
    every = max(1, epochs // lines)

    def report(epoch: int, logs: Mapping[str, float]) -> None:
        if (epoch + 1) % every == 0 or epoch + 1 == epochs:
            shown = ", ".join(f"{NAMES.get(key, key)} {value:6.1%}" if "accuracy" in key else
                              f"{NAMES.get(key, key)} {value:.4f}" for key, value in logs.items())
            print(f"  epoch {epoch + 1:3d}/{epochs}: {shown}", flush=True)
    return report
