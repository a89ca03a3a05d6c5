"""Soak: a real `nmt serve` kept at saturation (more sentences wanted than its queue holds) for --minutes.

    python scripts/soak.py --minutes 10

Prints the requests sent, answered (200), refused (503, the queue being full), failed (anything else, transport
errors included), and the RSS of the server process: when ready, at start (after the first slice of load, when
the allocator has warmed up), every slice, and at the end. Exits 1 if any request failed, or if the RSS at the
end is more than 10% away from the RSS at start.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

from nmt.scripts.harness import Server, add_model_args, model_of
from nmt.scripts.overload import hammer

SLICE_S = 10  # RSS is sampled between slices of load


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10, help="length of the soak (default: 10)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients, 3 sentences each (default: 16)")
    parser.add_argument("--queue", type=int, default=32, help="NMT_QUEUE_SIZE, in sentences (default: 32)")
    add_model_args(parser)
    args = parser.parse_args()
    statuses: Counter[int] = Counter()
    rss: list[float] = []
    with Server(model_of(args), args.work / "soak-server.log", NMT_QUEUE_SIZE=str(args.queue),
                NMT_MAX_WAIT_MS="5") as server:
        rss_ready, end = server.rss_mb(), time.monotonic() + args.minutes * 60
        while (left := end - time.monotonic()) > 0.5:
            statuses += hammer(server, args.clients, min(SLICE_S, left)).statuses
            rss.append(server.rss_mb())
    failed = sum(n for status, n in statuses.items() if status not in (200, 503))
    print(f"{args.minutes:g} min at saturation ({args.clients} clients x 3 sentences, queue {args.queue}): "
          f"requests sent {sum(statuses.values())}, answered {statuses[200]}, refused 503 {statuses[503]}, "
          f"failed {failed} {dict((s, n) for s, n in statuses.items() if s not in (200, 503))}")
    growth = rss[-1] / rss[0] - 1
    print(f"server RSS: ready {rss_ready:.0f} MB, start {rss[0]:.0f} MB, end {rss[-1]:.0f} MB ({growth:+.1%}); "
          f"every {SLICE_S} s: {' '.join(f'{r:.0f}' for r in rss)}")
    return 0 if failed == 0 and abs(growth) <= 0.10 else 1


if __name__ == "__main__":
    sys.exit(main())
