"""Training data at scale: preparation speed and memory, and memory and time to the first update, for synthetic
corpora of 0.1M, 1M and 10M unique pairs.

    python benchmarks/data_scale.py [--sizes 0.1M,1M,10M] [--cold 1M] [--ddp 1M] [--updates 50] [--work DIR]

Each corpus joins two verse pairs of data/bible/train.tsv into one pair (pair i joins verse i mod V with verse
(i div V + a fixed shuffle of i mod V) mod V, so no two pairs are the same), written once as a TSV under --work.
For each size, every phase runs in its own process, whose peak resident memory the kernel reports when it is
reaped (os.wait4; with worker processes, that of the largest one):

- prepare: `nmt prepare` into an empty cache: seconds, input pairs/s (and per CPU-second of all its processes: on
  a shared machine, wall-clock rates measure the neighbours too), peak RSS, disk size of the prepared data; and
  the CPU cost of tokenizing a pair with SentencePiece on whole lines against the word memo that preparation uses;
- warm: `nmt train` of a tiny model for --updates updates on the prepared corpus: seconds from the process's start
  to the end of its first update, peak RSS;
- cold (the sizes in --cold): `nmt train` from the raw TSV with an empty cache, so preparing inside the run:
  peak RSS, seconds to the first update.
- ddp (the sizes in --ddp): the warm run again, as one process and as two gloo ranks under `torchrun
  --nproc_per_node=2`, each process's memory sampled from /proc/PID/smaps every 0.2 s: the peak RSS of each, and
  the peaks of their RSS and PSS summed, in all and of their mappings of the prepared data (PSS splits each page
  among the processes that map it, so the corpus's pages, mapped by both ranks from the page cache, count once
  between them).
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml
from common import ROOT, print_json, print_table

BIBLE = ROOT / "data" / "bible"
TINY_MODEL = {"src_vocab_size": 1000, "tgt_vocab_size": 1000, "emb_dim": 32, "enc_hidden": 32, "dec_hidden": 64,
              "attention": "luong", "dropout": 0.1, "word_dropout": 0.0}
# The child that trains: the time from its start to the end of the first update goes to stdout as one JSON line.
TIMED_TRAIN = """
import json, sys, time
started = time.monotonic()
from nmt.training.trainer import Trainer
step = Trainer._train_step
def timed(self, batch):
    loss = step(self, batch)
    if self.progress.step == 0:
        hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
        print(json.dumps({"first_update_s": round(time.monotonic() - started, 2), "first_update_rss_mb": hwm // 1024}),
              flush=True)
    return loss
Trainer._train_step = timed
from nmt.cli import main
sys.exit(main(["train", sys.argv[1]]))
"""


def size_of(text: str) -> int:
    return int(float(text.upper().removesuffix("M")) * 1_000_000) if text.upper().endswith("M") else int(text)


def joined_corpus(pairs: int, work: Path) -> Path:
    """The synthetic TSV of `pairs` unique joined verse pairs (written once)."""
    path = work / f"joined-{pairs}.tsv"
    if path.exists():
        return path
    verses = [line.split("\t") for line in (BIBLE / "train.tsv").read_text(encoding="utf-8").splitlines()]
    shift = list(range(len(verses)))
    random.Random(0).shuffle(shift)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        for i in range(pairs):
            a, b = verses[i % len(verses)], verses[(i // len(verses) + shift[i % len(verses)]) % len(verses)]
            out.write(f"{a[0]} {b[0]}\t{a[1]} {b[1]}\n")
    tmp.rename(path)
    return path


def dev_file(work: Path) -> Path:
    """The first 50 dev pairs: the evaluation that ends each run is not what is measured."""
    path = work / "dev-50.tsv"
    path.write_text("".join((BIBLE / "dev.tsv").read_text(encoding="utf-8").splitlines(keepends=True)[:50]))
    return path


def write_config(work: Path, name: str, corpus: Path, cache: Path, updates: int) -> Path:
    config = {"out_dir": str(work / "runs" / name),
              "data": {"train": str(corpus), "dev": str(dev_file(work)), "cache_dir": str(cache)},
              "model": TINY_MODEL,
              "train": {"max_steps": updates, "eval_every": 10 * updates, "batch_tokens": 2000, "threads": 1}}
    shutil.rmtree(config["out_dir"], ignore_errors=True)
    path = work / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def measured(command: list[str], log: Path) -> dict:
    """Run command; its seconds, peak RSS (MB) and the JSON lines it printed."""
    started = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=out, text=True)
        stdout = proc.stdout.read()  # type: ignore[union-attr]
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - started
    out_log = log.with_suffix(".out")
    out_log.write_text(stdout)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed: see {log} and {out_log}")
    record = {"seconds": round(seconds, 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
              "peak_rss_mb": round(usage.ru_maxrss / 1024)}
    for line in stdout.splitlines():
        if line.startswith("{"):
            record |= json.loads(line)
    return record


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except OSError:
                continue
            found += kids
            todo += kids
    return found


def memory_kb(pid: int, data: Path) -> dict[str, int]:
    """Rss and Pss of a process in kB, in all and of its mappings of files under `data` (empty once it is gone)."""
    totals = {"Rss": 0, "Pss": 0, "data_Rss": 0, "data_Pss": 0}
    try:
        text = Path(f"/proc/{pid}/smaps").read_text()
    except OSError:
        return {}
    in_data = False
    for line in text.splitlines():
        key, *rest = line.split()
        if key in ("Rss:", "Pss:"):
            totals[key[:-1]] += int(rest[0])
            if in_data:
                totals["data_" + key[:-1]] += int(rest[0])
        elif not key.endswith(":"):  # a mapping's first line: range, perms, offset, device, inode, path
            in_data = len(rest) >= 5 and rest[4].startswith(str(data))
    return totals


def sampled(command: list[str], log: Path, data: Path) -> dict:
    """Run command; the peak RSS of each of its training processes (the ranks, or the process itself; not
    torchrun) and the peaks of their summed RSS and PSS, in all and of their mappings of `data`, in MB, sampled
    every 0.2 s."""
    with open(log, "w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        peak: dict[int, int] = {}
        sums = {"Rss": 0, "Pss": 0, "data_Rss": 0, "data_Pss": 0}
        while proc.poll() is None:
            memory = {pid: memory_kb(pid, data) for pid in [proc.pid, *descendants(proc.pid)] if _trains(pid)}
            for pid, m in memory.items():
                peak[pid] = max(peak.get(pid, 0), m.get("Rss", 0))
            for key in sums:
                sums[key] = max(sums[key], sum(m.get(key, 0) for m in memory.values()))
            time.sleep(0.2)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: see {log}")
    return {"processes": len(peak), "peak_rss_mb": sorted(v // 1024 for v in peak.values()),
            "rss_sum_mb": sums["Rss"] // 1024, "pss_sum_mb": sums["Pss"] // 1024,
            "data_rss_sum_mb": sums["data_Rss"] // 1024, "data_pss_sum_mb": sums["data_Pss"] // 1024}


def _trains(pid: int) -> bool:
    try:
        line = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"nmt.cli" in line and b"torchrun" not in line


def ddp_rows(pairs: int, work: Path, updates: int) -> list[dict]:
    """The warm run as one process and as two gloo ranks, on the prepared corpus of `pairs`."""
    corpus, cache = joined_corpus(pairs, work), work / f"cache-{pairs}"
    rows = []
    for name, command in (("1 process", [sys.executable, "-m", "nmt.cli", "train"]),
                          ("2 gloo ranks", ["torchrun", "--standalone", "--nproc_per_node=2", "-m", "nmt.cli", "train"])):
        config = write_config(work, f"ddp-{pairs}-{name[0]}", corpus, cache, updates)
        record = sampled([*command, str(config)], work / f"ddp-{pairs}-{name[0]}.log", cache)
        rows.append({"pairs": pairs, "run": name, **record})
    return rows


def disk_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def encoder_costs(cache: Path, sentences: int = 20_000) -> dict:
    """CPU µs a pair (both sides, one thread, the best of 3 runs) of tokenizing the first prepared pairs with the
    learned models two ways: SentencePiece on each whole line, and the word memo that preparation uses
    (training/word_memo.py), warmed by one pass first as it is after a worker's first tasks."""
    from nmt.model.tokenizer import Tokenizer
    from nmt.training.word_memo import WordMemo

    clean_dir = next(p for p in cache.iterdir() if p.is_dir())
    models = next(clean_dir.glob("spm-*"))
    whole, memo = 0.0, 0.0
    for side in ("src", "tgt"):
        tok = Tokenizer((models / f"{side}.spm").read_bytes())
        with open(clean_dir / f"{side}.txt", "rb") as handle:
            lines = [line.rstrip(b"\n") for line in itertools.islice(handle, sentences)]
        words = WordMemo(tok, "uint32")
        words.encode(lines)
        whole += min(_cpu_seconds(tok.encode_utf8, lines) for _ in range(3)) / len(lines) * 1e6
        memo += min(_cpu_seconds(words.encode, lines) for _ in range(3)) / len(lines) * 1e6
    return {"sentencepiece_us_per_pair": round(whole, 1), "memo_us_per_pair": round(memo, 1)}


def _cpu_seconds(fn, *args) -> float:
    start = time.process_time()
    fn(*args)
    return time.process_time() - start


def run_size(pairs: int, work: Path, updates: int, cold: bool) -> dict:
    corpus = joined_corpus(pairs, work)
    cache = work / f"cache-{pairs}"
    shutil.rmtree(cache, ignore_errors=True)
    row: dict = {"pairs": pairs, "tsv_mb": round(corpus.stat().st_size / 2**20)}
    config = write_config(work, f"warm-{pairs}", corpus, cache, updates)
    prep = measured([sys.executable, "-m", "nmt.cli", "prepare", str(config)], work / f"prepare-{pairs}.log")
    row |= {"prepare_s": prep["seconds"], "prepare_pairs_per_s": round(pairs / prep["seconds"]),
            "prepare_cpu_s": prep["cpu_s"], "prepare_pairs_per_cpu_s": round(pairs / prep["cpu_s"]),
            "prepare_rss_mb": prep["peak_rss_mb"], "prepared_disk_mb": round(disk_mb(cache)), **encoder_costs(cache)}
    warm = measured([sys.executable, "-c", TIMED_TRAIN, str(config)], work / f"warm-{pairs}.log")
    row |= {"warm_first_update_s": warm["first_update_s"], "warm_train_s": warm["seconds"],
            "warm_train_rss_mb": warm["peak_rss_mb"]}
    if cold:
        shutil.rmtree(cache, ignore_errors=True)
        config = write_config(work, f"cold-{pairs}", corpus, cache, updates)
        run = measured([sys.executable, "-c", TIMED_TRAIN, str(config)], work / f"cold-{pairs}.log")
        row |= {"cold_first_update_s": run["first_update_s"], "cold_train_s": run["seconds"],
                "cold_train_rss_mb": run["peak_rss_mb"]}
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="0.1M,1M", help="corpus sizes in pairs (default: 0.1M,1M; add 10M)")
    parser.add_argument("--cold", default="1M", help="sizes also trained from the raw TSV with an empty cache "
                        "(default: 1M; '' for none)")
    parser.add_argument("--ddp", default="", help="sizes also trained as two gloo ranks, after the rest (e.g. 1M)")
    parser.add_argument("--updates", type=int, default=50, help="training updates per run (default: 50)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/nmt-data-scale"), help="corpora, caches, runs, logs")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    cold = {size_of(s) for s in args.cold.split(",") if s}
    rows = []
    for size in (size_of(s) for s in args.sizes.split(",") if s):
        rows.append(run_size(size, args.work, args.updates, size in cold))
        print(json.dumps(rows[-1]), flush=True)
    if rows:
        print(f"\n{args.updates} updates of a tiny model ({TINY_MODEL['emb_dim']}-dim, vocabularies "
              f"{TINY_MODEL['src_vocab_size']}), {os.cpu_count()} cores; RSS in MB, times in s")
        print_table(rows, ["pairs", "tsv_mb", "prepare_s", "prepare_pairs_per_s", "prepare_pairs_per_cpu_s",
                           "sentencepiece_us_per_pair", "memo_us_per_pair", "prepare_rss_mb", "prepared_disk_mb",
                           "warm_first_update_s", "warm_train_rss_mb", "cold_first_update_s", "cold_train_rss_mb"])
    ddp = [row for size in args.ddp.split(",") if size for row in ddp_rows(size_of(size), args.work, args.updates)]
    if ddp:
        print(f"\nthe warm run ({args.updates} updates) as one process and as two gloo ranks, each process sampled "
              "every 0.2 s; MB")
        print_table(ddp, ["pairs", "run", "processes", "peak_rss_mb", "rss_sum_mb", "pss_sum_mb", "data_rss_sum_mb",
                          "data_pss_sum_mb"])
    if args.json:
        print_json({"benchmark": "data_scale", "rows": rows, "ddp": ddp})
    return 0


if __name__ == "__main__":
    sys.exit(main())
