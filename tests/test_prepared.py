"""The prepared corpus (training/prepared.py): arrays on disk that round-trip the corpus, a cache reused by later
runs, written atomically (a full disk or a damaged file never leaves a cache that is used), and --resume refusing
a corpus that changed."""
from __future__ import annotations

import errno
import fcntl
import gzip
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import yaml

from nmt.cli import main
from nmt.model.tokenizer import Tokenizer
from nmt.scripts.harness import reversal_pairs, write_tsv
from nmt.training import prepared as prepared_module
from nmt.training import train as train_module
from nmt.training.arrays import ArrayFile
from nmt.training.batching import TrainingData
from nmt.training.config import load_config
from nmt.training.prepared import prepare

TINY = {"src_vocab_size": 40, "tgt_vocab_size": 40, "emb_dim": 8, "enc_hidden": 8, "dec_hidden": 16, "attention": "luong"}


def unique_pairs(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """n different toy pairs (none dropped as a duplicate)."""
    return list(dict.fromkeys(reversal_pairs(2 * n, seed)))[:n]


def write_config(tmp_path, train, **data) -> str:
    dev = write_tsv(tmp_path / "dev.tsv", reversal_pairs(10, 1))
    config = {"out_dir": str(tmp_path / "run"), "data": {"train": train, "dev": str(dev), "max_len": 50} | data,
              "model": TINY, "train": {"max_steps": 2, "eval_every": 2, "threads": 1}}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    return str(tmp_path / "c.yaml")


def one_line_error(capsys, argv) -> str:
    capsys.readouterr()  # what came before
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"nmt {argv[0]}: error: ") and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


def test_prepared_arrays_round_trip_and_the_cache_is_reused(tmp_path, capsys):
    pairs = unique_pairs(300)
    config = write_config(tmp_path, str(write_tsv(tmp_path / "train.tsv", pairs)))
    assert main(["prepare", config]) == 0
    out = capsys.readouterr().out
    assert "read and cleaned 300 pairs" in out and "prepared 300 pairs" in out
    got = prepare(load_config(config), print)
    assert "read and cleaned" not in capsys.readouterr().out, "prepared once, mapped after"
    corpus = got.corpus
    assert len(corpus) == 300 and corpus.ranges == [[0, 300]]
    assert corpus.src_ids.dtype == np.uint16 and len(np.fromfile(corpus.ids_dir / "src.len", np.uint32)) == 300
    for row in (0, 137, 299):
        assert corpus.text(row) == pairs[row]
        src, tgt = corpus.ids(row)
        assert (got.src_tok.decode([src])[0], got.tgt_tok.decode([tgt])[0]) == pairs[row]
        assert corpus.where(row) == (0, row + 1)
    assert main(["train", config]) == 0
    assert "read and cleaned" not in capsys.readouterr().out, "nmt train maps what nmt prepare wrote"


def test_prepare_names_the_lines_it_drops(tmp_path, capsys):
    """`nmt prepare` is how a corpus is checked before training: it says what it left out, as `nmt train` does."""
    train = tmp_path / "train.tsv"
    train.write_bytes(write_tsv(tmp_path / "good.tsv", unique_pairs(50)).read_bytes() + b"one column\n\xff\tbad\n")
    assert main(["prepare", write_config(tmp_path, str(train))]) == 0
    out = capsys.readouterr().out
    assert "train: 50 sentence pairs, 2 lines skipped (1 expected 2 tab-separated columns, found 1, 1 not UTF-8)" in out
    assert f"  {train}: line 51: expected 2 tab-separated columns, found 1\n  {train}: line 52: not UTF-8\n" in out


def test_worker_processes_prepare_the_same_arrays_as_one_process(tmp_path, monkeypatch):
    config = load_config(write_config(tmp_path, str(write_tsv(tmp_path / "train.tsv", reversal_pairs(2500, 0)))))
    inline_job = prepare(config, print)
    inline = inline_job.corpus
    monkeypatch.setattr(prepared_module, "INLINE_BYTES", 0)  # two spawned workers, chunks of a few records
    monkeypatch.setattr(prepared_module, "TOKENIZE_CHUNK", 300)
    monkeypatch.setattr("nmt.training.cleaning.CHUNK", 400)
    monkeypatch.setattr("nmt.training.cleaning.BLOCK_BYTES", 1000)  # a TSV's blocks: lines cut at block ends
    pooled_job = prepare(config.model_copy(update={"data": config.data.model_copy(update={"cache_dir": tmp_path / "c2"})}),
                         print)
    pooled = pooled_job.corpus
    for side in ("src_tok", "tgt_tok"):
        assert getattr(pooled_job, side).model_bytes == getattr(inline_job, side).model_bytes, f"{side} learned apart"
    for name in ("src.ids", "src.off", "tgt.ids", "tgt.len"):
        assert (inline.ids_dir / name).read_bytes() == (pooled.ids_dir / name).read_bytes(), name
    for name in ("src.txt", "tgt.off", "lines.u64", "skipped.tsv"):
        assert (inline.clean_dir / name).read_bytes() == (pooled.clean_dir / name).read_bytes(), name
    assert inline.manifest["counts"] == pooled.manifest["counts"] and inline.manifest["counts"]["duplicate pair"] > 0


def test_a_compressed_tsv_prepares_as_the_plain_one_does(tmp_path, monkeypatch):
    """A plain TSV goes to the workers as byte spans they read, a gzip one as blocks the main process reads: the
    same pairs, lines and skipped records either way, odd lines included."""
    lines = [f"{s}\t{t}" for s, t in unique_pairs(400)] + ["dup\tDUP", "dup\tDUP", "  spaced  out \t x", "no tab",
                                                          "same\tsame", "ctrl\x01\tX"]
    data = "".join(f"{line}\r\n" if i % 7 == 0 else f"{line}\n" for i, line in enumerate(lines)).encode()
    (tmp_path / "plain.tsv").write_bytes(data)
    (tmp_path / "packed.tsv.gz").write_bytes(gzip.compress(data))
    monkeypatch.setattr("nmt.training.cleaning.BLOCK_BYTES", 500)
    dirs = []
    for name in ("plain.tsv", "packed.tsv.gz"):
        config = load_config(write_config(tmp_path, str(tmp_path / name), cache_dir=str(tmp_path / f"c-{name}")))
        dirs.append(prepare(config, print).corpus.clean_dir)
    for file in ("src.txt", "tgt.txt", "lines.u64"):
        assert (dirs[0] / file).read_bytes() == (dirs[1] / file).read_bytes(), file
    skipped = [sorted((d / "skipped.tsv").read_text().splitlines()) for d in dirs]  # a chunk's duplicates come last
    assert skipped[0] == skipped[1] and [line.split("\t")[2:] for line in skipped[0]] == [
        ["402", "duplicate pair"], ["403", "length ratio over 3"], ["404", "expected 2 tab-separated columns, found 1"],
        ["405", "source identical to target"], ["406", "control characters"]]


def test_disk_full_during_preparation_leaves_nothing_that_is_used_later(tmp_path, capsys, monkeypatch):
    config = write_config(tmp_path, str(write_tsv(tmp_path / "train.tsv", reversal_pairs(300, 0))))
    cache = tmp_path / ".prepared"
    append = ArrayFile.append
    calls = []

    def full_disk(self, values):
        calls.append(1)
        if len(calls) > 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        append(self, values)

    monkeypatch.setattr(ArrayFile, "append", full_disk)
    err = one_line_error(capsys, ["prepare", config])
    assert f"{cache}: cannot write the prepared corpus (No space left on device); nothing half-written" in err
    assert sorted(p.name for p in cache.iterdir()) == ["fingerprints.json"], "no temporary or half-written directory"
    monkeypatch.setattr(ArrayFile, "append", append)
    assert main(["prepare", config]) == 0
    assert "read and cleaned 300 pairs" in capsys.readouterr().out


def test_what_a_killed_preparation_left_is_removed_and_what_one_under_way_writes_is_kept(tmp_path, capsys):
    # kill -9 (or the OOM killer) during preparation left its temporary directory, as large as the corpus, for good
    config = write_config(tmp_path, str(write_tsv(tmp_path / "train.tsv", unique_pairs(300))))
    cache = tmp_path / ".prepared"
    killed, writing = cache / ".tmp-0123abcd-999999", cache / ".tmp-4567cdef-2"
    for directory in (killed, writing):
        directory.mkdir(parents=True)
        (directory / "src.txt").write_text("half of it\n")
    lock = os.open(writing, os.O_RDONLY)
    fcntl.flock(lock, fcntl.LOCK_EX)  # as its writer holds it while it lives
    try:
        assert main(["prepare", config]) == 0
        assert not killed.exists()
        assert (writing / "src.txt").read_text() == "half of it\n"
        assert [p.name for p in cache.glob(".*") if p != writing] == [], "no temporary directory of its own left"
    finally:
        os.close(lock)


def test_the_workers_import_no_torch():
    # A spawned worker imports the command's main module and the module of what it runs: torch came in through the
    # corpus readers (model/align.py, for model/html.py's words), so each of preparation's workers held 590 MB
    # before it read a line (nmt.cli: the main module of `nmt` and `python -m nmt`).
    code = "import sys, nmt.cli, nmt.training.prepared; print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_nmt_prepare_loads_no_torch(tmp_path):
    # Its main process loaded torch (~470 MB; peak RSS 675 -> 189 MB on 2,000 pairs) through what only read the
    # environment or named a class: cli.py's WORLD_SIZE (distributed.py), BundleError (bundle.py), an annotation in
    # report.py (batching.py).
    config = write_config(tmp_path, str(write_tsv(tmp_path / "train.tsv", reversal_pairs(300, 0))))
    code = f"import sys; from nmt.cli import main; code = main(['prepare', {config!r}]); print('torch' in sys.modules, code)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "False 0", done.stdout + done.stderr


def test_a_folder_given_as_a_corpus_is_named_as_such(tmp_path, capsys):
    # The fingerprint, taken first, said "cannot read file (Is a directory)"; the readers said this.
    (tmp_path / "corpus").mkdir()
    err = one_line_error(capsys, ["prepare", write_config(tmp_path, str(tmp_path / "corpus"))])
    assert f"{tmp_path / 'corpus'}: is a directory, expected a text file" in err


def test_prune_removes_earlier_versions_of_the_corpora_but_not_one_a_training_maps(tmp_path, capsys):
    train = write_tsv(tmp_path / "train.tsv", reversal_pairs(300, 0))
    config = write_config(tmp_path, str(train))
    earlier = prepare(load_config(config), print)  # held while it lives, as a training's is
    old = earlier.corpus.clean_dir
    (tmp_path / "o").mkdir()  # another corpus prepared in the same cache: not this config's to remove
    other = write_config(tmp_path / "o", str(write_tsv(tmp_path / "o" / "t.tsv", reversal_pairs(50, 2))),
                         cache_dir=str(old.parent))
    theirs = prepare(load_config(other), print).corpus.clean_dir
    train.write_text(train.read_text() + "one more\tMORE ONE\n")
    capsys.readouterr()
    assert main(["prepare", "--prune", config]) == 0
    assert f"{old}: an earlier version of these corpora, kept: a running process maps it" in capsys.readouterr().out
    assert old.exists()
    del earlier  # the training ended
    assert main(["prepare", "--prune", config]) == 0
    out = capsys.readouterr().out
    assert f"{old}: an earlier version of these corpora, removed (" in out and "read and cleaned" not in out
    assert not old.exists() and theirs.exists() and not list(old.parent.glob(".*"))
    assert main(["train", config]) == 0, "the current version is whole"


def test_weights_whose_epoch_plan_would_not_fit_in_memory_are_refused_before_training(tmp_path, capsys, monkeypatch):
    # As weight: 1000 on a corpus of tens of millions on any machine: the process was killed for memory in epoch().
    train = str(write_tsv(tmp_path / "train.tsv", unique_pairs(300)))
    monkeypatch.setattr(train_module, "machine_memory", lambda: 16_000_000)  # 300 pairs x 1000 x 64 B: 19.2 MB
    err = one_line_error(capsys, ["train", write_config(tmp_path, [{"path": train, "weight": 1000}])])
    assert "data.train: the weights make an epoch of 300,000 pairs, whose plan needs 19 MB, more than half this " \
           "machine's 16 MB of memory: lower the weights" in err
    assert not (tmp_path / "run" / "checkpoints").exists()
    monkeypatch.setattr(train_module, "machine_memory", lambda: 40_000_000)
    assert main(["train", write_config(tmp_path, [{"path": train, "weight": 1000}])]) == 0, "the next try starts anew"


def test_a_damaged_prepared_file_is_prepared_again_not_used(tmp_path, capsys):
    config = write_config(tmp_path, str(write_tsv(tmp_path / "train.tsv", reversal_pairs(300, 0))))
    corpus = prepare(load_config(config), print).corpus
    ids = corpus.ids_dir / "tgt.ids"
    ids.write_bytes(ids.read_bytes()[:-10])  # as a crash in a non-atomic writer would leave it
    capsys.readouterr()
    again = prepare(load_config(config), print).corpus
    out = capsys.readouterr().out
    assert f"{corpus.ids_dir}: incomplete or damaged, prepared again" in out and "tokenized" in out
    assert ids.stat().st_size == 2 * int(np.fromfile(again.ids_dir / "tgt.len", np.uint32).sum()), "whole again"


def test_resume_refuses_a_corpus_that_changed(tmp_path, capsys):
    train = write_tsv(tmp_path / "train.tsv", reversal_pairs(300, 0))
    config = write_config(tmp_path, str(train))
    assert main(["train", config]) == 0
    recorded = (tmp_path / "run" / "config.yaml").read_text()
    with open(train, "a") as handle:
        handle.write("one more\tMORE ONE\n")
    config = write_config(tmp_path, str(train), spm_sample=5000)  # with another config, which is not recorded:
    err = one_line_error(capsys, ["train", config, "--resume"])
    assert f"{train}: changed since this run started" in err and "--resume would train on other data" in err
    assert (tmp_path / "run" / "config.yaml").read_text() == recorded  # a refused --resume changed nothing
    assert not list((tmp_path / "run").glob("config.*.yaml"))


def test_resume_refuses_a_corpus_added_or_left_out_but_not_one_moved(tmp_path, capsys):
    train, more = write_tsv(tmp_path / "train.tsv", reversal_pairs(300, 0)), write_tsv(tmp_path / "more.tsv",
                                                                                      reversal_pairs(50, 1))
    config = write_config(tmp_path, str(train))
    assert main(["train", config]) == 0
    config = write_config(tmp_path, [{"path": str(train)}, {"path": str(more), "weight": 2}])
    err = one_line_error(capsys, ["train", config, "--resume"])
    assert f"data.train is not the corpus this run started with ({more} added): --resume would train" in err
    train.rename(tmp_path / "moved.tsv")  # the same corpus by another path
    config = write_config(tmp_path, str(tmp_path / "moved.tsv"))
    assert main(["train", config, "--resume"]) == 0


def test_no_usable_pair_after_filtering(tmp_path, capsys):
    train = tmp_path / "train.tsv"
    train.write_text("same\tsame\nalpha beta\talpha beta\nx\x07y\tXY\n")
    err = one_line_error(capsys, ["train", write_config(tmp_path, str(train))])
    assert (f"{train}: no usable sentence pairs: 0 sentence pairs, 3 lines skipped (1 control characters, "
            "2 source identical to target)") in err
    assert "line 1" in err


def test_a_vocabulary_the_corpus_cannot_fill_is_said(tmp_path, capsys):
    config = write_config(tmp_path, str(write_tsv(tmp_path / "train.tsv", reversal_pairs(300, 0))))
    raw = yaml.safe_load(open(config))
    raw["model"]["tgt_vocab_size"] = 8000
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(raw))
    assert main(["prepare", config]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("model.tgt_vocab_size"))
    assert line.startswith("model.tgt_vocab_size: 8000 asked, but the corpus yields only ") and "subwords" in line
    assert not any(line.startswith("model.src_vocab_size") for line in out.splitlines()), "40 fit: nothing to say"


def test_weighted_corpora_share_each_epoch_and_the_log_counts_them(tmp_path, capsys):
    a = write_tsv(tmp_path / "a.tsv", unique_pairs(300))
    b = write_tsv(tmp_path / "b.tsv", [(s + " b", t + " B") for s, t in unique_pairs(100, 5)])
    config = write_config(tmp_path, [{"path": str(a), "weight": 0.5}, {"path": str(b), "weight": 3}])
    raw = yaml.safe_load(open(config))
    raw["train"] |= {"max_steps": 1000, "max_epochs": 2, "eval_every": 1000, "batch_tokens": 400}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(raw))
    assert main(["train", config]) == 0
    out = capsys.readouterr().out
    assert f"corpora: {a} (300 pairs, weight 0.5), {b} (100 pairs, weight 3)" in out
    log = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    seen = [r["seen"] for r in log if "seen" in r]  # at each evaluation: here the one at the end of epoch 2
    assert seen == [{str(a): 300, str(b): 600}], seen
    assert f"seen: {a} 300 pairs, {b} 600 pairs" in out
    data = TrainingData(prepare(load_config(config), print).corpus, [0.5, 3], 50, None, seed=1)
    epochs = [data.epoch(400, epoch) for epoch in (0, 1)]
    assert [data.seen(plan.rows) for plan in epochs] == [{str(a): 150, str(b): 300}] * 2
    halves = [set(plan.rows[plan.rows < 300].tolist()) for plan in epochs]
    assert halves[0] != halves[1], "a new random half of corpus a each epoch"


def test_subword_models_learn_each_sampled_sentence_once(tmp_path, monkeypatch):
    """Two sources for the same targets (as the WEB and the KJV for the Reina-Valera): the target side's sample
    holds each sentence twice, and SentencePiece is handed each once."""
    pairs = unique_pairs(200)
    a = write_tsv(tmp_path / "a.tsv", pairs)
    b = write_tsv(tmp_path / "b.tsv", [(other, t) for (other, _), (_, t) in zip(unique_pairs(200, 5), pairs, strict=True)])
    config = load_config(write_config(tmp_path, [{"path": str(a)}, {"path": str(b)}]))
    config.model.src_vocab_size = config.model.tgt_vocab_size = 64  # the two sources' characters need more than 40
    learned: dict[int, list[str]] = {}
    train = prepared_module.Tokenizer.train

    def recording(sentences, vocab_size, **kwargs):
        sentences = list(sentences)
        learned[len(learned)] = sentences
        return train(sentences, vocab_size, **kwargs)

    monkeypatch.setattr(prepared_module.Tokenizer, "train", recording)
    prepare(config, print)
    src, tgt = learned[0], learned[1]
    assert len(src) > 300 and len(set(src)) == len(src)
    assert len(tgt) == 200 and set(tgt) == {t for _, t in pairs}, "each shared target once"


def test_resume_on_a_prepared_corpus_with_weights_and_transforms_is_exact(tmp_path):
    """Two weighted corpora (one at 0.5: a random half each epoch), source noise and subword sampling: a run
    stopped at step 12 and resumed ends with the weights of a run that went straight to 24."""
    import torch

    from nmt.training.checkpoint import load_checkpoint
    from nmt.training.train import run_training

    a = write_tsv(tmp_path / "a.tsv", unique_pairs(300))
    b = write_tsv(tmp_path / "b.tsv", unique_pairs(200, 7))
    transforms = [{"kind": "noise", "char_swap": 0.05, "lowercase": 0.3},
                  {"kind": "subword_sampling", "alpha": 0.2, "sides": "both"}]

    def config(name: str, steps: int):
        raw = yaml.safe_load(open(write_config(tmp_path, [{"path": str(a)}, {"path": str(b), "weight": 0.5}],
                                               transforms=transforms)))
        raw["out_dir"] = str(tmp_path / name)
        raw["train"] |= {"max_steps": steps, "eval_every": 12, "batch_tokens": 300}
        return load_config_from(raw, tmp_path / f"{name}.yaml")

    run_training(config("straight", 24))
    run_training(config("resumed", 12))
    assert run_training(config("resumed", 24), resume=True).step == 24
    straight, resumed = (load_checkpoint(tmp_path / n / "checkpoints" / "last.pt") for n in ("straight", "resumed"))
    assert straight["progress"]["epoch"] >= 1, "the run crosses an epoch: the half of b is drawn again"
    for name, value in straight["model"].items():
        assert torch.equal(value, resumed["model"][name]), name


def load_config_from(raw: dict, path):
    path.write_text(yaml.safe_dump(raw))
    return load_config(path)


def test_each_rank_draws_its_own_batches_of_the_same_epoch(tmp_path):
    config = load_config(write_config(tmp_path, str(write_tsv(tmp_path / "train.tsv", unique_pairs(500)))))
    data = TrainingData(prepare(config, print).corpus, [1.0], 50, None, seed=1)
    plan = data.epoch(200, epoch=0)
    shares = [plan.share(rank, 2) for rank in (0, 1)]
    assert len(shares[0]) == len(shares[1]) == len(plan) // 2
    assert not set(shares[0].order.tolist()) & set(shares[1].order.tolist())
    rows = [np.concatenate([share.batch_rows(i) for i in range(len(share))]) for share in shares]
    assert not set(rows[0].tolist()) & set(rows[1].tolist()), "no pair in both ranks' batches"
    together = np.sort(np.concatenate(rows))
    assert np.array_equal(together, np.sort(plan.first(2 * len(shares[0])))), "together: the epoch (less an odd batch)"


def test_subword_models_depend_on_their_sample_seed_not_on_what_the_cache_held(tmp_path):
    """A cleaned corpus is shared by runs of any seed; the sample its subword models learn from is drawn with the
    run's data.spm_seed (default train.seed), so a run learns the same models in a shared cache as alone, and runs
    that differ in train.seed only learn the same models when they share spm_seed (an ensemble's members)."""
    train = str(write_tsv(tmp_path / "train.tsv", unique_pairs(400)))
    base = load_config(write_config(tmp_path, train, spm_sample=40))

    def subwords(cache: str, seed: int, spm_seed: int | None = None) -> tuple[bytes, bytes]:
        data = base.data.model_copy(update={"cache_dir": tmp_path / cache, "spm_seed": spm_seed})
        cfg = base.model_copy(update={"data": data, "train": base.train.model_copy(update={"seed": seed})})
        got = prepare(cfg, print)
        return got.src_tok.model_bytes, got.tgt_tok.model_bytes

    shared_first, shared_second = subwords("shared", 1), subwords("shared", 2)
    assert subwords("alone", 2) == shared_second, "the cache's first run chose the second run's subword models"
    assert shared_first != shared_second, "two seeds, two samples of 40 of 400 pairs"
    assert subwords("shared", 2, spm_seed=1) == shared_first


def test_subword_models_normalize_text_as_data_spm_normalization_says(tmp_path):
    """SentencePiece's default rule (nmt_nfkc) reads the zero-width non-joiner, which Persian writes inside words, as
    a space: "می‌خواهم" came back "می خواهم". data.spm_normalization: nfkc keeps it; another rule is another cache
    entry, and another coverage too."""
    word = "می\u200cخواهم"
    pairs = [(f"{word} {i} بروم", f"i want {i}") for i in range(200)]
    base = load_config(write_config(tmp_path, str(write_tsv(tmp_path / "train.tsv", pairs))))

    def source_model(**data) -> Tokenizer:
        return prepare(base.model_copy(update={"data": base.data.model_copy(update=data)}), print).src_tok

    assert source_model().sp.decode(source_model().sp.encode(word)) == "می خواهم"  # (the default's)
    kept = source_model(spm_normalization="nfkc")
    assert kept.sp.decode(kept.sp.encode(word)) == word
    assert source_model(spm_character_coverage=0.9995).model_bytes != source_model().model_bytes


def test_sigterm_during_prepare_is_ctrl_c(tmp_path, capsys, monkeypatch):
    """SIGTERM's default ended the process at once, its worker processes left waiting forever and its temporary
    directory in the cache; as a KeyboardInterrupt the pool is shut down and atomic_dir cleans up."""
    config = write_config(tmp_path, str(tmp_path / "train.tsv"))

    def killed(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises before this ends
        raise AssertionError("SIGTERM did not interrupt")

    monkeypatch.setattr(prepared_module, "prepare", killed)
    before = signal.getsignal(signal.SIGTERM)
    assert main(["prepare", config]) == 130
    assert capsys.readouterr().err == "nmt prepare: interrupted\n"
    assert signal.getsignal(signal.SIGTERM) == before  # as it was, for whoever called main
