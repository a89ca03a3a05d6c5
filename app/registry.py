"""The served models, by language pair: each bundle of the models directory (or the one bundle named), loaded with
its own scheduler, so that the models batch and decode side by side."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import torch

from nmt.app.scheduler import Scheduler
from nmt.app.settings import Settings
from nmt.model.bundle import BundleError, find_bundles
from nmt.model.languages import same_language
from nmt.model.translator import Translator

log = logging.getLogger("nmt.service")
Pair = tuple[str, str]  # (source, target) language codes


class UnknownPair(ValueError):
    """No served model translates the asked-for languages."""


def bundle_paths(settings: Settings) -> list[Path]:
    """settings.model alone if it is set, else every bundle in settings.models_dir."""
    if settings.model is not None:
        return [settings.model]
    found = find_bundles(settings.models_dir)
    warn_of_directories_not_served(settings.models_dir)
    return found


def warn_of_directories_not_served(root: Path) -> None:
    """A directory of the models directory without manifest.json is not a bundle, and is passed over: one warning
    line each, so that a bundle copied in a level too deep (models/fr-en/best) or half copied is seen not served,
    rather than only found missing by its clients. Files, hidden directories (a mounted ConfigMap's ..data) and the
    shipped models' __pycache__ are passed over without a word."""
    for path in sorted(root.iterdir()):
        if path.is_dir() and not path.name.startswith((".", "__")) and not (path / "manifest.json").is_file():
            log.warning("%s: not served: a directory without manifest.json, not a model bundle", path)


def load_translators(settings: Settings) -> list[Translator]:
    """A Translator for each bundle to serve, its size logged and its reverse linked (link_reverses); BundleError if
    two translate the same pair, or if a model to rerank has no reverse."""
    translators: list[Translator] = []
    paths: dict[Pair, Path] = {}
    for path in bundle_paths(settings):
        translator = Translator.load(path, settings.device, batch_tokens=settings.max_batch_tokens, int8=settings.int8,
                                     exact=settings.exact, segment_chars=settings.segment_chars)
        pair = pair_of(translator)
        if pair in paths:
            raise BundleError(f"{path}: translates {pair[0]} -> {pair[1]}, as {paths[pair]} does; serve one of them")
        paths[pair] = path
        translators.append(translator)
        log_size(translator)
    link_reverses(translators, settings)
    return translators


def link_reverses(translators: list[Translator], settings: Settings) -> None:
    """Give each model the served model of the other direction, to rerank with (model/rerank.py); BundleError if
    settings.rerank asks for reranking and a model has none."""
    by_pair = {pair_of(t): t for t in translators}
    for translator in translators:
        source, target = pair_of(translator)
        reverse = by_pair.get((target, source))
        if reverse is not None:
            translator.rerank_with(reverse)
        elif settings.rerank:
            raise BundleError(f"rerank is {settings.rerank}, but no served model translates {target} -> {source} "
                              f"to rerank {source} -> {target} with; serve one, or set NMT_RERANK=0")


def pair_of(translator: Translator) -> Pair:
    config = translator.bundle.config
    return config.src_lang, config.tgt_lang


def log_size(translator: Translator) -> None:
    source, target = pair_of(translator)
    log.info("model %s -> %s: %s parameters, %.1f MB of weights on %s", source, target,
             f"{parameter_count(translator):,}", weight_bytes(translator) / 1e6, translator.device)


def parameter_count(translator: Translator) -> int:
    """The trained networks' parameters (an ensemble's: all its members')."""
    return sum(network.num_parameters() for network in translator.bundle.members)


def weight_bytes(translator: Translator) -> int:
    """Bytes of the weights the translator holds: the trained networks', and those of the network it runs where
    they are not shared (the FastDecoder's fused copies; an int8 copy)."""
    # A list first: the tensors unpacked from int8 layers are temporaries, whose freed addresses would be reused.
    tensors = [t for network in (*translator.bundle.members, translator.model)
               for value in network.state_dict().values() for t in _tensors(value)]
    return sum({t.untyped_storage().data_ptr(): t.untyped_storage().nbytes() for t in tensors}.values())


def _tensors(value: object) -> Iterator[torch.Tensor]:
    """The tensors of a state_dict value: a tensor, or the tensors packed in an int8 layer's tuples and objects."""
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _tensors(item)
    elif isinstance(value, torch.ScriptObject) and hasattr(value, "__getstate__"):
        yield from _tensors(value.__getstate__())


@dataclass
class ServedModel:
    translator: Translator
    scheduler: Scheduler

    @property
    def pair(self) -> Pair:
        return pair_of(self.translator)


class Models:
    """The served models, by (source, target)."""

    def __init__(self, served: list[ServedModel]):
        self.by_pair = {model.pair: model for model in sorted(served, key=lambda m: m.pair)}
        if len(self.by_pair) < len(served):
            raise ValueError("two models translate the same language pair")

    def __iter__(self) -> Iterator[ServedModel]:
        return iter(self.by_pair.values())

    @property
    def sources(self) -> list[str]:
        return self.sources_into(None)

    @property
    def languages(self) -> list[str]:
        """Every language a served model translates from or into."""
        return sorted({language for pair in self.by_pair for language in pair})

    def sources_into(self, target: str | None) -> list[str]:
        """The source languages of the models into target (None: of every model)."""
        return sorted({source for source, into in self.by_pair if target in (None, into)})

    def targets(self, source: str) -> list[str]:
        return [target for s, target in self.by_pair if s == source]

    def find(self, source: str | None = None, target: str | None = None) -> ServedModel:
        """The one model from source into target (None: any); UnknownPair naming the served pairs if there is
        none, or several that fit."""
        found = self._fitting(source, target, str.__eq__)
        if not found:  # a client's zh for a zh-Hans model, or zh-CN for a zh one: their primary subtags alike
            found = self._fitting(source, target, same_language)
        if len(found) == 1:
            return found[0]
        asked = f"{source or 'any language'} -> {target or 'any language'}"
        if found:
            raise UnknownPair(f"{asked} fits several models: name source and target; this server translates "
                              f"{self.describe()}")
        raise UnknownPair(f"language pair {asked} is not supported; this server translates {self.describe()}")

    def _fitting(self, source: str | None, target: str | None, fits: Callable[[str, str], bool]
                 ) -> list[ServedModel]:
        """The models from source into target (None: any), a code asked fitting a model's by fits(asked, served)."""
        return [model for (s, t), model in self.by_pair.items()
                if (source is None or fits(source, s)) and (target is None or fits(target, t))]

    def describe(self) -> str:
        return ", ".join(f"{source} -> {target}" for source, target in self.by_pair)
