"""The training loop: token-budget batches, Adam/RMSProp, clipping, label smoothing, warm-up then
decay on plateau, dev BLEU for early stopping, atomic checkpoints, exact resume."""
from __future__ import annotations

import json
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from tqdm import tqdm

from nmt.model.bundle import Bundle, BundleConfig, save_bundle
from nmt.model.device import resolve_device
from nmt.model.seq2seq import Seq2Seq
from nmt.model.tokenizer import PAD, Tokenizer
from nmt.model.translator import DecodeOptions, Translator
from nmt.training.batching import EpochPlan, TrainingData
from nmt.training.checkpoint import load_checkpoint, save_checkpoint
from nmt.training.config import Config, TrainConfig
from nmt.training.distributed import World
from nmt.training.files import cannot_write, write_atomic
from nmt.training.plot import plot_log, read_log
from nmt.training.scoring import Scores, score


@dataclass
class Progress:
    """Everything besides weights and optimizer that a resumed run needs to continue exactly."""

    step: int = 0
    epoch: int = 0
    batch_in_epoch: int = 0  # batches of this epoch already trained on
    lr_scale: float = 1.0
    best_bleu: float = -1.0
    bad_evals: int = 0
    train_seconds: float = 0.0
    seen: dict[str, int] = field(default_factory=dict)  # pairs of each corpus trained on in the epochs completed


def use_bf16(amp: str, device: torch.device) -> bool:
    """bfloat16 autocast where the hardware computes it natively; weights and loss stay fp32."""
    if amp != "auto":
        return amp == "bf16"
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return device.type == "cpu" and torch.ops.mkldnn._is_mkldnn_bf16_supported()


LOG_EVERY = 50  # steps between two reports: the bar's loss, tokens/s and learning rate, and a line of the log


class _Epoch(NamedTuple):
    """The epoch under way: its batches (all ranks'), this rank's share of them, and this rank's progress bar."""

    plan: EpochPlan
    batches: EpochPlan
    bar: tqdm


class Trainer:
    def __init__(self, cfg: Config, model: Seq2Seq, src_tok: Tokenizer, tgt_tok: Tokenizer,
                 data: TrainingData | None, dev: list[tuple[str, str]], world: World | None = None):
        self.cfg, self.tc = cfg, cfg.train
        self.world = world or World()
        self.device = self.world.device(resolve_device(self.tc.device, "train.device"))
        self.model = model.to(self.device)
        self.net: Seq2Seq | DistributedDataParallel = self.model  # what the training step calls: the model, or its DDP wrapper
        if self.world.size > 1:
            self.net = DistributedDataParallel(self.model, device_ids=[self.device] if self.device.type == "cuda" else None)
            torch.manual_seed(self.tc.seed + self.world.rank)  # own dropout masks per rank
        self.src_tok, self.tgt_tok = src_tok, tgt_tok
        self.data, self.dev = data, dev  # data None: a Trainer for single steps (_train_step), which cannot fit()
        self.out = cfg.out_dir
        self.optimizer = self._make_optimizer()
        self.use_bf16 = use_bf16(self.tc.amp, self.device)
        self.progress = Progress()
        self.log_path = self.out / "log.jsonl"
        self.plan: EpochPlan | None = None  # the current epoch's batches, all ranks'
        self.stop_requested = False  # set by a signal handler (training/train.py): checkpoint after this step, stop

    # --- public -------------------------------------------------------------------------------
    def resume(self) -> int:
        """Continue from the last checkpoint; the number of processes that saved it."""
        ckpt = load_checkpoint(self.out / "checkpoints" / "last.pt")
        self.model.load_state_dict(ckpt["model"])
        self.optimizer.load_state_dict(ckpt["optimizer"])
        self.progress = Progress(**ckpt["progress"])
        # One rng state per rank; an older checkpoint kept rank 0's alone and not how many ranks there were:
        # every rank takes that one, and the process count is taken to be unchanged.
        states = ckpt["rng"] if isinstance(ckpt["rng"], list) else [ckpt["rng"]] * self.world.size
        if self.world.rank < len(states):
            torch.set_rng_state(states[self.world.rank]["torch"])
            random.setstate(states[self.world.rank]["python"])
        else:  # more processes than saved it: an rng of this rank's own
            torch.manual_seed(self.tc.seed + self.world.rank + self.progress.step)
            random.seed(self.tc.seed + self.world.rank + self.progress.step)
        # Rank r trains batches r, r + size, ... of the epoch's plan (EpochPlan.share): the first
        # batch_in_epoch × saved batches are done whatever the size now, so the epoch goes on from there.
        self.progress.batch_in_epoch = self.progress.batch_in_epoch * len(states) // self.world.size
        self._truncate_log(self.progress.step)
        return len(states)

    def _truncate_log(self, step: int) -> None:
        """Forget what the log says about steps after the checkpoint: they will be trained again."""
        if not self.world.is_main or not self.log_path.exists():
            return
        kept = [record for record in read_log(self.log_path) if record["step"] <= step]
        write_atomic(self.log_path, "".join(json.dumps(record) + "\n" for record in kept))

    def fit(self) -> Progress:
        tc, p, data = self.tc, self.progress, self._training_data()
        started = time.monotonic() - p.train_seconds
        current: _Epoch | None = None  # None: the next step starts an epoch
        window_tokens, window_start = 0, time.monotonic()
        while not self.should_stop():
            if current is None:
                current = self._start_epoch(data)
            plan, batches, bar = current
            batch = data.batch(batches.batch_rows(p.batch_in_epoch), p.epoch, int(batches.order[p.batch_in_epoch]))
            loss = self._train_step(batch)
            p.step, p.batch_in_epoch = p.step + 1, p.batch_in_epoch + 1
            p.train_seconds = self.world.broadcast_float(time.monotonic() - started)
            window_tokens += batch.n_tokens
            bar.update()
            if p.step % LOG_EVERY == 0:
                self._report(bar, loss, window_tokens / (time.monotonic() - window_start))
                window_tokens, window_start = 0, time.monotonic()
            if p.batch_in_epoch == len(batches):
                bar.close()
                self._count_seen(plan)
                p.epoch, p.batch_in_epoch, current = p.epoch + 1, 0, None
            on_grid = p.step % tc.eval_every == 0
            if on_grid or self.should_stop():
                self._evaluate_and_save(on_grid)
            if self.stop_requested:
                self._save_checkpoint([rng_state()])  # (not in a torchrun job: train.py)
                break
        if current is not None:  # (an epoch's bar that was finished is closed already)
            current.bar.close()
        self.world.close()
        return p

    def _start_epoch(self, data: TrainingData) -> _Epoch:
        """The plan of epoch progress.epoch (self.plan), this rank's share of it, and its progress bar, from the batch
        a resumed run is at."""
        self.plan = data.epoch(self.tc.batch_tokens, self.progress.epoch)
        share = self.plan.share(self.world.rank, self.world.size)
        bar = tqdm(total=len(share), initial=self.progress.batch_in_epoch, desc=f"epoch {self.progress.epoch + 1}",
                   unit="batch", dynamic_ncols=True, mininterval=2, disable=not self.world.is_main)
        return _Epoch(self.plan, share, bar)

    def _report(self, bar: tqdm, loss: float, tokens_per_s: float) -> None:
        """The last step's loss, the window's tokens per second and the learning rate: on the bar and in the log."""
        p = self.progress
        bar.set_postfix(loss=f"{loss:.3f}", tok_s=f"{tokens_per_s:.0f}", lr=f"{self.current_lr():.2e}")
        self._log({"step": p.step, "epoch": p.epoch, "loss": round(loss, 4), "tokens_per_s": round(tokens_per_s),
                   "lr": self.current_lr(), "minutes": round(p.train_seconds / 60, 2)})

    def seen_so_far(self, plan: EpochPlan | None) -> dict[str, int]:
        """Pairs of each corpus trained on by all ranks: the completed epochs', and this one's up to now."""
        data = self._training_data()
        if plan is None and self.progress.batch_in_epoch:  # resumed mid-epoch, and not one step trained since
            plan = data.epoch(self.tc.batch_tokens, self.progress.epoch)
        now = data.seen(plan.first(self.progress.batch_in_epoch * self.world.size)) if plan is not None else {}
        return {name: self.progress.seen.get(name, 0) + now.get(name, 0) for name in data.corpus.names}

    def _training_data(self) -> TrainingData:
        if self.data is None:
            raise RuntimeError("this Trainer was made without training data (data=None): it can take single steps, "
                               "not fit() or count what it has seen")
        return self.data

    def _count_seen(self, plan: EpochPlan) -> None:
        """At the end of an epoch: what every rank trained on, added to progress.seen."""
        self.progress.seen = self.seen_so_far(plan)  # batch_in_epoch == batches per rank here

    def should_stop(self) -> bool:
        return self.stop_reason() is not None

    def stop_reason(self) -> str | None:
        """Which train key ends the run here, and how (None: none does): what a user raises to train on, say after
        a --resume that had nothing left to do."""
        tc, p = self.tc, self.progress
        if p.epoch >= tc.max_epochs:
            return f"train.max_epochs: {tc.max_epochs} epochs"
        if p.bad_evals >= tc.patience:
            return f"train.patience: {p.bad_evals} evaluations without a better dev BLEU"
        if tc.max_steps is not None and p.step >= tc.max_steps:
            return f"train.max_steps: {tc.max_steps}"
        if tc.max_minutes is not None and p.train_seconds >= tc.max_minutes * 60:
            return f"train.max_minutes: {tc.max_minutes:g}"
        return None

    # --- steps --------------------------------------------------------------------------------
    def _train_step(self, batch) -> float:
        self.model.train()
        batch = batch.to(self.device)
        self._set_lr()
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.use_bf16):
            logits = self.net(batch.src, batch.src_len, batch.tgt_in)  # (B,T,V)
        loss = F.cross_entropy(logits.float().flatten(0, 1), batch.tgt_out.flatten(), ignore_index=PAD,
                               label_smoothing=self.tc.label_smoothing, reduction="sum") / batch.n_tokens
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.tc.clip_norm)
        self.optimizer.step()
        return loss.item()

    def _evaluate_and_save(self, on_grid: bool) -> None:
        rng = self.world.gather(rng_state())  # each rank's own dropout masks continue after --resume
        if self.world.is_main:
            self._evaluate_and_save_main(rng, on_grid)
        for name, value in self.world.broadcast(asdict(self.progress)).items():  # rank 0's decisions
            setattr(self.progress, name, value)

    def _evaluate_and_save_main(self, rng: list[dict], on_grid: bool) -> None:
        """on_grid: an evaluation every eval_every updates. The one where a run stops off that grid (max_minutes, max_steps,
        the last epoch) can make a new best but never counts against the run: a run stopped by max_minutes and
        --resumed later lowers its rate and spends its patience where one run at once would (unless that evaluation
        is a new best, which restarts the count as any new best does)."""
        p = self.progress
        scores = self.evaluate_dev()
        improved = scores.bleu > p.best_bleu
        if improved:
            p.best_bleu, p.bad_evals = scores.bleu, 0
            self.save_bundle(self.out / "best", {"dev": scores.as_dict(), "step": p.step})
        elif on_grid:
            p.bad_evals += 1
            p.lr_scale = decayed(p.lr_scale, p.bad_evals, self.tc)
        self._log({"step": p.step, "epoch": p.epoch, "dev_bleu": scores.bleu, "dev_chrf": scores.chrf,
                   "minutes": round(p.train_seconds / 60, 2), "best": improved, "seen": self.seen_so_far(self.plan)})
        tqdm.write(f"step {p.step}: dev BLEU {scores.bleu:.2f} chrF {scores.chrf:.2f}"
                   f"{' (best)' if improved else ''} after {p.train_seconds / 60:.1f} min")
        self._save_checkpoint(rng)
        self._keep_weights()
        plot_log(self.log_path, self.out / "training.png")

    def evaluate_dev(self) -> Scores:
        translator = Translator(self._bundle({}), str(self.device))
        hyps = translator.translate([s for s, _ in self.dev], DecodeOptions(beam_size=self.tc.eval_beam_size))
        return score([h.text for h in hyps], [t for _, t in self.dev], target=self.cfg.data.tgt_lang)

    # --- state --------------------------------------------------------------------------------
    def _bundle(self, summary: dict) -> Bundle:
        config = BundleConfig(src_lang=self.cfg.data.src_lang, tgt_lang=self.cfg.data.tgt_lang, model=self.model.cfg)
        return Bundle(config, self.model, self.src_tok, self.tgt_tok, summary)

    def save_bundle(self, path: Path, summary: dict) -> None:
        summary = {"parameters": self.model.num_parameters(), "train_minutes": round(self.progress.train_seconds / 60, 1),
                   **summary}
        save_bundle(self._bundle(summary), path)

    def _save_checkpoint(self, rng: list[dict]) -> None:  # rank 0 only; rng: every rank's rng_state()
        save_checkpoint({
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "progress": asdict(self.progress),
            "rng": rng,
        }, self.out / "checkpoints" / "last.pt")

    def _keep_weights(self) -> None:  # rank 0 only
        """checkpoints/step-N.pt: this evaluation's weights, beside those of the last keep_checkpoints - 1."""
        if not self.tc.keep_checkpoints:
            return
        save_checkpoint(self.model.state_dict(), self.out / "checkpoints" / f"step-{self.progress.step}.pt")
        for old in kept_weights(self.out)[: -self.tc.keep_checkpoints]:
            old.unlink()

    def _make_optimizer(self) -> torch.optim.Optimizer:
        params, tc = self.model.parameters(), self.tc
        if tc.optimizer == "rmsprop":
            return torch.optim.RMSprop(params, lr=tc.lr, weight_decay=tc.weight_decay)
        return torch.optim.Adam(params, lr=tc.lr, weight_decay=tc.weight_decay)

    def current_lr(self) -> float:
        """The rate of the next update: lr, times the plateau schedule's scale, times the warm-up factor."""
        warm = min(1.0, (self.progress.step + 1) / self.tc.warmup_steps) if self.tc.warmup_steps else 1.0
        return self.tc.lr * self.progress.lr_scale * warm

    def _set_lr(self) -> None:
        for group in self.optimizer.param_groups:
            group["lr"] = self.current_lr()

    def _log(self, record: dict) -> None:
        if not self.world.is_main:
            return
        try:
            with open(self.log_path, "a") as f:
                f.write(json.dumps(record) + "\n")
        except OSError as e:  # a full disk
            raise cannot_write(self.log_path, e) from None


def rng_state() -> dict:
    """This process's random state: what its dropout masks and transforms draw next."""
    return {"torch": torch.get_rng_state(), "python": random.getstate()}


def kept_weights(run_dir: Path) -> list[Path]:
    """The run's checkpoints/step-N.pt files, oldest first."""
    return sorted((run_dir / "checkpoints").glob("step-*.pt"), key=kept_step)


def kept_step(path: Path) -> int:
    """N of checkpoints/step-N.pt."""
    return int(path.stem.split("-")[1])


def decayed(lr_scale: float, bad_evals: int, tc: TrainConfig) -> float:
    """The learning-rate scale after the bad_evals-th evaluation in a row without a better dev BLEU: times lr_decay
    once every lr_patience of them, never below min_lr."""
    if bad_evals % tc.lr_patience:
        return lr_scale
    return max(lr_scale * tc.lr_decay, tc.min_lr / tc.lr)
