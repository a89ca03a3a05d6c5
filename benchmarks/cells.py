"""Encoder cell speed: source tokens/s of a forward and backward pass of the bidirectional encoder RNN alone, torch's
nn.LSTM (its fused kernel, on the packed batch) against the Python-loop cells of model/cells.py (plain, peephole,
CIFG, on the padded batch).

    python benchmarks/cells.py [--batch 64] [--length 40] [--seconds 5] [--threads 1] [--json]

One random batch of the default config's sizes (embeddings 256, 2 layers of 256 per direction): --batch rows of
lengths within 10 % below --length, as a length-bucketed training batch has them; the loss is the sum of the
outputs. Each cell repeats the pass for --seconds after one untimed warm-up; fp32, --threads torch threads.
"""
from __future__ import annotations

import argparse
import sys
import time

import torch
from common import print_json, print_table
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from nmt.model.cells import PLAIN, BiLSTM, LSTMVariant

CELLS: dict[str, LSTMVariant | None] = {"nn.LSTM": None, "plain (loop)": PLAIN,
                                        "peephole_lstm": LSTMVariant(peephole=True),
                                        "cifg_lstm": LSTMVariant(coupled=True)}


def make(variant: LSTMVariant | None, emb: int, hidden: int, layers: int) -> nn.Module:
    if variant is None:
        return nn.LSTM(emb, hidden, layers, batch_first=True, bidirectional=True)
    return BiLSTM(emb, hidden, layers, 0.0, variant)


def run(rnn: nn.Module, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    if isinstance(rnn, BiLSTM):
        return rnn(x, lengths)[0]
    out, _ = rnn(pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False))
    return pad_packed_sequence(out, batch_first=True, total_length=x.size(1))[0]


def measure(rnn: nn.Module, x: torch.Tensor, lengths: torch.Tensor, seconds: float) -> dict:
    run(rnn, x, lengths).sum().backward()  # warm-up
    passes, start = 0, time.perf_counter()
    while passes == 0 or time.perf_counter() - start < seconds:
        rnn.zero_grad(set_to_none=True)
        run(rnn, x, lengths).sum().backward()
        passes += 1
    elapsed = time.perf_counter() - start
    return {"passes": passes, "ms_per_pass": round(1000 * elapsed / passes, 1),
            "tokens_per_s": round(passes * int(lengths.sum()) / elapsed)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=64, help="rows (default: 64)")
    parser.add_argument("--length", type=int, default=40, help="longest row, tokens (default: 40)")
    parser.add_argument("--emb", type=int, default=256, help="input size (default: 256)")
    parser.add_argument("--hidden", type=int, default=256, help="hidden size per direction (default: 256)")
    parser.add_argument("--layers", type=int, default=2, help="stacked layers (default: 2)")
    parser.add_argument("--seconds", type=float, default=5.0, help="timed seconds per cell (default: 5)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default: 1)")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(0)
    lengths = torch.randint(max(1, int(0.9 * args.length)), args.length + 1, (args.batch,), generator=gen)
    lengths[0] = args.length
    x = torch.randn(args.batch, args.length, args.emb, generator=gen)
    rows = []
    for name, variant in CELLS.items():
        torch.manual_seed(0)
        rnn = make(variant, args.emb, args.hidden, args.layers)
        rows.append({"cell": name, "params": sum(p.numel() for p in rnn.parameters()),
                     **measure(rnn, x, lengths, args.seconds)})
    base = rows[0]["tokens_per_s"]
    for row in rows:
        row["vs_nn_lstm"] = round(row["tokens_per_s"] / base, 2)
    print(f"forward+backward, batch {args.batch} x up to {args.length} tokens ({int(lengths.sum())} tokens), emb "
          f"{args.emb}, {args.layers} x {args.hidden} per direction, {args.threads} thread(s), fp32")
    print_table(rows, ["cell", "params", "passes", "ms_per_pass", "tokens_per_s", "vs_nn_lstm"])
    if args.json:
        print_json({"benchmark": "cells", **vars(args), "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
