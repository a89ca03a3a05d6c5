"""Language folders (Android's, Apple's, gettext's, and any named for the source language): a translation goes into
the target language's, named as the platform names it."""
from __future__ import annotations

from pathlib import Path

import pytest

from nmt.training.locale_folders import localized, named_language


@pytest.mark.parametrize("folder, suffix, language, translated", [
    ("res/values", ".xml", "es", "res/values-es"),
    ("res/values-en", ".xml", "es", "res/values-es"),
    ("res/values-en-rGB", ".xml", "es", "res/values-es"),
    ("res/values-b+sr+Latn", ".xml", "es", "res/values-es"),
    ("res/values-night", ".xml", "es", "res/values-es-night"),  # (the locale comes before every qualifier but:)
    ("res/values-mcc310-mnc004-en-land", ".xml", "es", "res/values-mcc310-mnc004-es-land"),
    ("res/values-car", ".xml", "es", "res/values-es-car"),  # (a UI mode, not a language: Android's have two letters)
    ("res/values", ".xml", "pt-BR", "res/values-pt-rBR"),
    ("res/values", ".xml", "zh-Hans", "res/values-b+zh+Hans"),
    ("App/en.lproj", ".strings", "es", "App/es.lproj"),
    ("App/Base.lproj", ".stringsdict", "pt-BR", "App/pt-BR.lproj"),
    ("locale/en/LC_MESSAGES", ".po", "es", "locale/es/LC_MESSAGES"),
    ("locale/en_US/LC_MESSAGES", ".po", "pt-BR", "locale/pt_BR/LC_MESSAGES"),
    ("extension/_locales/en", ".json", "es", "extension/_locales/es"),
    ("site/docs/en-GB", ".md", "es", "site/docs/es"),
])
def test_a_languages_folder_becomes_the_targets(folder, suffix, language, translated):
    assert localized(Path(folder), suffix, "en", language) == Path(translated)


@pytest.mark.parametrize("folder, suffix", [("res/values", ".strings"), ("res/layout", ".xml"), ("docs", ".md"),
                                            ("valuesx", ".xml"), ("res/values_en", ".xml"), ("locale/fr", ".json"),
                                            ("locale/fr/LC_MESSAGES", ".po"), ("locale/en/LC_MESSAGES", ".mo"),
                                            ("docs/english", ".md"), ("docs/EN", ".md")])
def test_other_folders_are_no_source_languages(folder, suffix):
    assert localized(Path(folder), suffix, "en", "es") is None


@pytest.mark.parametrize(("folder", "language"), [
    ("app/locales/en", "en"), ("ios/en.lproj", "en"), ("locale/es/LC_MESSAGES", "es"), ("res/values-es", "es"),
    ("res/values-mcc310-en-rUS", "en"), ("x/en_US", "en"), ("res/values", None), ("docs", None),
    ("res/values-night", None), ("x/fr", None),
])
def test_the_language_a_folder_is_named_for_among_the_models(folder, language):
    assert named_language(Path(folder), ["en", "es"]) == language
