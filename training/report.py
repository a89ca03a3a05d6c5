"""What a run says about its training data: the counts of what was skipped and why, the first few of each kind
with file:line, all of them in out_dir/skipped.tsv, and the corpus fingerprints that --resume checks."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from nmt.training.config import Config
from nmt.training.corpus import FIRST_FEW, names, summary
from nmt.training.errors import CorpusError
from nmt.training.files import atomic_open, write_atomic
from nmt.training.filters import TOO_LONG
from nmt.training.fingerprint import fingerprints
from nmt.training.prepared import Prepared, PreparedCorpus, corpus_files

if TYPE_CHECKING:  # annotations only: `nmt prepare` reports with this module, without torch (batching.py's)
    from nmt.training.batching import TrainingData

SOURCES = "data.json"


def report_cleaning(cfg: Config, corpus: PreparedCorpus, kept: int, say: Callable[[str], None],
                    more: Counter | None = None) -> Counter:
    """What preparation dropped: the summary line and the first few records of each kind (`nmt prepare` says it
    too, so that a corpus is checked without training on it); the counts, with more's."""
    manifest, where = corpus.manifest, [names(spec.files) for spec in cfg.data.corpora]
    counts = Counter(manifest["counts"]) + (more or Counter())
    say(f"train: {summary(kept, counts)}")
    for reason, first in manifest["first"].items():
        for number, which, line in first:
            say(f"  {where[number][which]}: line {line}: {reason}")
    if manifest.get("dedup_full"):
        say("  the duplicate check filled its table and stopped: raise data.filters.dedup_memory_mb to cover the corpus")
    return counts


def report_skipped(cfg: Config, data: TrainingData, say: Callable[[str], None]) -> None:
    """The summary line, the first few skipped records of each kind, and out_dir/skipped.tsv with all of them."""
    where = [names(spec.files) for spec in cfg.data.corpora]
    too_long = np.flatnonzero(~data.usable)
    counts = report_cleaning(cfg, data.corpus, len(data), say,
                             Counter({TOO_LONG: len(too_long)} if len(too_long) else {}))
    for row in too_long[:FIRST_FEW]:
        corpus, line = data.corpus.where(int(row))
        say(f"  {where[corpus][0]}: line {line}: {TOO_LONG} (over data.max_len {cfg.data.max_len} subwords)")
    path = cfg.out_dir / "skipped.tsv"
    with atomic_open(path) as out, open(data.corpus.clean_dir / "skipped.tsv", encoding="utf-8") as cached:
        out.write("file\tline\treason\n")
        for record in cached:
            number, which, at, reason = record.rstrip("\n").split("\t", 3)
            out.write(f"{where[int(number)][int(which)]}\t{at}\t{reason}\n")
        for row in too_long:
            corpus, line = data.corpus.where(int(row))
            out.write(f"{where[corpus][0]}\t{line}\t{TOO_LONG}\n")
    if counts:
        say(f"  (all {sum(counts.values())} in {path})")


def record_sources(cfg: Config, prepared: Prepared) -> None:
    """out_dir/data.json: the fingerprint of every corpus file this run trains on."""
    write_atomic(cfg.out_dir / SOURCES, json.dumps({"prepared": prepared.key, "files": prepared.hashes}, indent=1))


def check_unchanged(cfg: Config) -> None:
    """--resume: CorpusError if a corpus file differs from the one the run started with, or data.train lists a file
    the run did not train on or leaves out one it did (by content: a corpus moved or named by another path is the
    same corpus)."""
    try:
        started = json.loads((cfg.out_dir / SOURCES).read_text())["files"]
    except FileNotFoundError:
        return  # a run from before data.json existed
    now = fingerprints(corpus_files(cfg), cfg.cache_dir)
    other_data = "--resume would train on other data; restore it, or start a new run in another out_dir"
    for path, digest in now.items():
        if started.get(path, digest) != digest:
            raise CorpusError(f"{path}: changed since this run started (content sha256 {started[path][:12]} then, "
                              f"{digest[:12]} now): {other_data}")
    added = [path for path, digest in now.items() if digest not in started.values()]
    left_out = [path for path, digest in started.items() if digest not in now.values()]
    if added or left_out:
        changes = [f"{', '.join(paths)} {what}" for paths, what in ((added, "added"), (left_out, "left out")) if paths]
        raise CorpusError(f"data.train is not the corpus this run started with ({'; '.join(changes)}): {other_data} "
                          "(train.init_from: its best/ bundle, to go on training with other data)")


def seen_line(seen: dict[str, int]) -> str:
    return ", ".join(f"{name} {n:,} pairs" for name, n in seen.items())
