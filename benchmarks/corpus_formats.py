"""The same corpus as TSV, JSON Lines and CSV: how fast `nmt prepare` reads and cleans each.

    python benchmarks/corpus_formats.py [--pairs 200000] [--rounds 3] [--work DIR]

The corpus is data_scale.py's synthetic one (distinct pairs, each joining two Bible verse pairs), written once as
TSV, as JSON Lines in Hugging Face datasets' layout ({"translation": {"en": ..., "es": ...}}) and as CSV (csv's
Excel dialect, a header en,es). Two figures per format:

- prepare: each round runs `nmt prepare` on the three, one after the other, each into an empty cache, and reads
  its "read and cleaned N pairs in S s" line: the pass that reads the files (a plain TSV as byte spans the worker
  processes read themselves, JSON Lines as blocks of lines the workers parse, CSV parsed into records by the main
  process and cleaned by the workers); the fastest round's seconds are shown (on a shared machine the others
  measure the neighbours too);
- main: the CPU seconds (time.process_time, of this process alone) of training/cleaning.py's chunks over the whole
  file: what the main process of `nmt prepare` spends before the workers, so the rate that more cores cannot
  raise.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml
from common import print_table
from data_scale import dev_file, joined_corpus

from nmt.training.cleaning import chunks
from nmt.training.config import CorpusSpec

RATE = re.compile(r"read and cleaned ([\d,]+) pairs in ([\d.]+) s")


def written_as(tsv: Path, suffix: str) -> Path:
    """The TSV's pairs as a .jsonl or .csv file beside it (written once)."""
    path = tsv.with_suffix(suffix)
    if path.exists():
        return path
    with open(tsv, encoding="utf-8") as pairs, open(path, "w", encoding="utf-8", newline="") as out:
        rows = (line.rstrip("\n").split("\t") for line in pairs)
        if suffix == ".csv":
            writer = csv.writer(out)
            writer.writerow(["en", "es"])
            writer.writerows(rows)
        else:
            out.writelines(json.dumps({"translation": {"en": en, "es": es}}, ensure_ascii=False) + "\n"
                           for en, es in rows)
    return path


def prepared_rate(corpus: Path, work: Path) -> tuple[int, float]:
    """(pairs, seconds) of `nmt prepare`'s reading and cleaning of the corpus, into an empty cache."""
    cache = work / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    config = {"out_dir": str(work / "run"), "data": {"train": str(corpus), "dev": str(dev_file(work)),
                                                     "cache_dir": str(cache), "spm_sample": 10_000},
              "model": {"src_vocab_size": 500, "tgt_vocab_size": 500}}
    (work / "formats.yaml").write_text(yaml.safe_dump(config))
    python = [sys.executable, "-P"] if sys.flags.safe_path else [sys.executable]
    out = subprocess.run([*python, "-m", "nmt", "prepare", str(work / "formats.yaml")], capture_output=True,
                         text=True, check=True).stdout
    found = RATE.search(out)
    assert found, out
    return int(found[1].replace(",", "")), float(found[2])


def main_seconds(corpus: Path) -> float:
    """CPU seconds of making the workers' tasks of the corpus in this process, as `nmt prepare`'s main process does."""
    started = time.process_time()
    for _ in chunks([CorpusSpec(path=corpus)], ("en", "es")):
        pass
    return time.process_time() - started


def per_second(amount: float, seconds: float, digits: int | None = None) -> float | str:
    """amount / seconds, or "-" where the reported seconds round to 0 (a corpus too small to time)."""
    return round(amount / seconds, digits) if seconds > 0 else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=200_000, help="corpus size in pairs (default: 200000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the three formats (default: 3)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/nmt-corpus-formats"), help="corpora, caches")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    tsv = joined_corpus(args.pairs, args.work)
    corpora = {"TSV": tsv, "JSON Lines": written_as(tsv, ".jsonl"), "CSV": written_as(tsv, ".csv")}
    seconds: dict[str, list[float]] = {name: [] for name in corpora}
    for _ in range(args.rounds):
        for name, path in corpora.items():
            pairs, took = prepared_rate(path, args.work)
            seconds[name].append(took)
    main_cpu = {name: main_seconds(path) for name, path in corpora.items()}
    rows = [{"format": name, "MB": round(path.stat().st_size / 1e6, 1), "prepare s": min(seconds[name]),
             "prepare pairs/s": per_second(pairs, min(seconds[name])),
             "x TSV": per_second(min(seconds["TSV"]), min(seconds[name]), 2),
             "main CPU s": round(main_cpu[name], 2), "main pairs/s": round(pairs / max(main_cpu[name], 1e-3))}
            for name, path in corpora.items()]
    print(f"{pairs:,} pairs, {args.rounds} rounds (prepare: all rounds' seconds {json.dumps(seconds)})")
    print_table(rows, list(rows[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
