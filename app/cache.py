"""The hypotheses of recently searched sentences, so that a sentence asked again (a site's menu on every page, an
app's strings sent by each of its clients) is answered without the model.

An entry is keyed by what the search sees (model/translator.py search_key): the sentence's subword ids, with
placeholders in place of its spans (so "2 dogs" and "3 dogs" share one where the model has placeholders; each
request's spans are put back by Translator.finish), and the decoding options. The least recently used entry goes
first. Requests for attention are not cached (their tensors are large, and only the demo page asks). Used from the
event loop only.
"""
from __future__ import annotations

from collections import OrderedDict

from nmt.model.search import Hypothesis
from nmt.model.translator import DecodeOptions, SearchKey, SourceSentence, search_key


class SentenceCache:
    def __init__(self, size: int):
        self.size = size  # entries; 0: nothing is kept
        self._entries: OrderedDict[SearchKey, list[Hypothesis]] = OrderedDict()

    def get(self, sentence: SourceSentence, options: DecodeOptions) -> list[Hypothesis] | None:
        """A copy of the sentence's cached hypotheses (its list may be reordered by reranking), or None."""
        key = search_key(sentence, options)
        found = self._entries.get(key)
        if found is None:
            return None
        self._entries.move_to_end(key)
        return list(found)

    def put(self, sentence: SourceSentence, options: DecodeOptions, hyps: list[Hypothesis]) -> None:
        if self.size == 0 or options.with_attention:
            return
        key = search_key(sentence, options)
        self._entries[key] = list(hyps)
        self._entries.move_to_end(key)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
