"""Which sentence segmenter the pipeline uses: BLEU of the shipped model on the test books through
Translator.translate (the service's pipeline, beam 5) with sentencex (model/segment.py), with the hand-written
splitter the service used before (ends at . ! ? ;, an English abbreviation list), and with no split inside a line.

    python benchmarks/segmenters.py [TEST.tsv]
"""
from __future__ import annotations

import re
import sys

from common import TEST_SPLIT

from nmt.model import translator as tr
from nmt.model.segment import Segmented
from nmt.model.segment import split as sentencex_split
from nmt.model.translator import DecodeOptions, Translator
from nmt.training.corpus import load_corpus
from nmt.training.scoring import score

_END = re.compile(r"[.!?;]+[\"'”’)\]»]*(\s+)")
_ABBR = {"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "cf"}

def old_split(text: str, language: str) -> Segmented:
    """The hand-written splitter of 3f6f105 (app/segment.py), inside one line."""
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

def whole(text: str, language: str) -> Segmented:
    s = text.strip()
    return Segmented([s] if s else [], [text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]] if s else [text])

t = Translator.load(None, "cpu")
corpus = load_corpus(sys.argv[1] if len(sys.argv) > 1 else TEST_SPLIT)
src, ref = [s for s, _ in corpus.pairs], [r for _, r in corpus.pairs]
for name, fn in (("sentencex", sentencex_split), ("hand-written . ! ? ;", old_split), ("no split", whole)):
    tr.split = fn  # type: ignore[assignment]  # the pipeline's segmenter, swapped for this comparison
    hyps = [x.text for x in t.translate(src, DecodeOptions(beam_size=5))]
    n = sum(len(fn(s, "en").sentences) > 1 for s in src)
    print(f"{name:22s} lines split: {n:3d}  {score(hyps, ref).as_dict()['bleu']:.2f} BLEU", flush=True)
