"""nmt as a library: what a program that imports it meets (the README's "From Python" section)."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from nmt.model.text import InvalidText, LongSentence
from nmt.model.translator import DecodeOptions, Translator


def test_the_package_ships_a_py_typed_marker_so_mypy_reads_its_types():
    """PEP 561: without nmt/py.typed in the wheel, mypy skips `from nmt.model.translator import Translator` as
    "installed, but missing library stubs or py.typed marker", and a caller's types go unchecked."""
    tomllib = pytest.importorskip("tomllib")
    root = Path(__file__).parents[1]
    assert (root / "nmt" / "py.typed").is_file()
    package_data = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "py.typed" in package_data["nmt"]


def test_one_str_is_refused_rather_than_translated_character_by_character(translator: Translator):
    with pytest.raises(InvalidText, match="got one str: pass \\[text\\]"):
        translator.translate("alpha beta")  # type: ignore[arg-type]  # the mistake it guards against


def test_translate_refuses_a_sentence_over_the_callers_limit(translator: Translator):
    """The service's limit, reachable from Python: a 50,000-character sentence searched without one takes minutes."""
    assert translator.translate(["alpha beta"], max_sentence_chars=20)[0].text == "BETA ALPHA"
    with pytest.raises(LongSentence, match="text 1 has a sentence of 30 characters; the limit is 20"):
        translator.translate(["alpha", "alpha beta gamma delta epsilon"], max_sentence_chars=20)


TEXTS = [["alpha beta gamma", "mu sigma tau"], ["delta epsilon", "alpha beta gamma delta epsilon zeta eta"],
         ["tau mu alpha", "zeta"]]
OPTIONS = [DecodeOptions(beam_size=1), DecodeOptions(beam_size=3, nbest=2)]


def _alone(translator: Translator) -> dict[tuple[int, int], list[tuple[str, float]]]:
    return {(t, o): [(r.text, r.score) for r in translator.translate(TEXTS[t], OPTIONS[o])]
            for t in range(len(TEXTS)) for o in range(len(OPTIONS))}


def test_one_translator_used_from_several_threads_at_once_gives_each_its_own_answer(translator: Translator):
    """A web app's worker threads share one Translator (loading the model once): each call's answers are those it
    gets alone, whatever the other threads translate meanwhile."""
    alone = _alone(translator)
    jobs = [(t, o) for _ in range(4) for t in range(len(TEXTS)) for o in range(len(OPTIONS))]

    def job(key: tuple[int, int]) -> list[tuple[str, float]]:
        return [(r.text, r.score) for r in translator.translate(TEXTS[key[0]], OPTIONS[key[1]])]

    with ThreadPoolExecutor(6) as pool:
        found = list(pool.map(job, jobs))
    assert found == [alone[key] for key in jobs]


def test_asyncio_translates_in_worker_threads_as_the_readme_shows(translator: Translator):
    alone = _alone(translator)

    async def main() -> list[list[str]]:
        found = await asyncio.gather(*(asyncio.to_thread(translator.translate, texts) for texts in TEXTS))
        return [[r.text for r in results] for results in found]

    assert asyncio.run(main()) == [[text for text, _ in alone[t, 0]] for t in range(len(TEXTS))]


@pytest.mark.parametrize(("options", "message"), [
    (dict(beam_size=0), "beam_size is 0; it must be at least 1"), (dict(nbest=0), "nbest is 0; it must be at least 1"),
    (dict(max_len_ratio=-1.0), "max_len_ratio is -1.0; it must be more than 0"),
    (dict(length_penalty=-0.5), "the length penalty is -0.5; it cannot be negative")])
def test_decode_options_out_of_range_are_refused_where_they_are_made(options, message):
    """They were searched as if greedy (beam 0) or cut short (a negative length cap: "¿Dónde"), without a word."""
    with pytest.raises(ValueError, match=message):
        DecodeOptions(**options)


def test_translate_html_from_python_keeps_the_markup_and_names_a_bad_document(translator: Translator):
    """The service's format "html" without a service: before it, a program wrote an async wrapper around
    HtmlPasses as nmt translate-file does."""
    from nmt.model.html import InvalidHtml
    from nmt.model.html_passes import translate_html

    [done] = translate_html(translator, ['<p class="x">alpha beta <br> mu sigma</p>'])
    assert done.text == '<p class="x">BETA ALPHA <br> SIGMA MU</p>'
    with pytest.raises(InvalidHtml, match="^text 1 is not HTML that can be read"):
        translate_html(translator, ["<p>alpha</p>", "<![foo bar"])


def test_terms_for_a_model_without_placeholders_are_refused_not_ignored(translator: Translator):
    """The service answers 400 (check_terms); a program calling translate got a translation without them."""
    from nmt.model.spans import Terms

    assert not translator.carries_spans
    with pytest.raises(ValueError, match="model has no placeholders: it cannot keep terms verbatim"):
        translator.translate(["alpha beta"], terms=Terms(keep=("alpha",)))
