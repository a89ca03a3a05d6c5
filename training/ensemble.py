"""`nmt ensemble`: one bundle that translates with the mean next-token distribution of several bundles' networks
(model/ensemble.py), e.g. models of one config trained with other seeds. It is served and evaluated like any bundle;
each member costs a decoder step per token, so an ensemble of N decodes about N times slower."""
from __future__ import annotations

from pathlib import Path

from nmt.model.bundle import Bundle, BundleConfig, load_bundle, save_bundle
from nmt.model.ensemble import mismatch


def ensemble(sources: list[Path], out: Path, fp16: bool = False) -> Bundle:
    """Write OUT: the networks of every source bundle (an ensemble's members each count), with the first's languages
    and subword models. ValueError for a source of other languages, subwords or layer sizes."""
    if len(sources) < 2:
        raise ValueError("an ensemble needs at least two bundles")
    bundles = [load_bundle(path) for path in sources]
    first = bundles[0]
    for path, bundle in zip(sources[1:], bundles[1:], strict=True):
        _check_member(first, sources[0], bundle, path)
    networks = [network for bundle in bundles for network in bundle.members]
    config = BundleConfig(src_lang=first.config.src_lang, tgt_lang=first.config.tgt_lang, model=networks[0].cfg,
                          others=[network.cfg for network in networks[1:]])
    summary = {"parameters": sum(network.num_parameters() for network in networks),
               "ensemble": [str(path) for path in sources]}
    result = Bundle(config, networks[0], first.src_tokenizer, first.tgt_tokenizer, summary, networks[1:])
    save_bundle(result, out, fp16=fp16)
    return result


def _check_member(first: Bundle, first_path: Path, bundle: Bundle, path: Path) -> None:
    pair, first_pair = (bundle.config.src_lang, bundle.config.tgt_lang), (first.config.src_lang, first.config.tgt_lang)
    if pair != first_pair:
        raise ValueError(f"{path}: translates {pair[0]} -> {pair[1]}, {first_path} {first_pair[0]} -> {first_pair[1]}")
    if bundle.subwords != first.subwords:
        raise ValueError(f"{path}: other subword models than {first_path}'s; an ensemble's networks must share them")
    for network in bundle.members:
        if problem := mismatch(first.model.cfg, network.cfg):
            raise ValueError(f"{path}: its network does not fit {first_path}'s in an ensemble ({problem})")
