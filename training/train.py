"""`nmt train CONFIG.yaml`: read the corpus, learn or reuse the subword models, build the network, train."""
from __future__ import annotations

import fcntl
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import torch
from torch import nn

from nmt.model.bundle import Bundle, load_bundle
from nmt.model.config import ModelConfig
from nmt.model.device import resolve_device
from nmt.model.seq2seq import Seq2Seq
from nmt.model.tokenizer import Tokenizer
from nmt.training.batching import PLAN_BYTES, TrainingData
from nmt.training.config import Config, CorpusFiles
from nmt.training.corpus import Corpus, CorpusError, load_corpus, none_usable
from nmt.training.distributed import World, init_world
from nmt.training.files import make_dir, write_atomic
from nmt.training.prepared import prepare
from nmt.training.report import check_unchanged, record_sources, report_skipped, seen_line
from nmt.training.resume import TRAINING_ONLY, check_run_own, check_same_network, config_changes, described, resume_trainer
from nmt.training.torchrun import torchrun_rank
from nmt.training.trainer import Progress, Trainer
from nmt.training.transforms import Transforms


def run_tokenizers(cfg: Config) -> tuple[Tokenizer, Tokenizer] | None:
    """The run's subword models (out_dir/src.spm, tgt.spm), once it has them: a resumed run, or init_from's."""
    src_path, tgt_path = cfg.out_dir / "src.spm", cfg.out_dir / "tgt.spm"
    if src_path.exists() and tgt_path.exists():
        return Tokenizer(src_path.read_bytes()), Tokenizer(tgt_path.read_bytes())
    return None





def load_init(cfg: Config) -> Bundle:
    """The train.init_from bundle, after checking that its network is the one cfg.model describes."""
    init = load_bundle(cfg.train.init_from)
    if init.others:
        raise ValueError(f"train.init_from {cfg.train.init_from} is an ensemble of {len(init.members)} networks; "
                         "start from one member's bundle")
    differ = [f"{key}: {getattr(init.config.model, key)} there, {getattr(cfg.model, key)} here"
              for key in ModelConfig.model_fields
              if key not in TRAINING_ONLY | {"src_vocab_size", "tgt_vocab_size", "placeholders"}  # see adopt_tokenizers
              and getattr(init.config.model, key) != getattr(cfg.model, key)]
    if init.config.model.placeholders > cfg.model.placeholders:
        differ.append(f"placeholders: {init.config.model.placeholders} there, {cfg.model.placeholders} here")
    if differ:
        raise ValueError(f"train.init_from {cfg.train.init_from} is another network ({'; '.join(differ)})")
    return init


def init_tokenizers(cfg: Config, init: Bundle) -> tuple[Tokenizer, Tokenizer]:
    """A run that starts from a bundle (or takes its subwords) keeps its subword models, with the placeholders
    cfg.model asks for added (as new last ids: grown_weights gives them rows)."""
    return (init.src_tokenizer.with_placeholders(cfg.model.placeholders),
            init.tgt_tokenizer.with_placeholders(cfg.model.placeholders))


def adopt_tokenizers(cfg: Config, init: Bundle) -> None:
    """Write init_tokenizers where run_tokenizers looks."""
    for side, tok in zip(("src", "tgt"), init_tokenizers(cfg, init), strict=True):
        write_atomic(cfg.out_dir / f"{side}.spm", tok.model_bytes)


def grown_weights(init: dict[str, torch.Tensor], model: nn.Module) -> dict[str, torch.Tensor]:
    """init's weights for model, whose vocabularies may have more (placeholder) ids at the end: a vocabulary-sized
    tensor keeps init's rows and takes the new rows from model's own initialization."""
    own = model.state_dict()
    grown = {}
    for key, weight in init.items():
        target = own[key]
        if weight.shape != target.shape and weight.shape[1:] == target.shape[1:] and weight.size(0) < target.size(0):
            weight = torch.cat([weight, target[weight.size(0):]])
        grown[key] = weight
    return grown


def read_corpus(files: CorpusFiles, langs: tuple[str, str] = ("en", "es")) -> Corpus:
    """A small corpus in memory (the dev set); CorpusError, with the counts of the lines skipped and why, if not one
    pair is usable."""
    paths = files if isinstance(files, tuple) else (files,)
    corpus = load_corpus(*paths, langs=langs)
    if not corpus.pairs:
        raise CorpusError(f"{' + '.join(map(str, paths))}: no usable sentence pairs: {none_usable(corpus.bad_lines)}")
    return corpus


def training_data(cfg: Config, world: World, say) -> TrainingData:
    """The training corpora, prepared (or found prepared) by rank 0 and mapped by every rank; the run's subword
    models in out_dir."""
    if world.is_main:
        tokenizers = run_tokenizers(cfg)
        prepared = prepare(cfg, say, tokenizers)
        if tokenizers is None:
            write_atomic(cfg.out_dir / "src.spm", prepared.src_tok.model_bytes)
            write_atomic(cfg.out_dir / "tgt.spm", prepared.tgt_tok.model_bytes)
        record_sources(cfg, prepared)
    world.barrier()  # the other ranks map what rank 0 prepared
    if not world.is_main:
        prepared = prepare(cfg, say, run_tokenizers(cfg), create=False)
    transforms = Transforms(cfg.data.transforms, prepared.src_tok, prepared.tgt_tok) if cfg.data.transforms else None
    data = TrainingData(prepared.corpus, [spec.weight for spec in cfg.data.corpora], cfg.data.max_len, transforms,
                        cfg.train.seed)
    if world.is_main:
        report_skipped(cfg, data, say)
    if not len(data):
        raise CorpusError(f"{' + '.join(prepared.corpus.names)}: no usable training pairs: all are over data.max_len "
                          f"({cfg.data.max_len} subwords)")
    _plan_fits(data)
    return data


def _plan_fits(data: TrainingData) -> None:
    """Refuse weights whose epoch plan would not fit in half this machine's memory (the rest: the network, the
    mapped corpus, the batches), before training starts rather than when the process is killed for memory: a
    weight of 1000 (the most a config takes) on a corpus of millions plans billions of rows."""
    need, memory = data.epoch_rows() * PLAN_BYTES, machine_memory()
    if need > memory // 2:
        raise CorpusError(f"data.train: the weights make an epoch of {data.epoch_rows():,} pairs, whose plan needs "
                          f"{need / 1e6:,.0f} MB, more than half this machine's {memory / 1e6:,.0f} MB of memory: lower "
                          "the weights (a fraction is a random part of a corpus each epoch)")


def machine_memory() -> int:
    """This machine's physical memory, in bytes."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def run_training(cfg: Config, config_path: Path | None = None, resume: bool = False) -> Progress:
    with one_training_in(cfg.out_dir, enabled=torchrun_rank() == 0):  # the rank that writes the run directory
        return _run_training(cfg, config_path, resume)


@contextmanager
def one_training_in(out_dir: Path, enabled: bool = True) -> Iterator[None]:
    """Hold out_dir (made if missing) for this process alone: a second `nmt train` of it (the same command in another
    terminal, a --resume typed while the first still runs) would write the same checkpoints, log and best/, each
    overwriting the other's. The lock is flock's on the directory itself: the kernel lets it go when the process
    ends, however it ends, so a crash leaves no stale lock. A directory made here and left empty (a run refused
    before it wrote anything) is removed again."""
    if not enabled:
        yield
        return
    made = not out_dir.exists()
    make_dir(out_dir)
    fd = os.open(out_dir, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ValueError(f"{out_dir}: another `nmt train` is running in this run directory, and two would overwrite "
                             "each other's checkpoints; wait for it to end, or stop it (Ctrl-C), then --resume") from None
        try:
            yield
        finally:
            if made:  # (under the lock: never the directory another process has just made and holds)
                with suppress(OSError):  # not empty: the run's files
                    out_dir.rmdir()
    finally:
        os.close(fd)


def _run_training(cfg: Config, config_path: Path | None, resume: bool) -> Progress:
    check_run_dir(cfg.out_dir, resume)
    changes = config_changes(cfg) if resume else {}
    check_same_network(cfg, changes)
    if cfg.train.threads:
        torch.set_num_threads(cfg.train.threads)
    torch.manual_seed(cfg.train.seed)
    world = init_world(resolve_device(cfg.train.device, "train.device").type)
    say = print if world.is_main else lambda *a, **k: None
    init = load_init(cfg) if cfg.train.init_from and not resume else None  # a resumed run has its own weights
    dev = read_corpus(cfg.data.dev, (cfg.data.src_lang, cfg.data.tgt_lang))
    if world.is_main:
        if resume:  # before start_run_dir records the config: a refused --resume leaves the run as it was
            check_unchanged(cfg)
            check_run_own(cfg, changes)  # after check_unchanged, which names a corpus added or left out
        start_run_dir(cfg, config_path, resume, init)
    data = training_data(cfg, world, say)
    say(f"dev: {dev.summary()}")
    model, src_tok, tgt_tok = new_model(cfg, init, say)
    say_what_trains(model, data, world, say)
    trainer = Trainer(cfg.model_copy(update={"model": model.cfg}), model, src_tok, tgt_tok, data, dev.pairs, world)
    if resume:
        resume_trainer(trainer, world.size, say, described(changes, "in effect"))
    with stop_on_signals(trainer, enabled=world.size == 1):
        progress = trainer.fit()
    say(f"seen: {seen_line(trainer.seen_so_far(trainer.plan))}")
    if trainer.stop_requested:
        say(f"stopped at step {progress.step}, its checkpoint saved: add --resume to continue from there")
        raise KeyboardInterrupt
    say(f"done: {progress.step} steps, stopped by {trainer.stop_reason()}; best dev BLEU {progress.best_bleu:.2f}; "
        f"best bundle in {cfg.out_dir / 'best'}")
    return progress


def say_what_trains(model: Seq2Seq, data: TrainingData, world: World, say) -> None:
    """The network's size, the training pairs (and those over max_len), the processes; each corpus's share if several."""
    too_long = int((~data.usable).sum())
    say(f"model: {model.num_parameters() / 1e6:.2f}M parameters, attention={model.cfg.attention}; "
        f"{len(data)} training pairs ({too_long} over max_len dropped)"
        f"{f'; {world.size} processes' if world.size > 1 else ''}")
    if len(data.weights) > 1:
        say("corpora: " + ", ".join(f"{name} ({end - start:,} pairs, weight {w:g})" for name, (start, end), w in
                                    zip(data.corpus.names, data.corpus.ranges, data.weights, strict=True)))


def check_run_dir(out_dir: Path, resume: bool) -> None:
    """A new run needs a fresh out_dir; --resume needs a run's checkpoint there."""
    last = out_dir / "checkpoints" / "last.pt"
    if last.exists() and not resume:
        raise FileExistsError(f"{out_dir} already holds a run: pass --resume to continue it, or choose another out_dir")
    if resume and not last.exists():
        raise FileNotFoundError(f"--resume: no checkpoint at {last}")


def start_run_dir(cfg: Config, config_path: Path | None, resume: bool, init: Bundle | None) -> None:
    """out_dir with a copy of the config and, when they come from a bundle, the run's subword models."""
    make_dir(cfg.out_dir)
    if config_path is not None:
        record_config(config_path, cfg.out_dir, resume)
    if init is not None:
        adopt_tokenizers(cfg, init)
    elif cfg.data.subwords_from and not resume:
        adopt_tokenizers(cfg, load_bundle(cfg.data.subwords_from))


def record_config(config_path: Path, out_dir: Path, resume: bool) -> None:
    """out_dir/config.yaml: the config the run last started or resumed with. A --resume with another config (say a
    raised max_minutes) keeps the one before as config.N.yaml, N = 1 for the first leg's, so each leg's stays."""
    current, text = out_dir / "config.yaml", config_path.read_bytes()
    if resume and current.exists() and current.read_bytes() != text:
        current.replace(out_dir / f"config.{len(list(out_dir.glob('config.*.yaml'))) + 1}.yaml")
    write_atomic(current, text)


def new_model(cfg: Config, init: Bundle | None, say) -> tuple[Seq2Seq, Tokenizer, Tokenizer]:
    """The network sized to the run's subword vocabularies, and init_from's weights when there is one."""
    tokenizers = run_tokenizers(cfg)
    assert tokenizers is not None, "training_data writes the run's subword models"
    src_tok, tgt_tok = tokenizers
    model = Seq2Seq(cfg.model.model_copy(update={"src_vocab_size": src_tok.vocab_size,
                                                 "tgt_vocab_size": tgt_tok.vocab_size}))
    if init is not None:
        model.load_state_dict(grown_weights(init.model.state_dict(), model))
        say(f"starting from {cfg.train.init_from} (its weights and subword models; a fresh optimizer and schedule)")
    return model, src_tok, tgt_tok


@contextmanager
def stop_on_signals(trainer: Trainer, enabled: bool = True):
    """Ctrl-C or SIGTERM: the trainer finishes its step, saves a checkpoint there and stops; a second signal stops
    at once. (Not in a torchrun job, where the ranks would have to agree on the step: there the last evaluation's
    checkpoint is where --resume continues.)"""
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def request_stop(signum, frame) -> None:
        trainer.stop_requested = True
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    for sig in before:
        signal.signal(sig, request_stop)
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
