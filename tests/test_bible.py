"""Tests for training.bible and training.osis on OSIS/IMP fixtures shaped like (or copied from) mod2imp's output,
and for the committed corpora in data/bible/ (no mod2imp or SWORD module needed)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from nmt.training import bible
from nmt.training.bible import KJV, RV, WEB, align, corpus_files, split_for_book, split_rows
from nmt.training.osis import book_of, clean_osis, fix_drop_cap, parse_imp, parse_ref, strip_subscription

DATA = Path(__file__).resolve().parent.parent / "data" / "bible"

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
$$$I Peter 1:1
<w lemma="strong:G4074">PEDRO</w>, <w lemma="strong:G0652">apóstol</w> <w lemma="strong:G2424 G5547">de Jesucristo</w>, <w lemma="strong:G3927">á los extranjeros</w> <w lemma="strong:G1290">esparcidos</w> <w lemma="strong:G4193">en Ponto</w>, <w lemma="strong:G1053">en Galacia</w>, <w lemma="strong:G2587">en Capadocia</w>, <w lemma="strong:G0773">en Asia</w>, <w lemma="strong:G2532">y</w> <w lemma="strong:G0978">en Bithinia</w>,
"""

# Verbatim mod2imp engKJV2006eb output (sword-text-kjv 14.3-1): Strong's <w>, <transChange> italics, notes.
KJV_IMP = """$$$[ Module Heading ]

$$$[ Testament 1 Heading ]
<milestone type="x-importer" subType="x-osis2mod" n="$Rev: 3769 $ (SWORD: 1.9.0)"/>
$$$Genesis 0:0
<div canonical="true" osisID="Gen" sID="gen2" type="book"/> <milestone n="Genesis" type="x-usfm-h"/> <milestone n="The First Book of Moses, called Genesis" type="x-usfm-toc1"/> <milestone n="Genesis" type="x-usfm-toc2"/> <milestone n="Gen" type="x-usfm-toc3"/> <title level="1" type="main">The First Book of Moses, called Genesis</title> <div sID="gen3" type="x-p"/>
$$$Genesis 1:0
<chapter n="1" osisID="Gen.1" sID="Gen.1"/>
$$$Genesis 1:1
In the <w lemma="strong:H7225">beginning</w> <w lemma="strong:H0430">God</w> <w lemma="strong:H1254">created</w> the <w lemma="strong:H8064">heaven</w> <w lemma="strong:H0853">and</w> the <w lemma="strong:H0776">earth</w>.
$$$Genesis 1:2
And the <w lemma="strong:H0776">earth</w> <w lemma="strong:H1961">was</w> without <w lemma="strong:H8414">form</w>, and <w lemma="strong:H0922">void</w>; and <w lemma="strong:H2822">darkness</w> <transChange type="added">was</transChange> upon the <w lemma="strong:H6440">face</w> of the <w lemma="strong:H8415">deep</w>. And the <w lemma="strong:H7307">Spirit</w> of <w lemma="strong:H0430">God</w> <w lemma="strong:H7363">moved</w> <w lemma="strong:H5921">upon</w> the <w lemma="strong:H6440">face</w> of the <w lemma="strong:H4325">waters</w>.  <div eID="gen3" type="x-p"/>
$$$Ruth 1:1
Now it came to pass in the <w lemma="strong:H3117">days</w> when the <w lemma="strong:H8199">judges</w> <w lemma="strong:H8199">ruled</w>, that there was a <w lemma="strong:H7458">famine</w> in the <w lemma="strong:H0776">land</w>. And a certain <w lemma="strong:H0376">man</w> of <w lemma="strong:H1035">Beth-lehem-judah</w> <w lemma="strong:H3212">went</w> to <w lemma="strong:H1481">sojourn</w> in the <w lemma="strong:H7704">country</w> of <w lemma="strong:H4124">Moab</w>, he, and his <w lemma="strong:H0802">wife</w>, and his <w lemma="strong:H8147">two</w> <w lemma="strong:H1121">sons</w>.<note placement="foot"><reference type="annotateRef">1.1 </reference>ruled: Heb. judged</note>
$$$Ruth 1:2
And the <w lemma="strong:H8034">name</w> of the <w lemma="strong:H0376">man</w> <transChange type="added">was</transChange> <w lemma="strong:H0458">Elimelech</w>, and the <w lemma="strong:H8034">name</w> of his <w lemma="strong:H0802">wife</w> <w lemma="strong:H5281">Naomi</w>, and the <w lemma="strong:H8034">name</w> of his <w lemma="strong:H8147">two</w> <w lemma="strong:H1121">sons</w> <w lemma="strong:H4248">Mahlon</w> and <w lemma="strong:H3630">Chilion</w>, <w lemma="strong:H0673">Ephrathites</w> of <w lemma="strong:H1035">Beth-lehem-judah</w>. And they <w lemma="strong:H0935">came</w> into the <w lemma="strong:H7704">country</w> of <w lemma="strong:H4124">Moab</w>, and continued there.<note placement="foot"><reference type="annotateRef">1.2 </reference>continued: Heb. were</note>
$$$I Peter 1:1
<w lemma="strong:G4074">Peter</w>, an <w lemma="strong:G0652">apostle</w> of <w lemma="strong:G2424">Jesus</w> <w lemma="strong:G5547">Christ</w>, to the <w lemma="strong:G3927">strangers</w> scattered <w lemma="strong:G1290">throughout</w> <w lemma="strong:G4195">Pontus</w>, <w lemma="strong:G1053">Galatia</w>, <w lemma="strong:G2587">Cappadocia</w>, <w lemma="strong:G0773">Asia</w>, <w lemma="strong:G2532">and</w> <w lemma="strong:G0978">Bithynia</w>,
"""
KJV_RUTH_1_1 = (
    "Now it came to pass in the days when the judges ruled, that there was a famine in the land. And a certain "
    "man of Beth-lehem-judah went to sojourn in the country of Moab, he, and his wife, and his two sons."
)


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


# KJV verses verbatim from mod2imp engKJV2006eb (sword-text-kjv 14.3-1) and the plain text each must become.
KJV_VERSES = [
    (  # Exodus 6:3: a stray USFM "\\nd " where <divineName> should open; italics (<transChange>) kept as words
        'And I <w lemma="strong:H7200">appeared</w> unto <w lemma="strong:H0085">Abraham</w>, unto <w lemma="strong:H3327">Isaac</w>, and unto <w lemma="strong:H3290">Jacob</w>, by <transChange type="added">the name of</transChange> <w lemma="strong:H0410">God</w> <w lemma="strong:H7706">Almighty</w>, but by my <w lemma="strong:H8034">name</w> \\nd <w lemma="strong:H3068">JEHOVAH</w></divineName> was I not <w lemma="strong:H3045">known</w> to them.',
        "And I appeared unto Abraham, unto Isaac, and unto Jacob, by the name of God Almighty, but by my name JEHOVAH was I not known to them.",
    ),
    (  # Exodus 17:16: notes holding USFM markers and nested <seg><divineName> go with their contents
        'For he <w lemma="strong:H0559">said</w>, Because the \\nd <w lemma="strong:H3050">LORD</w></divineName> hath <w lemma="strong:H3027">sworn</w> <transChange type="added">that</transChange> the <divineName><w lemma="strong:H3068">LORD</w></divineName> <transChange type="added">will have</transChange> <w lemma="strong:H4421">war</w> with <w lemma="strong:H6002">Amalek</w> from <w lemma="strong:H1755">generation</w> to <w lemma="strong:H1755">generation</w>.<note placement="foot"><reference type="annotateRef">17.16 </reference>Because…: or, Because the hand of Amalek is against the throne of the \\nd LORD\\+nd*, therefore, etc</note><note placement="foot"><reference type="annotateRef">17.16 </reference>the \\nd LORD\\+nd* hath…: Heb. the hand upon the throne of the <seg type="x-nested"><divineName>LORD</divineName></seg></note>  <chapter eID="Exod.17"/> <div eID="gen408" type="x-p"/>',
        "For he said, Because the LORD hath sworn that the LORD will have war with Amalek from generation to generation.",
    ),
    (  # Psalms 3:1: the canonical title stays (the RV has it in verse 1 too); poetry milestones
        '<div type="x-milestone" subType="x-preverse" sID="pv2099"/><title canonical="true" type="psalm">A <w lemma="strong:H4210">Psalm</w> of <w lemma="strong:H1732">David</w>, when he <w lemma="strong:H1272">fled</w> <w lemma="strong:H6440">from</w> <w lemma="strong:H0053">Absalom</w> his <w lemma="strong:H1121">son</w>.</title> <lg sID="gen2600"/> <l level="1" sID="gen2601"/> <div type="x-milestone" subType="x-preverse" eID="pv2099"/><divineName><w lemma="strong:H3068">LORD</w></divineName>, how are they <w lemma="strong:H7231">increased</w> that <w lemma="strong:H6862">trouble</w> me! <w lemma="strong:H7227">many</w> <transChange type="added">are</transChange> they that rise <w lemma="strong:H6965">up</w> against me. <l eID="gen2601" level="1"/>',
        "A Psalm of David, when he fled from Absalom his son. LORD, how are they increased that trouble me! many are they that rise up against me.",
    ),
    (  # Psalms 119:9: the stanza heading keeps its name, not the Hebrew letter
        '<div type="x-milestone" subType="x-preverse" sID="pv4024"/><title><foreign>ב BETH.</foreign></title> <lg sID="gen4643"/> <l level="1" sID="gen4644"/> <div type="x-milestone" subType="x-preverse" eID="pv4024"/>Wherewithal shall a young <w lemma="strong:H5288">man</w> <w lemma="strong:H2135">cleanse</w> his <w lemma="strong:H0734">way</w>? by taking <w lemma="strong:H8104">heed</w> <transChange type="added">thereto</transChange> according to thy <w lemma="strong:H1697">word</w>. <l eID="gen4644" level="1"/>',
        "BETH. Wherewithal shall a young man cleanse his way? by taking heed thereto according to thy word.",
    ),
    (  # Matthew 5:3: red letters (<q who="Jesus">) and a nested <seg> keep their words
        '<q marker="" who="Jesus"><w lemma="strong:G3107">Blessed</w> <seg type="x-nested"><transChange type="added">are</transChange></seg> <w lemma="strong:G4434">the poor</w> <w lemma="strong:G4151">in spirit</w>: <w lemma="strong:G3754">for</w> <w lemma="strong:G0846">theirs</w> <w lemma="strong:G2076">is</w> <w lemma="strong:G0932">the kingdom</w> <w lemma="strong:G3772">of heaven</w>.</q>',
        "Blessed are the poor in spirit: for theirs is the kingdom of heaven.",
    ),
    (  # Romans 16:27: the subscription (an untyped <title>) and everything after the end of the book go
        'To <w lemma="strong:G2316">God</w> <w lemma="strong:G3441">only</w> <w lemma="strong:G4680">wise</w>, <transChange type="added">be</transChange> <w lemma="strong:G1391">glory</w> <w lemma="strong:G1223">through</w> <w lemma="strong:G2424">Jesus</w> <w lemma="strong:G5547">Christ</w> <w lemma="strong:G1519">for</w> <w lemma="strong:G0165">ever</w>. <w lemma="strong:G0281">Amen</w>.  <div eID="gen9005" type="x-p"/> <chapter eID="Rom.16"/> <title>Written to the Romans from Corinthus, <transChange type="added">and sent</transChange> by Phebe servant of the church at Cenchrea.</title> <div canonical="true" eID="gen8965" osisID="Rom" type="book"/>',
        "To God only wise, be glory through Jesus Christ for ever. Amen.",
    ),
]


@pytest.mark.parametrize(("markup", "text"), KJV_VERSES)
def test_kjv_verses_become_plain_text(markup: str, text: str) -> None:
    assert clean_osis(markup) == text


def test_kjv_imp_export_parses_to_verses() -> None:
    verses = parse_imp(KJV_IMP)
    assert list(verses) == ["Genesis 1:1", "Genesis 1:2", "Ruth 1:1", "Ruth 1:2", "I Peter 1:1"]
    assert clean_osis(verses["Genesis 1:2"]) == (
        "And the earth was without form, and void; and darkness was upon the face of the deep. And the Spirit of "
        "God moved upon the face of the waters."
    )
    assert clean_osis(verses["Ruth 1:1"]) == KJV_RUTH_1_1  # the note "ruled: Heb. judged" is gone


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
    for name in (WEB.name, KJV.name):
        assert "Job 39:1" in bible.MISALIGNED[name] and "Jonah 2:10" in bible.MISALIGNED[name]
        assert all(parse_ref(ref) for ref in bible.MISALIGNED[name])


def test_web_textual_differences_are_not_dropped_for_the_kjv() -> None:
    # The KJV reads the Textus Receptus like the RV (Comma Johanneum, Romans 14:23 without the doxology).
    assert {"I John 5:7", "Romans 14:23"} <= bible.MISALIGNED[WEB.name]
    assert not {"I John 5:7", "Romans 14:23"} & bible.MISALIGNED[KJV.name]


def test_align_drops_empty_missing_and_misaligned() -> None:
    source = parse_imp(WEB_IMP) | {"Job 39:1": "<w>goats</w>"}
    target = parse_imp(RV_IMP) | {"Job 39:1": "<w>león</w>"}
    result = align(source, target, WEB)
    assert result.rows == [
        ("Genesis 1:1", "In beginning, God created heavens.", "En el principio crió Dios los cielos."),
        ("Genesis 1:2", "The earth was empty.", "Y la tierra estaba vacía."),
        ("Ruth 1:1", "In the days & the judges.", "Y aconteció en los días de los jueces."),
    ]
    assert result.dropped == {
        "empty in engWEB2015eb": 1,
        "book not in spaRV1909eb (deuterocanon)": 1,
        "known misalignment": 1,
        "verse not in engWEB2015eb": 1,
    }


def _built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    exports = {WEB.name: WEB_IMP, KJV.name: KJV_IMP, RV.name: RV_IMP}
    monkeypatch.setattr(bible, "run_mod2imp", exports.__getitem__)
    return bible.build_bible(tmp_path)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_build_bible_writes_every_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    counts = _built(tmp_path, monkeypatch)
    assert counts == {
        "train": 2, "dev": 0, "test": 1,
        "kjv/train": 2, "kjv/dev": 1, "kjv/test": 2,
        "es-en/train": 2, "es-en/dev": 0, "es-en/test": 1, "es-en/test-2refs": 1,
    }
    assert _read(tmp_path / "test.tsv") == "In the days & the judges.\tY aconteció en los días de los jueces.\n"
    assert _read(tmp_path / "train.refs") == "Genesis 1:1\nGenesis 1:2\n"
    assert _read(tmp_path / "dev.tsv") == ""
    assert _read(tmp_path / "kjv/train.tsv").splitlines()[0] == (
        "In the beginning God created the heaven and the earth.\tEn el principio crió Dios los cielos."
    )
    assert _read(tmp_path / "kjv/dev.tsv") == (
        "Peter, an apostle of Jesus Christ, to the strangers scattered throughout Pontus, Galatia, Cappadocia, "
        "Asia, and Bithynia,\tPedro, apóstol de Jesucristo, á los extranjeros esparcidos en Ponto, en Galacia, "
        "en Capadocia, en Asia, y en Bithinia,\n"
    )
    assert _read(tmp_path / "kjv/test.refs") == "Ruth 1:1\nRuth 1:2\n"
    # Spanish source: the WEB files with the columns swapped; two references where both English texts have the verse.
    for split in bible.SPLITS:
        swapped = ["\t".join(line.split("\t")[::-1]) for line in _read(tmp_path / f"{split}.tsv").splitlines()]
        assert _read(tmp_path / f"es-en/{split}.tsv").splitlines() == swapped
        assert _read(tmp_path / f"es-en/{split}.refs") == _read(tmp_path / f"{split}.refs")
    assert _read(tmp_path / "es-en/test-2refs.tsv") == (
        f"Y aconteció en los días de los jueces.\tIn the days & the judges.\t{KJV_RUTH_1_1}\n"
    )
    assert _read(tmp_path / "es-en/test-2refs.refs") == "Ruth 1:1\n"
    card = _read(tmp_path / "README.md")
    assert "public domain" in card and "`sword-text-kjv`" in card and "| `kjv/{train,dev,test}.tsv` | 2 | 1 | 2 |" in card


def test_build_bible_keeps_dev_and_test_books_out_of_every_train_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _built(tmp_path, monkeypatch)
    _assert_split_by_book(tmp_path)


def test_corpus_files_split_every_translation_by_the_same_books() -> None:
    web = [("Genesis 1:1", "g", "G"), ("Ruth 1:1", "r", "R"), ("Joel 1:1", "j", "J")]
    kjv = [("Genesis 1:1", "g2", "G"), ("Ruth 1:1", "r2", "R"), ("Ruth 1:2", "s2", "S"), ("Esther 1:1", "e2", "E")]
    files = corpus_files(web, kjv)
    for name, rows in files.items():
        split = name.rsplit("/", 1)[-1].removesuffix("-2refs")
        assert {split_for_book(book_of(row[0])) for row in rows} <= {split}, name
    assert files["es-en/test-2refs"] == [("Ruth 1:1", "R", "r", "r2")]
    assert files["kjv/dev"] == [("Esther 1:1", "e2", "E")] and files["es-en/dev"] == [("Joel 1:1", "J", "j")]


def _assert_split_by_book(root: Path) -> None:
    """Every .refs file under root holds only the books of its split: no dev or test book in any train file."""
    found = sorted(root.rglob("*.refs"))
    assert {p.relative_to(root).as_posix() for p in found} >= {"train.refs", "kjv/train.refs", "es-en/train.refs"}
    for path in found:
        split = path.stem.removesuffix("-2refs")
        books = {book_of(ref) for ref in _read(path).splitlines()}
        assert {split_for_book(book) for book in books} <= {split}, path
        if split == "train":
            assert not books & (bible.DEV_BOOKS | bible.TEST_BOOKS), path


# The committed corpora (data/bible/, built with the real modules): the same rules hold there.


def test_committed_corpora_keep_dev_and_test_books_out_of_every_train_file() -> None:
    _assert_split_by_book(DATA)


def test_committed_es_en_files_are_the_web_files_swapped() -> None:
    for split in bible.SPLITS:
        web = _read(DATA / f"{split}.tsv").splitlines()
        assert _read(DATA / f"es-en/{split}.tsv").splitlines() == ["\t".join(line.split("\t")[::-1]) for line in web]
        assert _read(DATA / f"es-en/{split}.refs") == _read(DATA / f"{split}.refs")


def test_the_everyday_files_are_one_set_of_pairs_swapped() -> None:
    everyday = DATA.parent / "everyday"
    en_es = _read(everyday / "en-es.tsv").splitlines()
    assert len(en_es) == 30 and all(len(line.split("\t")) == 2 and all(line.split("\t")) for line in en_es)
    assert _read(everyday / "es-en.tsv").splitlines() == ["\t".join(line.split("\t")[::-1]) for line in en_es]


def test_committed_files_have_one_reference_per_line_and_all_columns() -> None:
    for tsv in DATA.rglob("*.tsv"):
        lines = _read(tsv).splitlines()
        assert len(lines) == len(_read(tsv.with_suffix(".refs")).splitlines()), tsv
        width = 3 if tsv.stem.endswith("-2refs") else 2
        assert all(len(line.split("\t")) == width and all(line.split("\t")) for line in lines), tsv


def test_main_reports_missing_mod2imp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(bible.shutil, "which", lambda name: None)
    assert bible.main(["--out", str(tmp_path)]) == 2  # bad input, like every other command's
    err = capsys.readouterr().err
    assert "mod2imp not found" in err and "apt-get install libsword-utils" in err and err.count("\n") == 1
