"""Side-by-side timing helpers: interleaved repetitions, medians, ratios.

The machines are shared and noisy, so every number reported is a median of several
interleaved repetitions, and the headline is the ratio ours / micrograd measured in the
same run, never a lone absolute time.
"""

import gc
import statistics
import time
import tracemalloc


def time_once(fn, gc_enabled):
    """Seconds for one call of fn(); the cyclic GC on or off during the call."""
    was_enabled = gc.isenabled()
    gc.collect()
    (gc.enable if gc_enabled else gc.disable)()
    try:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start
    finally:
        (gc.enable if was_enabled else gc.disable)()


def compare(contenders, repeats, gc_enabled, steps=1):
    """{name: median seconds per step}, the contenders interleaved `repeats` times.

    Each sample runs `steps` consecutive calls with no collection in between, as a training
    loop does, so garbage that only the cyclic GC can free piles up as it would in real use.
    """
    samples = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            samples[name].append(time_once(lambda: [fn() for _ in range(steps)], gc_enabled) / steps)
    return {name: statistics.median(times) for name, times in samples.items()}


def bytes_per_node(build, count_nodes):
    """tracemalloc bytes held by the graph that build() returns, per node."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    graph = build()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return held / count_nodes(graph)


def print_table(title, header, rows):
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    print(f"\n{title}\n")
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))
