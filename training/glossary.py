"""Glossary files for `nmt translate` and `nmt translate-file` (read by model/glossary.py, as the service reads an
uploaded one), their terms picked for each model's languages."""
from __future__ import annotations

from pathlib import Path

from nmt.model.glossary import Glossary, GlossaryError, read_glossary
from nmt.model.spans import NO_TERMS, Terms
from nmt.model.translator import Translator


def glossary_file(path: Path, ignore_case: bool = False) -> Glossary:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise GlossaryError(f"{path}: cannot read ({e.strerror})") from None
    return read_glossary(data, str(path), ignore_case)


def terms_for(translator: Translator, glossary: Glossary | None) -> Terms:
    """The glossary's terms in the model's languages (NO_TERMS without one); GlossaryError where the model cannot
    apply them, or the glossary has none in its languages."""
    if glossary is None:
        return NO_TERMS
    terms = glossary.terms(translator.src_lang, translator.tgt_lang)
    if not translator.can_apply(terms):
        raise GlossaryError(f"the {translator.src_lang}-{translator.tgt_lang} model has no placeholders: it cannot "
                            "apply a glossary (train one with model.placeholders)")
    return terms
