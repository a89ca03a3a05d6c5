"""The one translation pipeline, used by the service and by the evaluation job alike:

    prepare   text -> PreparedText: cleaned (model/text.py), cut into sentences, those of a line kept together up
              to segment_chars (model/segment.py); each one's spans masked by placeholders if the model has them
              (model/spans.py), an all-lowercase or all-capitals one truecased (model/truecase.py), and tokenized once into a
              SourceSentence
    search    SourceSentences -> hypotheses: encoded in length-sorted batches, searched in a LiveBatch
              (model/search.py); the service instead feeds them to its own running LiveBatch (app/scheduler.py)
    rerank    with DecodeOptions.rerank > 0: each sentence's beam reordered with the reverse model's score
              (model/rerank.py)
    finish    hypotheses -> Translation per sentence (detokenized, spans restored) -> Translated per text
              (sentences rejoined)

The network it runs is an InferenceModel: the trained encoder and, for a one-layer GRU decoder, the decoder's
FastDecoder form (model/decoder.py), or for an ensemble bundle the Ensemble of its members' (model/ensemble.py);
with int8=True, its int8 copy (model/quantize.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from nmt.model import invariant
from nmt.model.align import sentence_alignment
from nmt.model.batching import padded_batches
from nmt.model.bundle import Bundle, load_bundle
from nmt.model.decoder import Decoder, FastDecoder, Memory
from nmt.model.device import resolve_device
from nmt.model.ensemble import Ensemble
from nmt.model.quantize import quantize_for_cpu
from nmt.model.rerank import reranked, reverse_scores
from nmt.model.search import Beam, Hypothesis, Joining, LiveBatch, forced_scores, max_lengths, search
from nmt.model.segment import Segmented, split
from nmt.model.seq2seq import Seq2Seq
from nmt.model.spans import NO_TERMS, PLACEHOLDER, Glue, Masked, Terms, mask, restore
from nmt.model.tagged import Tagged, paired, placed
from nmt.model.text import InvalidText, LongSentence, check_text, clean_input
from nmt.model.tokenizer import EOS, PAD
from nmt.model.truecase import Truecaser, shouted


@dataclass(frozen=True)
class DecodeOptions:
    """How each sentence is searched: beam_size rows (1: greedy), the nbest best translations kept (Translated.nbest),
    ranked with the GNMT length penalty alpha length_penalty (0: by log-probability alone), each at most
    max_len_ratio times its source's subwords long; with_attention: each Translation's attention weights. ValueError
    for a value out of range."""

    beam_size: int = 1
    nbest: int = 1
    length_penalty: float = 1.0
    max_len_ratio: float = 2.0
    with_attention: bool = False
    rerank: float = 0.0  # w, the weight of the reverse model's score (model/rerank.py); 0: the search's order

    def __post_init__(self) -> None:
        # (a beam of 0 or a negative length cap searched as if greedy, without a word about it)
        for name, value, least in (("beam_size", self.beam_size, 1), ("nbest", self.nbest, 1)):
            if value < least:
                raise ValueError(f"{name} is {value}; it must be at least {least}")
        if self.max_len_ratio <= 0:
            raise ValueError(f"max_len_ratio is {self.max_len_ratio}; it must be more than 0")
        if self.length_penalty < 0:
            raise ValueError(f"the length penalty is {self.length_penalty}; it cannot be negative")
        if self.rerank < 0:
            raise ValueError(f"the reranking weight is {self.rerank}; it cannot be negative")

    @property
    def beam(self) -> Beam:
        """What the search keeps: the nbest hypotheses asked for, or all the beam's if they are to be reranked."""
        return Beam(self.beam_size, max(self.nbest, self.beam_size) if self.rerank else self.nbest, self.length_penalty)


@dataclass(frozen=True)
class SourceSentence:
    """One sentence to translate, prepared once: its text, its subword ids with EOS (none if it has no word to
    translate: no letter, as a number, a date, a bullet or white space, which is kept as written without the model),
    the spans its placeholders stand for (spans[i] for ⦅i⦆), whether it is written in capitals (its translation
    is then given back in capitals: model/truecase.py's shouted), and the paired tags taken out of it (tags: the
    sentence's Run of text and tags and its words' places, model/tagged.py), which its translation gets back by the
    attention."""

    text: str
    ids: tuple[int, ...]
    spans: tuple[str, ...] = ()
    glued: tuple[Glue, ...] = ()  # which sides of each span touched a word (model/spans.py mask)
    shouted: bool = False
    tags: Tagged | None = field(default=None, compare=False)

    @property
    def verbatim(self) -> bool:
        """Whether it is kept as written, without the model."""
        return not self.ids

    def as_written(self) -> Translation:
        return Translation(self.text.strip(), 0.0)


@dataclass(frozen=True)
class PreparedText:
    """One text to translate, prepared once: its sentences, and the separators that put their translations back
    in the text's layout (Segmented)."""

    sentences: list[SourceSentence]
    layout: Segmented


@dataclass
class Translation:
    """One sentence translated."""

    text: str
    score: float
    src_tokens: list[str] = field(default_factory=list)
    tgt_tokens: list[str] = field(default_factory=list)
    attention: list[list[float]] | None = None  # (target token, source token) weights
    nbest: list[tuple[str, float]] = field(default_factory=list)
    repairs: int = 0  # placeholders the model dropped or repeated, which restoring the spans had to repair


@dataclass
class Translated:
    """One text translated: its sentences' translations, put back in the text's layout."""

    prepared: PreparedText
    sentences: list[Translation]

    @property
    def text(self) -> str:
        return self.prepared.layout.join([t.text for t in self.sentences])

    @property
    def score(self) -> float:
        return sum(t.score for t in self.sentences)

    def nbest(self) -> list[tuple[str, float]]:
        """The k-th alternative of the text joins the k-th alternative of each sentence."""
        k = max((len(t.nbest) for t in self.sentences), default=1)
        picks = [[t.nbest[min(i, len(t.nbest) - 1)] if t.nbest else (t.text, t.score) for t in self.sentences]
                 for i in range(k)]
        return [(self.prepared.layout.join([text for text, _ in pick]), sum(s for _, s in pick)) for pick in picks]


def searched(prepared: list[PreparedText]) -> list[SourceSentence]:
    """The sentences the model searches, in order: the texts' not kept verbatim."""
    return [s for text in prepared for s in text.sentences if not s.verbatim]


SearchKey = tuple[tuple[int, ...], DecodeOptions]


def search_options(sentence: SourceSentence, options: DecodeOptions) -> DecodeOptions:
    """The options a sentence is searched with: the caller's, with the attention for one whose paired tags were
    taken out (finish_sentence puts them back by it)."""
    return replace(options, with_attention=True) if sentence.tags is not None else options


def search_key(sentence: SourceSentence, options: DecodeOptions) -> SearchKey:
    """What a sentence's hypotheses depend on: its subword ids as the model reads them, placeholders in place of its
    spans (so "2 dogs" and "3 dogs" have one key where the model has placeholders), and the options it is searched
    with (search_options). Sentences of one key share one search (Translator.hypotheses, the service's scheduler
    and cache); what is a sentence's own, its spans and tags, is put back by finish_sentence."""
    return sentence.ids, search_options(sentence, options)


def distinct(sentences: list[SourceSentence], options: DecodeOptions) -> tuple[list[SourceSentence], list[int]]:
    """The first sentence of each search key, in order, and for each sentence the index of its key's among them."""
    first: dict[SearchKey, int] = {}
    unique: list[SourceSentence] = []
    index = []
    for sentence in sentences:
        key = search_key(sentence, options)
        if key not in first:
            first[key] = len(unique)
            unique.append(sentence)
        index.append(first[key])
    return unique, index


def spread(found: list[list[Hypothesis]], index: list[int]) -> list[list[Hypothesis]]:
    """The hypotheses of distinct(...)'s sentences given back to each sentence, each its own list (a caller may
    reorder it); the hypotheses in them are shared, and only read."""
    return [list(found[i]) for i in index]


def _worded(masked: Masked) -> bool:
    """Whether a masked sentence has a letter outside its placeholders: something for the model to translate."""
    return any(c.isalpha() for c in PLACEHOLDER.sub("", masked.text))


def _weights(hyp: Hypothesis, sources: int) -> list[list[float]] | None:
    """A hypothesis's attention over its sentence's first `sources` subwords (its end of sentence too), as lists;
    None if it was searched without."""
    return hyp.attention[:, :sources].float().cpu().tolist() if hyp.attention is not None else None


def _checked(i: int, text: str) -> str:
    try:
        check_text(text)
        return text
    except InvalidText as e:
        raise InvalidText(f"text {i} is {e}") from None


def _check_lengths(layouts: list[Segmented], limit: int) -> None:
    for i, layout in enumerate(layouts):
        longest = max(map(len, layout.sentences), default=0)
        if longest > limit:
            raise LongSentence(f"text {i} has a sentence of {longest} characters; the limit is {limit} "
                               f"(end sentences with . ! ? or a line break)")


class InferenceModel(nn.Module):
    """What the Translator runs: the trained encoder, and the decoder in its FastDecoder form where it has one
    (otherwise the trained decoder, stepped through its teacher-forced forward). exact: batch-invariant search
    (model/invariant.py), for a FastDecoder only."""

    def __init__(self, model: Seq2Seq, exact: bool = False):
        super().__init__()
        if exact and not FastDecoder.supports(model.cfg):
            raise ValueError("exact (batch-invariant) search needs a one-layer GRU decoder")
        self.cfg, self.encoder, self.exact = model.cfg, model.encoder, exact
        self.decoder: FastDecoder | Decoder = (FastDecoder(model.decoder, exact) if FastDecoder.supports(model.cfg)
                                               else model.decoder)

    def encode(self, src: torch.Tensor, src_len: torch.Tensor) -> Memory:
        """src (B,S), src_len (B,) -> the batch's memory. exact: the sentences of each length run through the encoder
        together, unpacked, their rows padded to a multiple of invariant.ROWS (so that a sentence's states do not
        depend on the others of its length); the sources are padded to a multiple of invariant.WIDTH positions."""
        if not self.exact:
            return self.decoder.prepare(*self.encoder(src, src_len))
        width = invariant.width(src.size(1))
        like = self.encoder.embed.weight
        states = like.new_zeros(src.size(0), width, self.encoder.output_size)  # (B,width,M)
        summary = like.new_zeros(src.size(0), self.encoder.output_size)  # (B,M)
        for n in src_len.unique().tolist():
            group = (src_len == n).nonzero().squeeze(1)  # (G,)
            rows = invariant.padded_rows(group.numel())
            x = F.pad(src[group, :n], (0, 0, 0, rows - group.numel()), value=PAD)  # (rows,n)
            s, _, c = self.encoder(x, src_len.new_full((rows,), n))
            states[group, :n], summary[group] = s[: group.numel()], c[: group.numel()]
        mask = torch.arange(width, device=src.device) < src_len[:, None]  # (B,width)
        return self.decoder.prepare(states, mask, summary)


class Translator:
    """int8: run an int8 copy of the network. exact: batch-invariant search (model/invariant.py): a sentence gets the
    same translation, bit for bit, in any batch (the service's, the evaluation job's), at some cost in speed. Both
    run on the CPU only ("auto" then means the CPU): int8's kernels are the CPU's, and exact search fixes the shapes
    that change the CPU kernels' sums. batch_tokens: the padded source tokens of one encoder batch. segment_chars:
    the sentences of a line are translated together while they fit in this many characters (model/segment.py; 0:
    each sentence alone)."""

    def __init__(self, bundle: Bundle, device: str = "cpu", batch_tokens: int = 8000, int8: bool = False,
                 exact: bool = False, segment_chars: int = 0):
        if int8 and exact:
            raise ValueError("int8 search cannot be exact: its products are scaled by the whole batch's range")
        if (int8 or exact) and device == "auto":
            device = "cpu"
        self.bundle, self.exact, self.int8 = bundle, exact, int8
        self.device = resolve_device(device)
        if (int8 or exact) and self.device.type != "cpu":
            raise ValueError(f"{'int8' if int8 else 'exact'} search runs on the CPU, not on {self.device}")
        networks = [InferenceModel(network.to(self.device).eval(), exact).eval() for network in bundle.members]
        self.model: InferenceModel | Ensemble = networks[0] if len(networks) == 1 else Ensemble(networks).eval()
        if int8:
            self.model = quantize_for_cpu(self.model)
        self.batch_tokens = batch_tokens
        if segment_chars < 0:
            raise ValueError(f"segment_chars is {segment_chars}; it cannot be negative")
        self.segment_chars = segment_chars
        self.truecase = Truecaser(bundle.src_tokenizer.scored_pieces())
        self.known_words = bundle.src_tokenizer.words() if bundle.config.model.names else None
        self.reverse: Translator | None = None  # the model of the other direction, for reranking (rerank_with)

    @classmethod
    def load(cls, path: Path | str | None = None, device: str = "auto", int8: bool = False,
             batch_tokens: int = 8000, exact: bool = False, segment_chars: int = 0) -> Translator:
        """The bundle in path (default: the shipped en-es model) on device ("auto": a GPU where there is one, "cpu",
        "cuda", "cuda:N"); BundleError for a directory that is not a whole bundle, DeviceError for a device that is
        not there. The other arguments: the class's."""
        return cls(load_bundle(path), device, batch_tokens, int8, exact, segment_chars)

    @property
    def src_lang(self) -> str:
        return self.bundle.config.src_lang

    @property
    def tgt_lang(self) -> str:
        return self.bundle.config.tgt_lang

    def rerank_with(self, reverse: Translator) -> None:
        """Rerank with this model of the other direction when the options ask (DecodeOptions.rerank)."""
        if (reverse.src_lang, reverse.tgt_lang) != (self.tgt_lang, self.src_lang):
            raise ValueError(f"a {reverse.src_lang} -> {reverse.tgt_lang} model cannot rerank {self.src_lang} -> "
                             f"{self.tgt_lang} translations: it must translate {self.tgt_lang} -> {self.src_lang}")
        self.reverse = reverse

    # --- prepare --------------------------------------------------------------------------------------------
    def prepare(self, texts: list[str], terms: Terms = NO_TERMS, max_sentence_chars: int = 0) -> list[PreparedText]:
        """Clean, segment, mask, truecase and tokenize each text (all sentences in one tokenizer call); InvalidText (a
        ValueError) for a text that is not valid Unicode, LongSentence for one with a sentence longer than
        max_sentence_chars (0: no limit). terms: the caller's verbatim strings and glossary, carried besides the
        spans the rules find (only by a model with placeholders, `carries_spans`: ValueError for terms without)."""
        if isinstance(texts, str):  # (a str is a sequence too: each of its characters was translated as a text)
            raise InvalidText("expected a list of texts, got one str: pass [text]")
        if not self.can_apply(terms):  # (rather than a translation that silently ignores them)
            raise ValueError(f"the {self.src_lang} -> {self.tgt_lang} model has no placeholders: it cannot keep terms "
                             "verbatim or apply a glossary (train one with model.placeholders)")
        layouts = [split(_checked(i, text), self.src_lang, self.segment_chars) for i, text in enumerate(texts)]
        if max_sentence_chars:  # refused before masking, whose cost grows with a sentence's length
            _check_lengths(layouts, max_sentence_chars)
        cleaned = [clean_input(s) for layout in layouts for s in layout.sentences]
        masked = [self._untagged(text, terms) for text in cleaned]
        ids = self.bundle.src_tokenizer.encode([self.truecase(m.text) for m, _ in masked])  # after masking: as typed
        sources = iter([self._source(text, m, one, tags)
                        for text, (m, tags), one in zip(cleaned, masked, ids, strict=True)])
        return [PreparedText([next(sources) for _ in layout.sentences], layout) for layout in layouts]

    @property
    def attends(self) -> bool:
        """Whether the model has attention, which can say where each source word went (model/align.py)."""
        return self.bundle.config.model.attention != "none"

    @property
    def carries_spans(self) -> bool:
        """Whether the model has placeholders, so that spans, verbatim terms and glossaries can be honoured."""
        return self.bundle.src_tokenizer.placeholders > 0

    def can_apply(self, terms: Terms) -> bool:
        """Terms to keep or replace need placeholders: a model without them would drop them silently."""
        return self.carries_spans or not (terms.keep or terms.glossary)

    def _masked(self, text: str, terms: Terms) -> Masked:
        slots = self.bundle.src_tokenizer.placeholders
        return mask(text, slots, terms, self.known_words, self.bundle.src_tokenizer.reads) if slots else Masked(text, ())

    def _untagged(self, text: str, terms: Terms) -> tuple[Masked, Tagged | None]:
        """The sentence masked, and by a model with attention, its paired tags taken out first (model/tagged.py),
        unless nothing but spans would be left to translate: those keep every tag a placeholder."""
        run = paired(text, terms) if self.attends else None
        if run is not None and _worded(masked := self._masked(run.plain_text(), terms)):
            return masked, Tagged.of(run, masked)
        return self._masked(text, terms), None

    @staticmethod
    def _source(text: str, masked: Masked, ids: list[int], tags: Tagged | None = None) -> SourceSentence:
        # (a model asked to translate "50" answers "50." or worse, and one asked for a link, an e-mail address or a
        # "{name}" alone answers it with a full stop: a text without a letter outside its spans has nothing to
        # translate, and is written as its spans are restored, a glossary term as its target)
        if ids and _worded(masked):
            return SourceSentence(text, tuple(ids) + (EOS,), masked.spans, masked.glued, shouted(masked.text), tags)
        return SourceSentence(restore(masked.text, masked.spans, masked.glued).text if masked.spans else text, ())

    # --- search ---------------------------------------------------------------------------------------------
    @torch.inference_mode()
    def encode(self, sentences: list[SourceSentence], options: DecodeOptions, keys: list) -> Joining:
        """Sentences to search -> their memory and output caps, ready to join a LiveBatch under keys."""
        src_len = torch.tensor([len(s.ids) for s in sentences], device=self.device)
        memory = self.model.encode(self._padded([s.ids for s in sentences]), src_len)
        return Joining(memory, max_lengths(src_len, options.max_len_ratio), keys, options.beam, options.with_attention)

    def _padded(self, rows: list[tuple[int, ...]] | list[list[int]]) -> torch.Tensor:
        """(B, longest) ids on the model's device, PAD after each row's end."""
        out = torch.full((len(rows), max(map(len, rows))), PAD, dtype=torch.long)
        for i, ids in enumerate(rows):
            out[i, : len(ids)] = torch.tensor(ids)
        return out.to(self.device)

    @torch.inference_mode()
    def search(self, sentences: list[SourceSentence], options: DecodeOptions) -> list[list[Hypothesis]]:
        """The hypotheses of each sentence (searched(...)), best first, in order; batches of similar lengths within the
        token budget, of the sentences searched with the same options (search_options)."""
        results: list[list[Hypothesis]] = [[] for _ in sentences]
        groups: dict[DecodeOptions, list[int]] = {}
        for i, sentence in enumerate(sentences):
            groups.setdefault(search_options(sentence, options), []).append(i)
        for wanted, group in groups.items():
            for batch in padded_batches([len(sentences[i].ids) for i in group], self.batch_tokens):
                rows = [group[j] for j in batch]
                joining = self.encode([sentences[i] for i in rows], wanted, rows)
                for i, hyps in zip(rows, search(self.model, joining.memory, joining.max_len, joining.beam,
                                                 joining.with_attention), strict=True):
                    results[i] = hyps
        return results

    @torch.inference_mode()
    def log_probs(self, sources: list[list[int]], targets: list[list[int]]) -> list[float]:
        """log P(target | source) under this model for each pair of subword ids (EOS not included), in order;
        batches of similar source lengths within the token budget."""
        scores = [0.0] * len(sources)
        for batch in padded_batches([len(s) + 1 for s in sources], self.batch_tokens):
            src = [sources[i] + [EOS] for i in batch]
            memory = self.model.encode(self._padded(src), torch.tensor([len(s) for s in src], device=self.device))
            tgt = self._padded([targets[i] + [EOS] for i in batch])
            for i, score in zip(batch, forced_scores(self.model, memory, tgt).tolist(), strict=True):
                scores[i] = score
        return scores

    def rerank(self, sentences: list[SourceSentence], hyps: list[list[Hypothesis]],
               options: DecodeOptions) -> list[list[Hypothesis]]:
        """Each sentence's hypotheses (from search), reordered by the reverse model if the options ask, and cut to
        the nbest asked for; ValueError if they ask and no reverse model is set (rerank_with)."""
        if not options.rerank:
            return hyps
        if self.reverse is None:
            raise ValueError(f"reranking needs the {self.tgt_lang} -> {self.src_lang} model beside this one")
        found = reverse_scores(self, self.reverse, sentences, hyps)
        return [reranked(h, r, options.rerank)[: options.nbest] for h, r in zip(hyps, found, strict=True)]

    def hypotheses(self, sentences: list[SourceSentence], options: DecodeOptions) -> list[list[Hypothesis]]:
        """Each sentence's hypotheses, searched and reranked (if the options ask) once a search key: a corpus's
        repeated lines ("Thank you.") cost one search."""
        unique, index = distinct(sentences, options)
        return spread(self.rerank(unique, self.search(unique, options), options), index)

    def live_batch(self) -> LiveBatch:
        """An empty LiveBatch of this model, for continuous batching."""
        return LiveBatch(self.model)

    # --- finish ---------------------------------------------------------------------------------------------
    def finish(self, prepared: list[PreparedText], hyps: list[list[Hypothesis]]) -> list[Translated]:
        """Each text's translation, from the hypotheses of searched(prepared), in order."""
        found = iter(hyps)
        return [Translated(text, [s.as_written() if s.verbatim else self.finish_sentence(s, next(found))
                                  for s in text.sentences]) for text in prepared]

    def finish_sentence(self, sentence: SourceSentence, hyps: list[Hypothesis]) -> Translation:
        tgt_tok = self.bundle.tgt_tokenizer
        texts = tgt_tok.decode([h.tokens for h in hyps])
        if sentence.shouted:  # (before the spans come back: they are as typed)
            texts = [text.upper() for text in texts]
        repairs = 0
        src_tokens = self.bundle.src_tokenizer.pieces(list(sentence.ids[:-1])) + ["</s>"]
        if sentence.tags is not None:  # (before the spans come back: each placeholder is one of the model's words)
            tagged = [self._tagged(sentence.tags, src_tokens, text, h) for text, h in zip(texts, hyps, strict=True)]
            texts, repairs = [text for text, _ in tagged], tagged[0][1]
        if tgt_tok.placeholders:
            restored = [restore(text, sentence.spans, sentence.glued) for text in texts]
            texts, repairs = [r.text for r in restored], repairs + restored[0].missing + restored[0].extra
        best = hyps[0]
        return Translation(
            text=texts[0], score=best.score, src_tokens=src_tokens, tgt_tokens=self._tgt_tokens(best),
            attention=_weights(best, len(sentence.ids)),
            nbest=list(zip(texts, [h.score for h in hyps], strict=True)),
            repairs=repairs,
        )

    def _tagged(self, tags: Tagged, src_tokens: list[str], text: str, hyp: Hypothesis) -> tuple[str, int]:
        """A hypothesis's text (its spans still placeholders) with the sentence's paired tags put back by its own
        attention (model/tagged.py), and how many of them it could not place."""
        weights = _weights(hyp, len(src_tokens))
        return placed(tags, text, sentence_alignment(src_tokens, self._tgt_tokens(hyp), weights, text))

    def _tgt_tokens(self, hyp: Hypothesis) -> list[str]:
        return self.bundle.tgt_tokenizer.pieces(hyp.tokens) + ["</s>"]

    # --- all three ------------------------------------------------------------------------------------------
    def translate(self, texts: list[str], options: DecodeOptions | None = None, terms: Terms = NO_TERMS,
                  max_sentence_chars: int = 0) -> list[Translated]:
        """Translate whole texts at once; the output is in input order, each distinct sentence searched once
        (hypotheses). terms: what to keep verbatim or replace (model/spans.py). InvalidText for a text that is not
        a str of valid Unicode, LongSentence for one with a sentence over max_sentence_chars (0: no limit; a
        sentence's search grows with its length: the service refuses those over 1,000 characters). One Translator
        may translate from several threads at once: translating changes nothing in it."""
        options = options or DecodeOptions()
        prepared = self.prepare(texts, terms, max_sentence_chars)
        return self.finish(prepared, self.hypotheses(searched(prepared), options))
