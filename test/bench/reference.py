"""Reference timings for `npm run bench`: numpy/scipy doing the same work as lowdose.

Prints one JSON object {case: median_seconds}. Cases must match run-bench.mjs.
"""

import json
import sys
import time

import numpy as np


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    rng = np.random.default_rng(1)
    out = {}
    expected = np.full(2048 * 2048, 0.24)
    out["poisson 2048² at 0.24 counts/px"] = median_time(lambda: rng.poisson(expected), repeats)
    values = rng.random(4096 * 4096, dtype=np.float32)
    out["percentiles [0.5, 99.5] of 4096² float32"] = median_time(lambda: np.percentile(values, [0.5, 99.5]), repeats)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
