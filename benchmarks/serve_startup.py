"""Start-up cost of `nmt serve`: seconds from process start to /ready 200, and peak resident memory.

    python benchmarks/serve_startup.py [--model DIR | --models-dir DIR] [--runs 2] [--json]

Starts the server --runs times with fp32 weights and --runs times with --int8 (alternating), polls /ready every
50 ms, and reads the process's peak RSS (VmHWM in /proc, Linux) once it is ready: the model loaded, the model
thread warmed up by one translation (beam 1). Prints the median and the range of each, and which torch build the
server imports: PyPI's CUDA build of torch costs about 300 MB more resident memory than a CPU build, GPU or not.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from importlib.metadata import version

from common import Server, default_model, print_json, print_table


def measure(model, flags: tuple[str, ...], int8: bool) -> dict:
    with Server(model, threads=None, flags=flags + (("--int8",) if int8 else ())) as server:
        return {"ready_s": server.ready_s, "peak_rss_mb": server.peak_rss_mb(), "rss_mb": server.rss_mb()}


def summarize(name: str, runs: list[dict]) -> dict:
    row = {"weights": name, "runs": len(runs)}
    for key in ("ready_s", "peak_rss_mb", "rss_mb"):
        values = [r[key] for r in runs]
        row[key] = statistics.median(values)
        row[f"{key}_range"] = f"{min(values):.3g}-{max(values):.3g}"
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--model", default=None, help="model bundle (default: models/en-es, else runs/bible-en-es/best)")
    which.add_argument("--models-dir", default=None, help="serve every bundle of this directory instead, as the "
                        "image does (e.g. models: both shipped models)")
    parser.add_argument("--runs", type=int, default=2, help="starts per variant (default: 2)")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args()
    model = None if args.models_dir else args.model or default_model()
    flags = ("--models-dir", args.models_dir) if args.models_dir else ()
    runs = {False: [], True: []}
    for _ in range(args.runs):
        for int8 in (False, True):
            runs[int8].append(measure(model, flags, int8))
    rows = [summarize("fp32", runs[False]), summarize("int8", runs[True])]
    torch = version("torch")  # the server's own: the same interpreter and environment
    served = " ".join(flags) or f"--model {model}"
    print(f"nmt serve {served}, torch {torch}: process start -> /ready 200, memory once ready")
    print_table(rows, ["weights", "runs", "ready_s", "ready_s_range", "peak_rss_mb", "peak_rss_mb_range", "rss_mb"])
    if args.json:
        print_json({"benchmark": "serve_startup", "served": served, "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
