"""The shipped bundles in models/ (English->Spanish the default) load with no training and no download, and translate."""
from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from nmt.model.bundle import DEFAULT_BUNDLE, load_bundle
from nmt.model.translator import DecodeOptions, Translator
from nmt.scripts.harness import Server
from nmt.training.corpus import load_corpus
from nmt.training.evaluate import evaluate
from nmt.training.scoring import score


def test_shipped_bundle_is_small_and_verified():
    networks = len(list(DEFAULT_BUNDLE.glob("*.safetensors")))  # an ensemble: one file per network
    assert sum(f.stat().st_size for f in DEFAULT_BUNDLE.iterdir()) < networks * 21 * 2**20
    bundle = load_bundle()
    assert (bundle.config.src_lang, bundle.config.tgt_lang) == ("en", "es")
    assert bundle.summary["test"]["beam_size"] == 5 and "13a" in bundle.summary["test"]["signature"]


def test_shipped_model_translates_english_to_spanish():
    translator = Translator.load(device="cpu")
    out = translator.translate(["In the beginning God created the heavens and the earth.", ""], DecodeOptions(beam_size=5))
    assert "principio" in out[0].text and "tierra" in out[0].text, out[0].text
    assert out[1].text == ""
    # words that no Bible has: the empty translation (ended at once) won their beams before
    greetings = translator.translate(["Hello", "Thanks"], DecodeOptions(beam_size=5))
    assert all(t.text for t in greetings), greetings


def test_symbols_the_model_cannot_read_come_back():
    """Emoji, & and © were unknown subwords to the Bible's vocabulary: dropped ("God 👍 is love." -> "Dios es amor.")."""
    translator = Translator.load(device="cpu")
    texts = ["God 👍 is love.", "God 👨\u200d👩\u200d👧 is love.", "Love & peace.", "God © is love."]
    out = [t.text for t in translator.translate(texts, DecodeOptions(beam_size=5))]
    assert [symbol in text for symbol, text in zip(["👍", "👨\u200d👩\u200d👧", "&", "©"], out, strict=True)] == [True] * 4
    assert all("Dios" in text for text in out[::3]), out



def test_letters_the_model_cannot_read_come_back():
    """A Han character, and an accented letter, are unknown subwords to the Bible's English vocabulary: dropped
    ("I met 李 today." -> "Yo os he enviado hoy hoy.", "naïve" -> "nave")."""
    translator = Translator.load(device="cpu")
    out = [t.text for t in translator.translate(["I met 李 today.", "The word naïve is here."],
                                                DecodeOptions(beam_size=5))]
    assert "李" in out[0] and "naïve" in out[1], out


def test_phone_numbers_codes_and_comparisons_come_back_verbatim():
    """The Bible's vocabulary has no digit and no "<": "555-1234" came back "555 1234", "error E404" "á Jesús",
    "COVID-19" "COVID 19", "if a < b" "si < si alguno"."""
    translator = Translator.load(device="cpu")
    cases = {"Call me at 555-1234 tomorrow.": ["555-1234"], "Call us at (555) 123-4567 before noon.": ["(555) 123-4567"],
             "Our number is +1 555 123 4567.": ["+1 555 123 4567"], "The server returned error E404 again.": ["E404"],
             "The COVID-19 pandemic closed the schools.": ["COVID-19"], "He sent me an MP3 file.": ["MP3"],
             "if a < b then stop": ["a < b"], "We know that 3 < 5 and 7 > 2.": ["3 < 5", "7 > 2"]}
    out = [t.text for t in translator.translate(list(cases), DecodeOptions(beam_size=5))]
    assert [all(span in text for span in spans) for spans, text in zip(cases.values(), out, strict=True)] == \
        [True] * len(cases), out


def test_a_tag_in_plain_text_comes_back_against_its_word():
    """format text: "<i>love</i>" went to the model as "⦅0⦆love⦅1⦆", read as pieces of a word, and came back
    "<i> de </i>"; spaced for the model, and put back against the word."""
    translator = Translator.load(device="cpu")
    out = translator.translate(["The word <i>love</i> appears often."], DecodeOptions(beam_size=5))[0].text
    assert re.search(r"<i>\w+</i>", out), out

def test_a_word_between_paired_tags_in_plain_text_stays_between_them():
    """format text: "<b>love</b>" went to the model as "⦅0⦆ love ⦅1⦆", and the word between the placeholders was
    dropped, greedy and beam 5 ("Dios es <b></b> y paz."); the sentence is translated without its paired tags,
    and they go back around the word that "love" went to (model/tagged.py), as format html places them."""
    translator = Translator.load(device="cpu")
    for beam in (1, 5):
        out = translator.translate(["God is <b>love</b> and peace."], DecodeOptions(beam_size=beam))[0].text
        assert out == "Dios es <b>amor</b> y paz.", (beam, out)


def test_paired_tags_beside_a_span_with_spaces_in_it_go_around_their_words():
    """The attention reads "+1 555 123 4567" as one placeholder, the tags' words were counted in the text: the
    counts disagreed and the pair came back empty at the end ("Llama á mi amigo +1 555 123 4567 hoy <b></b>.")."""
    translator = Translator.load(device="cpu")
    out = translator.translate(["Call <b>my friend</b> at +1 555 123 4567 today."], DecodeOptions(beam_size=5))[0]
    assert re.search(r"<b>\w+( \w+)*</b>", out.text) and "+1 555 123 4567" in out.text, out.text


def test_nmt_serve_answers_the_readmes_request_over_http(tmp_path):
    """The README's first two commands: `nmt serve` as it starts by default (every shipped bundle), then the
    README's curl request, which names no language pair: its source is detected; and its reranked request."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    bodies = [json.loads(b) for b in re.findall(r"curl -s localhost:8000/v1/translate .*?-d '(\{.*?\})'", readme, re.S)]
    body, [reranked] = bodies[0], [b for b in bodies if "rerank" in b]
    with Server(None, tmp_path / "server.log") as server:
        reply = httpx.post(f"{server.url}/v1/translate", timeout=30, json=body)
        assert reply.status_code == 200, reply.text
        text = reply.json()["translations"][0]["text"]
        assert "principio" in text and "tierra" in text, text
        assert reply.json()["detected_source"]["language"] == "en"
        reply = httpx.post(f"{server.url}/v1/translate", timeout=30,
                           json={"text": "En el principio creó Dios los cielos y la tierra."})
        assert reply.status_code == 200 and reply.json()["detected_source"]["language"] == "es", reply.text
        assert "beginning" in reply.json()["translations"][0]["text"]
        reply = httpx.post(f"{server.url}/v1/translate", timeout=30, json=reranked)  # with es-en's opinion
        assert reply.status_code == 200 and reranked["rerank"] > 0, reply.text
        assert "Señor" in reply.json()["translations"][0]["text"], reply.text


def test_the_service_returns_exactly_what_nmt_evaluate_scores(tmp_path):
    """The test books through a real `nmt serve --exact` (beam 5, requests of 32 verses, four clients at once, so
    that they share the live batch) and through `nmt evaluate --exact`: the same hypotheses, so the same BLEU."""
    test = Path(__file__).resolve().parent.parent / "data" / "bible" / "test.tsv"
    report = evaluate(Translator.load(device="cpu", exact=True), test, DecodeOptions(beam_size=5), tmp_path / "eval")
    offline = (tmp_path / "eval" / "hypotheses.txt").read_text(encoding="utf-8").splitlines()
    sources = [s for s, _ in load_corpus(test).pairs]
    chunks = [sources[i : i + 32] for i in range(0, len(sources), 32)]
    with Server(DEFAULT_BUNDLE, tmp_path / "server.log", flags=("--exact",)) as server, ThreadPoolExecutor(4) as pool:
        def ask(chunk: list[str]) -> list[str]:
            reply = httpx.post(f"{server.url}/v1/translate", json={"text": chunk, "beam_size": 5}, timeout=300)
            assert reply.status_code == 200, reply.text
            return [t["text"] for t in reply.json()["translations"]]

        served = [text for answer in pool.map(ask, chunks) for text in answer]
    assert served == offline
    assert score(served, [r for _, r in load_corpus(test).pairs]).bleu == report["bleu"]
