"""Timed Text subtitles (.ttml, .dfxp, an .xml whose root is <tt>) through POST /translate_file and read_document
(app/ttml.py): each paragraph translated, its spans back around their words, its lines apart; read back with ttconv, as
broadcasters' tools read TTML. The toy model reverses its input ("alpha beta" -> "BETA ALPHA")."""
from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest
from service_fixtures import downloaded, refusal
from ttconv.imsc import reader
from ttconv.srt import writer

from nmt.app.documents import read_document
from nmt.app.labels import Languages

TTML = """<?xml version="1.0" encoding="UTF-8"?>
<tt xmlns="http://www.w3.org/ns/ttml" xmlns:tts="http://www.w3.org/ns/ttml#styling" xml:lang="en">
  <head><styling><style xml:id="s1" tts:color="white"/></styling></head>
  <body>
    <div>
      <p begin="00:00:01.000" end="00:00:04.000" style="s1">alpha
        beta<br/>gamma delta</p>
      <p begin="00:00:05.000" end="00:00:08.000" xml:lang="en-US">mu nu</p>
      <p begin="00:00:09.000" end="00:00:10.000"> </p>
    </div>
  </body>
</tt>
"""


def as_subrip(content: bytes) -> str:
    return writer.from_model(reader.to_model(ElementTree.ElementTree(ElementTree.fromstring(content))))


@pytest.mark.parametrize("name", ["film.ttml", "film.dfxp", "film.xml"])
def test_paragraphs_are_translated_their_lines_apart_and_the_rest_kept(client, name):
    out = downloaded(client, name, TTML).content
    assert out == TTML.replace('xml:lang="en"', 'xml:lang="es"').replace('xml:lang="en-US"', 'xml:lang="es"') \
        .replace("alpha\n        beta<br/>gamma delta", "BETA ALPHA<br/>DELTA GAMMA").replace("mu nu", "NU MU").encode()
    assert as_subrip(out) == ("1\n00:00:01,000 --> 00:00:04,000\nBETA ALPHA\nDELTA GAMMA\n\n"
                              "2\n00:00:05,000 --> 00:00:08,000\nNU MU\n")


def test_a_span_goes_back_around_its_words():
    document = read_document("film.ttml", TTML.replace("alpha\n        beta", 'alpha <span tts:fontStyle="italic">beta'
                                                                         "</span>").encode())
    assert document.texts == ['alpha <span id="0">beta</span><br>gamma delta', "mu nu"]
    out = document.render(['<span id="0">BETA</span> ALPHA<br>DELTA GAMMA', "NU MU"], Languages("en", "es"))
    assert "1\n00:00:01,000 --> 00:00:04,000\n<i>BETA</i> ALPHA\nDELTA GAMMA\n" in as_subrip(out)


@pytest.mark.parametrize("name, content, kind, reason", [
    ("film.ttml", "<tt><p>", "a TTML file", "it is not well-formed XML"),
    ("film.ttml", "<resources/>", "a TTML file", "its root element is not <tt>"),
    ("film.ttml", TTML.replace('xml:lang="en"', 'xml:lang="de"'), "a TTML file",
     "its xml:lang is de, and this translation is en -> es"),
    ("film.xml", TTML.replace('xml:lang="en"', 'xml:lang="de"'), "an Android resources or TTML file",
     "its xml:lang is de"),
])
def test_a_file_that_is_not_ttml_or_not_in_the_source_language_is_refused_in_one_line(client, name, content, kind,
                                                                                      reason):
    assert refusal(client, name, content, kind).startswith(reason)
