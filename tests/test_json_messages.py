"""JSON message files through POST /translate_file (app/json_messages.py): each string value with a letter
translated, keys, numbers and every byte between kept. The toy model reverses its input ("alpha beta" -> "BETA
ALPHA")."""
from __future__ import annotations

import json

import pytest
from service_fixtures import client_for

from nmt.app import json_messages

SOURCE = ('{\n  "title": "alpha beta",\n  "menu": {"open": "gamma \\"delta\\"", "count": 3, "empty": "", "id": "42"},\n'
          '  "list": ["tau", "mu \\u00f1"],\n  "gamma": true\n}\n')


@pytest.fixture(scope="module")
def client(translator):
    with client_for(translator) as c:
        yield c


def test_string_values_are_translated_and_keys_numbers_and_layout_kept():
    texts, render = json_messages.cut(SOURCE)
    assert texts == ["alpha beta", 'gamma "delta"', "tau", "mu ñ"], "keys, numbers, empty and letterless strings kept"
    out = render(["A", 'G "D"\n\\', "T", "é"])
    assert out == SOURCE.replace('"alpha beta"', '"A"').replace('"gamma \\"delta\\""', '"G \\"D\\"\\n\\\\"').replace(
        '"tau"', '"T"').replace('"mu \\u00f1"', '"é"')
    assert json.loads(out)["menu"] == {"open": 'G "D"\n\\', "count": 3, "empty": "", "id": "42"}


def test_a_json_file_through_the_service(client, translator):
    answer = client.post("/translate_file", files={"file": ("en.json", SOURCE.encode())},
                         data={"source": "en", "target": "es"})
    assert answer.status_code == 200, answer.text
    download = client.get(answer.json()["translatedFileUrl"])
    assert download.headers["content-type"] == "application/json"
    [title] = translator.translate(["alpha beta"])
    assert json.loads(download.content)["title"] == title.text


def test_a_file_that_is_not_json_is_refused_in_one_line(client):
    answer = client.post("/translate_file", files={"file": ("en.json", b'{"a": "b",}')},
                         data={"source": "en", "target": "es"})
    assert answer.status_code == 400 and answer.json()["error"] == (
        "Invalid request: en.json is not a JSON file that can be read: it is not JSON (line 1, column 11: Expecting "
        "property name enclosed in double quotes)")
