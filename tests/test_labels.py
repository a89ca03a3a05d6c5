"""Language labels (app/labels.py): a label of the source language becomes the target's, region dropped; other
labels, and text that only looks like a label, are kept."""
from __future__ import annotations

import pytest

from nmt.app import labels
from nmt.app.labels import Languages
from nmt.app.office import POWERPOINT, WORD
from nmt.app.opendocument import LABELS as ODF

EN_ES = Languages("en", "es")


@pytest.mark.parametrize(("code", "label"), [(b"en", b"es"), (b"en-US", b"es"), (b"EN_gb", b"es"), (b"fr", b"fr"),
                                             (b"eng", b"eng"), (b"", b"")])
def test_a_label_of_the_source_language_becomes_the_target(code, label):
    assert EN_ES.label(code) == label


def test_html_labels_in_start_tags_only():
    page = (b'<html LANG="en-US" xml:lang=\'en\'><p lang=fr>x</p><p lang=en-GB title=\'lang="en"\'>'
            b'lang="en" <!-- <p lang="en"> --></p><br lang="en"/>')
    assert labels.HTML(page, EN_ES) == (b'<html LANG="es" xml:lang=\'es\'><p lang=fr>x</p><p lang=es '
                                        b'title=\'lang="en"\'>lang="en" <!-- <p lang="en"> --></p><br lang="es"/>'), (
        "quoted or not; not in an attribute's value, a comment, or text")


def test_word_labels_its_runs_and_styles_with_w_lang_val():
    part = b'<w:rPr><w:lang w:val="en-US" w:eastAsia="ja-JP" w:bidi="ar-SA"/></w:rPr><w:t>en-US</w:t>'
    assert WORD.labels.relabel(part, EN_ES) == part.replace(b'w:val="en-US"', b'w:val="es"')
    assert WORD.labels.parts.fullmatch("word/styles.xml") and not WORD.labels.parts.fullmatch("docProps/app.xml")


def test_powerpoint_labels_with_lang_not_alt_lang():
    part = b'<a:rPr lang="en-US" altLang="en-US" dirty="0"/><a:endParaRPr lang="en-GB"/>'
    assert POWERPOINT.labels.relabel(part, EN_ES) == b'<a:rPr lang="es" altLang="en-US" dirty="0"/><a:endParaRPr lang="es"/>'


def test_opendocument_labels_with_the_region_apart_and_its_metadata():
    styles = (b'<style:text-properties fo:language="en" fo:country="US" style:language-asian="zh" '
              b'style:country-asian="CN"/><style:text-properties fo:language="de" fo:country="DE"/>')
    assert ODF.relabel(styles, EN_ES) == (b'<style:text-properties fo:language="es" fo:country="none" '
                                          b'style:language-asian="zh" style:country-asian="CN"/>'
                                          b'<style:text-properties fo:language="de" fo:country="DE"/>')
    assert ODF.relabel(b"<dc:language>en-US</dc:language>", EN_ES) == b"<dc:language>es</dc:language>"
    assert ODF.relabelled({"meta.xml": b"", "content.xml": b"", "Pictures/a.xml": b""}, EN_ES).keys() == {
        "meta.xml", "content.xml"}
