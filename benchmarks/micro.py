"""Re-measure the CPU facts that code comments give as reasons (benchmarks/README.md has the recorded figures).

    python benchmarks/micro.py                 # every fact, one torch thread
    python benchmarks/micro.py tanh topk       # some of them: tanh, linear, topk, sentencepiece, steps, repeats,
                                               # spans, transforms
    python benchmarks/micro.py --threads 2

Each line is the median of several timed runs: the faster and the slower way, and their ratio.
"""
from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import torch
from common import ROOT, test_sources
from torch.nn import functional as F

from nmt.model.bundle import DEFAULT_BUNDLE
from nmt.model.decoder import linear, tanh_
from nmt.model.search import top_k
from nmt.model.tokenizer import Tokenizer
from nmt.model.translator import DecodeOptions, Translator, searched


def median_us(f: Callable[[], object], number: int = 200, repeat: int = 7) -> float:
    f()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            f()
        runs.append((time.perf_counter() - start) / number * 1e6)
    return statistics.median(runs)


def compare(what: str, fast: tuple[str, Callable[[], object]], slow: tuple[str, Callable[[], object]],
            number: int = 200) -> None:
    t_fast, t_slow = median_us(fast[1], number), median_us(slow[1], number)
    print(f"{what}: {fast[0]} {t_fast:.1f} us, {slow[0]} {t_slow:.1f} us ({t_slow / t_fast:.2f}x)")


def tanh() -> None:
    """model/decoder.py tanh_, model/attention.py: torch's CPU tanh against its sigmoid."""
    x = torch.randn(750, 512)
    compare("(750,512) floats", ("sigmoid", lambda: torch.sigmoid(x)), ("tanh", lambda: torch.tanh(x)))
    y = x.clone()
    compare("(750,512) floats, in place", ("tanh_ (2 sigmoid(2x) - 1)", lambda: tanh_(y.copy_(x))),
            ("tanh_", lambda: y.copy_(x).tanh_()))


def output_layer() -> None:
    """model/decoder.py linear(stored_transposed=True): the output layer's (n,E) x (E,V) product."""
    weight, bias = torch.randn(8000, 256), torch.randn(8000)
    stored, plain = linear(weight, bias, stored_transposed=True), linear(weight, bias)
    with torch.inference_mode():
        for rows in (68, 34):
            h = torch.randn(rows, 256)
            compare(f"({rows},256) x (256,8000)", ("weight stored (E,V)", lambda h=h: stored(h)),
                    ("weight stored (V,E)", lambda h=h: plain(h)), number=50)
            assert torch.allclose(stored(h), F.linear(h, weight, bias), atol=1e-4)


def topk() -> None:
    """model/search.py top_k: block-wise top-k of the output layer's logits against torch.topk."""
    for rows, k in ((68, 1), (68, 10)):
        x = torch.randn(rows, 8000).log_softmax(-1)
        compare(f"({rows},8000) logits, k={k}", ("top_k", lambda x=x, k=k: top_k(x, k)),
                ("torch.topk", lambda x=x, k=k: x.topk(k, dim=1)))


def sentencepiece() -> None:
    """model/tokenizer.py LIST_CALL_MIN: SentencePiece's list call against one call per text."""
    tokenizer = Tokenizer((DEFAULT_BUNDLE / "src.spm").read_bytes())
    for n in (1, 8, 64):
        texts = ["In the beginning God created the heavens and the earth."] * n
        compare(f"{n} texts", ("one call per text", lambda texts=texts: [tokenizer.sp.encode(t, out_type=int) for t in texts]),
                ("one list call", lambda texts=texts: tokenizer.sp.encode(texts, out_type=int, num_threads=1)))


def steps() -> None:
    """Why a short sentence's decoder steps slow down beside long ones (benchmarks/README.md): one beam-5 step of
    the shipped model, fp32 and int8, for a short sentence alone, the 6 longest test verses (their sentences), and
    the two together."""
    short, longest = "The price rose quickly in the city of the king.", sorted(test_sources(), key=len)[-6:]
    for int8 in (False, True):
        translator = Translator.load(DEFAULT_BUNDLE, device="cpu", int8=int8)
        print(f"{'int8' if int8 else 'fp32'}: a step of the short sentence alone {step_ms(translator, [short]):.1f} ms, "
              f"of the 6 longest {step_ms(translator, longest):.1f} ms, of all 7 "
              f"{step_ms(translator, [*longest, short]):.1f} ms")


def step_ms(translator: Translator, texts: list[str]) -> float:
    sentences = searched(translator.prepare(texts))
    live = translator.live_batch()
    live.add_groups([translator.encode(sentences, DecodeOptions(beam_size=5), list(range(len(sentences))))])
    return median_us(live.step, number=1, repeat=6) / 1000  # 7 steps: no sentence ends so soon


def repeats() -> None:
    """training/prepared.py sample_texts: SentencePiece learning the Reina-Valera side of the WEB and KJV corpora
    (each Spanish verse twice, once beside each English one), as sampled and with each sentence once; one run each
    (the model for an 8,000-subword vocabulary takes seconds)."""
    bible = ROOT / "data" / "bible"
    texts = [line.split("\t")[1] for path in (bible / "train.tsv", bible / "kjv" / "train.tsv")
             for line in path.read_text(encoding="utf-8").splitlines()]
    for how, sentences in (("each sentence once", list(dict.fromkeys(texts))), ("as sampled", texts)):
        start = time.perf_counter()
        Tokenizer.train(sentences, 8000, threads=torch.get_num_threads())
        print(f"{how}: {len(sentences):,} sentences, {time.perf_counter() - start:.1f} s")


def spans() -> None:
    """model/spans.py MAY_SPAN: find_spans on sentences without spans (test verses) and with them."""
    from nmt.model.spans import SPAN, find_spans
    verses = test_sources()[:200]
    typed = [f"{v[:40]} 3,450 at https://example.org/a {v[40:]}" for v in verses]
    for what, texts in (("200 test verses", verses), ("the same with a number and a URL", typed)):
        compare(what, ("find_spans", lambda texts=texts: [find_spans(t) for t in texts]),
                ("the rules alone", lambda texts=texts: [list(SPAN.finditer(t)) for t in texts]), number=5)


def transforms() -> None:
    """training/transforms: a 24,000-token batch's worth of Bible pairs (566) through noise and placeholders, then
    SentencePiece: what each training step costs the CPU before the network sees it."""
    import random

    from nmt.training.transforms import Transforms
    from nmt.training.transforms.noise import NoiseConfig
    from nmt.training.transforms.placeholders import PlaceholderConfig
    lines = (ROOT / "data" / "bible" / "train.tsv").read_text(encoding="utf-8").splitlines()[:566]
    pairs = [(s, t) for s, t in (line.split("\t")[:2] for line in lines)]
    tokenizers = Tokenizer((DEFAULT_BUNDLE / "src.spm").read_bytes()), Tokenizer((DEFAULT_BUNDLE / "tgt.spm").read_bytes())
    configs = [NoiseConfig(lowercase=0.4, drop_punctuation=0.4), PlaceholderConfig()]
    made = Transforms(configs, *tokenizers)
    plain = Transforms([], *tokenizers)
    compare("566 pairs", ("SentencePiece alone", lambda: plain(pairs, random.Random(1))),
            ("noise, placeholders, SentencePiece", lambda: made(pairs, random.Random(1))), number=5)


FACTS = {"tanh": tanh, "linear": output_layer, "topk": topk, "sentencepiece": sentencepiece, "steps": steps,
         "repeats": repeats, "spans": spans, "transforms": transforms}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("facts", nargs="*", help=f"some of: {', '.join(FACTS)} (default: all)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default: 1, as a model thread)")
    args = parser.parse_args()
    if unknown := [name for name in args.facts if name not in FACTS]:
        parser.error(f"unknown: {', '.join(unknown)}")
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} thread(s)")
    for name in args.facts or FACTS:
        print(f"[{name}]")
        FACTS[name]()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
