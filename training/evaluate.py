"""`nmt evaluate`: translate a test file through the service's pipeline (Translator.translate) and score it with
sacrebleu, against every reference the file gives (source<TAB>reference<TAB>another reference...)."""
from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable, Iterator, Sized
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from nmt.model.spans import NO_TERMS, Terms
from nmt.training.corpus import EvaluationSet, load_evaluation_set, none_usable
from nmt.training.files import make_dir, write_atomic
from nmt.training.scoring import score

if TYPE_CHECKING:  # annotations only: `nmt compare` imports this module to compare files, without torch
    from nmt.model.translator import DecodeOptions, Translated, Translator

HYPOTHESES = "hypotheses.txt"  # in --out: one line per scored test pair
REPORT = "report.json"  # in --out: the scores, and how they were made


def evaluate(translator: Translator, test_path: Path, options: DecodeOptions, out_dir: Path | None = None,
             chunk_size: int = 256, model: Path | None = None, reference: Path | None = None) -> dict:
    """Translate every source line of the test file; write hypotheses and a JSON report; return the report. model:
    the bundle the translator was loaded from, recorded with its digest (a run's best/ changes as it trains).
    reference: the references, aligned by line with the test file, which is then plain text (sacrebleu's layout)."""
    if out_dir is not None:
        make_dir(out_dir)  # before the translating, which an output dir that cannot be made would waste
    test = load_evaluation_set(test_path, reference, langs=(translator.src_lang, translator.tgt_lang))  # (a TMX's)
    named = test_name(test_path, reference)
    if not test.sources:
        raise ValueError(f"{named}: no sentence pairs to evaluate: {none_usable(test.bad_lines)}")
    tell_skipped(test)
    check_direction(test, named, (translator.src_lang, translator.tgt_lang))
    sources = test.sources
    start = time.perf_counter()
    hypotheses = translate_all(translator, sources, options, chunk_size)
    seconds = time.perf_counter() - start
    scores = score(hypotheses, *test.references, target=translator.tgt_lang)
    out_tokens = sum(len(ids) for ids in translator.bundle.tgt_tokenizer.encode(hypotheses))
    from nmt.model.bundle import digest

    report = {
        **({"model": str(model), "model_digest": digest(model)} if model is not None else {}),
        "test": named, "sentences": len(sources), "references": len(test.references),
        "skipped_lines": len(test.bad_lines),
        **scores.as_dict(), "signature": scores.bleu_signature,
        "beam_size": options.beam_size, "length_penalty": options.length_penalty, "rerank": options.rerank,
        "seconds": round(seconds, 2),
        "sentences_per_s": round(len(sources) / seconds, 2), "tokens_per_s": round(out_tokens / seconds, 1),
        "device": str(translator.device), "int8": translator.int8, "exact": translator.exact,
        "segment_chars": translator.segment_chars,
    }
    if out_dir is not None:
        # A report.json, where there is one, describes the hypotheses.txt beside it: an earlier run's goes first, so
        # that a write that fails (a full disk) leaves no old report beside new hypotheses.
        (out_dir / REPORT).unlink(missing_ok=True)
        write_atomic(out_dir / HYPOTHESES, "\n".join(hypotheses) + "\n")
        write_atomic(out_dir / REPORT, json.dumps(report, indent=2) + "\n")
    return report


SAMPLE = 50  # sources (and references) whose language is told, together: a few verses tell it surely
SURE = 90.0  # percent


def test_name(test: Path, reference: Path | None) -> str:
    """How reports and errors name a test file, or a source file and its reference file."""
    return str(test) if reference is None else f"{test} + {reference}"


def check_direction(test: EvaluationSet, path: str, langs: tuple[str, str]) -> None:
    """Refuse, before the translating, a test file whose sources read as the target language and whose references as
    the source language: its columns swapped, or a model of the other direction (a TSV file does not name its
    languages). Scored, it was minutes of translating for a BLEU near 0 (0.26 for 30 verses, es-en ones given to
    en-es), which says nothing of the cause. Languages the detector does not know (app/detect.py) are not told."""
    from nmt.app.detect import LanguageDetector  # (a second to load: only here)

    source, target = langs
    detector = LanguageDetector([source, target])

    def language(texts: list[str]) -> str | None:
        best = detector.detect(" ".join(texts[:SAMPLE]))[0]
        return best.language if best.confidence >= SURE else None

    if language(test.sources) == target and language(test.references[0]) == source:
        raise ValueError(f"{path}: its sources read as {target} and its references as {source}, but the model "
                         f"translates {source} -> {target}: are sources and references swapped, or is the model the other "
                         "direction's? (nothing translated)")


def tell_skipped(test: EvaluationSet) -> None:
    """On stderr, before the translating: the first few test lines of each kind that will not be scored."""
    for bad in test.first_skipped():
        print(f"  not scored: {bad}", file=sys.stderr)


def translate_all(translator: Translator, sources: list[str], options: DecodeOptions, chunk_size: int = 256) -> list[str]:
    """The translation of each source, in order, with a progress bar: what `nmt evaluate` scores."""
    # Through Translator.translate, the service's pipeline: the same segmentation, the same search, so the score
    # describes what the service returns. Chunks of similar lengths only pace the progress bar: a sentence's output
    # does not depend on the batch it is searched in (bit for bit with an exact Translator: model/invariant.py).
    order = sorted(range(len(sources)), key=lambda i: len(sources[i]))
    hypotheses = [""] * len(sources)
    for i, translated in zip(order, translated_in_order(translator, [sources[i] for i in order], options,
                                                        window=chunk_size), strict=True):
        hypotheses[i] = one_line(translated.text)
    return hypotheses


def one_line(text: str) -> str:
    """A translation as a line of hypotheses.txt. A test source of several lines (a TMX, JSON Lines or CSV segment
    may have line breaks; a TSV field a U+2028) is translated line by line, as the service translates it, and its
    translation's line breaks become spaces, which BLEU's and chrF's tokenization ignore."""
    return " ".join(text.splitlines())


def windows_of(items: Iterable[str], size: int) -> Iterator[list[str]]:
    """The items in lists of size (the last shorter)."""
    it = iter(items)
    while window := list(islice(it, size)):
        yield window


def translated_windows(translator: Translator, windows: Iterable[list[str]], options: DecodeOptions,
                       terms: Terms = NO_TERMS, unit: str = "line", total: int | None = None,
                       done: int = 0, progress: bool = True) -> Iterator[list[Translated]]:
    """Each window's translations, in order, with a progress bar (of total sources, done of them translated
    before) unless not progress. The Translator batches a window's sentences by length, so a wider window pads
    less."""
    from tqdm import tqdm

    with tqdm(total=total, initial=done, desc="translating", unit=unit, leave=False, disable=not progress) as bar:
        for window in windows:
            yield translator.translate(window, options, terms)
            bar.update(len(window))


def translated_in_order(translator: Translator, sources: Iterable[str], options: DecodeOptions, terms: Terms = NO_TERMS,
                        window: int = 512, unit: str = "line") -> Iterator[Translated]:
    """Each source's translation, in input order, a window of sources at a time (translated_windows); the first
    comes out after a window is done."""
    total = len(sources) if isinstance(sources, Sized) else None
    for translated in translated_windows(translator, windows_of(sources, window), options, terms, unit, total):
        yield from translated


def _decoding_note(report: dict) -> str:
    """What a report's decoding changed from the plain beam (reports written before these keys had neither)."""
    alpha, weight, chars = report.get("length_penalty", 1.0), report.get("rerank", 0.0), report.get("segment_chars", 0)
    return ((f", length penalty {alpha}" if alpha != 1.0 else "") + (f", reranked (w = {weight})" if weight else "")
            + (f", sentences together up to {chars} characters" if chars else ""))


def format_report(report: dict) -> str:
    # Skipped lines are not in the scores: a reader comparing with another system's BLEU on the file must know.
    skipped = report.get("skipped_lines", 0)
    skipped_note = f" ({skipped} unusable test line{'s' * (skipped != 1)} skipped, not scored)" if skipped else ""
    refs = report.get("references", 1)
    refs_note = f", {refs} references each" if refs > 1 else ""
    model_note = f"{report['model']} on " if "model" in report else ""  # (reports written before it had none)
    return "\n".join([
        f"{model_note}{report['test']}: {report['sentences']} sentences{refs_note}{skipped_note}, beam "
        f"{report['beam_size']}{_decoding_note(report)}, {report['device']}{', int8' if report.get('int8') else ''}"
        f"{', exact search' if report.get('exact') else ''}",
        f"BLEU = {report['bleu']:.2f}   {report['bleu_signature']}",
        f"       {report['bleu_detail']}",
        f"chrF = {report['chrf']:.2f}   {report['chrf_signature']}",
        f"speed: {report['sentences_per_s']} sentences/s, {report['tokens_per_s']} target tokens/s "
        f"({report['seconds']} s)",
    ])
