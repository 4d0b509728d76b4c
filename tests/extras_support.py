"""What to do when a test's optional dependency is missing.

Outside CI it is skipped, with the install command. Under CI (``CI=true``) it fails, since
``.ci/run`` installs the test extra and a missing package means a broken install; except in
the runs on the oldest and newest Pythons, which install the smaller ``test-core`` extra on
purpose and say so with ``AUTOGRAD_LITE_TEST_CORE=1``.
"""

import os

import pytest

UNDER_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CORE_ONLY = os.environ.get("AUTOGRAD_LITE_TEST_CORE") == "1"


def missing(reason):
    """Skip, or fail under a CI run that installed the whole test extra."""
    if UNDER_CI and not CORE_ONLY:
        pytest.fail(f"{reason} (CI=true: .ci/run must install it)")
    pytest.skip(reason)
