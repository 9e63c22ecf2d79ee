"""Executes one notebook headless on the project's tslab kernel and reports what happened as JSON.

    python execute_notebook.py IN.ipynb OUT.ipynb REPORT.json [--timeout SECONDS]

The kernel runs in the notebook's own folder (so `import "lowdose"` resolves from the
repository's node_modules). tslab reports a failing cell by writing the compiler or runtime
message to stderr and answering with status "error"; both are collected so a test failure shows
the real message. The report also records the kernel's peak memory (ru_maxrss of children).
"""

import argparse
import json
import os
import resource
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("notebook")
    ap.add_argument("output")
    ap.add_argument("report")
    ap.add_argument("--timeout", type=int, default=600)
    args = ap.parse_args()

    nb = nbformat.read(args.notebook, as_version=4)
    workdir = os.path.dirname(os.path.abspath(args.notebook))
    client = NotebookClient(
        nb,
        kernel_name="tslab",
        timeout=args.timeout,
        allow_errors=True,
        resources={"metadata": {"path": workdir}},
    )
    started = time.time()
    fatal = None
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, RuntimeError) as e:  # kernel death, timeouts
        fatal = f"{type(e).__name__}: {e}"
    elapsed = time.time() - started

    cells = []
    errors = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        outputs = []
        for out in cell.get("outputs", []):
            entry = {"output_type": out.output_type}
            if out.output_type in ("display_data", "execute_result"):
                entry["mime_types"] = sorted(out.get("data", {}).keys())
                entry["bytes"] = len(json.dumps(out.get("data", {})))
            elif out.output_type == "stream":
                entry["name"] = out.name
                entry["text"] = out.text[-4000:]
            elif out.output_type == "error":
                entry["ename"] = out.ename
                entry["evalue"] = out.evalue
            outputs.append(entry)
            if out.output_type == "error" or (out.output_type == "stream" and out.name == "stderr"):
                message = out.text if out.output_type == "stream" else f"{out.ename}: {out.evalue}"
                errors.append({"cell": index, "source": cell.source[:2000], "message": message[-4000:]})
        cells.append({"index": index, "source": cell.source[:400], "outputs": outputs})

    # Peak resident memory of the largest finished child process (the kernel), in bytes.
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    nbformat.write(nb, args.output)
    report = {
        "notebook": args.notebook,
        "seconds": round(elapsed, 1),
        "fatal": fatal,
        "errors": errors,
        "cells": cells,
        "kernel_peak_rss_bytes": peak_kib * 1024,
    }
    with open(args.report, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
