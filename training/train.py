"""`nmt train CONFIG.yaml`: read the corpus, learn or reuse the subword models, build the network, train."""
from __future__ import annotations

import shutil
import signal
import threading
from contextlib import contextmanager
from pathlib import Path

import torch

from nmt.model.bundle import Bundle, load_bundle
from nmt.model.config import ModelConfig
from nmt.model.device import resolve_device
from nmt.model.seq2seq import Seq2Seq
from nmt.model.tokenizer import Tokenizer
from nmt.training.batching import Example
from nmt.training.config import Config, CorpusFiles
from nmt.training.corpus import Corpus, CorpusError, load_corpus
from nmt.training.distributed import init_world
from nmt.training.files import write_atomic
from nmt.training.trainer import Progress, Trainer


def prepare_tokenizers(cfg: Config, pairs: list[tuple[str, str]]) -> tuple[Tokenizer, Tokenizer]:
    """Learn SentencePiece models on the training split, once per run directory."""
    src_path, tgt_path = cfg.out_dir / "src.spm", cfg.out_dir / "tgt.spm"
    if not (src_path.exists() and tgt_path.exists()):
        src = Tokenizer.train((s for s, _ in pairs), cfg.model.src_vocab_size)
        tgt = Tokenizer.train((t for _, t in pairs), cfg.model.tgt_vocab_size)
        write_atomic(src_path, src.model_bytes)
        write_atomic(tgt_path, tgt.model_bytes)
    return Tokenizer(src_path.read_bytes()), Tokenizer(tgt_path.read_bytes())


TRAINING_ONLY = {"dropout", "word_dropout"}  # model keys that may differ from init_from's: they shape no weight


def load_init(cfg: Config) -> Bundle:
    """The train.init_from bundle, after checking that its network is the one cfg.model describes."""
    init = load_bundle(cfg.train.init_from)
    differ = [f"{key}: {getattr(init.config.model, key)} there, {getattr(cfg.model, key)} here"
              for key in ModelConfig.model_fields
              if key not in TRAINING_ONLY | {"src_vocab_size", "tgt_vocab_size"}  # its subword models come along
              and getattr(init.config.model, key) != getattr(cfg.model, key)]
    if differ:
        raise ValueError(f"train.init_from {cfg.train.init_from} is another network ({'; '.join(differ)})")
    return init


def adopt_tokenizers(cfg: Config, init: Bundle) -> None:
    """A run that starts from a bundle keeps its subword models: write them where prepare_tokenizers looks."""
    write_atomic(cfg.out_dir / "src.spm", init.src_tokenizer.model_bytes)
    write_atomic(cfg.out_dir / "tgt.spm", init.tgt_tokenizer.model_bytes)


def read_corpus(files: CorpusFiles) -> Corpus:
    """CorpusError, with the counts of the lines skipped and why, if not one pair is usable."""
    paths = files if isinstance(files, tuple) else (files,)
    corpus = load_corpus(*paths)
    if not corpus.pairs:
        first = f"; the first: {corpus.bad_lines[0]}" if corpus.bad_lines else ""
        raise CorpusError(f"{' + '.join(map(str, paths))}: no usable sentence pairs: {corpus.summary()}{first}")
    return corpus


def encode_pairs(pairs: list[tuple[str, str]], src: Tokenizer, tgt: Tokenizer, max_len: int) -> list[Example]:
    src_ids, tgt_ids = src.encode([s for s, _ in pairs]), tgt.encode([t for _, t in pairs])
    return [(s, t) for s, t in zip(src_ids, tgt_ids, strict=True) if 0 < len(s) <= max_len and 0 < len(t) <= max_len]


def run_training(cfg: Config, config_path: Path | None = None, resume: bool = False) -> Progress:
    last = cfg.out_dir / "checkpoints" / "last.pt"
    if last.exists() and not resume:
        raise FileExistsError(f"{cfg.out_dir} already holds a run: pass --resume to continue it, or choose another out_dir")
    if resume and not last.exists():
        raise FileNotFoundError(f"--resume: no checkpoint at {last}")
    if cfg.train.threads:
        torch.set_num_threads(cfg.train.threads)
    torch.manual_seed(cfg.train.seed)
    world = init_world(resolve_device(cfg.train.device, "train.device").type)
    say = print if world.is_main else lambda *a, **k: None
    init = load_init(cfg) if cfg.train.init_from and not resume else None  # a resumed run has its own weights
    train, dev = read_corpus(cfg.data.train), read_corpus(cfg.data.dev)
    say(f"train: {train.summary()}\ndev: {dev.summary()}")
    if world.is_main:
        cfg.out_dir.mkdir(parents=True, exist_ok=True)
        if config_path is not None and not resume:
            shutil.copyfile(config_path, cfg.out_dir / "config.yaml")
        if init is not None:
            adopt_tokenizers(cfg, init)
        prepare_tokenizers(cfg, train.pairs)
    world.barrier()  # the other ranks read the subword models rank 0 wrote
    src_tok, tgt_tok = prepare_tokenizers(cfg, train.pairs)
    model_cfg = cfg.model.model_copy(update={"src_vocab_size": src_tok.vocab_size, "tgt_vocab_size": tgt_tok.vocab_size})
    examples = encode_pairs(train.pairs, src_tok, tgt_tok, cfg.data.max_len)
    if not examples:
        raise ValueError(f"{cfg.data.train}: no usable training pairs")
    model = Seq2Seq(model_cfg)
    if init is not None:
        model.load_state_dict(init.model.state_dict())
        say(f"starting from {cfg.train.init_from} (its weights and subword models; a fresh optimizer and schedule)")
    say(f"model: {model.num_parameters() / 1e6:.2f}M parameters, attention={model_cfg.attention}; "
          f"{len(examples)} training pairs ({len(train.pairs) - len(examples)} over max_len dropped)"
        f"{f'; {world.size} processes' if world.size > 1 else ''}")
    trainer = Trainer(cfg.model_copy(update={"model": model_cfg}), model, src_tok, tgt_tok, examples, dev.pairs, world)
    if resume:
        trainer.resume()
        say(f"resumed at step {trainer.progress.step} (epoch {trainer.progress.epoch + 1})")
    with stop_on_signals(trainer, enabled=world.size == 1):
        progress = trainer.fit()
    if trainer.stop_requested:
        say(f"stopped at step {progress.step}, its checkpoint saved: add --resume to continue from there")
        raise KeyboardInterrupt
    say(f"done: {progress.step} steps, best dev BLEU {progress.best_bleu:.2f}; best bundle in {cfg.out_dir / 'best'}")
    return progress


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
