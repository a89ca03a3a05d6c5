"""`nmt compare`: is the difference between two systems' BLEU and chrF on a test file more than chance?

sacrebleu's own paired tests decide, so that the figures are those of `sacrebleu --paired-bs` / `--paired-ar` (but
where a resample ties the observed difference: see _p_value): paired bootstrap resampling (Koehn 2004), which also
gives each system's 95% confidence interval, and paired approximate randomization (Riezler & Maxwell 2005). A system is a
file of hypotheses (one line per test pair, as `nmt evaluate --out DIR` writes DIR/hypotheses.txt), such a DIR, or a
model bundle, translated by the caller (the command line translates as `nmt evaluate` does).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sacrebleu import significance
from sacrebleu.metrics import CHRF
from sacrebleu.significance import PairedTest, Result

from nmt.training.compressed import read_lines
from nmt.training.corpus import EvaluationSet, load_evaluation_set, none_usable
from nmt.training.errors import CorpusError
from nmt.training.evaluate import HYPOTHESES, check_direction, tell_skipped, test_name
from nmt.training.scoring import bleu_metric

SEED_VARIABLE = "SACREBLEU_SEED"
DEFAULT_SEED = 12345  # sacrebleu's
# (report key, as `nmt evaluate` names it; label; sacrebleu metric): sacrebleu names its results "BLEU", "chrF2"
METRICS = (("bleu", "BLEU", bleu_metric), ("chrf", "chrF", lambda _target: CHRF()))  # each made for a target language

Translate = Callable[[Path, list[str]], list[str]]  # (model bundle, sources) -> one translation per source


@dataclass(frozen=True)
class Sampling:
    """How many resamples and trials, from which seed: the same three numbers give the same figures."""

    resamples: int = 1000  # paired bootstrap (sacrebleu's default)
    trials: int = 10000  # approximate randomization (sacrebleu's default)
    seed: int = DEFAULT_SEED

    def __post_init__(self) -> None:
        for name in ("resamples", "trials"):
            if getattr(self, name) < 1:
                raise ValueError(f"--{name} must be at least 1")
        if self.seed < 1:  # sacrebleu gives the compared system no seed at all when it is 0
            raise ValueError("--seed must be at least 1")


def default_seed() -> int:
    """$SACREBLEU_SEED when it is set, as sacrebleu's own command reads it; else sacrebleu's 12345."""
    value = os.environ.get(SEED_VARIABLE)
    if value is None:
        return DEFAULT_SEED
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{SEED_VARIABLE}={value!r}: nmt compare needs an integer seed, so that its figures can be "
                         "reproduced; unset it or pass --seed") from None


@dataclass
class System:
    path: Path  # the hypothesis file read, or the model bundle translated
    kind: str  # "hypotheses" | "model"
    hypotheses: list[str]


def read_hypotheses(path: Path) -> list[str]:
    """One hypothesis per line, UTF-8 (plain or compressed); an empty file is an error, not zero hypotheses."""
    hypotheses = []
    for number, raw in enumerate(read_lines(path), start=1):
        try:
            hypotheses.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise CorpusError(f"{path}: line {number}: not UTF-8") from None
    if not hypotheses:
        raise CorpusError(f"{path}: empty file, expected one hypothesis per test pair")
    return hypotheses


def hypotheses_only(model: Path, sources: list[str]) -> list[str]:
    """The Translate of a comparison whose systems are hypothesis files only (the benchmarks' and tests')."""
    raise ValueError(f"{model}: a model bundle, where a hypothesis file was expected")


def load_system(path: Path, sources: list[str], translate: Translate) -> System:
    """A hypothesis file, an `nmt evaluate --out` directory (its hypotheses.txt), or a model bundle (translated)."""
    if path.is_dir() and (path / HYPOTHESES).is_file():
        path = path / HYPOTHESES
    if path.is_dir():
        if not any((path / name).exists() for name in ("manifest.json", "config.json")):  # (a damaged bundle: its error)
            raise ValueError(f"{path}: a folder that is neither an `nmt evaluate --out` directory (no {HYPOTHESES}) "
                             "nor a model bundle (no manifest.json)")
        return System(path, "model", translate(path, sources))
    return System(path, "hypotheses", read_hypotheses(path))


def _languages(pair: tuple[str, str] | None, *systems: Path) -> tuple[str, str] | None:
    """The languages pair names, which each system that is a model bundle must translate; without pair, those of
    the first such system (else None: not known)."""
    for path in systems:
        if (path / "config.json").is_file():
            from nmt.model.bundle import read_config  # (torch: only where a system is a model)

            config = read_config(path)
            if pair not in (None, (config.src_lang, config.tgt_lang)):
                raise ValueError(f"{path} translates {config.src_lang}-{config.tgt_lang}, not "
                                 f"{'-'.join(pair or ())} (--pair)")
            pair = pair or (config.src_lang, config.tgt_lang)
    return pair


def compare_systems(test: Path, a: Path, b: Path, translate: Translate, sampling: Sampling,
                    beam_size: int | None = None, pair: tuple[str, str] | None = None,
                    reference: Path | None = None) -> dict:
    """The comparison of system B with the baseline A on the test file (TSV source<TAB>reference), as a report.
    beam_size: how translate decodes, recorded for the systems that are models; pair: the languages a TMX, XLIFF,
    gettext, Qt Linguist, String Catalog, JSON Lines or CSV test file is read in (default: the models', else en -> es);
    reference: the references, aligned by line with test, which is then plain text."""
    # as `nmt evaluate` reads it (its hypotheses are a line per source it keeps)
    known = _languages(pair, a, b)
    corpus = load_evaluation_set(test, reference, langs=known or ("en", "es"))  # (the corpus reader's default)
    named = test_name(test, reference)
    if not corpus.sources:
        raise ValueError(f"{named}: no sentence pairs to compare on: {none_usable(corpus.bad_lines)}")
    tell_skipped(corpus)
    if known:  # (two hypothesis files of a TSV test file: no languages to check it against)
        check_direction(corpus, named, known)
    sources, references = corpus.sources, corpus.references  # sacrebleu's layout: a list per reference column
    systems = {name: _check_aligned(load_system(path, sources, translate), named, corpus)
               for name, path in (("A", a), ("B", b))}  # A is checked before B is translated
    a_out, b_out = systems["A"].hypotheses, systems["B"].hypotheses
    return {
        "test": named, "sentences": len(sources), "skipped_lines": len(corpus.bad_lines),
        "systems": {name: {"path": str(s.path), "kind": s.kind} | ({"beam_size": beam_size} if s.kind == "model" else {})
                    for name, s in systems.items()},
        "differing_lines": sum(x != y for x, y in zip(a_out, b_out, strict=True)),
        "seed": sampling.seed, "resamples": sampling.resamples, "trials": sampling.trials,
        **paired_tests(a_out, b_out, references, sampling, known[1] if known else None),
    }


def _check_aligned(system: System, test: str, corpus: EvaluationSet) -> System:
    if len(system.hypotheses) != len(corpus.sources):
        bad = len(corpus.bad_lines)
        skipped = f" ({bad} unusable line{'s' * (bad != 1)} skipped, as nmt evaluate skips them)" if bad else ""
        raise ValueError(f"{system.path}: {len(system.hypotheses)} lines, but {test} has {len(corpus.sources)} sentence "
                         f"pairs{skipped}; expected one hypothesis per pair")
    return system


def paired_tests(a: list[str], b: list[str], references: list[list[str]], sampling: Sampling,
                 target: str | None = None) -> dict[str, dict]:
    """Per metric: both systems' scores with bootstrap means and 95% confidence intervals, B - A, and the p-value of
    each test (the chance of a difference at least this large between two systems that are in truth alike). target:
    the references' language, which picks BLEU's tokenizer (training/scoring.py's bleu_metric; None: 13a)."""
    named: list[tuple[str, Sequence[str]]] = [("A", a), ("B", b)]
    with _seeded(sampling.seed), _ties_counted():
        bs_signatures, bs = PairedTest(named, _metrics(target), references, "bs", sampling.resamples)()
        ar_signatures, ar = PairedTest(named, _metrics(target), references, "ar", sampling.trials)()
    report = {}
    for (ours, _, _), theirs in zip(METRICS, bs_signatures, strict=True):
        (a_bs, b_bs), (_, b_ar) = _results(bs, theirs), _results(ar, theirs)
        assert b_bs.p_value is not None and b_ar.p_value is not None  # B, compared with the baseline A
        report[ours] = {
            "A": _interval(a_bs), "B": _interval(b_bs), "difference": round(b_bs.score - a_bs.score, 4),
            "p_bootstrap": round(b_bs.p_value, 6), "p_ar": round(b_ar.p_value, 6),
            "signature_bootstrap": str(bs_signatures[theirs]), "signature_ar": str(ar_signatures[theirs]),
        }
    return report


def _results(results: dict[str, list[str | Result]], metric: str) -> tuple[Result, Result]:
    """A's and B's results for a metric (the list is the table's column: sacrebleu types it with the names' one)."""
    a, b = results[metric]
    assert isinstance(a, Result) and isinstance(b, Result)
    return a, b


def _metrics(target: str | None) -> dict:
    return {label: make(target) for _, label, make in METRICS}


def _interval(result: Result) -> dict[str, float]:
    assert result.mean is not None and result.ci is not None  # the bootstrap test computes both
    return {"score": round(result.score, 4), "mean": round(float(result.mean), 4), "ci": round(float(result.ci), 4)}


def _p_value(stats: np.ndarray, real_difference: float) -> float:
    """(c + 1) / (n + 1), c counting the resampled differences at least as large as the observed one, as Riezler &
    Maxwell (2005) define it. sacrebleu counts only the larger ones, and a tie is no rare event: when the outputs
    differ on a line or two, every approximate randomization trial gives exactly the observed difference or its
    mirror, and sacrebleu gave its smallest p-value (0.0001 in 10,000 trials for one line changed of 30), a certainty
    where there is no evidence at all; identical outputs (every difference 0) got it too. Elsewhere the figures are
    sacrebleu's."""
    return (int(np.sum(stats >= real_difference)) + 1) / (len(stats) + 1)


@contextmanager
def _ties_counted() -> Iterator[None]:
    """sacrebleu's paired tests with _p_value for their p-values (sacrebleu has no option for it)."""
    theirs = significance._compute_p_value
    significance._compute_p_value = _p_value
    try:
        yield
    finally:
        significance._compute_p_value = theirs


@contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """sacrebleu's paired tests read their seed from the environment only (SACREBLEU_SEED, in PairedTest and in its
    bootstrap of the baseline): set it for them, and put back what was there."""
    before = os.environ.get(SEED_VARIABLE)
    os.environ[SEED_VARIABLE] = str(seed)
    try:
        yield
    finally:
        if before is None:
            del os.environ[SEED_VARIABLE]
        else:
            os.environ[SEED_VARIABLE] = before


def format_comparison(report: dict) -> str:
    skipped = report["skipped_lines"]
    skipped_note = f" ({skipped} unusable test line{'s' * (skipped != 1)} skipped)" if skipped else ""
    lines = [f"{report['test']}: {report['sentences']} sentences{skipped_note}; the outputs of A and B differ on "
             f"{report['differing_lines']} of them"]
    for name, system in report["systems"].items():
        how = f"model, beam {system['beam_size']}" if system["kind"] == "model" else system["kind"]
        lines.append(f"{name} = {system['path']} ({how})")
    lines.append(f"{'':6}{'A':26}{'B':26}{'B - A':>8}{'p bootstrap':>14}{'p AR':>10}")
    for key, label, _ in METRICS:
        m = report[key]
        row = f"{label:6}{_shown(m['A']):26}{_shown(m['B']):26}{m['difference']:+8.2f}"
        lines.append(f"{row}{_p(m['p_bootstrap']):>14}{_p(m['p_ar']):>10}".rstrip())
    lines += [
        f"μ ± x: the mean of {report['resamples']} paired bootstrap resamples and its 95% confidence interval",
        f"p: paired bootstrap resampling ({report['resamples']} resamples) and paired approximate randomization "
        f"({report['trials']} trials), seed {report['seed']}; * p < 0.05",
        *(f"{label}: {report[key]['signature_bootstrap']}" for key, label, _ in METRICS),
    ]
    return "\n".join(lines)


def _shown(interval: dict[str, float]) -> str:
    return f"{interval['score']:.2f} (μ {interval['mean']:.2f} ± {interval['ci']:.2f})"


def _p(p: float) -> str:
    return f"{p:.4f}{' *' if p < 0.05 else '  '}"
