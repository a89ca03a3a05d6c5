"""`nmt train --resume`: which config changes since a run's last leg it refuses (another network, or what the run
keeps as its own), which take effect from its step, and the resumed trainer saying where it goes on."""
from __future__ import annotations

from nmt.training.config import Config, flatten, load_config
from nmt.training.trainer import Trainer

# Model keys of no weight's shape: init_from's may differ from the config's, and --resume may change them
TRAINING_ONLY = {"dropout", "word_dropout", "names"}

# --resume: data and train keys a run cannot change (the model keys: check_same_network). Its subword models and
# prepared corpus are its own (another filter or language would prepare other training pairs, as another corpus
# would: report.check_unchanged); its optimizer state is the optimizer's it was made with, weight decay included
# (load_state_dict keeps the checkpoint's); and batch_tokens, max_len, seed and the corpus weights draw the plan of
# the epoch under way, which goes on from its batch number (in another plan: other pairs, or past its end).
RUN_OWN = {"data.train", "data.src_lang", "data.tgt_lang", "data.max_len", "data.filters", "data.spm_sample",
           "data.spm_seed", "data.spm_character_coverage", "data.spm_normalization", "data.subwords_from",
           "train.batch_tokens", "train.optimizer", "train.weight_decay", "train.seed", "train.init_from"}


def config_changes(cfg: Config) -> dict[str, tuple[object, object]]:
    """--resume: the keys whose values differ from the run's last leg (out_dir/config.yaml), as "data.filters.
    identical": (then, now); data.train as its corpora's weights (which files: check_unchanged, by content)."""
    recorded = cfg.out_dir / "config.yaml"
    if not recorded.is_file():
        return {}  # a run started from Python, with no config file
    then, now = flat_keys(load_config(recorded)), flat_keys(cfg)
    return {key: (then.get(key), now.get(key)) for key in then | now if then.get(key) != now.get(key)}


def flat_keys(cfg: Config) -> dict[str, object]:
    values = cfg.model_dump(exclude={"out_dir"})
    values["data"]["train"] = {"weight": [spec.weight for spec in cfg.data.corpora]}
    return flatten(values)


def resume_kind(key: str) -> str:
    """What a change of key does on --resume: "network" and "run's own" are refused, "in effect" from its step."""
    section, name = key.split(".")[:2]
    if section == "model":
        return "in effect" if name in TRAINING_ONLY else "network"
    return "run's own" if f"{section}.{name}" in RUN_OWN else "in effect"


def described(changes: dict[str, tuple[object, object]], kind: str) -> str:
    """The changes of one resume_kind, as "key: old then, new now; ..." ("" if none)."""
    return "; ".join(f"{key}: {then} then, {now} now" for key, (then, now) in changes.items()
                     if resume_kind(key) == kind)


def check_same_network(cfg: Config, changes: dict[str, tuple[object, object]]) -> None:
    """--resume: ValueError naming the model keys that differ from the run's last leg. Its checkpoint holds that
    network's weights, and its subword models that vocabulary: another size would fail to load them, and another
    cell, attention or source order would load them into a network they were not trained for."""
    differ = described(changes, "network")
    if differ:
        raise ValueError(f"--resume: the run in {cfg.out_dir} was trained with another network ({differ}); "
                         "restore these keys, or start a new run in another out_dir")


def check_run_own(cfg: Config, changes: dict[str, tuple[object, object]]) -> None:
    """--resume: ValueError naming the RUN_OWN keys that differ from the run's last leg: none could take effect as
    asked."""
    differ = described(changes, "run's own")
    if differ:
        raise ValueError(f"--resume: the run in {cfg.out_dir} keeps its subword models, prepared corpus, optimizer and "
                         f"epoch plan, so these changes cannot take effect ({differ}); restore these keys, or start a "
                         "new run in another out_dir (train.init_from: this run's best/, to start from its weights)")


def resume_trainer(trainer: Trainer, world_size: int, say, changed: str = "") -> None:
    """Continue from the checkpoint, and say where; changed: the config's changes since the last leg that take
    effect (described)."""
    saved = trainer.resume()
    p = trainer.progress
    say(f"resumed at step {p.step} (epoch {p.epoch + 1}): learning rate {trainer.current_lr():.2e}, best dev BLEU "
        f"{p.best_bleu:.2f}, {p.bad_evals} of {trainer.tc.patience} evaluations of patience spent")
    if changed:
        say(f"changed since the last leg, in effect from step {p.step}: {changed}")
    if saved != world_size:
        again = f" (up to {world_size - 1} of its batches trained again)" if world_size > 1 else ""
        say(f"the run was saved by {saved} process(es) and goes on with {world_size}: this epoch continues from "
            f"batch {p.batch_in_epoch * world_size} of its plan{again}, and the weights will not "
            "be those of an uninterrupted run")
