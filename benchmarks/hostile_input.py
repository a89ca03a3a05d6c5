"""Pathological input through the pipeline's scanners: seconds per size for each adversarial pattern, repeated to
SIZES characters, so that growth faster than linear shows (the time of each size about double the one before it).

    python benchmarks/hostile_input.py [--sizes 5000 10000 20000] [--only spans html]

Scanners: the span rules (model/spans.py, find_spans, with names as a served model finds them), the sentence
splitter (model/segment.py), the HTML reader (model/html.py) and ICU messages (app/icu.py). Prints one line per
scanner and pattern whose largest size took 0.05 s or more.
"""
from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from nmt.app import icu
from nmt.model import html, segment, spans

SCANNERS: dict[str, Callable[[str], object]] = {
    "spans": lambda s: spans.find_spans(s, known=frozenset()),
    "segment": lambda s: segment.split(s, "en"),
    "html": html.parse,
    "icu": icu.cut,
}
PATTERNS = ("1-", "1.", "1,", "1/", "1 < ", "+1 ", "(1) ", "A1-", "a1", "a-", "1 A ", "A. ", "A b ", "(", "<",
            "<a ", "<a<", "</a ", "<!a", "<?a", "%", "{",
            "{a,plural,", "'{", "#", ":a", "$a", "a@", "www.a", "http://x/./", "/a", "a\\")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 10_000, 20_000])
    parser.add_argument("--only", nargs="+", choices=sorted(SCANNERS), default=sorted(SCANNERS))
    args = parser.parse_args()
    print(f"{'scanner':8} {'pattern':14} " + " ".join(f"{n:>8}" for n in args.sizes))
    for name in args.only:
        for unit in PATTERNS:
            seconds = []
            for size in args.sizes:
                text = unit * (size // len(unit))
                start = time.perf_counter()
                try:
                    SCANNERS[name](text)
                except ValueError:  # refused (html.InvalidHtml): as quick as it is
                    pass
                seconds.append(time.perf_counter() - start)
            if seconds[-1] >= 0.05:
                print(f"{name:8} {unit!r:14} " + " ".join(f"{s:8.3f}" for s in seconds), flush=True)


if __name__ == "__main__":
    main()
