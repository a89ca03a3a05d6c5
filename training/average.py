"""`nmt average`: one bundle whose weights are the mean of a run's last kept checkpoints (train.keep_checkpoints),
or of several sources of one model: runs (each the mean of its kept checkpoints) and bundles, weighted alike.

Averaging the weights of the last few evaluations smooths out the noise of the final updates; for RNN and
Transformer NMT it is usually worth a few tenths of BLEU (Junczys-Dowmunt et al. 2016; Vaswani et al. 2017).
Sources of one model fine-tuned from the same weights (the legs of the shipped models, each starting from the last
one's bundle) stay close enough in weight space for their mean to be a model too (Wortsman et al. 2022).
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import torch

from nmt.model.bundle import Bundle, load_bundle, save_bundle
from nmt.training.checkpoint import load_checkpoint
from nmt.training.plot import read_log
from nmt.training.trainer import kept_step, kept_weights

Weights = dict[str, torch.Tensor]


def average(sources: list[Path], out: Path, last: int, steps: list[int] | None = None) -> list[str]:
    """Write OUT with the mean of the sources' weights, each source counted once: a run directory stands for the
    mean of its last `last` kept checkpoints (or of those at `steps`), a bundle for its weights. The config,
    subword models and summary are the first source's. Returns what each source stood for."""
    if missing := next((source for source in sources if not source.exists()), None):  # (not "train with ...")
        raise FileNotFoundError(f"{missing}: no such run directory or bundle")
    if len(sources) == 1 and not _is_run(sources[0]):
        raise FileNotFoundError(f"{sources[0] / 'checkpoints'}: no step-N.pt weights (train with "
                                "train.keep_checkpoints), and no other source to average it with")
    means = [_run_mean(s, last, steps) if _is_run(s) else _bundle_weights(s) for s in sources]
    (first, _, first_name), names = means[0], [name for _, _, name in means]
    for bundle, _, name in means[1:]:
        if bundle.config != first.config or bundle.subwords != first.subwords:
            raise ValueError(f"{name}: another model config or other subword models than {first_name}")
    first.model.load_state_dict(_mean(weights for _, weights, _ in means))
    if len(means) > 1:  # the first source's scores, step and minutes no longer describe these weights
        first.summary = {"parameters": first.model.num_parameters(), "averaged": names}
    save_bundle(first, out)
    return names


def _is_run(path: Path) -> bool:
    return (path / "checkpoints").is_dir()


def _run_mean(run_dir: Path, last: int, steps: list[int] | None) -> tuple[Bundle, Weights, str]:
    """RUN_DIR/best, the mean weights of its last `last` kept checkpoints (or of those at `steps`), and a name."""
    kept = {kept_step(path): path for path in kept_weights(run_dir)}
    if not kept:
        raise FileNotFoundError(f"{run_dir / 'checkpoints'}: no step-N.pt weights (train with train.keep_checkpoints)")
    missing = sorted(set(steps or []) - set(kept))
    if missing:
        raise FileNotFoundError(f"{run_dir / 'checkpoints'}: no weights of step {missing[0]} (kept: "
                                f"{', '.join(map(str, kept))})")
    chosen = sorted(steps) if steps else sorted(kept)[-last:]
    bundle = load_bundle(run_dir / "best")  # the run's config and subword models
    mean = _mean(load_checkpoint(kept[step]) for step in chosen)  # one checkpoint in memory at a time
    bundle.summary = {**_at_step(bundle.summary, run_dir / "log.jsonl", chosen[-1]), "averaged_steps": chosen}
    return bundle, mean, f"{run_dir} at steps {', '.join(map(str, chosen))}"


def _bundle_weights(path: Path) -> tuple[Bundle, Weights, str]:
    bundle = load_bundle(path)  # float32 weights
    if bundle.others:
        raise ValueError(f"{path}: an ensemble of {len(bundle.members)} networks; average its members' own bundles")
    return bundle, bundle.model.state_dict(), str(path)


def _mean(weight_sets: Iterable[Weights]) -> Weights:
    """The mean of each weight over the sets, in float32, holding one set at a time besides the sum."""
    total: Weights = {}
    count = 0
    for weights in weight_sets:
        count += 1
        for name, value in weights.items():
            if name in total:
                total[name] += value.float()
            else:
                total[name] = value.float().clone()
    return {name: value / count for name, value in total.items()}


def _at_step(summary: dict, log: Path, step: int) -> dict:
    """The best bundle's summary with the training minutes and dev scores of the run's evaluation at `step` (the
    last averaged checkpoint) instead of the best one's; without them when the log has no evaluation there."""
    kept = {k: v for k, v in summary.items() if k not in ("step", "train_minutes", "dev")}
    records = read_log(log) if log.exists() else []
    evaluation = next((r for r in reversed(records) if r.get("step") == step and "dev_bleu" in r), None)
    if evaluation is None:
        return kept
    return {**kept, "step": step, "train_minutes": round(evaluation["minutes"], 1),
            "dev": {"bleu": evaluation["dev_bleu"], "chrf": evaluation["dev_chrf"]}}
