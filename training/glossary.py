"""Glossary files for `nmt translate` and `nmt translate-file` (read by model/glossary.py, as the service reads an
uploaded one)."""
from __future__ import annotations

from pathlib import Path

from nmt.model.glossary import GlossaryError, read_glossary
from nmt.model.spans import Terms
from nmt.model.translator import Translator


def glossary_file(path: Path, ignore_case: bool = False) -> Terms:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise GlossaryError(f"{path}: cannot read ({e.strerror})") from None
    return read_glossary(data, str(path), ignore_case)


def check_terms(translator: Translator, terms: Terms) -> None:
    """GlossaryError where the model cannot apply the terms."""
    if not translator.can_apply(terms):
        raise GlossaryError(f"the {translator.src_lang}-{translator.tgt_lang} model has no placeholders: it cannot "
                            "apply a glossary (train one with model.placeholders)")
