"""model/spans.py: the span rules, masking, and restoration that never loses, repeats or alters a span."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nmt.model.spans import SPAN, Restored, Terms, find_spans, mask, names, placeholder, restore, symbols, word_map


@pytest.mark.parametrize("text, span, kind", [
    ("Visit https://example.org/a?b=1, now.", "https://example.org/a?b=1", "url"),
    ("see www.example.com/x.", "www.example.com/x", "url"),
    ("Write to ana.b@mail.example.com today", "ana.b@mail.example.com", "email"),
    ("Hello %s!", "%s", "printf"), ("%1$d items", "%1$d", "printf"), ("pi is %.2f", "%.2f", "printf"),
    ("Hello %(name)s, bye", "%(name)s", "printf"),
    ("Hello %@!", "%@", "printf"), ("%1$@ sent %2$@", "%1$@", "printf"), ("%lld items", "%lld", "printf"),
    ("%ld left", "%ld", "printf"), ("%lu bytes", "%lu", "printf"), ("%zu bytes", "%zu", "printf"),
    ("all %% sure", "%%", "printf"), ("%#@files@ left", "%#@files@", "printf"), ("%2$#@n@ x", "%2$#@n@", "printf"),
    ("Hello %{name}!", "%{name}", "printf"), ("%<count>d left", "%<count>d", "printf"),
    ("%count% apples", "%count%", "printf"), ("in %APPDATA% now", "%APPDATA%", "printf"),
    ("# files", "#", "format"),
    ("Error %1 in '%2'", "%1", "positional"), ("%L1 bytes", "%L1", "positional"), ("%n file(s)", "%n", "positional"),
    ("Hello, $USER$!", "$USER$", "named"), ("got $count_1$ new", "$count_1$", "named"), ("in $1 now", "$1", "number"),
    ("Welcome, :name!", ":name", "named"), ("The :attribute field", ":attribute", "named"),
    ("Dear {name},", "{name}", "format"), ("{0} files", "{0}", "format"), ("{{ count }} items", "{{ count }}", "format"),
    ("run `ls -la` first", "`ls -la`", "code"),
    ("open /usr/local/bin/nmt now", "/usr/local/bin/nmt", "path"), (r"in C:\Users\ana\x.txt", r"C:\Users\ana\x.txt", "path"),
    ("upgrade to v2.13.0 today", "v2.13.0", "version"), ("release 1.2.3-rc1 is out", "1.2.3-rc1", "version"),
    ("on 2023-05-17 at", "2023-05-17", "date"), ("at 10:30 sharp", "10:30", "date"),
    ("ask @ana_b now", "@ana_b", "handle"), ("tagged #nmt today", "#nmt", "hashtag"),
    ("costs $3,450 now", "$3,450", "number"), ("pi is 3.14159.", "3.14159", "number"), ("rose 15% in", "15%", "number"),
    ("the <b>bold</b> word", "<b>", "markup"), ('a <a href="x.html">link</a>', '<a href="x.html">', "markup"),
    ("if a < b then stop", "a < b", "comparison"), ("so 3<5 holds", "3<5", "comparison"),
    ("stop when i >= 10.", "i >= 10", "comparison"), ("costs < 100 now", "< 100", "comparison"),
    ("call +1 555 123 4567 now", "+1 555 123 4567", "phone"), ("on +44 (0)20 7946 0958.", "+44 (0)20 7946 0958", "phone"),
    ("or +34912345678.", "+34912345678", "phone"), ("call (555) 123-4567 now", "(555) 123-4567", "phone"),
    ("error E404 again", "E404", "alphanumeric"), ("the COVID-19 years", "COVID-19", "alphanumeric"),
    ("item SKU-88213 today", "SKU-88213", "alphanumeric"), ("water is H2O.", "H2O", "alphanumeric"),
    ("it weighs 5kg", "5kg", "alphanumeric"), ("he came 1st", "1st", "alphanumeric"),
    ("the x86-64 build", "x86-64", "alphanumeric"), ("a 3-day trip", "3", "number"),  # "-day": a word, not a code
    ("call 555-1234 now", "555-1234", "joined"), ("pages 10-20 say", "10-20", "joined"), ("a 3/4 inch", "3/4", "joined"),
])
def test_each_kind_of_span(text, span, kind):
    found = find_spans(text)
    assert (found[0].text, found[0].kind) == (span, kind)


@pytest.mark.parametrize("text", ["and/or", "x86_64", "a {", "%na", "%lb", "%ldx", "a % sign", "US$ or $ $", "$a$b$",
                                  "Note:this", "std::vector", "said: Let", ":)", "File > Save", "a -> b => c",
                                  "well-known"])
def test_words_with_slashes_or_signs_are_not_spans(text):
    assert find_spans(text) == [] and mask(text, 8).text == text


@pytest.mark.parametrize("text, span", [("the 2nd day", "2nd"), ("an A4 sheet", "A4"), ("mp3 files", "mp3"),
                                        ("v2 of it", "v2"), ("a B2B deal", "B2B"), ("16GB of memory", "16GB")])
def test_a_word_of_letters_and_digits_is_one_span_whole(text, span):
    """The model reads no digit: a code or a unit cut into a name and a number, or left as a word, lost its digits
    ("MP3" -> "MP", "error E404" -> "á Jesús")."""
    assert [s.text for s in find_spans(text)] == [span]


def test_code_keys_and_sample_output_elements_are_kept_whole_as_html_keeps_them():
    """<kbd>Ctrl</kbd> as a pair of tags around a word to translate came back "<kbd>Adrdddletentad</kbd>"."""
    text = 'Press <KBD>Ctrl</KBD>, run <code class="sh">npm i</code> and <b>go</b>.'
    assert [(s.kind, s.text) for s in find_spans(text)] == [
        ("verbatim", "<KBD>Ctrl</KBD>"), ("verbatim", '<code class="sh">npm i</code>'), ("markup", "<b>"),
        ("markup", "</b>")]
    assert [s.kind for s in find_spans("<code>a</kbd> <code>b <i>c</i></code>")] == ["markup"] * 6  # not one element


def test_a_span_against_a_word_goes_to_the_model_spaced_and_comes_back_against_it():
    """"⦅0⦆save⦅1⦆" is read as placeholders and pieces of a word: the model dropped the word ("Press <b>save</b>
    now." -> "<b> ahora </b>")."""
    masked = mask("Press <kbd>Ctrl</kbd> and <b>save</b> now.", slots=8, known=frozenset())
    assert masked.text == "Press ⦅0⦆ and ⦅1⦆ save ⦅2⦆ now."
    restored = restore("Pulsa ⦅0⦆ y ⦅1⦆ guardar ⦅2⦆ ahora .", masked.spans, masked.glued)
    assert restored.text == "Pulsa <kbd>Ctrl</kbd> y <b>guardar</b> ahora ."
    assert restore("Pulsa ⦅1⦆ guardar ⦅2⦆ ahora ⦅0⦆.", masked.spans, masked.glued).text == \
        "Pulsa <b>guardar</b> ahora <kbd>Ctrl</kbd>.", "glued to whatever the translation puts beside it"
    assert mask("Pay $5 now.", 8).glued == ((False, False),), "a span between spaces is as it was"


def test_mask_numbers_spans_in_reading_order_and_keeps_the_rest():
    masked = mask("Pay $5 to ana@x.org by 2024-01-05.", slots=8)
    assert masked.text == "Pay ⦅0⦆ to ⦅1⦆ by ⦅2⦆."
    assert masked.spans == ("$5", "ana@x.org", "2024-01-05")
    assert mask("1 2 3", slots=2) == mask("1 2 3", slots=2)
    assert mask("1 2 3", slots=2).text == "⦅0⦆ ⦅1⦆ 3", "spans beyond the slots stay as text"


def test_the_callers_terms_come_first_as_whole_words_and_the_longest_wins():
    masked = mask("Open Acme Cloud 2 or Acme now, not Acmeware", slots=8, terms=Terms(keep=("Acme", "Acme Cloud 2")))
    assert masked.spans == ("Acme Cloud 2", "Acme")
    assert mask("a 1 b 2 c Acme", slots=1, terms=Terms(keep=("Acme",))).spans == ("Acme",), "terms take slots first"


def test_glossary_terms_become_their_target_terms():
    glossary = {"heaven": "cielo", "Lord": "Señor"}
    masked = mask("The Lord of heaven, not the heavenly lord.", slots=8, terms=Terms(glossary=glossary))
    assert masked.text == "The ⦅0⦆ of ⦅1⦆, not the heavenly lord." and masked.spans == ("Señor", "cielo")
    any_case = mask("The LORD of Heaven.", slots=8, terms=Terms(glossary=glossary, ignore_case=True))
    assert any_case.spans == ("Señor", "cielo")
    assert restore("El ⦅0⦆ del ⦅1⦆.", masked.spans).text == "El Señor del cielo."


def test_text_that_looks_like_a_placeholder_passes_through():
    masked = mask("keep ⦅3⦆ as is", slots=8)
    assert masked.spans == ("⦅3⦆",) and restore(masked.text, masked.spans).text == "keep ⦅3⦆ as is"


def test_restore_repairs_what_the_model_got_wrong():
    spans = ("https://x.org", "25")
    assert restore("Visite ⦅0⦆ para ⦅1⦆ más.", spans).text == "Visite https://x.org para 25 más."
    dropped = restore("Visite para más.", spans)
    assert (dropped.text, dropped.missing) == ("Visite para más https://x.org 25.", 2)
    repeated = restore("Visite ⦅0⦆ ⦅0⦆ para ⦅1⦆ y ⦅7⦆ más.", spans)
    assert (repeated.text, repeated.extra) == ("Visite https://x.org para 25 y más.", 2)
    assert restore("⦅1⦆ ⦅0⦆", ("a  b", "c")).text == "c a  b", "a span is never altered, its spaces neither"


@pytest.mark.parametrize(("translation", "text"), [
    ("Y ahora ⦅1⦆.", "Y ahora."),  # was "Y ahora ."
    ("Y <b>⦅1⦆ ahora los ⦅2⦆</b> paz.", "Y <b>ahora los</b> paz."),  # (tags placed before restore: model/tagged.py)
    ("a ⦅4⦆, b (⦅5⦆ c)", "a, b (c)"),
    ("amigo⦅1⦆ ahora", "amigo ahora"),  # never two words joined
    ("hola ⦅1⦆¿qué?", "hola ¿qué?"),
    ("</b>⦅3⦆ ahora", "</b> ahora"),
])
def test_a_placeholder_the_sentence_lacks_is_dropped_with_a_space_where_none_goes(translation, text):
    assert restore(translation, ()) == Restored(text, 0, translation.count("⦅"))


SPAN_TEXT = st.text(alphabet="$%{}0123456789@#/.:-_ ", min_size=1, max_size=12).map(lambda s: f"§{s}§")
WORDS = st.lists(st.text(alphabet="abcdefghij,.!?", min_size=1, max_size=8), max_size=8)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "1", "2", " ", ".", "<b>", "</b>", "-", "+", "(", ")", "<", "$"]),
                max_size=16).map("".join))
def test_restoring_a_masked_text_gives_it_back_as_written(text):
    """Whatever spans touch words or each other, the masked text with its placeholders restored is the text."""
    masked = mask(text, slots=8, known=frozenset())
    assert restore(masked.text, masked.spans, masked.glued).text == text.strip(" ")


@settings(max_examples=300, deadline=None)
@given(words=WORDS, spans=st.lists(SPAN_TEXT, min_size=1, max_size=6, unique=True), data=st.data())
def test_every_marked_span_survives_whatever_the_model_does(words, spans, data):
    """For any text holding any marked spans, and any output the model may produce (placeholders dropped,
    repeated, reordered, invented), each span comes back exactly once, unaltered."""
    text = " ".join(data.draw(st.permutations(words + spans)))
    masked = mask(text, slots=8, terms=Terms(keep=tuple(spans)))
    assert sorted(masked.spans) == sorted(spans)
    assert restore(masked.text, masked.spans, masked.glued).text == text, \
        "an output that keeps the placeholders gives the text"
    slots = data.draw(st.lists(st.integers(0, 9), max_size=12))
    output = " ".join(data.draw(st.permutations(words + [placeholder(i) for i in slots])))
    restored = restore(output, masked.spans).text
    assert all(span in restored for span in spans)
    assert restored.count("§") == 2 * len(spans), "each span exactly once (words hold no §)"


PIECES = ["a", "b", "w", "v", "s", "d", " ", ".", ",", ":", "-", "$", "~", "/", "\\", "@", "#", "%", "{", "}", "<",
          ">", "`", "1", "2", "٣", "www.", "http", "://", "⦅", "⦆", "x.com", "C:"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
def test_the_quick_look_for_span_characters_never_hides_a_span(text):
    """find_spans skips the rules where MAY_SPAN finds nothing: what the rules find must be the same."""
    assert [(s.start, s.end, s.kind) for s in find_spans(text)] == \
        [(m.start(), m.end(), m.lastgroup) for m in SPAN.finditer(text)]


@pytest.mark.parametrize("text, found", [
    ("Tom went to Paris with Anna.", ["Paris", "Anna"]),  # the first word of a sentence may be any word
    ("He left. Then Haman’s house burned", ["Haman"]),
    ("He said, “Unfortunately Bob is out”; (Sure) Ana: Yes", ["Bob", "Ana"]),  # quotations and clauses start sentences
    ("¿Dónde está María?", ["María"]),
    ("Mr. Johnson met Dr. Who and the U.S. Army. Then Ai.", ["Johnson", "Dr", "Who", "U", "S", "Army", "Ai"]),
    ("no capitals here", []),
])
def test_names_are_the_capitalized_words_that_do_not_start_a_sentence(text, found):
    assert [s.text for s in names(text)] == found and all(s.kind == "name" for s in names(text))


def test_only_names_the_model_does_not_know_are_masked_and_only_when_asked():
    text = "Then David met Haman at 10:30 in Berlin."
    known = frozenset({"then", "david", "met", "at", "in"})
    assert mask(text, 8).text == "Then David met Haman at ⦅0⦆ in Berlin."
    masked = mask(text, 8, known=known)
    assert masked == mask(text, 8, Terms(), known)
    assert masked.text == "Then David met ⦅0⦆ at ⦅1⦆ in ⦅2⦆." and masked.spans == ("Haman", "10:30", "Berlin")
    assert mask("Ask Haman", 8, Terms(glossary={"Haman": "Amán"}), known).spans == ("Amán",)  # the caller's first


def test_symbols_the_model_cannot_read_are_spans_and_only_when_asked():
    """An emoji (its parts joined), ©, &: each was one unknown subword, which the model dropped. Punctuation it
    cannot read stays text: "don't" keeps its apostrophe in the word (letters: unread, below)."""
    ascii_only = str.isascii
    text = "God 👨\u200d👩\u200d👧 is ♥ & love, don't ©2024"
    assert [s.text for s in symbols(text, ascii_only)] == ["👨\u200d👩\u200d👧", "♥", "©"]
    assert [s.text for s in symbols(text, lambda c: c.isascii() and c != "&")] == ["👨\u200d👩\u200d👧", "♥ &", "©"]
    assert mask("Love & peace 👍🏽.", 8).text == "Love & peace 👍🏽."
    assert [s.text for s in symbols("Great 😀 😀  😀 job ♥", ascii_only)] == ["😀 😀  😀", "♥"]  # one placeholder
    masked = mask("Love & peace 👍🏽.", 8, reads=lambda c: c.isalpha() or c in " .")
    assert masked.text == "Love ⦅0⦆ peace ⦅1⦆." and masked.spans == ("&", "👍🏽")


@pytest.mark.parametrize("text", ["5kg", "5кг", "5χλμ", "16GB", "16ГБ", "F-150", "Ту-154"])
def test_a_unit_or_code_is_one_span_in_any_script(text):
    assert [(s.text, s.kind) for s in find_spans(f"{text} now")] == [(text, "alphanumeric")]


@pytest.mark.parametrize("text", ["5 kg", "5 кг", "5 χλμ"])
def test_a_unit_spaced_from_its_number_is_a_word_to_translate_in_any_script(text):
    assert [(s.text, s.kind) for s in find_spans(text)] == [("5", "number")]


def test_words_with_a_letter_the_model_cannot_read_are_spans_whole():
    """Such a letter was one unknown subword, which the model dropped ("I met 李 today." -> "Yo os he enviado hoy
    hoy."); a word of a script written without spaces is only its unread characters."""
    latin = lambda c: c.isascii() or c in "我喜欢"  # noqa: E731
    assert [(s.text, s.kind) for s in find_spans("I met Zoë and 李 in Łódź, naïvely.", reads=latin)] == [
        ("Zoë", "unread"), ("李", "unread"), ("Łódź", "unread"), ("naïvely", "unread")]
    assert [s.text for s in find_spans("我喜欢李王和你", reads=latin)] == ["李王和你"]  # one run, one placeholder
    assert [s.text for s in find_spans("我喜欢李", reads=lambda c: c != "李")] == ["李"]
    assert [(s.text, s.kind) for s in find_spans("He said Привет мир.", known=frozenset(), reads=latin)] == [
        ("Привет", "name"), ("мир", "unread")]  # a name first, and the unread word beside it still found
    assert find_spans("Ask Zoë.", reads=lambda c: True) == []  # only when the model cannot read it


@pytest.mark.parametrize(("text", "words"), [
    ("Call my friend at +1 555 123 4567 today.", (0, 1, 2, 3, 4, 4, 4, 4, 5)),  # a span's words: one placeholder
    ("Press save now.", (0, 1, 2)),  # no span
    ("ab  c +1 555 12", (0, 1, 2, 2, 2)),  # spaces of any length
    ("Run `git commit -m` and (555) 123-4567.", (0, 1, 1, 1, 2, 3, 3)),
    ("Hello {name}s and {x} friend.", (0, 1, 3, 4, 5)),  # "{name}s", spaced for the model: its first piece's
])
def test_each_word_of_a_text_maps_to_the_word_of_its_masked_text_it_became(text, words):
    masked = mask(text, 8)
    assert word_map(text, masked) == words, masked.text


@pytest.mark.parametrize("text, spans", [
    ("我有345个苹果。", ["345"]),  # was the whole sentence, one alphanumeric span: carried untranslated
    ("我有３４５个苹果。", ["３４５"]),  # full-width digits
    ("请访问https://example.com了解更多。", ["https://example.com"]),  # was no span
    ("发邮件到test@example.com谢谢", ["test@example.com"]),  # was the whole text
    ("版本v1.2.3发布了，价格是3.5元", ["v1.2.3", "3.5"]),
    ("我在2024-01-05到了", ["2024-01-05"]),
    ("서울에서https://example.com에서", ["https://example.com"]),
    ("لدي ٣٤٥ تفاحة", ["٣٤٥"]),  # Arabic-Indic digits: a number, carried as written
    # Thai, Lao, Khmer, Myanmar: no spaces between words either
    ("ฉันมี345บาท", ["345"]),  # was the whole text, one alphanumeric span
    ("ฉันมี ๓๔๕ บาท", ["๓๔๕"]),  # Thai digits: a number
    ("กรุณาไปที่https://example.comเพื่อดู", ["https://example.com"]),  # was no span
    ("ສົ່ງອີເມວຫາtest@example.comແດ່", ["test@example.com"]),  # Lao; was the whole text
    ("ខ្ញុំមាន25ឆ្មា", ["25"]),  # Khmer
    ("ကျွန်တော်မှာ25ရှိတယ်", ["25"]),  # Myanmar
])
def test_spans_written_against_chinese_japanese_or_korean_are_spans_of_their_own(text, spans):
    assert [s.text for s in find_spans(text)] == spans


def test_a_span_against_chinese_is_not_glued_in_the_translation_and_chinese_terms_are_found():
    masked = mask("我有345个苹果。", 4)
    assert masked.text == "我有⦅0⦆个苹果。"
    assert restore("I have ⦅0⦆ apples.", masked.spans, masked.glued).text == "I have 345 apples."  # not "have345apples"
    glossary = Terms(keep=("Python",), glossary={"苹果": "apple"})
    assert [(s.text, s.kind) for s in find_spans("我喜欢Python和苹果", glossary)] == [("Python", "term"), ("苹果", "term")]
    assert [s.text for s in find_spans("我喜欢Python和JavaScript。Java也好", known=frozenset())] == [
        "Python", "JavaScript"]  # names against Chinese; after 。 a sentence starts


def test_a_span_against_thai_is_not_glued_in_the_translation_and_thai_terms_are_found():
    masked = mask("ฉันมี345บาท", 4)
    assert masked.text == "ฉันมี⦅0⦆บาท"
    assert restore("I have ⦅0⦆ baht.", masked.spans, masked.glued).text == "I have 345 baht."
    glossary = Terms(keep=("Python",), glossary={"แมว": "cat"})  # was neither: Thai letters were word characters
    assert [(s.text, s.kind) for s in find_spans("ฉันชอบPythonและแมวมาก", glossary)] == [("Python", "term"),
                                                                                      ("แมว", "term")]
    assert [s.text for s in find_spans("ฉันใช้Pythonทุกวัน", known=frozenset())] == ["Python"]  # a name against Thai
