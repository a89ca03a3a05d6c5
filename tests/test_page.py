"""The demo page in a real headless Chromium, served by a real `nmt serve` of two toy models (en -> es reverses,
es -> en copies): type, click, read the translation and the attention heat-map; choose and swap the language
pair. Needs Debian's chromium (apt-get install chromium) and playwright (pip)."""
from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from nmt.scripts.harness import Server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server(toy_models_dir) -> str:
    with Server(None, flags=("--models-dir", str(toy_models_dir))) as running:
        yield running.url


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM, args=FLAGS,
                                                                headless=True)
        yield context
        context.close()


def test_page_translates_and_draws_attention(server, browser, tmp_path):
    expected = httpx.post(f"{server}/v1/translate", json={"text": "alpha beta\ntau mu sigma", "beam_size": 1,
                                                          "source": "en", "target": "es",
                                                          "return_attention": True}).json()["translations"][0]
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script("document.addEventListener('securitypolicyviolation', (e) => "
                         "console.error(`CSP: ${e.violatedDirective}`))")
    page.on("console", lambda message: errors.append(message.text) if message.text.startswith("CSP") else None)
    page.on("response", lambda answer: errors.append(answer.url) if answer.status >= 400 else None)
    response = page.goto(server)
    assert "default-src 'self'" in response.headers["content-security-policy"]  # (it had none)
    icon = httpx.get(f"{server}{page.get_attribute('link[rel=icon]', 'href')}")  # (a browser's /favicon.ico was 404)
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    page.wait_for_function("() => document.getElementById('model').textContent.startsWith('Model en-es')")
    page.fill("#beam", "1")
    page.fill("#source", "alpha beta\ntau mu sigma")
    page.click("#translate")
    page.wait_for_function("() => document.getElementById('status').textContent === 'done'", timeout=30_000)
    assert page.input_value("#target") == expected["text"]
    assert expected["text"] == "BETA ALPHA\nSIGMA MU TAU"
    spoken = page.eval_on_selector_all("[aria-live], [role=status]", "all => all.map((e) => e.textContent)")
    assert "Translation: BETA ALPHA\nSIGMA MU TAU" in spoken  # (a screen reader heard "done", not the translation)
    last = expected["sentences"][-1]
    assert page.locator("#attention thead th").all_inner_texts() == last["src_tokens"]  # the corner: an empty td
    assert page.locator("#attention tbody tr").count() == len(last["tgt_tokens"])
    assert page.locator("#attention tbody td").count() == len(last["tgt_tokens"]) * len(last["src_tokens"])
    assert page.get_attribute("#heatmap", "tabindex") == "0"  # a wide table scrolls: by keyboard too
    page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
    assert not errors  # the page and its heat-map's colours (set through the CSSOM) live within its CSP


def test_the_pair_is_chosen_among_the_served_ones_and_swapped(server, browser):
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server)
    page.wait_for_function("() => document.getElementById('model').textContent.startsWith('Model en-es')")
    assert page.locator("#pair option").all_inner_texts() == ["en → es", "es → en", "detect → es", "detect → en"]
    page.fill("#beam", "1")
    page.fill("#source", "alpha beta")
    page.click("#translate")
    page.wait_for_function("() => document.getElementById('status').textContent === 'done'", timeout=30_000)
    assert page.input_value("#target") == "BETA ALPHA"  # en -> es reverses
    page.click("#swap")
    assert page.input_value("#pair") == "es en" and page.inner_text("#src-lang") == "(es)"
    assert page.get_attribute("#source", "lang") == "es" and page.get_attribute("#target", "lang") == "en"
    assert page.input_value("#source") == "BETA ALPHA" and page.input_value("#target") == ""  # the text came along
    assert page.inner_text("#model").startswith("Model es-en")
    page.fill("#source", "tau mu")
    page.click("#translate")
    page.wait_for_function("() => document.getElementById('target').value !== ''", timeout=30_000)
    assert page.input_value("#target") == "TAU MU"  # es -> en copies
    page.select_option("#pair", "en es")
    assert page.inner_text("#tgt-lang") == "(es)" and not page.is_disabled("#swap")
    assert page.input_value("#target") == "" and page.inner_text("#status") == ""  # English was shown as Spanish
    page.select_option("#pair", "auto es")  # the source language detected (there was no such choice)
    assert page.inner_text("#src-lang") == "(detected)" and page.is_disabled("#swap")
    page.fill("#source", "the house is big and the dog is happy")
    with page.expect_request("**/v1/translate") as sent:
        page.click("#translate")
    assert sent.value.post_data_json["source"] == "auto" and sent.value.post_data_json["target"] == "es"
    page.wait_for_function("() => document.getElementById('status').textContent.startsWith('done')", timeout=30_000)
    assert page.inner_text("#status").startswith("done (detected: en, ") and page.input_value("#target")
    page.select_option("#pair", "en es")
    page.select_option("#format", "html")
    page.fill("#source", "<p>alpha <b>beta</b></p>")
    with page.expect_request("**/v1/translate") as sent:
        page.click("#translate")
    assert sent.value.post_data_json == {"text": "<p>alpha <b>beta</b></p>", "source": "en", "target": "es",
                                         "beam_size": 1, "format": "html"}
    page.wait_for_function("() => document.getElementById('status').textContent === 'done'", timeout=30_000)
    assert page.input_value("#target") == "<p><b>BETA</b> ALPHA</p>"  # (it was "error: ... not available for html")
    assert page.inner_text("#heatmap") == ""
    assert not errors


def test_every_control_has_a_name_that_a_screen_reader_can_say(server, browser):
    page = browser.new_page()
    page.goto(server)
    page.wait_for_selector("#files:not([hidden])")
    unnamed = page.evaluate("""[...document.querySelectorAll('input, select, textarea, button')]
        .filter((e) => !e.labels?.length && !e.getAttribute('aria-label') && !/\\w/.test(e.textContent))
        .map((e) => e.id)""")
    assert unnamed == []  # (it was ["swap", "file"]: "⇄", read as an arrow, and a bare file input)
    assert page.get_attribute("#source", "aria-keyshortcuts") == "Control+Enter Meta+Enter"  # said, not only known (it was not)
    assert page.get_attribute("#source", "lang") == "en" and page.get_attribute("#target", "lang") == "es"


def test_page_fits_a_phone_without_scrolling_sideways(server, browser):
    page = browser.new_page()
    page.set_viewport_size({"width": 375, "height": 667})
    page.goto(server)
    page.wait_for_selector("#files:not([hidden])")
    assert page.evaluate("document.documentElement.scrollWidth") == 375  # (it was 424: the panes side by side)


def test_a_second_request_waits_for_the_first_and_the_focus_stays(server, browser):
    page = browser.new_page()
    page.goto(server)
    page.wait_for_function("() => document.getElementById('model').textContent.startsWith('Model en-es')")
    page.fill("#beam", "1")
    page.fill("#source", "alpha beta")
    held = []
    page.route("**/v1/translate", lambda route: held.append(route))  # answered when the test says
    page.focus("#source")
    page.keyboard.press("Control+Enter")
    page.keyboard.press("Control+Enter")  # while the first is in flight
    page.focus("#translate")
    page.keyboard.press("Enter")
    held[0].continue_()
    page.wait_for_function("() => document.getElementById('status').textContent === 'done'", timeout=30_000)
    assert len(held) == 1  # (it was 2: one a Ctrl+Enter; the button was disabled)
    assert page.input_value("#target") == "BETA ALPHA" and page.get_attribute("#translate", "aria-disabled") is None
    page.unroute("**/v1/translate")
    page.keyboard.press("Enter")  # the button kept the focus: (it was the page's body, disabled while in flight)
    page.wait_for_function("() => !document.getElementById('translate').hasAttribute('aria-disabled')", timeout=30_000)
    assert page.evaluate("document.activeElement.id") == "translate"


def test_page_shows_errors(server, browser):
    page = browser.new_page()
    page.goto(server)
    page.fill("#beam", "99")
    page.fill("#source", "alpha beta")
    page.click("#translate")
    page.wait_for_function("() => document.getElementById('status').textContent.startsWith('error')", timeout=30_000)
    assert "at most 8" in page.inner_text("#status")
    page.fill("#beam", "1")
    page.route("**/v1/translate", lambda route: route.fulfill(status=502, content_type="text/html",
                                                              body="<html><body>Bad Gateway</body></html>"))
    page.click("#translate")  # a proxy's page
    page.wait_for_function("() => document.getElementById('status').textContent.startsWith('error')", timeout=30_000)
    assert page.inner_text("#status").startswith("error: the server answered 502")  # (it was "Unexpected token '<'")
    page.unroute("**/v1/translate")
    page.route("**/translate_file", lambda route: route.abort())  # the server is down
    page.wait_for_selector("#files:not([hidden])")
    page.set_input_files("#file", {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"alpha"})
    page.click("#translate-file")
    page.wait_for_function("() => document.getElementById('file-status').textContent.startsWith('error')",
                           timeout=30_000)
    assert page.inner_text("#file-status") == "error: the server cannot be reached"  # (it was "Failed to fetch")


def test_page_translates_a_file_and_offers_it_as_a_download(server, browser, tmp_path):
    (tmp_path / "notes.txt").write_text("alpha beta\n\ntau mu sigma\n")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4")
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server)
    page.wait_for_selector("#files:not([hidden])")
    assert ".docx" in page.get_attribute("#file", "accept").split(",")
    page.set_input_files("#file", str(tmp_path / "scan.pdf"))
    page.click("#translate-file")
    page.wait_for_function("() => document.getElementById('file-status').textContent.startsWith('error')", timeout=30_000)
    assert "scan.pdf is not a PDF that can be read" in page.inner_text("#file-status") and page.is_hidden("#download")
    page.set_input_files("#file", str(tmp_path / "notes.txt"))
    (tmp_path / "terms.tsv").write_text("alpha\tOMEGA\n")
    page.set_input_files("#glossary", str(tmp_path / "terms.tsv"))  # sent, and refused: the toy models have no
    page.click("#translate-file")                                      # placeholders
    page.wait_for_function("() => document.getElementById('file-status').textContent.includes('placeholders')",
                           timeout=30_000)
    page.set_input_files("#glossary", [])
    page.click("#translate-file")
    page.wait_for_selector("#download:not([hidden])", timeout=30_000)
    with page.expect_download() as download:
        page.click("#download")
    assert download.value.suggested_filename == "notes.txt"
    assert Path(download.value.path()).read_text() == "BETA ALPHA\n\nSIGMA MU TAU\n"  # en -> es reverses
    assert not errors


def test_docs_page_renders_the_api_offline(server, browser):
    page = browser.new_page()
    outside, errors = [], []
    page.on("request", lambda request: None if request.url.startswith(server) else outside.append(request.url))
    page.add_init_script("document.addEventListener('securitypolicyviolation', (e) => "
                         "console.error(`CSP: ${e.violatedDirective}`))")
    page.on("console", lambda message: errors.append(message.text) if message.text.startswith("CSP") else None)
    response = page.goto(f"{server}/docs")
    page.wait_for_selector(".opblock-summary-path[data-path='/v1/translate']", timeout=30_000)
    page.click(".opblock-summary-path[data-path='/v1/translate']")  # an operation opened, tried, its answer shown
    page.click(".opblock-body .try-out__btn")
    page.click(".opblock-body .execute")
    page.wait_for_selector(".opblock-body .live-responses-table", timeout=30_000)
    assert not outside  # Swagger UI comes from our own static files, not a CDN
    assert "script-src 'self' 'sha256-" in response.headers["content-security-policy"]  # (it had none)
    assert not errors  # its one inline script is allowed by its hash
