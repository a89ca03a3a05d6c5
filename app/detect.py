"""Which of the served source languages a text is in: for LibreTranslate's POST /detect and source "auto".

py3langid (a maintained fork of langid.py: naive Bayes over byte n-grams, 139 languages) ships its model inside
its wheel (4.6 MB), so nothing is downloaded at run time; loading it takes about a second and 75 MB of memory,
once, at start-up. The answer names the served source languages only, as LibreTranslate's names its installed ones,
with their probabilities renormalized over them: a clear Spanish text is then 99% Spanish, not the 49% that the
whole model gives it while it also weighs Extremaduran and Aragonese, which nobody here translates. The price: a
text in none of them is still given to the likeliest, and with one language to choose from it is always that
one. A language the model does not know gets 0.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from nmt.model.languages import primary
from nmt.model.text import check_text


@dataclass(frozen=True)
class Detected:
    language: str
    confidence: float  # percent, 0-100


class LanguageDetector:
    """Chooses among the given languages (the served sources). With one there is nothing to choose: it is always
    that one, and the model (75 MB of memory, a second to load) is not loaded."""

    def __init__(self, among: Sequence[str]):
        self.among = list(among)
        self._identifier: LanguageIdentifier | None = None
        if len(self.among) > 1:
            self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def detect(self, text: str) -> list[Detected]:
        """The languages, most likely first (ties keep their order); InvalidText for a text that is not valid
        Unicode."""
        check_text(text)
        if self._identifier is None:
            return [Detected(language, 100.0) for language in self.among]
        everywhere = {language: float(p) for language, p in self._identifier.rank(text)}
        # by the primary subtag, as the model names languages: a model of zh-Hans or zh-CN serves its "zh" (the full
        # code had 0, and a Chinese text was 66% English among zh-Hans, ar and en)
        probabilities = [everywhere.get(primary(language), 0.0) for language in self.among]
        total = sum(probabilities) or 1.0  # all unknown to the model: all 0
        found = [Detected(language, round(100 * p / total, 1))
                 for language, p in zip(self.among, probabilities, strict=True)]
        return sorted(found, key=lambda d: -d.confidence)
