"""Reference timings for `npm run bench`: numpy/scipy doing the same work as lowdose.

Prints one JSON object {case: median_seconds}. Cases must match run-bench.mjs.
"""

import json
import os
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


# --- lazy MRC movie (io): `reference.py mrc-frame PATH FRAME REPEATS MODULUS SCALE OFFSET` -------
# mrcfile.mmap opening the 2 GiB synthetic movie that test/bench/lazyMrcMovie.mjs makes and copying
# one frame out; prints {seconds (median), rssDeltaBytes (first run, frame held), matches}.


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def mrc_frame_main(args):
    import mrcfile

    path, frame, repeats = args[0], int(args[1]), int(args[2])
    modulus, scale, offset = int(args[3]), float(args[4]), float(args[5])
    before = _rss_bytes()
    with mrcfile.mmap(path, mode="r") as m:
        first = np.array(m.data[frame])
        rss_delta = _rss_bytes() - before
    expected = ((np.arange(first.size) % modulus) * scale + offset).astype(np.float32).reshape(first.shape)
    matches = bool(np.array_equal(first, expected))

    def run():
        with mrcfile.mmap(path, mode="r") as m:
            return np.array(m.data[frame])

    seconds = median_time(run, repeats)
    print(json.dumps({"seconds": seconds, "rssDeltaBytes": rss_delta, "matches": matches}))


# --- end lazy MRC movie ------------------------------------------------------------------------


# --- fft (test/bench/fftBench.mjs): `reference.py fft-server` -----------------------------------
# Reads lines "NY NX WHICH" on stdin (WHICH: scipy_w1, scipy_w2 or numpy), times one rfft2 of a
# float32 image (plan caches warmed on the first line of each size) and answers the seconds, so
# the bench can interleave reference and lowdose repeats under the same machine load.
# "cpus" answers the CPUs this process may run on (null where affinity cannot be set). "pin PID
# C,C,..." restricts this process's main thread and thread PID (the bench's main thread) to those
# CPUs, so a one-thread pair runs on one CPU (Node has no affinity call of its own); "unpin PID"
# gives every thread of both processes all CPUs back (pool threads started while pinned, as
# pocketfft's for workers=2, inherit the pin).


def fft_server_main():
    import scipy.fft

    x = None
    all_cpus = os.sched_getaffinity(0) if hasattr(os, "sched_setaffinity") else None

    def set_affinity(pid, cpus, every_thread):
        for tid in os.listdir(f"/proc/{pid}/task") if every_thread else [pid]:
            try:
                os.sched_setaffinity(int(tid), cpus)
            except ProcessLookupError:  # a thread that ended meanwhile
                pass

    fns = {
        "scipy_w1": lambda a: scipy.fft.rfft2(a, workers=1),
        "scipy_w2": lambda a: scipy.fft.rfft2(a, workers=2),
        "numpy": lambda a: np.fft.rfft2(a),
    }
    for line in sys.stdin:
        words = line.split()
        if words[0] == "cpus":
            print(json.dumps(sorted(all_cpus) if all_cpus else None), flush=True)
            continue
        if words[0] in ("pin", "unpin"):
            pin = words[0] == "pin"
            cpus = {int(c) for c in words[2].split(",")} if pin else all_cpus
            try:
                for pid in (int(words[1]), os.getpid()):
                    set_affinity(pid, cpus, not pin)
                print(json.dumps(sorted(cpus)), flush=True)
            except OSError:  # refused (e.g. a container's CPU set): the bench stops pinning
                print(json.dumps(None), flush=True)
            continue
        ny, nx, which = words
        ny, nx = int(ny), int(nx)
        if x is None or x.shape != (ny, nx):
            x = np.random.default_rng(1).random((ny, nx), dtype=np.float32)
            for fn in fns.values():
                fn(x)
        t0 = time.perf_counter()
        fns[which](x)
        print(json.dumps(time.perf_counter() - t0), flush=True)


# --- end fft -------------------------------------------------------------------------------------


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "fft-server":
        fft_server_main()
    elif len(sys.argv) > 1 and sys.argv[1] == "mrc-frame":
        mrc_frame_main(sys.argv[2:])
    else:
        main()
