"""Where the attention sends each source word (model/align.py, which puts HTML's and documents' inline tags back),
checked on words whose place in the translation is known.

    python benchmarks/alignment.py [--model models/en-es] [--test data/bible/dev.tsv] [--limit 600] [--beam 5]

Each verse is translated alone with its attention (Translator.translate, as the HTML route asks). Checked words:
  names: a capitalized word (not the first) found once in the verse and once, spelt the same, in its translation;
  pairs: a word whose translation the references use consistently (Dice over the file's sentence pairs, as
         benchmarks/glossary.py mines them: --min-count 5, --min-dice 0.6), once in the verse and its translation
         once in the output.
A word counts as placed when the alignment (text_alignment) sends it to that word of the translation (punctuation around words
ignored). Printed for each: placed, and, for reference, how many a placement one word earlier or later would get.
"""
from __future__ import annotations

import argparse
from collections import Counter

from common import DEV_SPLIT, default_model
from glossary import glossary_pairs

from nmt.model.align import model_words, text_alignment
from nmt.model.translator import DecodeOptions, Translator
from nmt.training.corpus import load_corpus

PUNCTUATION = ".,;:!?¿¡()[]\"'“”‘’«»"


def bare(text: str) -> list[str]:
    return [word.strip(PUNCTUATION) for word in model_words(text)]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=None)
    p.add_argument("--test", default=str(DEV_SPLIT))
    p.add_argument("--limit", type=int, default=600, help="the file's first N pairs (default: 600)")
    p.add_argument("--beam", type=int, default=5)
    args = p.parse_args()
    translator = Translator.load(args.model or default_model(), "cpu")
    pairs = load_corpus(args.test).pairs[: args.limit]
    mined = glossary_pairs(pairs, 5, 0.6)
    translated = translator.translate([s for s, _ in pairs], DecodeOptions(beam_size=args.beam, with_attention=True))
    placed: Counter = Counter()
    for (source, _), out in zip(pairs, translated, strict=True):
        targets = text_alignment(out)
        src, tgt = bare(source), bare(out.text)
        if targets is None or len(targets) != len(src):
            continue
        lower = [w.lower() for w in tgt]
        for s, word in enumerate(src):
            if src.count(word) != 1:
                continue
            if s > 0 and word[:1].isupper() and len(word) >= 3 and tgt.count(word) == 1:
                kind, truth = "names", tgt.index(word)
            elif (g := mined.get(word.lower())) and g != word.lower() and lower.count(g.lower()) == 1:
                kind, truth = "pairs", lower.index(g.lower())
            else:
                continue
            placed[kind] += 1
            for shift, name in ((0, "placed"), (-1, "one word earlier"), (1, "one word later")):
                placed[kind, name] += targets[s] + shift == truth
    print(f"{args.test}: {len(pairs)} verses, beam {args.beam}, {args.model or default_model()}; {len(mined)} mined pairs")
    for kind in ("names", "pairs"):
        n = placed[kind]
        print(f"{kind}: {n} words; " + ", ".join(f"{name} {placed[kind, name]} ({placed[kind, name] / max(n, 1):.1%})"
                                                for name in ("placed", "one word earlier", "one word later")))


if __name__ == "__main__":
    main()
