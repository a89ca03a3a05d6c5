"""Several models in one service: every bundle of a models directory served, requests routed by (source, target);
language detection (POST /detect, source "auto"); LibreTranslate's alternatives and /frontend/settings.

The two toy models tell which one translated: en -> es reverses ("alpha beta" -> "BETA ALPHA"), es -> en copies
("alpha beta" -> "ALPHA BETA")."""
from __future__ import annotations

import dataclasses
import logging
import shutil

import httpx
import pytest
from fastapi.testclient import TestClient
from libretranslatepy import LibreTranslateAPI
from service_fixtures import client_for, service_settings, shared_detector

from nmt.app.detect import Detected, LanguageDetector
from nmt.app.documents import FORMATS
from nmt.app.main import create_app
from nmt.app.registry import load_translators
from nmt.app.settings import Settings
from nmt.model.bundle import BundleError
from nmt.model.translator import Translator
from nmt.scripts.harness import Server

ENGLISH = "The weather is lovely today, so we are going to walk along the beach with our friends."
SPANISH = "Hoy hace muy buen tiempo, así que vamos a caminar por la playa con nuestros amigos."
PAIRS = "this server translates en -> es, es -> en"


@pytest.fixture(scope="module")
def translators(toy_model, toy_model_es_en) -> list[Translator]:
    return [Translator.load(toy_model, "cpu"), Translator.load(toy_model_es_en, "cpu")]


@pytest.fixture(scope="module")
def client(translators):
    with client_for(translators) as c:
        yield c


def native(client, **body) -> httpx.Response:
    return client.post("/v1/translate", json=body)


def libre(client, **body) -> httpx.Response:
    return client.post("/translate", json=body)


# --- routing ------------------------------------------------------------------------------------------------
def test_requests_go_to_the_model_of_their_pair(client):
    assert native(client, text="alpha beta", source="en", target="es").json()["translations"][0]["text"] == "BETA ALPHA"
    assert native(client, text="alpha beta", source="es", target="en").json()["translations"][0]["text"] == "ALPHA BETA"
    assert native(client, text="alpha beta", source="es").json()["translations"][0]["text"] == "ALPHA BETA"  # one fits
    assert libre(client, q="alpha beta", source="en", target="es").json() == {"translatedText": "BETA ALPHA"}
    assert libre(client, q=["alpha beta"], source="es", target="en").json() == {"translatedText": ["ALPHA BETA"]}


@pytest.mark.parametrize("body, message", [
    ({"source": "en", "target": "fr"}, f"language pair en -> fr is not supported; {PAIRS}"),
    ({"source": "de", "target": "en"}, f"language pair de -> en is not supported; {PAIRS}"),
])
def test_a_pair_that_is_not_served_is_400_naming_the_served_ones(client, body, message):
    answer = native(client, text="alpha", **body)
    assert answer.status_code == 400 and answer.json() == {"error": message}
    answer = libre(client, q="alpha", **body)
    assert answer.status_code == 400 and answer.json() == {"error": message}


@pytest.mark.parametrize("text, pair", [(ENGLISH, ("en", "es")), (SPANISH, ("es", "en"))])
def test_a_native_request_without_a_pair_translates_from_the_detected_source(client, text, pair):
    texts = [text, "  "]  # the blank one detected with the others, translated as itself
    explicit = native(client, text=texts, source=pair[0], target=pair[1]).json()
    assert "detected_source" not in explicit
    for body in ({}, {"source": "auto"}):
        answer = native(client, text=texts, **body).json()
        assert answer["translations"] == explicit["translations"]
        assert answer["detected_source"]["language"] == pair[0] and answer["detected_source"]["confidence"] > 90
    one_fits = native(client, text=texts, target=pair[1]).json()  # a source left out: the one model into the target
    assert one_fits == explicit
    told = native(client, text=texts, source="auto", target=pair[1]).json()  # "auto": the target's language told too
    assert told["translations"] == explicit["translations"] and told["detected_source"]["language"] == pair[0]


@pytest.mark.parametrize("text, target", [(SPANISH, "es"), (ENGLISH, "en")])
def test_a_native_request_in_its_target_language_comes_back_as_it_is(client, text, target):
    """As LibreTranslate answers: source "auto" tells the target's language too, and a named source may be it."""
    told = native(client, text=[text, "alpha"], source="auto", target=target, return_scores=True, nbest=2).json()
    assert told["detected_source"]["language"] == target
    assert told["translations"][0] == {"text": text, "score": 0.0, "nbest": [{"text": text, "score": 0.0}]}
    named = native(client, text=text, source=target, target=target).json()
    assert named == {"translations": [{"text": text}]}
    assert native(client, text=text, target=target).json()["translations"][0]["text"] != text  # left out: translated
    refused = client.post("/v1/translate", content=b'{"text": "\\ud800", "source": "%s", "target": "%s"}' % (
        target.encode(), target.encode()), headers={"content-type": "application/json"})
    assert refused.status_code == 422 and "lone surrogate" in refused.json()["error"]


def test_a_native_request_without_a_pair_answers_blank_texts_as_they_are_and_refuses_invalid_text(client):
    """Blank texts have no language to detect: they come back as they are, as with a named pair (an empty string
    translates to an empty string), with no detected_source."""
    assert native(client, text=["", " "]).json() == {"translations": [{"text": ""}, {"text": " "}]}
    assert native(client, text="", format="html").json() == {"translations": [{"text": ""}]}
    assert native(client, text=[], source="auto").json() == {"translations": []}
    answer = client.post("/v1/translate", content=b'{"text": "\\ud800 hola"}', headers={"content-type": "application/json"})
    assert answer.status_code == 422 and "lone surrogate" in answer.json()["error"]  # as with a named pair


def test_languages_and_models_list_every_model(client):
    assert client.get("/languages").json() == [{"code": "en", "name": "English", "targets": ["es"]},
                                               {"code": "es", "name": "Spanish", "targets": ["en"]}]
    models = client.get("/v1/models").json()["models"]
    assert [(m["id"], m["source"], m["target"]) for m in models] == [("en-es", "en", "es"), ("es-en", "es", "en")]
    assert all(m["parameters"] > 1000 and m["bleu"] > 50 for m in models)


# --- language detection --------------------------------------------------------------------------------------
def test_detect_names_the_served_source_languages_likeliest_first(client):
    english = client.post("/detect", json={"q": ENGLISH}).json()
    assert [d["language"] for d in english] == ["en", "es"] and english[0]["confidence"] > 90
    assert all(set(d) == {"language", "confidence"} and 0 <= d["confidence"] <= 100 for d in english)
    spanish = client.post("/detect", data={"q": SPANISH}).json()  # form-encoded, as LibreTranslate's clients send
    assert [d["language"] for d in spanish] == ["es", "en"] and spanish[0]["confidence"] > 90


def test_detector_chooses_among_its_languages_only():
    assert LanguageDetector(["en"]).detect(SPANISH) == [Detected("en", 100.0)]  # nothing to choose: no model loaded
    [spanish, unknown] = LanguageDetector(["xx", "es"]).detect(SPANISH)
    assert spanish.language == "es" and spanish.confidence > 99 and unknown == Detected("xx", 0.0)


@pytest.mark.parametrize("body, message", [(b'{"q": "  "}', "q is empty"), (b"{}", "q: Field required"),
                                           (b'{"q": "\\ud800 hola"}', "lone surrogate"), (b"{", "not valid JSON")])
def test_detect_errors_are_400_in_libretranslates_shape(client, body, message):
    answer = client.post("/detect", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 400 and list(answer.json()) == ["error"] and message in answer.json()["error"]


def test_auto_source_translates_with_the_detected_language(client):
    explicit = libre(client, q=SPANISH, source="es", target="en").json()["translatedText"]
    answer = libre(client, q=SPANISH, source="auto", target="en").json()
    assert answer["translatedText"] == explicit
    assert answer["detectedLanguage"]["language"] == "es" and answer["detectedLanguage"]["confidence"] > 90
    assert set(answer) == {"translatedText", "detectedLanguage"}
    several = libre(client, q=[SPANISH, SPANISH], target="en").json()  # source left out: "auto"
    assert several["translatedText"] == [explicit, explicit]
    assert several["detectedLanguage"] == [answer["detectedLanguage"]] * 2


def test_htmls_language_is_told_from_its_words_not_its_markup(client):
    markup = '<div class="the first section of the page with the main title and the text of the story">{}</div>'
    answer = libre(client, q=markup.format("Y dijo Dios: Sea la luz, y fué la luz."), target="en", format="html")
    assert answer.json()["detectedLanguage"]["language"] == "es", answer.text


def test_text_already_in_the_target_language_comes_back_as_it_is(client, translators):
    """As LibreTranslate's (argos-translate translates a language into itself unchanged): a client that sends source
    "auto" for a page already in the target language gets it back, not a 400."""
    answer = libre(client, q=SPANISH, source="auto", target="es")
    assert answer.status_code == 200 and answer.json()["translatedText"] == SPANISH
    assert answer.json()["detectedLanguage"]["language"] == "es" and answer.json()["detectedLanguage"]["confidence"] > 90
    assert libre(client, q=["alpha beta", ""], source="en", target="en", alternatives=2).json() == {
        "translatedText": ["alpha beta", ""], "alternatives": [[], []]}
    assert libre(client, q="<b>alpha</b>", source="es", target="es", format="html").json() == {
        "translatedText": "<b>alpha</b>"}
    answer = libre(client, q="alpha", source="fr", target="fr")  # a language not served is still refused
    assert answer.status_code == 400 and answer.json() == {"error": f"language pair fr -> fr is not supported; {PAIRS}"}
    answer = client.post("/translate", content=b'{"q": "alpha \\ud800", "source": "en", "target": "en"}',
                         headers={"content-type": "application/json"})
    assert answer.status_code == 422 and "text 0 is not valid Unicode" in answer.json()["error"]
    with client_for(translators, max_chars=5) as limited:
        assert libre(limited, q="alpha beta", source="en", target="en").status_code == 413
    content = f"<p>{SPANISH}</p>".encode()  # a file too, named or told
    for source in ("es", "auto"):
        answer = client.post("/translate_file", files={"file": ("salmo.html", content)},
                             data={"source": source, "target": "es"})
        assert answer.status_code == 200, answer.text
        assert client.get(answer.json()["translatedFileUrl"]).content == content


def test_each_text_of_a_list_is_translated_from_its_own_language(client):
    """As LibreTranslate's: a text over 40 characters is told alone (a shorter one with the request's others), and
    translated from the language it is in; one already in the target comes back as it is."""
    answer = libre(client, q=[SPANISH, ENGLISH], source="auto", target="en", alternatives=1).json()
    spanish = libre(client, q=SPANISH, source="es", target="en", alternatives=1).json()
    assert answer["translatedText"] == [spanish["translatedText"], ENGLISH]
    assert answer["alternatives"] == [spanish["alternatives"], []]
    assert [d["language"] for d in answer["detectedLanguage"]] == ["es", "en"]
    assert all(d["confidence"] > 90 for d in answer["detectedLanguage"])


def test_a_text_is_detected_once(monkeypatch):
    """The texts are detected together only where one is too short to tell alone: a long text once, not twice."""
    from nmt.app.routes import libretranslate

    told: list[str] = []

    class Counting(LanguageDetector):
        def detect(self, text: str) -> list[Detected]:
            told.append(text)
            return [Detected("en", 100.0)]

    detector = Counting(["en"])
    long, short = "In the beginning God created the heavens and the earth.", "Hello"
    for texts, calls in [([long], [long]), ([long, long], [long, long]), ([short, long], [f"{short}\n{long}", long])]:
        told.clear()
        assert [d.language for d in libretranslate._detect_each(detector, texts)] == ["en"] * len(texts)
        assert told == calls


def test_a_form_is_read_as_utf8_whether_percent_encoded_or_not(client):
    """curl -d q='El Señor' sends the UTF-8 bytes as they are; other clients percent-encode them. Texts in the target
    language come back as they are, so the answer shows what the server read."""
    form = {"content-type": "application/x-www-form-urlencoded"}
    sent = "q=El Señor&q=mi+pastor%2C+se%C3%B1or&source=es&target=es".encode()
    assert client.post("/translate", content=sent, headers=form).json() == {
        "translatedText": ["El Señor", "mi pastor, señor"]}
    for latin1 in (b"q=se\xf1or&source=es&target=es", b"q=se%F1or&source=es&target=es"):
        answer = client.post("/translate", content=latin1, headers=form)
        assert answer.status_code == 400 and answer.json() == {"error": "Invalid request: body is not UTF-8 (byte 0xf1)"}


# --- alternatives and the frontend's settings ------------------------------------------------------------------
def test_alternatives_are_the_beams_next_best(client):
    answer = libre(client, q="alpha beta gamma", source="en", target="es", alternatives=3).json()
    assert answer["translatedText"] == "GAMMA BETA ALPHA"
    alternatives = answer["alternatives"]
    assert len(alternatives) == 3 and len(set(alternatives)) == 3 and answer["translatedText"] not in alternatives
    nbest = native(client, text="alpha beta gamma", source="en", target="es", beam_size=4, nbest=4).json()
    assert alternatives == [n["text"] for n in nbest["translations"][0]["nbest"][1:]]
    listed = client.post("/translate", data={"q": ["alpha beta", "tau mu"], "source": "en", "target": "es",
                                             "alternatives": "2"}).json()
    assert [len(a) for a in listed["alternatives"]] == [2, 2]
    assert "alternatives" not in libre(client, q="alpha", source="en", target="es").json()


def test_too_many_alternatives_is_400(client):
    answer = libre(client, q="alpha", source="en", target="es", alternatives=8)  # beam at most 8: 7 alternatives
    assert answer.status_code == 400 and answer.json() == {
        "error": "Invalid request: alternatives is 8; this server gives at most 7"}


def test_frontend_settings_in_libretranslates_shape(client):
    assert client.get("/frontend/settings").json() == {
        "charLimit": 20_000, "frontendTimeout": 500, "apiKeys": False, "keyRequired": False, "suggestions": False,
        "filesTranslation": True,
        "supportedFilesFormat": list(FORMATS),  # (which, tests/test_translate_file.py)
        "language": {"source": {"code": "auto", "name": "Auto Detect"}, "target": {"code": "es", "name": "Spanish"}}}


# --- loading: a models directory ----------------------------------------------------------------------------
def test_every_bundle_of_the_models_directory_is_served_and_its_size_logged(toy_models_dir, caplog):
    caplog.set_level(logging.INFO, logger="nmt.service")
    settings = service_settings(None, models_dir=toy_models_dir)
    with TestClient(create_app(settings, detector=shared_detector(("en", "es")))) as client:
        assert client.get("/ready").status_code == 200
        assert [m["id"] for m in client.get("/v1/models").json()["models"]] == ["en-es", "es-en"]
    sizes = [r.getMessage() for r in caplog.records if " parameters, " in r.getMessage()]
    assert [line.split(":")[0] for line in sizes] == ["model en -> es", "model es -> en"]
    assert all("MB of weights on cpu" in line for line in sizes)


def test_models_directory_problems_are_one_clear_error(toy_model, tmp_path):
    with pytest.raises(BundleError, match="no model bundle in this directory"):
        load_translators(Settings(models_dir=tmp_path, device="cpu"))
    for name in ("a", "b"):
        shutil.copytree(toy_model, tmp_path / name)
    with pytest.raises(BundleError, match=r"/b: translates en -> es, as .*/a does; serve one of them"):
        load_translators(Settings(models_dir=tmp_path, device="cpu"))


def test_a_directory_that_is_no_bundle_is_named_in_a_warning(toy_model, tmp_path, caplog):
    """A bundle copied a level too deep (models/fr-en/best) was passed over without a word."""
    shutil.copytree(toy_model, tmp_path / "en-es")
    shutil.copytree(toy_model, tmp_path / "fr-en" / "best")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "README.txt").write_text("notes")
    caplog.set_level(logging.INFO, logger="nmt.service")
    assert len(load_translators(Settings(models_dir=tmp_path, device="cpu"))) == 1
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        f"{tmp_path / 'fr-en'}: not served: a directory without manifest.json, not a model bundle"]


# --- LibreTranslate's own client, against `nmt serve --models-dir` ------------------------------------------------
def test_libretranslate_client_against_a_real_server(toy_models_dir):
    with Server(None, flags=("--models-dir", str(toy_models_dir))) as server:
        api = LibreTranslateAPI(server.url)
        assert api.languages() == [{"code": "en", "name": "English", "targets": ["es"]},
                                   {"code": "es", "name": "Spanish", "targets": ["en"]}]
        assert api.detect(SPANISH)[0]["language"] == "es" and api.detect(ENGLISH)[0]["language"] == "en"
        assert api.translate("alpha beta", "en", "es") == "BETA ALPHA"
        assert api.translate("alpha beta", "es", "en") == "ALPHA BETA"
        log = server.log()
    assert "model en -> es: " in log and "model es -> en: " in log and "ready: en -> es on cpu, es -> en on cpu" in log


def test_other_languages_are_named_and_detected_by_their_primary_subtag(tiny_bundle):
    """A zh-Hans model's Chinese text was 66% English (langid says "zh"), and /languages named zh "zh"."""
    def served(source: str) -> Translator:
        config = tiny_bundle.config.model_copy(update={"src_lang": source, "tgt_lang": "en"})
        return Translator(dataclasses.replace(tiny_bundle, config=config), "cpu")

    with client_for([served("zh-Hans"), served("ar"), served("ru")]) as c:
        names = {language["code"]: language["name"] for language in c.get("/languages").json()}
        assert names == {"zh-Hans": "Chinese", "ar": "Arabic", "ru": "Russian", "en": "English"}
        for text, language in (("我喜欢吃苹果，你呢？我们明天去北京。", "zh-Hans"), ("أين المحطة؟ هي هناك.", "ar"),
                               ("Где вокзал? Он там, за углом.", "ru")):
            detected = c.post("/detect", json={"q": text}).json()[0]
            assert detected["language"] == language and detected["confidence"] > 90, (text, detected)
        for source in ("zh", "zh-Hans", "zh-CN"):  # a zh-Hans model for LibreTranslate's zh (was 400: not supported)
            assert c.post("/translate", json={"q": "我喜欢吃苹果。", "source": source, "target": "en"}).status_code == 200
        assert c.post("/translate", json={"q": "x", "source": "zh", "target": "es"}).status_code == 400
        for source in ("zh-Hant", "zh-TW", "zh_Hant_HK"):  # Traditional Chinese: not the zh-Hans model's (was 200)
            assert c.post("/translate", json={"q": "我喜歡", "source": source, "target": "en"}).status_code == 400
