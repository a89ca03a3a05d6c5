"""Android's and Apple's language folders: a translation goes into the target language's, as the platform names it."""
from __future__ import annotations

from pathlib import Path

import pytest

from nmt.training.locale_folders import localized


@pytest.mark.parametrize("folder, language, translated", [
    ("res/values", "es", "res/values-es"),
    ("res/values-en", "es", "res/values-es"),
    ("res/values-en-rGB", "es", "res/values-es"),
    ("res/values-b+sr+Latn", "es", "res/values-es"),
    ("res/values-night", "es", "res/values-es-night"),  # (the locale comes before every other qualifier but these:)
    ("res/values-mcc310-mnc004-en-land", "es", "res/values-mcc310-mnc004-es-land"),
    ("res/values-car", "es", "res/values-es-car"),  # (a UI mode, not a language: Android's are two letters)
    ("res/values", "pt-BR", "res/values-pt-rBR"),
    ("res/values", "zh-Hans", "res/values-b+zh+Hans"),
    ("App/en.lproj", "es", "App/es.lproj"),
    ("App/Base.lproj", "pt-BR", "App/pt-BR.lproj"),
])
def test_a_languages_folder_becomes_the_targets(folder, language, translated):
    suffix = ".strings" if folder.endswith(".lproj") else ".xml"
    assert localized(Path(folder), suffix, language) == Path(translated)


@pytest.mark.parametrize("folder, suffix", [("res/values", ".strings"), ("res/layout", ".xml"), ("docs", ".md"),
                                            ("valuesx", ".xml"), ("res/values_en", ".xml")])
def test_other_folders_are_no_languages(folder, suffix):
    assert localized(Path(folder), suffix, "es") is None
