"""scripts/translate_file_formats.py, the container proof's check of every file format: a sample for each extension
the service translates (a new format without one fails here, not first in the container), each a file the service
reads with its text in it, and the script's own run against a real `nmt serve` (the toy model)."""
from __future__ import annotations

import pytest
from service_fixtures import running_server

from nmt.app.documents import FORMATS, read_document
from nmt.scripts import translate_file_formats as script

SAMPLES = script.samples("alpha beta gamma")


def test_every_format_the_service_translates_has_a_sample():
    assert set(SAMPLES) == set(FORMATS)


@pytest.mark.parametrize("extension", sorted(SAMPLES))
def test_each_sample_is_read_as_its_format_with_the_sentence_to_translate(extension):
    name, content = SAMPLES[extension]
    texts = read_document(name, content).texts
    assert texts and any("alpha beta gamma" in text for text in texts), texts


@pytest.mark.slow
def test_the_script_translates_every_format_through_a_running_service(toy_model, capsys):
    with running_server(toy_model) as url:
        assert script.main([url, "--text", "alpha beta gamma"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == f"formats translated: {len(FORMATS)}/{len(FORMATS)}"
    assert len(lines) == len(FORMATS) + 2 and all(" POST 200  GET 200 " in line for line in lines[1:-1])
