"""Tests for training.bible on hand-written OSIS/IMP fixtures (no mod2imp needed)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from nmt.training import bible
from nmt.training.bible import (
    align,
    clean_osis,
    fix_drop_cap,
    parse_imp,
    split_for_book,
    split_rows,
    strip_subscription,
)

# Shaped like real mod2imp output (WEB first verse, RV verses, headings).
WEB_IMP = """$$$[ Module Heading ]

$$$[ Testament 1 Heading ]
<milestone type="x-importer" subType="x-osis2mod" n="$Rev: 3769 $"/>
$$$Genesis 0:0
<div sID="gen2" type="front"/> <title level="1" type="main">Preface</title> Some preface text.
$$$Genesis 1:0
<chapter n="1" osisID="Gen.1" sID="Gen.1"/>
$$$Genesis 1:1
<w lemma="strong:H0430">In</w> <w lemma="strong:H7225">beginning</w>, <w lemma="strong:H0430">God</w><note placement="foot"><reference type="annotateRef">1:1 </reference>The Hebrew word rendered “God” is “Elohim”.</note><w lemma="strong:H1254">created</w> <w lemma="strong:H8064">heavens</w>.
$$$Genesis 1:2
<div type="x-milestone" subType="x-preverse" sID="pv1"/><div sID="gen26" type="x-p"/><w>The earth</w> <w>was empty</w>.
$$$Ruth 1:1
<w>In the days</w> &amp; <w>the judges</w>.
$$$Ruth 1:2

$$$Tobit 1:1
<w>The book of Tobit</w>.
"""

RV_IMP = """$$$[ Module Heading ]

$$$Genesis 1:1
<w lemma="strong:H7225">EN el principio</w> <w lemma="strong:H1254">crió</w> <w lemma="strong:H0430">Dios</w> <w>los cielos</w>.
$$$Genesis 1:2
<w>Y la tierra</w> <w>estaba vacía</w>.
$$$Ruth 1:1
<w>Y ACONTECIÓ en los días</w> <w>de los jueces</w>.
$$$Ruth 1:2
<w>Y aconteció</w> <w>que el nombre</w>.
"""


def test_note_between_words_leaves_a_space() -> None:
    markup = (
        '<w lemma="strong:H0430">God</w><note placement="foot"><reference type="annotateRef">'
        "1:1 </reference>The Hebrew word <rdg>Elohim</rdg>.</note>"
        '<w lemma="strong:H1254">created</w>'
    )
    assert clean_osis(markup) == "God created"


def test_note_before_punctuation_leaves_no_space() -> None:
    assert clean_osis("<w>Christ</w><note>TR adds “Jesus”</note>.") == "Christ."
    assert clean_osis("you can’t come’<note>x</note>?”") == "you can’t come’?”"


def test_titles_removed_but_canonical_psalm_titles_kept() -> None:
    markup = (
        '<title type="x-introduction">Heading</title> <title level="1" type="main">Psalms</title>'
        '<title canonical="true" type="psalm">A Psalm by David.</title> <w>Yahweh</w> is good.'
    )
    assert clean_osis(markup) == "A Psalm by David. Yahweh is good."


def test_entities_pilcrow_and_whitespace() -> None:
    assert clean_osis("¶ <w>TR</w> &amp;NU &lt;x&gt;   read\n“Bethphage”  ") == (
        "TR &NU <x> read “Bethphage”"
    )


def test_milestones_and_element_boundaries_do_not_fuse_words() -> None:
    assert clean_osis('<w>this</w>,<l eID="g1" level="1"/><l level="2" sID="g2"/><w>that</w>') == (
        "this, that"
    )
    assert clean_osis('<q marker="" who="Jesus">“<w>Clean</w>.”</q><w>Then</w>') == "“Clean.” Then"
    assert clean_osis("<w>hay allí</w><transChange>también</transChange><w>bdelio</w>") == (
        "hay allí también bdelio"
    )


def test_speaker_labels_removed() -> None:
    assert clean_osis("<speaker>Beloved</speaker> <lg sID='g'/>Let him kiss me") == "Let him kiss me"


def test_enclitic_pronouns_stay_attached() -> None:
    tag = '<transChange type="added">'
    assert clean_osis(f"<w>Y sáca</w>{tag}lo</transChange> fuera") == "Y sácalo fuera"
    assert clean_osis(f"<w>oyéndo</w>{tag}lo</transChange><w>Jesús</w>") == "oyéndolo Jesús"
    assert clean_osis(f"<w>Gracia</w>{tag}sea</transChange><w>á vosotros</w>") == (
        "Gracia sea á vosotros"
    )
    assert clean_osis(f"<w>Y no</w>{tag}lo</transChange><w>hizo</w>") == "Y no lo hizo"


def test_text_after_end_of_book_is_cut() -> None:
    markup = (
        '<w>The grace</w> be with all. Amen. <chapter eID="Rev.22"/> '
        '<div canonical="true" eID="gen1" osisID="Rev" type="book"/> <div sID="g2" type="glossary"/>'
        "The following words are not very common."
    )
    assert clean_osis(markup) == "The grace be with all. Amen."


def test_fix_drop_cap() -> None:
    counts = Counter({"aconteció": 50, "Aconteció": 3, "Jehová": 900, "doce": 40, "Doce": 1})
    assert fix_drop_cap("EN el principio") == "En el principio"
    assert fix_drop_cap("Y ACONTECIÓ en los días", counts) == "Y aconteció en los días"
    assert fix_drop_cap("Y JEHOVÁ dijo", counts) == "Y Jehová dijo"
    assert fix_drop_cap("DE DOCE años era", counts) == "De doce años era"
    assert fix_drop_cap("Salmo de David. ¡OH Jehová", counts) == "Salmo de David. ¡Oh Jehová"
    assert fix_drop_cap("ALEPH. BIENAVENTURADOS los") == "ALEPH. Bienaventurados los"
    assert fix_drop_cap("Sin mayúsculas") == "Sin mayúsculas"


def test_strip_subscription() -> None:
    assert strip_subscription("La gracia sea con vosotros. Amén. Escrita de Roma con Epafrodito.") == (
        "La gracia sea con vosotros. Amén."
    )
    assert strip_subscription("Amén. Enviada de Roma á los Gálatas.") == "Amén."
    assert strip_subscription("Amén. Y dijeron todos: Amén.") == "Amén. Y dijeron todos: Amén."


def test_parse_imp_keeps_only_verses() -> None:
    verses = parse_imp(WEB_IMP)
    assert list(verses) == ["Genesis 1:1", "Genesis 1:2", "Ruth 1:1", "Ruth 1:2", "Tobit 1:1"]
    assert verses["Ruth 1:2"] == ""
    assert clean_osis(verses["Genesis 1:1"]) == "In beginning, God created heavens."
    assert clean_osis(verses["Ruth 1:1"]) == "In the days & the judges."


def test_parse_imp_joins_multi_line_entries() -> None:
    assert parse_imp("$$$John 1:1\nIn the\nbeginning\n$$$John 1:2\nx\n") == {
        "John 1:1": "In the beginning",
        "John 1:2": "x",
    }


@pytest.mark.parametrize(
    ("book", "split"),
    [
        ("Ruth", "test"), ("Jonah", "test"), ("Ecclesiastes", "test"), ("Philippians", "test"),
        ("James", "test"), ("Jude", "test"), ("Esther", "dev"), ("Lamentations", "dev"),
        ("Colossians", "dev"), ("I Peter", "dev"), ("Joel", "dev"), ("II Peter", "train"),
        ("Genesis", "train"), ("Revelation of John", "train"), ("Esther (Greek)", "train"),
    ],
)
def test_split_for_book(book: str, split: str) -> None:
    assert split_for_book(book) == split


def test_split_rows_keeps_order() -> None:
    rows = [("Genesis 1:1", "a", "b"), ("Ruth 1:1", "c", "d"), ("I Peter 1:1", "e", "f"),
            ("Genesis 1:2", "g", "h")]
    splits = split_rows(rows)
    assert [r[0] for r in splits["train"]] == ["Genesis 1:1", "Genesis 1:2"]
    assert [r[0] for r in splits["dev"]] == ["I Peter 1:1"]
    assert [r[0] for r in splits["test"]] == ["Ruth 1:1"]


def test_misaligned_references_are_well_formed() -> None:
    assert "Job 39:1" in bible.MISALIGNED and "Jonah 2:10" in bible.MISALIGNED
    assert all(bible.parse_ref(ref) for ref in bible.MISALIGNED)


def test_align_drops_empty_missing_and_misaligned() -> None:
    source = parse_imp(WEB_IMP) | {"Job 39:1": "<w>goats</w>"}
    target = parse_imp(RV_IMP) | {"Job 39:1": "<w>león</w>"}
    result = align(source, target)
    assert result.rows == [
        ("Genesis 1:1", "In beginning, God created heavens.", "En el principio crió Dios los cielos."),
        ("Genesis 1:2", "The earth was empty.", "Y la tierra estaba vacía."),
        ("Ruth 1:1", "In the days & the judges.", "Y aconteció en los días de los jueces."),
    ]
    assert result.dropped == {
        "empty in engWEB2015eb": 1,
        "book not in spaRV1909eb (deuterocanon)": 1,
        "known misalignment": 1,
    }


def test_build_bible_writes_splits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exports = {bible.SOURCE_MODULE: WEB_IMP, bible.TARGET_MODULE: RV_IMP}
    monkeypatch.setattr(bible, "run_mod2imp", exports.__getitem__)
    counts = bible.build_bible(tmp_path)
    assert counts == {"train": 2, "dev": 0, "test": 1}
    assert (tmp_path / "test.tsv").read_text(encoding="utf-8") == (
        "In the days & the judges.\tY aconteció en los días de los jueces.\n"
    )
    assert (tmp_path / "train.refs").read_text(encoding="utf-8") == "Genesis 1:1\nGenesis 1:2\n"
    assert (tmp_path / "dev.tsv").read_text(encoding="utf-8") == ""
    card = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "public domain" in card and "| test |" in card


def test_main_reports_missing_mod2imp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(bible.shutil, "which", lambda name: None)
    assert bible.main(["--out", str(tmp_path)]) == 2  # bad input, like every other command's
    err = capsys.readouterr().err
    assert "mod2imp not found" in err and "apt-get install libsword-utils" in err and err.count("\n") == 1
