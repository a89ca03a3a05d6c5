"""Training speed: target tokens/s of training steps, default model config, per attention kind, fp32 and bf16.

    python benchmarks/train_speed.py [--steps 6] [--batch-tokens 3000] [--json]

The same real Bible batches for every variant: the training split prepared with the model bundle's subword models
(training/prepared.py, in a temporary cache), cut into token-budget batches of the first epoch
(training/batching.py), the first --steps + 1 of them. Each variant (attention none / bahdanau / luong x amp
fp32 / bf16 autocast) builds the default ModelConfig (configs/bible-en-es.yaml's sizes) with that attention, and
runs Trainer's own training step (forward, label-smoothed loss, backward, clipping, Adam); the first step is a
warm-up and is not timed.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch
from common import ROOT, add_device, default_model, print_json, print_table, synchronize


def first_batches(model: Path, train: Path, batch_tokens: int, n: int, cache: Path):
    """The bundle, and the first n batches of epoch 0 of the training split prepared with its subword models."""
    from nmt.model.bundle import load_bundle
    from nmt.training.batching import TrainingData
    from nmt.training.config import Config
    from nmt.training.prepared import prepare

    bundle = load_bundle(model)
    cfg = Config.model_validate({"out_dir": cache / "run", "data": {"train": str(train), "dev": str(train),
                                                                   "cache_dir": str(cache)}})
    prepared = prepare(cfg, print, (bundle.src_tokenizer, bundle.tgt_tokenizer))
    data = TrainingData(prepared.corpus, [1.0], cfg.data.max_len, None, seed=1)
    plan = data.epoch(batch_tokens, 0)
    return bundle, len(data), [data.batch(plan.batch_rows(i), 0, i) for i in range(min(n, len(plan)))]


def tokens_per_second(bundle, collated, attention: str, amp: str, train: Path, device: str) -> dict:
    from nmt.model.seq2seq import Seq2Seq
    from nmt.training.config import Config
    from nmt.training.trainer import Trainer

    model_cfg = bundle.config.model.model_copy(update={"attention": attention})
    # a model that carries names is only valid beside the transform that masks them (the batches are made already)
    transforms = [{"kind": "placeholders", "names": 0.3}] if model_cfg.names else []
    cfg = Config.model_validate({"out_dir": tempfile.gettempdir(),
                                 "data": {"train": str(train), "dev": str(train), "transforms": transforms},
                                 "model": model_cfg.model_dump(), "train": {"amp": amp, "device": device}})
    torch.manual_seed(0)
    trainer = Trainer(cfg, Seq2Seq(model_cfg), bundle.src_tokenizer, bundle.tgt_tokenizer, None, [])  # writes nothing
    trainer._train_step(collated[0])  # warm-up
    synchronize(device)
    start = time.perf_counter()
    for batch in collated[1:]:
        trainer._train_step(batch)
    synchronize(device)
    seconds = time.perf_counter() - start
    tokens = sum(b.n_tokens for b in collated[1:])
    return {"attention": attention, "amp": amp, "bf16_active": trainer.use_bf16, "steps": len(collated) - 1,
            "tokens": tokens, "seconds": round(seconds, 2), "tok_per_s": tokens / seconds,
            "s_per_step": seconds / (len(collated) - 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="bundle whose subword models encode the corpus "
                        "(default: models/en-es, else runs/bible-en-es/best)")
    parser.add_argument("--train", type=Path, default=ROOT / "data" / "bible" / "train.tsv", help="training TSV")
    parser.add_argument("--steps", type=int, default=6, help="timed steps per variant (default: 6)")
    parser.add_argument("--batch-tokens", type=int, default=3000, help="batch budget (default: 3000, as the config)")
    parser.add_argument("--attentions", default="none,bahdanau,luong", help="(default: none,bahdanau,luong)")
    parser.add_argument("--amps", default="fp32,bf16", help="(default: fp32,bf16)")
    add_device(parser)
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as cache:
        bundle, pairs, batches = first_batches(args.model or default_model(), args.train, args.batch_tokens,
                                               args.steps + 1, Path(cache))
    rows = [tokens_per_second(bundle, batches, attention, amp, args.train, args.device)
            for attention in args.attentions.split(",") for amp in args.amps.split(",")]
    print(f"training steps on {args.device}, default config, {pairs} training pairs, batches of {args.batch_tokens} "
          f"tokens, {torch.get_num_threads()} threads")
    print_table(rows, ["attention", "amp", "bf16_active", "steps", "tokens", "seconds", "tok_per_s", "s_per_step"])
    if args.json:
        print_json({"benchmark": "train_speed", "device": args.device, "threads": torch.get_num_threads(), "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
