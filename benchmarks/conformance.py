"""How long the conformance kit takes on each validation engine (the default run, or
--thorough), wall-clock and CPU (children included: the deep chain runs in a subprocess).

    pip install -e ".[test]"
    python benchmarks/conformance.py [--thorough]

The bar: a default run under 2 minutes on 2 cores. The machine may be shared: the load
average is printed with the results; CPU time is what to read when it is high.
"""

import argparse
import os
import pathlib
import resource
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests"))

from autograd_lite.testing.conformance import check_engine, load_engine  # noqa: E402

ENGINES = ["autograd_lite:Value", "micrograd.engine:Value", "engines.iterative:Value",
           "engines.assign_not_accumulate:Value", "engines.tanh_one_minus_t:Value", "engines.wrong_power:Value",
           "engines.rsub_sign:Value", "engines.recursive_sort:Value"]


def cpu_seconds():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thorough", action="store_true")
    args = parser.parse_args()
    print(f"{'engine':<38} {'wall s':>7} {'cpu s':>7}  result")
    for spec in ENGINES:
        engine = load_engine(spec)
        wall, cpu = time.perf_counter(), cpu_seconds()
        report = check_engine(engine, thorough=args.thorough, name=spec)
        wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
        print(f"{spec:<38} {wall:>7.1f} {cpu:>7.1f}  {report.summary()}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
