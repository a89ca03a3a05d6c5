"""Applications that integrate LibreTranslate, against a real `nmt serve`: each test sends the requests that the
application sends (path, method, body encoding, field names and values) and reads the answer as it reads it, from
the application's own source, named in the test's docstring. The toy model reverses ("alpha beta" -> "BETA ALPHA").
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

import httpx
import pytest
from service_fixtures import running_server


@pytest.fixture(scope="module")
def server(toy_model) -> str:
    with running_server(toy_model, NMT_MAX_WAIT_MS="20") as url:
        yield url


@pytest.fixture(params=["", "/"], ids=["address", "address-with-slash"])
def endpoint(request, server) -> str:
    """The address an application is configured with; Mastodon and Discourse append "/translate" to it as given, so
    that http://host:5000/ asks for //translate (LibreTranslate's Flask routes answer it; it was 404 here)."""
    return server + request.param


def test_mastodon(endpoint):
    """mastodon/mastodon app/lib/translation_service/libre_translate.rb: a JSON POST /translate of the status's HTML
    parts (q a list, format html, source the status's language or "auto", api_key null when none is set); it reads
    translatedText as a list and each one's detectedLanguage[i]["language"]. GET /languages (sent with
    Content-Type: application/json, no body): each code's targets, less the code itself."""
    headers = {"Content-Type": "application/json"}
    languages = httpx.get(f"{endpoint}/languages", headers=headers)
    assert languages.status_code == 200
    pairs = {language["code"]: [t for t in language["targets"] if t != language["code"]] for language in
             languages.json()}
    assert pairs["en"] == ["es"]
    for source in ("en", "auto"):
        body = json.dumps({"q": ["<p>alpha beta</p>", "<p>tau <b>mu</b> sigma</p>"], "source": source, "target": "es",
                           "format": "html", "api_key": None})
        answer = httpx.post(f"{endpoint}/translate", content=body, headers=headers)
        assert answer.status_code == 200, answer.text
        data = answer.json()
        assert isinstance(data, dict) and isinstance(data["translatedText"], list)
        assert data["translatedText"][0] == "<p>BETA ALPHA</p>"
        detected = [(data.get("detectedLanguage") or [None] * 2)[i] for i in range(2)]
        assert [(d or {}).get("language") or source for d in detected] == [source.replace("auto", "en")] * 2


def test_weblate(server):
    """WeblateOrg/weblate weblate/machinery/libretranslate.py: a JSON POST /translate of a batch (q a list, source
    and target codes, api_key as configured: "" or null when none), reading translatedText[i]; its older
    releases posted one text form-encoded (requests' data=, which leaves out an api_key of None). GET /languages:
    the codes."""
    assert "en" in [language["code"] for language in httpx.get(f"{server}/languages").json()]
    for key in ("", None):
        answer = httpx.post(f"{server}/translate", json={"api_key": key, "q": ["alpha beta", "pi rho"], "source": "en",
                                                         "target": "es"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["translatedText"] == ["BETA ALPHA", "RHO PI"]
    answer = httpx.post(f"{server}/translate", data={"q": "alpha beta", "source": "en", "target": "es"})
    assert answer.json()["translatedText"] == "BETA ALPHA"


def test_discourse(endpoint):
    """discourse/discourse-translator app/services/discourse_translator/provider/libre_translate.rb: form-encoded
    (URI.encode_www_form) POST /detect of the post's text, tags stripped, reading res[0]["language"]; then
    POST /translate with that source, format html; api_key is the site setting, "" when unset (and a Ruby nil
    encodes as a bare "api_key", no "="). GET /languages: the codes."""
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    codes = [language["code"] for language in httpx.get(f"{endpoint}/languages").json()]
    assert "en" in codes and "es" in codes
    for key in ("api_key=", "api_key"):
        detected = httpx.post(f"{endpoint}/detect", content=f"{urlencode({'q': 'alpha beta gamma'})}&{key}",
                              headers=form)
        assert detected.status_code == 200, detected.text
        source = detected.json()[0]["language"] if detected.json() else "en"
        body = urlencode({"q": "<p>alpha <i>beta</i></p>", "source": source, "target": "es", "format": "html"})
        answer = httpx.post(f"{endpoint}/translate", content=f"{body}&{key}", headers=form)
        assert answer.status_code == 200, answer.text
        assert answer.json()["translatedText"] == "<p><i>BETA</i> ALPHA</p>"


def test_nextcloud_integration_libretranslate(server):
    """v1r0x/integration_libretranslate lib/LibretranslateProvider.php, through jefs42/libretranslate
    src/LibreTranslate.php (PHP curl): GET /frontend/settings and GET /languages with a body
    (CURLOPT_POSTFIELDS [] makes curl send an empty form body, even with CURLOPT_CUSTOMREQUEST GET);
    POST /detect?q=...&api_key= (the fields in the query, an empty form body), reading [0]->language; POST /translate
    with CURLOPT_POSTFIELDS an array: multipart/form-data q, format html, source, target, api_key ("" when unset),
    reading translatedText, or error."""
    empty_form = {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "0"}
    settings = httpx.request("GET", f"{server}/frontend/settings", headers=empty_form, content=b"")
    assert settings.status_code == 200 and "charLimit" in settings.json()
    languages = httpx.request("GET", f"{server}/languages", headers=empty_form, content=b"")
    assert {language["code"]: language["name"] for language in languages.json()}["en"] == "English"
    detected = httpx.post(f"{server}/detect?{urlencode({'q': 'alpha beta gamma', 'api_key': ''})}",
                          headers=empty_form, content=b"")
    assert detected.status_code == 200, detected.text
    assert detected.json()[0]["language"] == "en"
    fields = {"q": "alpha beta", "format": "html", "source": "en", "target": "es", "api_key": ""}
    answer = httpx.post(f"{server}/translate", files={name: (None, value) for name, value in fields.items()})
    assert answer.status_code == 200, answer.text
    assert answer.json()["translatedText"] == "BETA ALPHA"
    refused = httpx.post(f"{server}/translate", files={name: (None, value) for name, value in
                                                       (fields | {"target": "fr"}).items()})
    assert refused.status_code == 400 and refused.json()["error"]


def test_libretranslate_net_enhanced(server):
    """sigaloid/LibreTranslate.Net LibreTranslate.Net.Enhanced/LibreTranslate.cs (.NET FormUrlEncodedContent, which
    encodes a null value as empty): POST /translate form-encoded q, source, target, api_key, and format "" where the
    caller set none (LibreTranslate reads an empty format as text; it was 400 here), reading translatedText, or error
    on a failure; POST /detect form-encoded q, api_key, reading a list on 200 or 400; GET /frontend/settings."""
    fields = {"q": "alpha beta", "source": "en", "target": "es", "api_key": "", "format": ""}
    answer = httpx.post(f"{server}/translate", data=fields)
    assert answer.status_code == 200, answer.text
    assert answer.json()["translatedText"] == "BETA ALPHA"
    assert httpx.post(f"{server}/translate", json=fields | {"format": None}).json()["translatedText"] == "BETA ALPHA"
    assert httpx.post(f"{server}/translate", data=fields | {"format": "xml"}).json()["error"]
    detected = httpx.post(f"{server}/detect", data={"q": "alpha beta gamma", "api_key": ""})
    assert detected.status_code == 200 and detected.json()[0]["language"] == "en"
    assert httpx.get(f"{server}/frontend/settings").json()["language"]["source"]["code"] == "auto"


def test_deep_translator(server):
    """nidhaloff/deep-translator deep_translator/libre.py: requests.post(base_url + "translate", params=...): the
    fields q, source ("auto" by default), target, format "text" and api_key (when set) in the query string, no body;
    403 is a bad key, any other status but 200 a server error; it reads translatedText."""
    params = {"q": "alpha beta", "source": "auto", "target": "es", "format": "text"}
    answer = httpx.post(f"{server}/translate", params=params)
    assert answer.status_code == 200, answer.text
    assert answer.json()["translatedText"] == "BETA ALPHA"


@pytest.mark.parametrize("field", ["source", "target"])
def test_an_empty_language_is_missing(server, field):
    """LibreTranslate's app.py answers a source or target sent empty (a client's unset setting) "Invalid request:
    missing source parameter"; here "" read as no language named: "language pair any language -> es is not
    supported"."""
    answer = httpx.post(f"{server}/translate", data={"q": "alpha", "source": "en", "target": "es"} | {field: ""})
    assert answer.status_code == 400 and answer.json()["error"].startswith(f"Invalid request: {field}:")
