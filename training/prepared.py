"""Prepare once, map everywhere: the training corpora cleaned and tokenized once into flat arrays on disk, which
every later run, --resume and every DDP rank read from there (through the page cache they share) instead of each
holding the corpus in Python lists.

Layout under the cache directory (data.cache_dir, default .prepared beside out_dir):

    <clean key>/                 the corpora read, cleaned and deduplicated (key: content fingerprints + filters)
        src.txt, tgt.txt         the kept pairs' text, UTF-8, one sentence per line (for text-level transforms)
        src.off, tgt.off         uint64 byte offsets: pair i is src.txt[off[i]:off[i+1]] (its line, with \\n)
        lines.u64                each pair's line in its file (TMX: the <tu>'s line), for reports
        skipped.tsv              every record dropped: corpus, file (0 pair, 1 source, 2 target), line, reason
        manifest.json            sizes of the files above, counts, the corpora's row ranges, their files' real paths
                                 (`nmt prepare --prune` removes the other versions of those; never one held: Hold)
        spm-<key>/               subword models learned from a uniform sample of data.spm_sample cleaned pairs
                                 (key: vocabulary sizes, sample size and its seed, data.spm_seed or train.seed)
        ids-<key>/               the pairs as subword ids (key: the two subword models)
            src.ids, tgt.ids     uint16 (uint32 past 65,536 subwords), no specials; src.off/tgt.off: item offsets
            src.len, tgt.len     uint32 subwords of each pair, read whole for batching (8 bytes a pair)

Each directory is written under a temporary name, fsynced, and renamed into place with its manifest.json last:
a directory with its final name is whole. On open, every file's size is checked against the manifest; one that
differs is prepared again, never used.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
from tqdm import tqdm

from nmt.model.tokenizer import Tokenizer
from nmt.training.arrays import ArrayFile, Offsets, Rows, mapped
from nmt.training.cleaning import Cleaned, chunks, clean_chunk, keep_rows
from nmt.training.config import Config
from nmt.training.corpus import FIRST_FEW, NOT_UTF8, BadLine, is_memory, names, summary
from nmt.training.dedup import SeenPairs
from nmt.training.errors import CorpusError
from nmt.training.files import make_dir
from nmt.training.filters import DUPLICATE
from nmt.training.fingerprint import fingerprints
from nmt.training.pool import ordered_map
from nmt.training.sampling import Reservoir
from nmt.training.word_memo import memo_for

VERSION = 3  # 2: lengths files (src.len, tgt.len); 3: the ratio filter counts wide (CJK) characters twice
INLINE_BYTES = 4 << 20  # corpora smaller than this are prepared in this process: starting workers costs more
TOKENIZE_CHUNK = 20_000
Say = Callable[[str], None]


# --- keys ------------------------------------------------------------------------------------------------------
def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:20]


def corpus_files(cfg: Config) -> list[Path]:
    return [path for spec in cfg.data.corpora for path in spec.files]


def clean_key(cfg: Config, hashes: dict[str, str]) -> str:
    corpora = [{"files": [hashes[str(p)] for p in spec.files],
                "langs": [cfg.data.src_lang, cfg.data.tgt_lang] if is_memory(spec.files[0]) else None}
               for spec in cfg.data.corpora]
    return _digest({"version": VERSION, "corpora": corpora, "filters": cfg.data.filters.model_dump()})


def spm_seed(cfg: Config) -> int:
    """The seed of the sample the subword models learn from."""
    return cfg.train.seed if cfg.data.spm_seed is None else cfg.data.spm_seed


def spm_key(cfg: Config) -> str:
    # "distinct": learned from each sampled sentence once; "sampled here": the sample drawn with the key's seed and
    # size (a cleaned corpus once kept one sample, drawn with the seed of the run that cleaned it first)
    return _digest([cfg.model.src_vocab_size, cfg.model.tgt_vocab_size, cfg.data.spm_sample, spm_seed(cfg),
                    cfg.model.placeholders, "distinct", "sampled here", cfg.data.spm_character_coverage,
                    cfg.data.spm_normalization])


def ids_key(src: Tokenizer, tgt: Tokenizer) -> str:
    return hashlib.sha256(src.model_bytes + tgt.model_bytes).hexdigest()[:20]


# --- whole directories, atomically --------------------------------------------------------------------------------
@contextmanager
def atomic_dir(final: Path) -> Iterator[Path]:
    """A temporary directory that becomes final when the block ends without an exception; removed otherwise.
    Running out of disk (or any write error) is a CorpusError naming the directory. Its writer holds a lock on it
    (flock) while it lives, so that the temporary directories of writers killed outright (kill -9, the OOM killer,
    a lost machine), which nothing else removes, are removed here: each as large as the corpus."""
    tmp = final.parent / f".tmp-{final.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    lock = None
    try:
        _remove_abandoned(final.parent)
        lock = _locked_dir(tmp)
        yield tmp
        _fsync(tmp)
        if final.exists():  # prepared meanwhile by another process: same key, same content
            return
        os.rename(tmp, final)
        _fsync(final.parent)
    except OSError as e:
        raise CorpusError(f"{final.parent}: cannot write the prepared corpus ({e.strerror or e}); nothing half-written "
                          "is kept: free some space or set data.cache_dir elsewhere") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if lock is not None:
            os.close(lock)


def _locked_dir(path: Path) -> int:
    """A new directory at path, locked by the descriptor returned: made under another name and renamed once
    locked, so that _remove_abandoned never finds it unlocked."""
    new = Path(tempfile.mkdtemp(prefix=".new-", dir=path.parent))
    lock = os.open(new, os.O_RDONLY)
    fcntl.flock(lock, fcntl.LOCK_EX)
    os.rename(new, path)
    return lock


def _remove_abandoned(directory: Path) -> None:
    """Remove the temporary directories in directory whose writer has ended (their lock is free: the kernel frees
    it however the process ends), and leave those being written."""
    for tmp in directory.glob(".tmp-*"):
        try:
            lock = os.open(tmp, os.O_RDONLY)
        except OSError:  # removed meanwhile, or not a directory of ours
            continue
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # held: being written
            continue
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        finally:
            os.close(lock)


def _fsync(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_manifest(directory: Path, manifest: dict) -> None:
    """Last into a directory: the sizes of every file in it, so that open() can tell a whole one."""
    sizes = {p.name: p.stat().st_size for p in directory.iterdir() if p.is_file()}
    with open(directory / "manifest.json", "w") as handle:
        json.dump({"version": VERSION, **manifest, "files": sizes}, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())


def read_manifest(directory: Path) -> dict | None:
    """The manifest of a whole directory, else None (missing, another version, or a file of the wrong size)."""
    try:
        manifest = json.loads((directory / "manifest.json").read_text())
        whole = manifest["version"] == VERSION and all(
            (directory / name).stat().st_size == size for name, size in manifest["files"].items())
    except (OSError, ValueError, KeyError):
        return None
    return manifest if whole else None


def usable(directory: Path, say: Say) -> dict | None:
    """read_manifest, and a damaged directory removed (with a note) so that it is prepared again."""
    manifest = read_manifest(directory)
    if manifest is None and directory.exists():
        say(f"{directory}: incomplete or damaged, prepared again")
        shutil.rmtree(directory, ignore_errors=True)
    return manifest


def sources(cfg: Config) -> list[str]:
    """The corpus files by their real paths: what a prepared directory is a version of, for prune."""
    return [os.path.realpath(path) for path in corpus_files(cfg)]


class Hold:
    """A shared lock on a prepared directory, for as long as this object lives (a training's, in its
    PreparedCorpus), which prune's exclusive one waits for in no case: a directory held is kept."""

    def __init__(self, directory: Path):
        self.fd = os.open(directory, os.O_RDONLY)
        fcntl.flock(self.fd, fcntl.LOCK_SH)
        try:  # the directory still there under its name (prune renames it away while it holds its lock)
            same = os.stat(directory).st_ino == os.fstat(self.fd).st_ino
        except OSError:
            same = False
        if not same:
            os.close(self.fd)
            self.fd = -1
            raise CorpusError(f"{directory}: removed by `nmt prepare --prune` meanwhile; run again to prepare it")

    def __del__(self) -> None:
        if getattr(self, "fd", -1) >= 0:
            os.close(self.fd)


def prune(cfg: Config, keep: str, say: Say) -> None:
    """Remove the cache's other prepared versions of these corpus files (their earlier contents, other filters),
    each as large as 1.6 times its corpus, but none that a process holds (a training that maps it, however it was
    configured): that one is named and kept. Directories prepared before their manifests named their sources are
    left too."""
    mine = sources(cfg)
    for directory in sorted(cfg.cache_dir.iterdir()):
        manifest = None if directory.name == keep or directory.name.startswith(".") else read_manifest(directory)
        if manifest is None or manifest.get("sources") != mine:
            continue
        lock = os.open(directory, os.O_RDONLY)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            say(f"{directory}: an earlier version of these corpora, kept: a running process maps it")
            os.close(lock)
            continue
        size = sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())
        gone = directory.parent / f".tmp-pruned-{directory.name}-{os.getpid()}"  # (_remove_abandoned ends a cut one)
        os.rename(directory, gone)
        os.close(lock)
        shutil.rmtree(gone, ignore_errors=True)
        say(f"{directory}: an earlier version of these corpora, removed ({size / 1e6:,.1f} MB)")


# --- pass 1: read, clean, deduplicate, sample ------------------------------------------------------------------
@dataclass
class CleanStats:
    """What pass 1 saw: records read, pairs kept, the skipped ones counted by reason."""

    records: list[int]
    kept: list[int]
    counts: Counter = field(default_factory=Counter)
    first: dict[str, list[list]] = field(default_factory=dict)  # reason -> [corpus, file, line] of the first few
    not_utf8: dict[tuple[int, int], list[int]] = field(default_factory=dict)  # (corpus, file) -> [lines, first]
    dedup_full: bool = False

    def skip(self, corpus: int, which: int, bad: BadLine) -> None:
        self.counts[bad.reason] += 1
        first = self.first.setdefault(bad.reason, [])
        if len(first) < FIRST_FEW:
            first.append([corpus, which, bad.line])
        if bad.reason == NOT_UTF8:
            self.not_utf8.setdefault((corpus, which), [0, bad.line])[0] += 1


def _clean(cfg: Config, out: Path, workers: int, say: Say) -> dict:
    corpora, filters = cfg.data.corpora, cfg.data.filters
    files = {"src.txt": ArrayFile(out / "src.txt", np.uint8), "tgt.txt": ArrayFile(out / "tgt.txt", np.uint8),
             "src.off": Offsets(out / "src.off"), "tgt.off": Offsets(out / "tgt.off"),
             "lines.u64": ArrayFile(out / "lines.u64", np.uint64)}
    stats = CleanStats([0] * len(corpora), [0] * len(corpora))
    seen = SeenPairs(filters.dedup_memory_mb) if filters.duplicates else None
    where = [names(spec.files) for spec in corpora]
    with open(out / "skipped.tsv", "w", encoding="utf-8") as skipped, \
            tqdm(desc="reading", unit=" pairs", unit_scale=True, mininterval=1, disable=None) as bar:
        work = partial(clean_chunk, filters=filters)
        for cleaned in ordered_map(work, chunks(corpora, (cfg.data.src_lang, cfg.data.tgt_lang)), workers):
            if cleaned.numbered_within:
                cleaned.renumber(stats.records[cleaned.corpus])
            if seen is not None:
                cleaned = _drop_repeats(cleaned, seen, where[cleaned.corpus][0])
            for bad in cleaned.skipped:
                which = where[cleaned.corpus].index(bad.path)
                stats.skip(cleaned.corpus, which, bad)
                skipped.write(f"{cleaned.corpus}\t{which}\t{bad.line}\t{bad.reason}\n")
            for name, values in (("src.txt", np.frombuffer(cleaned.src, np.uint8)),
                                 ("tgt.txt", np.frombuffer(cleaned.tgt, np.uint8)), ("src.off", cleaned.src_bytes),
                                 ("tgt.off", cleaned.tgt_bytes), ("lines.u64", cleaned.lines)):
                files[name].append(values)
            stats.records[cleaned.corpus] += cleaned.records
            stats.kept[cleaned.corpus] += len(cleaned.lines)
            bar.update(cleaned.records)
        skipped.flush()
        os.fsync(skipped.fileno())
    for handle in files.values():
        handle.close()
    stats.dedup_full = seen is not None and seen.full
    _refuse_unusable(cfg, stats)
    bounds = np.cumsum([0] + stats.kept).tolist()
    return {"pairs": sum(stats.kept), "records": stats.records, "counts": dict(stats.counts), "first": stats.first,
            "ranges": [[bounds[i], bounds[i + 1]] for i in range(len(corpora))], "dedup_full": stats.dedup_full}


def _drop_repeats(cleaned: Cleaned, seen: SeenPairs, path: str) -> Cleaned:
    keep = seen.first_seen(cleaned.hashes)
    if keep.all():
        return cleaned
    cleaned.skipped.extend(BadLine(path, int(line), DUPLICATE) for line in cleaned.lines[~keep])
    return keep_rows(cleaned, keep)


def _refuse_unusable(cfg: Config, stats: CleanStats) -> None:
    """CorpusError for a file of mixed encodings, or corpora without one usable pair."""
    for (corpus, which), (bad, first) in stats.not_utf8.items():
        lines = stats.records[corpus]
        if 2 <= bad < lines and bad >= lines / 100:
            name = names(cfg.data.corpora[corpus].files)[which]
            raise CorpusError(f"{name}: line {first}: not UTF-8, like {bad} of its {lines} lines while the others are: "
                              "mixed encodings; convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8)")
    if sum(stats.kept) == 0:
        first_skip, where = next(iter(stats.first.items()), None), ""
        if first_skip is not None:  # the first kind of skip met, and its first record
            reason, ((corpus, which, line), *_) = first_skip
            where = f"; the first: {names(cfg.data.corpora[corpus].files)[which]}: line {line}: {reason}"
        label = " + ".join(spec.name for spec in cfg.data.corpora)
        raise CorpusError(f"{label}: no usable sentence pairs: {summary(0, stats.counts)}{where}")


# --- pass 2: tokenize ----------------------------------------------------------------------------------------------
def id_dtype(*toks: Tokenizer):
    return np.uint16 if max(t.vocab_size for t in toks) <= 1 << 16 else np.uint32


def tokenize_rows(task: tuple, clean_dir: Path, models: tuple[bytes, bytes], dtype: str) -> list[np.ndarray]:
    """Rows start:end of the cleaned text as flat id arrays (of dtype, id_dtype's) and lengths: [src ids, src
    lengths, tgt ids, tgt lengths]."""
    start, end = task
    out: list[np.ndarray] = []
    for side, model in zip(("src", "tgt"), models, strict=True):
        text, off = mapped(clean_dir / f"{side}.txt", np.uint8), mapped(clean_dir / f"{side}.off", np.uint64)
        lines = bytes(text[int(off[start]) : int(off[end])]).split(b"\n")[:-1]  # UTF-8, as the memo takes it
        out += memo_for(model, dtype).encode(lines)
    return out


def _tokenize(clean_dir: Path, pairs: int, src: Tokenizer, tgt: Tokenizer, out: Path, workers: int) -> dict:
    dtype = id_dtype(src, tgt)
    files = [ArrayFile(out / "src.ids", dtype), Offsets(out / "src.off"), ArrayFile(out / "tgt.ids", dtype),
             Offsets(out / "tgt.off")]
    lengths = [ArrayFile(out / "src.len", np.uint32), ArrayFile(out / "tgt.len", np.uint32)]
    tasks = [(start, min(start + TOKENIZE_CHUNK, pairs)) for start in range(0, pairs, TOKENIZE_CHUNK)]
    work = partial(tokenize_rows, clean_dir=clean_dir, models=(src.model_bytes, tgt.model_bytes),
                   dtype=np.dtype(dtype).name)
    with tqdm(total=pairs, desc="tokenizing", unit=" pairs", unit_scale=True, mininterval=1, disable=None) as bar:
        for arrays in ordered_map(work, tasks, workers):
            for handle, values in zip(files, arrays, strict=True):
                handle.append(values)
            lengths[0].append(arrays[1])
            lengths[1].append(arrays[3])
            bar.update(len(arrays[1]))
    for handle in files + lengths:
        handle.close()
    return {"pairs": pairs, "dtype": np.dtype(dtype).name}


# --- subword models ----------------------------------------------------------------------------------------------
def sample_rows(pairs: int, size: int, seed: int, chunk: int = 1 << 20) -> list[int]:
    """A uniform random sample of `size` of the rows 0..pairs-1, in order: a Reservoir offered the rows a chunk at a
    time (the same rows as offered all at once, in fixed memory)."""
    sample = Reservoir(size, seed)
    for start in range(0, pairs, chunk):
        sample.offer(min(chunk, pairs - start))
    return sample.sorted().tolist()


def sample_texts(clean_dir: Path, side: str, rows: list[int]) -> list[str]:
    """The distinct sentences of one side at these rows, in their order. A side repeats itself where corpora share it
    (the same Spanish verses beside the WEB and the KJV), and SentencePiece 0.2.2 stalls on such repeats
    (benchmarks/README.md, "Subword models from repeated sentences"). Read with pread (Rows), not a memory map: the
    sample is spread over the whole file, and the 64 KB the kernel maps around each touched page would put all of
    it in the process's RSS."""
    text = Rows(clean_dir / f"{side}.txt", clean_dir / f"{side}.off", np.uint8)
    return list(dict.fromkeys(text[row][:-1].tobytes().decode("utf-8") for row in rows))


def learn_tokenizers(cfg: Config, clean_dir: Path, pairs: int, say: Say,
                     workers: int = 1) -> tuple[Tokenizer, Tokenizer]:
    """SentencePiece models learned from a sample of the corpus's `pairs` cleaned pairs (cached beside it), the two
    sides side by side when workers > 1; each reduced vocabulary said in one line."""
    directory = clean_dir / f"spm-{spm_key(cfg)}"
    if usable(directory, say) is None:
        rows = sample_rows(pairs, cfg.data.spm_sample, spm_seed(cfg))
        say(f"learning subword models from {len(rows):,} sampled pairs (data.spm_sample: {cfg.data.spm_sample:,})")
        sides = [("src", cfg.model.src_vocab_size), ("tgt", cfg.model.tgt_vocab_size)]
        learn = partial(learn_side, clean_dir=clean_dir, rows=rows, placeholders=cfg.model.placeholders,
                        coverage=cfg.data.spm_character_coverage, normalization=cfg.data.spm_normalization)
        with atomic_dir(directory) as tmp:
            for (side, asked), model in zip(sides, ordered_map(learn, sides, min(workers, len(sides))), strict=True):
                (tmp / f"{side}.spm").write_bytes(model)
                tok = Tokenizer(model)
                if tok.vocab_size - tok.placeholders < asked:
                    say(f"model.{side}_vocab_size: {asked} asked, but the corpus yields only {tok.vocab_size} subwords: "
                        f"the {'source' if side == 'src' else 'target'} vocabulary has {tok.vocab_size}")
            write_manifest(tmp, {"key": spm_key(cfg)})
    return Tokenizer((directory / "src.spm").read_bytes()), Tokenizer((directory / "tgt.spm").read_bytes())


def learn_side(side: tuple[str, int], clean_dir: Path, rows: list[int], placeholders: int, coverage: float = 1.0,
               normalization: str = "nmt_nfkc") -> bytes:
    """The subword model of one side (name, vocabulary size), learned from its sampled sentences (in a worker)."""
    name, vocab_size = side
    threads = max(1, (os.cpu_count() or 1) // 2)  # the cores of one of the two sides learned side by side
    return Tokenizer.train(sample_texts(clean_dir, name, rows), vocab_size, character_coverage=coverage,
                           placeholders=placeholders, threads=threads, normalization=normalization).model_bytes


# --- the prepared corpus ---------------------------------------------------------------------------------------
class PreparedCorpus:
    """A prepared corpus on disk: lengths in memory (8 bytes a pair), a pair's ids or text read when a batch asks."""

    def __init__(self, clean_dir: Path, ids_dir: Path, corpus_names: list[str], hold: Hold | None = None):
        self.clean_dir, self.ids_dir, self.names = clean_dir, ids_dir, corpus_names
        self.hold = hold  # while this lives, `nmt prepare --prune` leaves clean_dir alone
        self.manifest = json.loads((clean_dir / "manifest.json").read_text())
        dtype = np.dtype(json.loads((ids_dir / "manifest.json").read_text())["dtype"])
        self.src_ids, self.tgt_ids = (Rows(ids_dir / f"{side}.ids", ids_dir / f"{side}.off", dtype)
                                      for side in ("src", "tgt"))
        self.src_text, self.tgt_text = (Rows(clean_dir / f"{side}.txt", clean_dir / f"{side}.off", np.uint8)
                                        for side in ("src", "tgt"))
        self.lines = mapped(clean_dir / "lines.u64", np.uint64)
        self.ranges: list[list[int]] = self.manifest["ranges"]

    def __len__(self) -> int:
        return int(self.manifest["pairs"])

    def lengths(self) -> tuple[np.ndarray, np.ndarray]:
        """Subwords of each source and target."""
        return np.fromfile(self.ids_dir / "src.len", np.uint32), np.fromfile(self.ids_dir / "tgt.len", np.uint32)

    def ids(self, row: int) -> tuple[list[int], list[int]]:
        return self.src_ids[row].tolist(), self.tgt_ids[row].tolist()

    def text(self, row: int) -> tuple[str, str]:
        """The pair's cleaned text (for text-level transforms)."""
        return (self.src_text[row][:-1].tobytes().decode("utf-8"), self.tgt_text[row][:-1].tobytes().decode("utf-8"))

    def corpus_of(self, rows: np.ndarray) -> np.ndarray:
        starts = np.array([start for start, _ in self.ranges])
        return np.searchsorted(starts, rows, side="right") - 1

    def where(self, row: int) -> tuple[int, int]:
        """(corpus, line) of a row."""
        return int(self.corpus_of(np.array([row]))[0]), int(self.lines[row])


# --- the whole job ---------------------------------------------------------------------------------------------
@dataclass
class Prepared:
    corpus: PreparedCorpus
    src_tok: Tokenizer
    tgt_tok: Tokenizer
    hashes: dict[str, str]  # content fingerprint of each corpus file
    key: str


def _say_rate(say: Say, done: str, counts: list[int], started: float) -> None:
    seconds = time.monotonic() - started
    say(f"prepare: {done} {sum(counts):,} pairs in {seconds:.2f} s ({sum(counts) / max(seconds, 1e-9):,.0f} pairs/s)")


def workers_for(cfg: Config) -> int:
    size = sum(p.stat().st_size for p in corpus_files(cfg) if p.exists())
    return 1 if size < INLINE_BYTES else os.cpu_count() or 1


def prepare(cfg: Config, say: Say, tokenizers: tuple[Tokenizer, Tokenizer] | None = None,
            create: bool = True) -> Prepared:
    """The prepared corpus of cfg.data.train, prepared now if it is not in the cache yet (create=False: a
    CorpusError instead, for the DDP ranks that wait while rank 0 prepares). tokenizers: subword models to use
    (a resumed run's, init_from's) instead of learning them from the sample."""
    cache = cfg.cache_dir
    make_dir(cache)
    hashes = fingerprints(corpus_files(cfg), cache)
    key = clean_key(cfg, hashes)
    clean_dir = cache / key
    workers = workers_for(cfg)
    if usable(clean_dir, say) is None:
        if not create:
            raise CorpusError(f"{clean_dir}: the prepared corpus is missing")
        started = time.monotonic()
        with atomic_dir(clean_dir) as tmp:
            write_manifest(tmp, {"key": key, "sources": sources(cfg), **_clean(cfg, tmp, workers, say)})
        _say_rate(say, "read and cleaned", json.loads((clean_dir / "manifest.json").read_text())["records"], started)
    hold = Hold(clean_dir)
    manifest = json.loads((clean_dir / "manifest.json").read_text())
    src_tok, tgt_tok = tokenizers or learn_tokenizers(cfg, clean_dir, manifest["pairs"], say, workers)
    ids_dir = clean_dir / f"ids-{ids_key(src_tok, tgt_tok)}"
    if usable(ids_dir, say) is None:
        if not create:
            raise CorpusError(f"{ids_dir}: the prepared corpus is missing")
        started = time.monotonic()
        with atomic_dir(ids_dir) as tmp:
            write_manifest(tmp, _tokenize(clean_dir, manifest["pairs"], src_tok, tgt_tok, tmp, workers))
        _say_rate(say, "tokenized", [manifest["pairs"]], started)
    corpus = PreparedCorpus(clean_dir, ids_dir, [spec.name for spec in cfg.data.corpora], hold)
    return Prepared(corpus, src_tok, tgt_tok, hashes, key)
