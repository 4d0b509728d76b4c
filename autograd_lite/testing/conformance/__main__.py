"""``python -m autograd_lite.testing.conformance MODULE:CLASS``."""

import sys

from .cli import main

sys.exit(main())
