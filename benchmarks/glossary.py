"""Glossaries: how often a glossary's target terms appear in the translation, and BLEU with and without the
glossary, on a glossary test set built here from the dev books (never the test books).

    python benchmarks/glossary.py [--model BUNDLE] [--dev FILE] [--beam 5] [--limit N] [--max-entries N]
                                  [--min-count 8] [--min-dice 0.7]

The test set, kept simple:
  1. words of the dev file, lower-cased (runs of letters and digits), of 4 characters or more on the source side,
     in at least --min-count source sentences;
  2. each paired with the target word that co-occurs with it most, by the Dice coefficient over sentence pairs
     (2 * pairs with both / (pairs with the source word + pairs with the target word)), kept at --min-dice or more:
     a translation the references use consistently ("king" -> "rey", "Yahweh" -> "Jehová");
  3. each sentence whose source has such a word and whose reference has its target word gets those entries as its
     glossary (source word in any case, glossary_ignore_case; the target word as the reference spells it), at
     most --max-entries of them, the rarest source words first (the most term-like).

Printed: the pairs found, then for the sentences with a glossary, without and with it: term use (the share of
entries whose target term is in the output, as a whole word, in any case), BLEU and chrF against the references,
and how often restoring the placeholders had to repair the model's output. The sentences go through the service's
pipeline (Translator.prepare with the glossary as Terms, search, finish), in-process on the CPU.

A model without placeholders cannot apply a glossary: the script says so and exits with 2.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

from common import ROOT, default_model, print_table

from nmt.model.bundle import BundleError
from nmt.model.spans import NO_TERMS, Terms
from nmt.model.translator import DecodeOptions, PreparedText, Translator, searched
from nmt.training.corpus import load_corpus
from nmt.training.errors import CorpusError
from nmt.training.scoring import score

DEV = {("en", "es"): ROOT / "data" / "bible" / "dev.tsv", ("es", "en"): ROOT / "data" / "bible" / "es-en" / "dev.tsv"}
WORD = re.compile(r"\w+")

Pair = tuple[str, str]


def words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text)}


def glossary_pairs(rows: list[Pair], min_count: int, min_dice: float) -> dict[str, str]:
    """source word -> the target word the references use with it most consistently (Dice, over sentence pairs)."""
    sources, targets = [words(s) for s, _ in rows], [words(t) for _, t in rows]
    source_count = Counter(w for ws in sources for w in ws)
    target_count = Counter(w for ws in targets for w in ws)
    both = Counter((s, t) for ss, ts in zip(sources, targets, strict=True) for s in ss
                   if len(s) >= 4 and source_count[s] >= min_count for t in ts)
    best: dict[str, tuple[float, str]] = {}
    for (s, t), n in both.items():
        dice = 2 * n / (source_count[s] + target_count[t])
        if dice >= min_dice and dice > best.get(s, (0.0, ""))[0]:
            best[s] = (dice, t)
    return {s: t for s, (_, t) in sorted(best.items())}


def whole_word(term: str) -> re.Pattern:
    return re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.IGNORECASE)


def sentence_glossaries(rows: list[Pair], pairs: dict[str, str],
                        most: int | None = None) -> list[tuple[str, str, dict[str, str]]]:
    """(source, reference, glossary) of each sentence with entries: those whose source word is in the source and
    whose target word is in the reference, spelt as there; at most `most`, the rarest source words first."""
    count = Counter(w for s, _ in rows for w in words(s))
    found = []
    for source, reference in rows:
        glossary = {}
        for word in sorted(words(source) & set(pairs), key=lambda w: (count[w], w)):
            spelt = whole_word(pairs[word]).search(reference)
            if spelt and (most is None or len(glossary) < most):
                glossary[word] = spelt.group()
        if glossary:
            found.append((source, reference, glossary))
    return found


def translate(translator: Translator, sources: list[str], terms: list[Terms], options: DecodeOptions) -> tuple[list[str], int]:
    """Each source through the pipeline with its own terms; the outputs and the placeholder repairs they needed."""
    prepared: list[PreparedText] = [p for source, t in zip(sources, terms, strict=True)
                                    for p in translator.prepare([source], t)]
    done = translator.finish(prepared, translator.search(searched(prepared), options))
    return [t.text for t in done], sum(s.repairs for t in done for s in t.sentences)


def term_use(outputs: list[str], glossaries: list[dict[str, str]]) -> tuple[int, int]:
    used = sum(bool(whole_word(target).search(out)) for out, g in zip(outputs, glossaries, strict=True)
               for target in g.values())
    return used, sum(len(g) for g in glossaries)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, default=None, help="a bundle (default: the shipped one)")
    p.add_argument("--dev", type=Path, default=None, help="source<TAB>reference (default: the dev books of the "
                   "bundle's language pair)")
    p.add_argument("--beam", type=int, default=5)
    p.add_argument("--limit", type=int, default=None, help="only the first N sentences that have a glossary")
    p.add_argument("--max-entries", type=int, default=None, help="glossary entries per sentence (default: all found)")
    p.add_argument("--min-count", type=int, default=8)
    p.add_argument("--min-dice", type=float, default=0.7)
    args = p.parse_args()
    model = args.model or default_model()
    try:
        translator = Translator.load(model, "cpu")
    except (BundleError, OSError) as e:
        print(f"glossary.py: {e}", file=sys.stderr)
        return 2
    if not translator.carries_spans:
        print(f"glossary.py: {model} has no placeholders, so it cannot apply a glossary (train one with "
              f"model.placeholders)", file=sys.stderr)
        return 2
    pair = (translator.bundle.config.src_lang, translator.bundle.config.tgt_lang)
    dev = args.dev or DEV.get(pair)
    if dev is None:
        print(f"glossary.py: no dev books for {pair[0]} -> {pair[1]}: name a file with --dev", file=sys.stderr)
        return 2
    try:
        rows = load_corpus(dev).pairs
    except (CorpusError, OSError) as e:
        print(f"glossary.py: {e}", file=sys.stderr)
        return 2

    pairs = glossary_pairs(rows, args.min_count, args.min_dice)
    test = sentence_glossaries(rows, pairs, args.max_entries)[: args.limit]
    sources, references, glossaries = [s for s, _, _ in test], [r for _, r, _ in test], [g for _, _, g in test]
    print(f"{dev}: {len(rows)} sentences; {len(pairs)} glossary pairs (min count {args.min_count}, Dice >= "
          f"{args.min_dice}): {', '.join(f'{s} -> {t}' for s, t in list(pairs.items())[:12])}, ...")
    print(f"{model} ({pair[0]} -> {pair[1]}, {translator.bundle.src_tokenizer.placeholders} placeholders), "
          f"beam {args.beam}: {len(test)} sentences with {sum(map(len, glossaries))} glossary entries")
    options = DecodeOptions(beam_size=args.beam)
    rows_out = []
    for name, terms in (("without glossary", [NO_TERMS] * len(test)),
                        ("with glossary", [Terms(glossary=g, ignore_case=True) for g in glossaries])):
        outputs, repairs = translate(translator, sources, terms, options)
        used, total = term_use(outputs, glossaries)
        scores = score(outputs, references)
        rows_out.append({"": name, "term use": f"{used}/{total} ({100 * used / max(total, 1):.1f}%)",
                         "BLEU": scores.bleu, "chrF": scores.chrf, "placeholder repairs": repairs})
    print_table(rows_out, ["", "term use", "BLEU", "chrF", "placeholder repairs"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
