"""Reranking a model's n-best lists with the reverse model: BLEU and chrF on a test file for each beam and weight.

    python benchmarks/rerank.py [--model models/en-es] [--reverse models/es-en] [--test data/bible/dev.tsv]
                                [--beams 5,10] [--weights 0,1,2,3] [--length-penalties 1.0]

Each sentence is searched with beam K and returns its K best hypotheses y, scored log P(y|x) / lp(y) as the search
ranks them (model/search.py). The reverse model scores log P(x|y) by teacher forcing, and the hypothesis with the
best
        log P(y|x) / lp(y)  +  w * log P(x|y) / |x|
is kept (|x|: the source's subwords in the reverse model's target vocabulary, EOS included: the same for every
hypothesis of a sentence, so it only scales w). w = 0 is the model alone, at beam K. Choose K and w on the dev
books; the test books only report. Not part of the pipeline yet: a measurement (docs/models.md, "Decoding choices measured").
"""
from __future__ import annotations

import argparse
from pathlib import Path

import torch
from common import DEV_SPLIT, default_model, print_table

from nmt.model.bundle import MODELS
from nmt.model.translator import DecodeOptions, Translated, Translator
from nmt.training.batching import collate
from nmt.training.corpus import load_corpus
from nmt.training.scoring import score

Candidates = tuple[list[str], list[float], list[float]]  # texts, forward scores, reverse log-probabilities per |x|


@torch.inference_mode()
def reverse_scores(reverse: Translator, hypotheses: list[str], source: str) -> list[float]:
    """log P(source | hypothesis) / |source| under the reverse model, for each hypothesis of one sentence: the
    teacher-forced batch that training makes (training/batching.py collate), the source as every row's target."""
    x = reverse.bundle.tgt_tokenizer.encode([source])[0]
    batch = collate([(y, x) for y in reverse.bundle.src_tokenizer.encode(hypotheses)])
    logp = reverse.bundle.model(batch.src, batch.src_len, batch.tgt_in).log_softmax(-1)  # (n,|x|+1,V)
    return (logp.gather(2, batch.tgt_out[:, :, None]).sum((1, 2)) / batch.tgt_out.size(1)).tolist()


def candidates(translated: list[Translated], reverse: Translator) -> list[list[Candidates | None]]:
    """Per text, per sentence: its n-best texts and both scores (None for a blank sentence)."""
    return [[reverse_candidates(reverse, sentence.text, t.nbest) if t.nbest else None
             for sentence, t in zip(text.prepared.sentences, text.sentences, strict=True)] for text in translated]


def reverse_candidates(reverse: Translator, source: str, nbest: list[tuple[str, float]]) -> Candidates:
    texts = [text for text, _ in nbest]
    return texts, [s for _, s in nbest], reverse_scores(reverse, texts, source)


def reranked(translated: list[Translated], found: list[list[Candidates | None]], weight: float) -> list[str]:
    """Each text with every sentence's best hypothesis under the weight, in the text's layout."""
    def best(c: Candidates) -> str:
        texts, forward, backward = c
        return texts[max(range(len(texts)), key=lambda j: forward[j] + weight * backward[j])]

    return [text.prepared.layout.join(["" if c is None else best(c) for c in sentences])
            for text, sentences in zip(translated, found, strict=True)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None, help="the model (default: models/en-es)")
    parser.add_argument("--reverse", type=Path, default=MODELS / "es-en", help="the reverse model (default: models/es-en)")
    parser.add_argument("--test", type=Path, default=DEV_SPLIT, help="TSV source<TAB>reference")
    parser.add_argument("--beams", default="5,10", help="beam sizes, each returning that many hypotheses")
    parser.add_argument("--weights", default="0,1,2,3", help="weights w of the reverse score")
    parser.add_argument("--length-penalties", default="1.0", help="GNMT length penalties α of the search (lp(y))")
    args = parser.parse_args()
    model, reverse = Translator.load(args.model or default_model(), "cpu"), Translator.load(args.reverse, "cpu")
    pairs = load_corpus(args.test).pairs
    sources, references = [s for s, _ in pairs], [t for _, t in pairs]
    rows = []
    for alpha in map(float, args.length_penalties.split(",")):
        for beam in map(int, args.beams.split(",")):
            translated = model.translate(sources, DecodeOptions(beam_size=beam, nbest=beam, length_penalty=alpha))
            found = candidates(translated, reverse)
            for weight in map(float, args.weights.split(",")):
                s = score(reranked(translated, found, weight), references)
                rows.append({"lp": alpha, "beam": beam, "weight": weight, "BLEU": f"{s.bleu:.2f}",
                             "chrF": f"{s.chrf:.2f}"})
    print(f"{args.test}: {len(pairs)} pairs; reranked with {args.reverse}")
    print_table(rows, ["lp", "beam", "weight", "BLEU", "chrF"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
