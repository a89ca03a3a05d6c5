"""Crash-safe training: kill -9 a toy training run at random moments (after each checkpoint but the last, within
the shortest checkpoint interval), `--resume` it each time, and compare the end with an uninterrupted run of the
same config (CPU, one thread, same seed: bit for bit).

    python scripts/kill_resume.py [--kills 5] [--steps 200] [--eval-every 20] [--seed 0]

While the runs go, every version of checkpoints/last.pt that appears is loaded (torch.load, weights_only) and
every version of the best/ bundle verified against its manifest: none may be half-written. Prints the figures;
exits 1 unless the final weights are identical and every checkpoint seen was whole.
"""
from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import yaml

from nmt.model.bundle import BundleError, verify_bundle
from nmt.scripts.harness import DEFAULT_WORK, toy_config, toy_corpus
from nmt.training.checkpoint import load_checkpoint


@dataclass
class Watch:
    """What a watcher thread saw of one run directory."""

    checkpoints_loaded: int = 0
    bundles_verified: int = 0
    broken: list[str] = field(default_factory=list)
    step_at: dict[int, float] = field(default_factory=dict)  # checkpoint step -> seconds after the watch began


class Watcher(threading.Thread):
    """Loads each new version of last.pt, and verifies each new version of best/, as soon as it appears."""

    def __init__(self, out_dir: Path):
        super().__init__(daemon=True)
        self.out_dir, self.watch, self.stopping = out_dir, Watch(), threading.Event()
        self.seen: dict[Path, tuple] = {}
        self.begin = time.monotonic()

    def run(self) -> None:
        while not self.stopping.wait(0.02):
            self.check()

    def stop(self) -> Watch:
        self.stopping.set()
        self.join()
        self.check()
        return self.watch

    def check(self) -> None:
        self._if_new(self.out_dir / "checkpoints" / "last.pt", self._load_checkpoint)
        self._if_new(self.out_dir / "best" / "manifest.json", self._verify_bundle)

    def _if_new(self, path: Path, check) -> None:
        try:
            stat = path.stat()
        except FileNotFoundError:
            return
        version = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if self.seen.get(path) != version:
            self.seen[path] = version
            check()

    def _load_checkpoint(self) -> None:
        try:
            state = load_checkpoint(self.out_dir / "checkpoints" / "last.pt")
            assert {"model", "optimizer", "progress", "rng"} <= set(state)
            self.watch.checkpoints_loaded += 1
            self.watch.step_at.setdefault(state["progress"]["step"], time.monotonic() - self.begin)
        except FileNotFoundError:  # replaced between stat and open: the next poll sees the new one
            pass
        except Exception as e:
            self.watch.broken.append(f"last.pt: {type(e).__name__}: {e}")

    def _verify_bundle(self) -> None:
        try:
            verify_bundle(self.out_dir / "best")
            self.watch.bundles_verified += 1
        except BundleError as e:
            if (self.out_dir / "best").exists():  # not merely swapped out for a moment
                self.watch.broken.append(f"best/: {e}")


@dataclass
class Runs:
    started: int = 0
    killed_at_steps: list[int] = field(default_factory=list)
    seconds: float = 0.0
    watch: Watch = field(default_factory=Watch)
    leftovers: list[str] = field(default_factory=list)  # temporary files that killed writers left behind


def write_config(work: Path, name: str, steps: int, eval_every: int, seed: int, train_pairs: int) -> Path:
    corpus = toy_corpus(work / "kill-data", train_pairs)
    config = toy_config(work / name, corpus, max_steps=steps, eval_every=eval_every, seed=seed)
    path = work / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def start(config: Path, log) -> subprocess.Popen:
    resume = ["--resume"] if (out_dir(config) / "checkpoints" / "last.pt").exists() else []
    return subprocess.Popen([sys.executable, "-m", "nmt.cli", "train", str(config), *resume],
                            stdout=log, stderr=subprocess.STDOUT)


def out_dir(config: Path) -> Path:
    return Path(yaml.safe_load(config.read_text())["out_dir"])


def step_of(config: Path) -> int:
    last = out_dir(config) / "checkpoints" / "last.pt"
    return load_checkpoint(last)["progress"]["step"] if last.exists() else 0


def run_to_end(config: Path) -> Watch:
    """An uninterrupted run, watched: when each checkpoint appeared."""
    watcher = Watcher(out_dir(config))
    watcher.start()
    with open(config.with_suffix(".log"), "wb") as log:
        if start(config, log).wait() != 0:
            raise RuntimeError(f"training failed; see {config.with_suffix('.log')}")
    return watcher.stop()


def kill_moment(step_at: dict[int, float], step: int, rng: random.Random) -> tuple[int, float] | None:
    """When to kill a run resumed at `step`: once its next checkpoint appears, after a random part of the shortest
    checkpoint interval of an uninterrupted run (step_at), so that it dies training, evaluating or writing the
    checkpoint after, whatever this machine's speed; None when no checkpoint but the last is left."""
    steps = sorted(step_at)
    later = [s for s in steps[:-1] if s > step]
    if not later:
        return None
    return later[0], rng.random() * min(step_at[b] - step_at[a] for a, b in pairwise(steps))


def run_with_kills(config: Path, kills: int, step_at: dict[int, float], rng: random.Random) -> Runs:
    """Start, kill -9 at a random moment after its next checkpoint (kill_moment), resume; `kills` times (as many as
    there are checkpoints before the last), then to the end."""
    runs, watcher, begin = Runs(), Watcher(out_dir(config)), time.monotonic()
    watcher.start()
    with open(config.with_suffix(".log"), "wb") as log:
        while True:
            moment = kill_moment(step_at, step_of(config), rng) if len(runs.killed_at_steps) < kills else None
            proc = start(config, log)
            runs.started += 1
            if moment is not None and _reached(watcher, proc, moment[0]):
                time.sleep(moment[1])
                proc.kill()
            if proc.wait() == 0:
                break
            if proc.returncode != -9:
                raise RuntimeError(f"training failed with {proc.returncode}; see {config.with_suffix('.log')}")
            runs.killed_at_steps.append(step_of(config))  # also proves the checkpoint on disk loads
    runs.watch, runs.seconds = watcher.stop(), time.monotonic() - begin
    runs.leftovers = [p.name for p in out_dir(config).rglob(".*") if p.name != ".gitignore"]
    return runs


def _reached(watcher: Watcher, proc: subprocess.Popen, step: int) -> bool:
    """Wait until the watcher has loaded a checkpoint of this step; False if the process ended first."""
    while step not in watcher.watch.step_at:
        if proc.poll() is not None:
            return False
        time.sleep(0.01)
    return True


def compare(a: Path, b: Path) -> tuple[int, float]:
    """(number of weight tensors, largest absolute difference) between the models of two checkpoints."""
    wa, wb = load_checkpoint(a)["model"], load_checkpoint(b)["model"]
    assert wa.keys() == wb.keys()
    return len(wa), max(float((wa[k].float() - wb[k].float()).abs().max()) for k in wa)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=5, help="kill -9 this many times (default: 5)")
    parser.add_argument("--steps", type=int, default=200, help="max_steps (default: 200)")
    parser.add_argument("--eval-every", type=int, default=20, help="eval_every, a divisor of --steps (default: 20)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the kill times (default: 0)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK / "kill-resume", help="scratch directory")
    args = parser.parse_args()
    if args.steps % args.eval_every:
        parser.error("--steps must be a multiple of --eval-every (a run checkpoints on them)")
    shutil.rmtree(args.work, ignore_errors=True)
    configs = [write_config(args.work, name, args.steps, args.eval_every, 1, 1000) for name in ("straight", "killed")]
    straight = run_to_end(configs[0])
    print(f"uninterrupted: {args.steps} steps, last checkpoint {max(straight.step_at.values()):.1f} s after the start; "
          f"{straight.checkpoints_loaded} checkpoint versions loaded, {len(straight.broken)} broken")
    runs = run_with_kills(configs[1], args.kills, straight.step_at, random.Random(args.seed))
    print(f"interrupted: {runs.started} processes, kill -9 at checkpoint steps {runs.killed_at_steps}, "
          f"{runs.seconds:.1f} s in all")
    watch = runs.watch
    print(f"while running: {watch.checkpoints_loaded} checkpoint versions loaded, {watch.bundles_verified} bundle "
          f"versions verified, {len(watch.broken)} broken {watch.broken}")
    print(f"temporary files left by killed writers: {len(runs.leftovers)} {runs.leftovers[:5]}")
    tensors, diff = compare(*(out_dir(c) / "checkpoints" / "last.pt" for c in configs))
    same_step = step_of(configs[0]) == step_of(configs[1]) == args.steps
    print(f"final weights: {tensors} tensors, largest difference {diff:g}; both at step {args.steps}: {same_step}")
    return 0 if diff == 0 and same_step and not runs.watch.broken + straight.broken else 1


if __name__ == "__main__":
    sys.exit(main())
