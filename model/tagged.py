"""Paired tags in a sentence of plain text ("God is <b>love</b> and peace.", as format "text" and `nmt translate` send
it): translated without them, each pair put back around the words its words went to, as HTML's runs are
(model/html.py Run.fill_aligned, model/html_passes.py).

Given each tag as a placeholder (model/spans.py), the shipped model often dropped the word between a pair, spaced
or not ("Dios es ⦅0⦆ ⦅1⦆ y paz." -> "Dios es <b></b> y paz."); without the tags it translates the sentence as well
as any other. A sentence whose tags are all paired becomes a Run of text and tags whose text is written as it is
(not escaped for HTML); the pipeline (model/translator.py) translates its plain text with the attention and fills
the Run from the translation. A sentence with a tag left unpaired or self-closing (<br/>) keeps every tag a
placeholder, as a "<" that opens no tag ("a < b") stays the comparison rule's.

The attention reads the plain text masked (model/spans.py): a span with spaces in it ("+1 555 123 4567", "<code>git
commit</code>") is one placeholder there, so the attention's words are mapped back to the plain text's (Tagged.words)
before the tags are placed; counted apart, they disagreed and the pair came back empty at the end.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from nmt.model.html import Item, Run
from nmt.model.spans import NO_TERMS, Masked, Terms, find_spans, insert_before_end, word_map

TAG_NAME = re.compile(r"</?([A-Za-z][\w:.-]*)")


def paired(text: str, terms: Terms = NO_TERMS) -> Run | None:
    """The sentence as a Run of its text and tags (the spans of model/spans.py's markup rule, none inside a term
    or another span), if it has tags and each one is one of a pair (<b>…</b>, <a href="…">…</a>); else None."""
    if "<" not in text:  # (the rules' scan, far cheaper, for most sentences)
        return None
    items, last = [], 0
    for span in (s for s in find_spans(text, terms) if s.kind == "markup"):
        items += [Item(text[last:span.start], text[last:span.start])] if span.start > last else []
        items.append(_tag(span.text))
        last = span.end
    if not items:
        return None
    items += [Item(text[last:], text[last:])] if last < len(text) else []
    run = Run(items, html=False)
    return run if 2 * len(run.pairs) == len(run.marked) and run.text() is not None else None


def _tag(raw: str) -> Item:
    name = TAG_NAME.match(raw).group(1).lower()  # type: ignore[union-attr]  # the markup rule's tags all match
    return Item(raw, tag="" if raw.endswith("/>") else "close" if raw.startswith("</") else "open", name=name)


@dataclass(frozen=True)
class Tagged:
    """A sentence's paired tags: the Run of its text and tags, and for each word of run.plain_text() the word of the
    masked plain text, which the model reads, it became (model/spans.py word_map)."""

    run: Run
    words: tuple[int, ...]

    @classmethod
    def of(cls, run: Run, masked: Masked) -> Tagged:
        """masked: run.plain_text() as mask() gave it."""
        return cls(run, word_map(run.plain_text(), masked))


def placed(tagged: Tagged, translation: str, targets: Sequence[int] | None) -> tuple[str, int]:
    """The translation of the masked plain text with the tags around the words their words went to (targets: per
    word of the masked text, the translation's word; None if the attention could not tell), and 0; where they cannot
    be placed, each tag before the final punctuation, as restore() repairs a span the model dropped, and how many
    tags were."""
    run = tagged.run
    plain = None if targets is None else [targets[w] if 0 <= w < len(targets) else -1 for w in tagged.words]
    filled = run.fill_aligned(translation, plain)
    if filled is not None:
        return filled, 0
    return insert_before_end(translation, "".join(run.items[i].raw for i in run.marked)), len(run.marked)
