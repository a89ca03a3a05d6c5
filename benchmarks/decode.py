"""Decoding speed of a model on the test split, against the machine's measured fp32 GEMM throughput.

    python benchmarks/decode.py [--model DIR] [--batch-sizes 1,16,64,all] [--beams 1,5] [--int8] [--json]

For each beam size and batch size, the test sentences go to Translator.translate in consecutive chunks of that
many (as clients would send them; "all" = the whole split in one call, which the Translator cuts into
length-sorted batches of at most 8000 padded source tokens), until all are done or --seconds have passed; it
prints sentences/s and target tokens/s (tokens written, EOS included).

Roofline. The model's FLOPs per target token, from its config (one multiply-add = 2 FLOPs; E emb_dim, H dec_hidden,
h enc_hidden, M = 2h memory size, A attention size (= H), V target vocabulary, 3 gates (GRU) / 4 (LSTM) / 1 (RNN)):

    decoder step     D = 2 [E*3H + H*3H + (H+C+E)*E + E*V] + attention      (C = M; none: 0, as c's share is cached)
                     attention: luong 2 S (H + M);  none 0;
                                bahdanau 2 [H*A + S*A + S*M] + 2 M 3H  (its context's share of the GRU input gates)
    encoder token    N = sum over layers l, both directions 2 * 2*gates*h*(in_l + h)  (in_1 = E, then 2h)
                         + 2 M A  (attention keys; none: 0)
    per sentence     P = 2 M H  (bridge) + 2 M 3H  (c's share of the GRU input gates, computed once; not bahdanau)
                         + 2 M E  (none only: c's share of the output layer)
    per target token F = D + (N * source tokens + P * sentences) / target tokens

with S the mean source length, and for beam search K hypotheses per target token (D counted K times). These are
the FLOPs the model needs with the per-sentence terms cached (the fast decoder); the softmax, the GRU gate
arithmetic and the search's bookkeeping are not counted. GEMM: a loop of fp32 1024x1024 matmuls with the same
thread count, in the same run. Roofline fraction = F * tokens/s / GEMM FLOP/s.
"""
from __future__ import annotations

import argparse
import sys
import time

import torch
from common import add_device, default_model, print_json, print_table, synchronize, test_sources

GATES = {"lstm": 4, "gru": 3, "rnn": 1, "peephole_lstm": 4, "cifg_lstm": 3, "lstm_loop": 4}  # peepholes: elementwise only


def gemm_flops(device: str = "cpu", seconds: float = 2.0, n: int = 1024) -> float:
    """Measured fp32 matmul throughput (FLOP/s) on the device (the CPU: at torch's current thread count)."""
    a, b, c = (torch.randn(n, n, device=device) for _ in range(3))
    for _ in range(3):
        torch.matmul(a, b, out=c)
    synchronize(device)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(10):
            torch.matmul(a, b, out=c)
        synchronize(device)
        done += 10
    return 2 * n**3 * done / (time.perf_counter() - start)


def flops_per_target_token(cfg, src_tokens: int, tgt_tokens: int, sentences: int, beam: int = 1) -> float:
    """F of the docstring, for a run that read src_tokens and wrote tgt_tokens over sentences."""
    e, big_h, h, v = cfg.emb_dim, cfg.dec_hidden, cfg.enc_hidden, cfg.tgt_vocab_size
    m, a, s = 2 * h, cfg.dec_hidden, src_tokens / sentences
    c = 0 if cfg.attention == "none" else m
    attention = {"luong": 2 * s * (big_h + m), "bahdanau": 2 * (big_h * a + s * a + s * m + m * 3 * big_h), "none": 0.0}
    step = 2 * (e * 3 * big_h + big_h * 3 * big_h + (big_h + c + e) * e + e * v) + attention[cfg.attention]
    g = GATES[cfg.enc_cell]
    encoder = sum(2 * 2 * g * h * ((e if layer == 0 else 2 * h) + h) for layer in range(cfg.enc_layers))
    encoder += 2 * m * a if cfg.attention != "none" else 0
    per_sentence = 2 * m * big_h * cfg.dec_layers + (2 * m * 3 * big_h if cfg.attention != "bahdanau" else 0)
    per_sentence += 2 * m * e if cfg.attention == "none" else 0
    return beam * step + (encoder * src_tokens + per_sentence * sentences) / tgt_tokens


def run(translator, sources: list[str], beam: int, batch: int, seconds: float) -> dict:
    """Translate chunks of `batch` sentences until all are done or `seconds` passed."""
    from nmt.model.translator import DecodeOptions

    options = DecodeOptions(beam_size=beam)
    done, src_tokens, tgt_tokens, start = 0, 0, 0, time.perf_counter()
    while done < len(sources) and (done == 0 or time.perf_counter() - start < seconds):
        chunk = sources[done : done + batch]
        out = translator.translate(chunk, options)
        done += len(chunk)
        sentences = [s for text in out for s in text.sentences]  # each text's sentences, as the pipeline cut it
        src_tokens += sum(len(s.src_tokens) for s in sentences)
        tgt_tokens += sum(len(s.tgt_tokens) for s in sentences)
    elapsed = time.perf_counter() - start
    return {"beam": beam, "batch": batch, "sentences": done, "seconds": round(elapsed, 2),
            "sent_per_s": done / elapsed, "tok_per_s": tgt_tokens / elapsed, "src_tokens": src_tokens,
            "tgt_tokens": tgt_tokens, "tgt_per_sent": tgt_tokens / done}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model bundle (default: models/en-es, else runs/bible-en-es/best)")
    parser.add_argument("--test", default=None, help="TSV test file (default: data/bible/test.tsv)")
    parser.add_argument("--batch-sizes", default="1,16,64,all", help="sentences per translate() call (default: 1,16,64,all)")
    parser.add_argument("--beams", default="1,5", help="beam sizes (default: 1,5)")
    parser.add_argument("--seconds", type=float, default=15.0, help="time per configuration, at least one chunk (default: 15)")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N test sentences")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    parser.add_argument("--int8", action="store_true", help="int8 dynamic quantization (model/quantize.py, CPU only)")
    add_device(parser)
    parser.add_argument("--json", action="store_true", help="also print one JSON line with every figure")
    args = parser.parse_args()

    from nmt.model.translator import Translator

    if args.threads:
        torch.set_num_threads(args.threads)
    model = args.model or default_model()
    sources = test_sources(*([args.test] if args.test else []))[: args.limit]
    translator = Translator.load(model, args.device, **({"int8": True} if args.int8 else {}))
    cfg = translator.bundle.config.model
    translator.translate(sources[:8], None)  # warm-up
    gemm = gemm_flops(args.device)
    rows = []
    for beam in map(int, args.beams.split(",")):
        for size in args.batch_sizes.split(","):
            row = run(translator, sources, beam, len(sources) if size == "all" else int(size), args.seconds)
            row["gflop_per_tok"] = flops_per_target_token(cfg, row["src_tokens"], row["tgt_tokens"], row["sentences"],
                                                          beam) / 1e9
            row["roofline"] = row["gflop_per_tok"] * 1e9 * row["tok_per_s"] / gemm
            rows.append(row)
    print(f"model {model} ({'int8' if args.int8 else 'fp32'}) on {translator.device}, {len(sources)} test sentences, "
          f"{torch.get_num_threads()} threads; fp32 GEMM {gemm / 1e9:.1f} GFLOP/s")
    print_table(rows, ["beam", "batch", "sentences", "seconds", "sent_per_s", "tok_per_s", "tgt_per_sent",
                       "gflop_per_tok", "roofline"])
    if args.json:
        print_json({"benchmark": "decode", "model": str(model), "device": str(translator.device), "int8": args.int8,
                    "threads": torch.get_num_threads(), "gemm_gflops": gemm / 1e9, "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
