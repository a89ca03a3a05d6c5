"""Reranking a model's beam with the reverse model: BLEU and chrF on a test file for each length penalty, beam and
weight.

    python benchmarks/rerank.py [--model models/en-es] [--reverse models/es-en] [--test data/bible/dev.tsv]
                                [--beams 5,10] [--weights 0,1,2,3] [--length-penalties 1.0]

The pipeline's reranking (model/rerank.py: log P(y|x) / lp(y) + w · log P(x|y) / |x|), with each setting's search
and reverse scores computed once for all its weights: what `nmt evaluate --beam K --length-penalty A --rerank W
--reverse R` scores for each. w = 0 is the model alone, at beam K. Choose on the dev books; the test books only
report (docs/models.md, "Reranking with the reverse model").
"""
from __future__ import annotations

import argparse
from pathlib import Path

from common import DEV_SPLIT, default_model, print_table

from nmt.model.bundle import MODELS
from nmt.model.rerank import reranked, reverse_scores
from nmt.model.translator import DecodeOptions, Translator, searched
from nmt.training.corpus import load_corpus
from nmt.training.scoring import score


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
    prepared = model.prepare(sources)
    sentences = searched(prepared)
    rows = []
    for alpha in map(float, args.length_penalties.split(",")):
        for beam in map(int, args.beams.split(",")):
            hyps = model.search(sentences, DecodeOptions(beam_size=beam, nbest=beam, length_penalty=alpha))
            found = reverse_scores(model, reverse, sentences, hyps)
            for weight in map(float, args.weights.split(",")):
                best = [reranked(h, r, weight)[:1] for h, r in zip(hyps, found, strict=True)]
                s = score([t.text for t in model.finish(prepared, best)], references)
                rows.append({"lp": alpha, "beam": beam, "weight": weight, "BLEU": f"{s.bleu:.2f}",
                             "chrF": f"{s.chrf:.2f}"})
    print(f"{args.test}: {len(pairs)} pairs; reranked with {args.reverse}")
    print_table(rows, ["lp", "beam", "weight", "BLEU", "chrF"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
