"""Robustness of a model on our own altered copies of a test file (never the training noise: other generators).

    python benchmarks/robustness.py [--model BUNDLE] [--test TEST.tsv] [--beam 5] [--url http://127.0.0.1:8000]
                                    [--write DIR]

Rows, each scored with sacrebleu against the clean references:
  clean        the test file as it is
  typos        one word in ten gets a typo as people type (adjacent keys, swaps, drops, doubled letters)
  casual       lowercased and unpunctuated, as in a chat
  capitals     written in capitals, as a headline or a sign, scored against the references in capitals
  spans        two spans inserted into each verse (URLs, e-mails, prices, numbers, dates, versions, printf and
               ICU placeholders, code): how many come back verbatim, how often each placeholder-aware output needed
               a repair, and BLEU with the spans taken out of the answer, against the clean references
  names        the names a verse and its reference share ("David", "Esther": model/spans.py's rule) renamed on both
               sides to names no Bible has ("Kowalczyk"): how many come back verbatim, and BLEU against the renamed
               references

--url translates through a running `nmt serve` (POST /v1/translate), otherwise in-process through the same
pipeline; --write keeps the altered test files as TSV; --sets picks rows (the clean row is always scored).
"""
from __future__ import annotations

import argparse
import random
import re
import string
from collections.abc import Callable
from pathlib import Path

import httpx
from common import TEST_SPLIT, default_model, print_table

from nmt.model.spans import names
from nmt.model.translator import DecodeOptions, Translator
from nmt.training.corpus import load_corpus
from nmt.training.scoring import score

KEYBOARD = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def neighbours(c: str) -> str:
    for row in KEYBOARD:
        if c.lower() in row:
            i = row.index(c.lower())
            return row[max(i - 1, 0):i] + row[i + 1:i + 2]
    return c


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 3 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["key", "swap", "drop", "double"])
    if kind == "key":
        return word[:i] + rng.choice(neighbours(word[i])) + word[i + 1:]
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def with_typos(text: str, rng: random.Random) -> str:
    return " ".join(typo(w, rng) if rng.random() < 0.1 else w for w in text.split(" "))


def casual(text: str, rng: random.Random) -> str:
    return " ".join("".join(c for c in text.lower() if c not in string.punctuation + "¿¡«»“”‘’").split())


SPAN_MAKERS: list[Callable[[random.Random], str]] = [
    lambda r: f"https://{r.choice(['example.org', 'docs.site.io'])}/{r.choice(['x', 'p/q'])}?id={r.randint(1, 999)}",
    lambda r: f"{r.choice(['ana', 'jo.lee', 'info'])}@{r.choice(['mail.com', 'corp.example.org'])}",
    lambda r: f"${r.randint(1, 99)},{r.randint(100, 999)}",
    lambda r: str(r.randint(2, 9999)),
    lambda r: f"{r.randint(1, 99)}.{r.randint(1, 99)}",
    lambda r: f"{r.randint(1990, 2030)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
    lambda r: f"v{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 9)}",
    lambda r: r.choice(["%s", "%d", "%1$s", "%2$d"]),
    lambda r: r.choice(["{name}", "{0}", "{count}"]),
    lambda r: r.choice(["`git pull`", "`ls -l`", "`make test`"]),
]


def insert_spans(src: str, rng: random.Random, n: int = 2) -> tuple[str, list[str]]:
    """src with n spans at random word boundaries (BLEU is taken on the answer with its spans removed, against
    the clean reference)."""
    spans = [rng.choice(SPAN_MAKERS)(rng) for _ in range(n)]
    words = src.split(" ")
    at = sorted(rng.randrange(len(words) + 1) for _ in spans)  # chosen among the verse's own words: never inside
    for i, span in sorted(zip(at, spans, strict=True), reverse=True):  # another span
        words[i:i] = [span]
    return " ".join(words), spans


INVENTED = ("Kowalczyk", "Okonkwo", "Tanaka", "Lindqvist", "Abernathy", "Valtonen", "Szymanski", "Moreau",
            "Nakamura", "Oyelaran", "Fitzgerald", "Wojcik")


def rename(src: str, ref: str, rng: random.Random) -> tuple[str, str, list[str]]:
    """src and ref with the names they share replaced, every occurrence on both sides, by invented ones."""
    def word(w: str) -> str:
        return rf"(?<!\w){re.escape(w)}(?!\w)"

    shared = list(dict.fromkeys(n.text for n in names(src) if re.search(word(n.text), ref)))[:len(INVENTED)]
    new = rng.sample(INVENTED, len(shared))
    for old, name in zip(shared, new, strict=True):
        src, ref = re.sub(word(old), name, src), re.sub(word(old), name, ref)
    return src, ref, new


def without(text: str, spans: list[str]) -> str:
    for span in spans:
        text = text.replace(span, " ", 1)
    return re.sub(r"\s+", " ", text).strip()


class Backend:
    def __init__(self, model: Path, url: str | None, beam: int, pair: tuple[str, str]):
        self.url, self.options, self.pair = url, DecodeOptions(beam_size=beam), pair
        self.translator = None if url else Translator.load(model, "cpu")
        self.repairs = 0

    def translate(self, texts: list[str]) -> list[str]:
        if self.url is None:
            assert self.translator is not None
            done = self.translator.translate(texts, self.options)
            self.repairs += sum(s.repairs for t in done for s in t.sentences)
            return [t.text for t in done]
        out: list[str] = []
        with httpx.Client(timeout=600) as client:
            for i in range(0, len(texts), 32):
                r = client.post(f"{self.url}/v1/translate", json={"text": texts[i:i + 32], "source": self.pair[0],
                                                                   "target": self.pair[1],
                                                                   "beam_size": self.options.beam_size})
                r.raise_for_status()
                out += [t["text"] for t in r.json()["translations"]]
        return out


SETS = ("typos", "casual", "capitals", "spans", "names")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, default=None)
    p.add_argument("--test", type=Path, default=TEST_SPLIT)
    p.add_argument("--beam", type=int, default=5)
    p.add_argument("--url", default=None)
    p.add_argument("--pair", default="en-es", help="with --url: the language pair to ask for (default en-es)")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--write", type=Path, default=None, help="keep the altered test files here")
    p.add_argument("--sets", default=",".join(SETS), help=f"the rows besides clean, comma-separated (default: all: "
                   f"{','.join(SETS)})")
    args = p.parse_args()
    unknown = set(args.sets.split(",")) - set(SETS)
    if unknown:
        p.error(f"--sets: no set {', '.join(sorted(unknown))}; the sets are {', '.join(SETS)}")
    source, target = args.pair.split("-")
    backend = Backend(args.model or default_model(), args.url, args.beam, (source, target))
    pairs = load_corpus(args.test).pairs
    src, ref = [s for s, _ in pairs], [r for _, r in pairs]
    clean = score(backend.translate(src), ref)
    rows = [{"set": "clean", "BLEU": clean.bleu, "chrF": clean.chrf, "ΔBLEU": 0.0}]
    for name in [n for n in SETS if n in args.sets.split(",")]:
        rng = random.Random(f"{args.seed}/{name}")
        if name == "spans":
            rows.append(spans_row(backend, src, ref, clean.bleu, rng, args.write))
        elif name == "names":
            rows.append(names_row(backend, src, ref, clean.bleu, rng, args.write))
        else:
            altered, refs = ALTERATIONS[name](src, ref, rng)
            _keep(args.write, name, altered, refs)
            s = score(backend.translate(altered), refs)
            rows.append({"set": name, "BLEU": s.bleu, "chrF": s.chrf, "ΔBLEU": round(s.bleu - clean.bleu, 2)})
    print(f"{args.test}: {len(src)} sentences, beam {args.beam}, {args.url or 'in-process'}")
    print_table(rows, ["set", "BLEU", "chrF", "ΔBLEU", "spans kept", "repairs"])


Altered = tuple[list[str], list[str]]  # sources, and the references to score them against
ALTERATIONS: dict[str, Callable[[list[str], list[str], random.Random], Altered]] = {
    "typos": lambda src, ref, rng: ([with_typos(s, rng) for s in src], ref),
    "casual": lambda src, ref, rng: ([casual(s, rng) for s in src], ref),
    "capitals": lambda src, ref, rng: ([s.upper() for s in src], [r.upper() for r in ref]),
}


def spans_row(backend: Backend, src: list[str], ref: list[str], clean_bleu: float, rng: random.Random,
              write: Path | None) -> dict:
    spanned = [insert_spans(s, rng) for s in src]
    _keep(write, "spans", [s for s, _ in spanned], ref)
    backend.repairs = 0
    answers = backend.translate([s for s, _ in spanned])
    kept = sum(span in a for a, (_, spans) in zip(answers, spanned, strict=True) for span in spans)
    total = sum(len(spans) for _, spans in spanned)
    s = score([without(a, spans) for a, (_, spans) in zip(answers, spanned, strict=True)], ref)
    return {"set": "spans", "BLEU": s.bleu, "chrF": s.chrf, "ΔBLEU": round(s.bleu - clean_bleu, 2),
            "spans kept": f"{kept}/{total} ({100 * kept / total:.1f}%)",
            "repairs": backend.repairs if backend.url is None else "see /metrics"}


def names_row(backend: Backend, src: list[str], ref: list[str], clean_bleu: float, rng: random.Random,
              write: Path | None) -> dict:
    renamed = [rename(s, r, rng) for s, r in zip(src, ref, strict=True)]
    new_ref = [r for _, r, _ in renamed]
    _keep(write, "names", [s for s, _, _ in renamed], new_ref)
    backend.repairs = 0
    answers = backend.translate([s for s, _, _ in renamed])
    total = sum(r.count(n) for _, r, new in renamed for n in new)
    kept = sum(min(a.count(n), r.count(n)) for a, (_, r, new) in zip(answers, renamed, strict=True) for n in new)
    s = score(answers, new_ref)
    return {"set": "names", "BLEU": s.bleu, "chrF": s.chrf, "ΔBLEU": round(s.bleu - clean_bleu, 2),
            "spans kept": f"{kept}/{total} ({100 * kept / max(total, 1):.1f}%)",
            "repairs": backend.repairs if backend.url is None else "see /metrics"}


def _keep(directory: Path | None, name: str, sources: list[str], refs: list[str]) -> None:
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"{name}.tsv").write_text("".join(f"{s}\t{r}\n" for s, r in zip(sources, refs, strict=True)))


if __name__ == "__main__":
    main()
