"""Hypothesis profiles, chosen with HYPOTHESIS_PROFILE=<name>; the default is "ci" when the CI
environment variable is set, else "dev".

* "dev": 100 random examples per property.
* "ci": 200 examples, derandomized: each test's examples are fixed by its source, so every
  CI run tests the same ones and gives the same result; ``print_blob`` prints how to
  reproduce a failure.
* "thorough": random, 10,000 examples per property, or ``thorough_examples(cost)`` for a
  property whose examples cost ``cost`` times more than an engine-only one (the sympy
  oracles), so that the whole suite runs in well under 30 minutes on 2 cores.
"""

import os

from hypothesis import HealthCheck, settings

CI_EXAMPLES = 200
THOROUGH_EXAMPLES = 10_000
THOROUGH_MINIMUM = 5 * CI_EXAMPLES  # an expensive property still searches 5x more than CI

# Hypothesis loads its own "ci" profile (derandomized) when it sees a CI variable; every profile
# here is built on hypothesis' plain defaults so that dev and thorough stay random even then.
BASE = settings.get_profile("default")
settings.register_profile("dev", BASE, max_examples=100, deadline=None)
settings.register_profile("ci", BASE, max_examples=CI_EXAMPLES, derandomize=True, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", BASE, max_examples=THOROUGH_EXAMPLES, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
settings.load_profile(PROFILE)


def thorough_examples(cost):
    """``max_examples`` for a property whose examples cost about ``cost`` times those of an
    engine-only property: the profile's number, except under "thorough", where it is
    10,000 / cost, and never below 1,000 (5x CI)."""
    if PROFILE != "thorough":
        return settings.default.max_examples
    return max(THOROUGH_MINIMUM, THOROUGH_EXAMPLES // cost)
