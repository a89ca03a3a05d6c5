"""How the pipeline cuts a line: BLEU of a model through Translator.translate (the service's pipeline, beam 5) with
sentencex's sentences packed into segments of up to N characters (model/segment.py; the pipeline's way, N the
`segment_chars` option: 0 is each sentence alone), and with the hand-written splitter the service used before (ends
at . ! ? ;, an English abbreviation list). Choose on the dev books (the default), never the test books.

    python benchmarks/segmenters.py [--model M] [--test DEV.tsv] [--chars 0,100,200,250,300,100000]
"""
from __future__ import annotations

import argparse
import re

from common import DEV_SPLIT, default_model

from nmt.model import translator as tr
from nmt.model.segment import Segmented
from nmt.model.translator import DecodeOptions, Translator
from nmt.training.corpus import load_corpus
from nmt.training.scoring import score

_END = re.compile(r"[.!?;]+[\"'”’)\]»]*(\s+)")
_ABBR = {"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "cf"}


def old_split(text: str, language: str, max_chars: int = 0) -> Segmented:
    """The hand-written splitter of 3f6f105 (app/segment.py), inside one line, each sentence alone."""
    stripped = text.strip()
    if not stripped:
        return Segmented([], [text])
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
    sentences, seps, start = [], [lead], 0
    for m in _END.finditer(stripped):
        words = stripped[start:m.start()].split()
        last = words[-1].lower() if words else ""
        if m.group(0).rstrip() == "." and (last in _ABBR or (len(last) == 1 and last.isalpha())):
            continue
        sentences.append(stripped[start : m.start(1)])
        seps.append(m.group(1))
        start = m.end()
    sentences.append(stripped[start:])
    seps.append(trail)
    return Segmented(sentences, seps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="model bundle (default: the shipped en-es)")
    parser.add_argument("--test", default=str(DEV_SPLIT), help="TSV test pairs (default: the dev books)")
    parser.add_argument("--chars", default="0,100,200,250,300,100000", help="segment_chars values, comma-separated")
    args = parser.parse_args()
    corpus = load_corpus(args.test)
    src, ref = [s for s, _ in corpus.pairs], [r for _, r in corpus.pairs]
    translator = Translator.load(args.model or default_model(), "cpu")
    for chars in [int(c) for c in args.chars.split(",")]:
        translator.segment_chars = chars
        report(f"sentencex, segments of up to {chars} characters", translator, src, ref)
    tr.split = old_split  # type: ignore[assignment]  # the pipeline's segmenter, swapped for this one
    report("hand-written . ! ? ;", translator, src, ref)


def report(name: str, translator: Translator, src: list[str], ref: list[str]) -> None:
    translated = translator.translate(src, DecodeOptions(beam_size=5))
    cut = sum(len(t.sentences) > 1 for t in translated)
    scores = score([t.text for t in translated], ref).as_dict()
    print(f"{name:50s} lines cut: {cut:3d}  BLEU {scores['bleu']:.2f}  chrF {scores['chrf']:.2f}", flush=True)


if __name__ == "__main__":
    main()
