"""HTML translation (model/html.py, app/routes/html.py) and verbatim strings (dnt) in the service.

The toy models tell what happened: en -> es reverses and upper-cases ("alpha beta" -> "BETA ALPHA"); the
placeholder-aware one (4 placeholders, barely fine-tuned) drops most placeholders, which restore() puts back at the
end of the sentence, in order."""
from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families
from service_fixtures import client_for, running_server

from nmt.model.html import BLOCK, InvalidHtml, marker, parse
from nmt.model.html_passes import translate_html
from nmt.model.translator import Translator

WORDS = ["alpha", "beta", "gamma", "delta", "eps", "tau", "mu"]
INLINE = [("<b>", "</b>"), ("<i>", "</i>"), ('<a href="https://x.org/?a=1&amp;b=2" title="1 2">', "</a>"),
          ("<span class='c'>", "</span>"), ("<EM>", "</EM>")]


class Events(HTMLParser):
    """A document's tags as (kind, name, exact source text), by the standard parser, independently of model/html.py."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, str, str]] = []
        self.attributes: list[tuple[str, list]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(("start", tag, self.get_starttag_text() or ""))
        self.attributes.append((tag, attrs))

    def handle_endtag(self, tag):
        self.tags.append(("end", tag, ""))

    def values(self) -> list[tuple[str, list]]:
        """Each start tag's name and attributes, as the parser reads them."""
        return self.attributes


def nested(html: str) -> bool:
    """Every end tag closes the innermost open element (the generated inputs are all like this)."""
    stack: list[str] = []
    for kind, name, _ in Events(html).tags:
        if kind == "start":
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


def tag_multiset(html: str) -> Counter:
    return Counter(Events(html).tags)


def blocks(html: str) -> list[tuple[str, str, str]]:
    return [tag for tag in Events(html).tags if tag[1] in BLOCK]


# --- generated documents -----------------------------------------------------------------------------------
words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
inline = st.recursive(words, lambda inner: st.tuples(st.sampled_from(INLINE), st.lists(inner, min_size=1, max_size=3))
                      .map(lambda t: t[0][0] + " ".join(t[1]) + t[0][1]), max_leaves=5)
content = st.lists(inline, min_size=1, max_size=3).map(" ".join)
kept = content.map(lambda c: f'<div translate="no">{c}</div>') | content.map(lambda c: f'<p class="x notranslate">{c}</p>')
block = st.tuples(st.sampled_from(["p", "li", "h2", "td"]), content).map(lambda t: f"<{t[0]}>{t[1]}</{t[0]}>") | kept
space = st.sampled_from(["", "\n", "\n\n  ", " "])
documents = st.lists(st.tuples(space, block), min_size=1, max_size=3).map(lambda bs: "".join(s + b for s, b in bs) + "\n")


def reversed_words(text: str) -> str:
    """A stand-in translation that moves the markers about: each whitespace-separated chunk, in reverse order."""
    return " ".join(reversed(text.split()))


# --- model/html.py -------------------------------------------------------------------------------------------
@given(st.lists(st.sampled_from(list("ab <>/&;#!-=\"'\n\r\tñ€") + ["<b>", "</b>", "<p>", "<br>", "&amp;", "<!--", "-->"]))
       .map("".join))
@settings(max_examples=300, deadline=None)
def test_any_input_is_kept_byte_for_byte_outside_the_text(source):
    document = parse(source)
    assert document.render([run.raw for run in document.runs]) == source


attribute_value = st.lists(st.sampled_from(list("ab \"'=<>&;/\tñ") + ["&amp;", "&quot;", "title=", "alt="]),
                           max_size=8).map("".join)
quoting = st.sampled_from(['"{}"', "'{}'", "{}"])
attribute = st.tuples(st.sampled_from(["alt", "title", "TITLE", "href", "data-alt", "aria-label", "value"]), quoting,
                      attribute_value).map(lambda t: f"{t[0]}={t[1].format(t[2])}")
tag = st.tuples(st.sampled_from(["p", "img", "input", "a"]), st.lists(attribute, max_size=3),
                st.sampled_from(["", "/"])).map(lambda t: f"<{t[0]} {' '.join(t[1])}{t[2]}>alpha")


@given(st.lists(tag, min_size=1, max_size=3).map("".join))
@settings(max_examples=300, deadline=None)
def test_labels_written_back_as_they_were_read_leave_every_other_byte_and_every_value_as_the_parser_reads_it(source):
    document = parse(source)
    labels = document.labels
    document.relabel(labels)
    out = document.render([run.raw for run in document.runs])
    assert parse(out).labels == labels and Events(out).values() == Events(source).values()
    if not labels:
        assert out == source


@given(documents)
@settings(max_examples=200, deadline=None)
def test_a_translation_that_changes_nothing_gives_the_document_back(source):
    document = parse(source)
    assert document.render([run.fill(run.text() or "") or "" for run in document.runs]) == source
    assert document.render([run.fill_pieces(run.pieces) for run in document.runs]) == source


@given(documents)
@settings(max_examples=200, deadline=None)
def test_reordered_markers_are_accepted_only_nested_and_the_fallback_keeps_every_tag(source):
    document = parse(source)
    filled = [run.fill(reversed_words(run.text() or "")) for run in document.runs]
    out = document.render([html if html is not None else run.fill_pieces([p.upper() for p in run.pieces])
                           for html, run in zip(filled, document.runs, strict=True)])
    assert nested(out) and tag_multiset(out) == tag_multiset(source) and blocks(out) == blocks(source)


def test_blocks_are_runs_and_kept_elements_stay_out_of_the_model():
    source = ('<!DOCTYPE html>\n<html><head><title>alpha</title><style>p {}</style></head>\n<body>\n'
              '  <p>beta <b>gamma</b> <a href="x">delta</a> &amp; eps</p>\n'
              '<div translate="no">tau <b>mu</b></div>\n<pre> keep  me </pre>\n'
              '<p>run <code>ls -la</code> and <span class="notranslate">Brand</span>.</p>\n'
              '<script>if (a < b) {}</script>\n</body></html>\n')
    document = parse(source)
    assert [run.text() for run in document.runs] == [
        "alpha", f"beta {marker(0)}gamma{marker(1)} {marker(2)}delta{marker(3)} & eps", f"run {marker(0)} and {marker(1)}."]
    last = document.runs[2]
    assert [last.items[i].raw for i in last.marked] == ["<code>ls -la</code>", '<span class="notranslate">Brand</span>']


def test_fill_takes_reordered_tags_but_not_lost_repeated_or_crossed_ones():
    [run] = parse("<p>alpha <b>beta</b> <i>gamma</i></p>").runs
    b, end_b, i, end_i = (marker(k) for k in range(4))
    assert run.fill(f"{i}GAMMA{end_i} & {b}BETA{end_b} <ALPHA>") == "<i>GAMMA</i> &amp; <b>BETA</b> &lt;ALPHA&gt;"
    assert run.fill(f"{b}BETA{end_b} {i}GAMMA") is None, "a tag lost"
    assert run.fill(f"{b}{b}BETA{end_b} {i}GAMMA{end_i}") is None, "a tag twice"
    assert run.fill(f"{end_b}BETA{b} {i}GAMMA{end_i}") is None, "closed before it opens"
    assert run.fill(f"{b}BETA {i}GAMMA{end_b}{end_i}") is None, "crossed"
    assert run.fill_pieces(["ALPHA ", "BETA", "GAMMA"]) == "ALPHA <b>BETA</b> <i>GAMMA</i>"


def test_aligned_pairs_hold_the_words_their_words_went_to():
    [run] = parse("<p>alpha <b>beta gamma</b> delta</p>").runs
    assert run.alignable and run.plain_text() == "alpha beta gamma delta" and run.word_ranges() == {1: (1, 3)}
    assert run.fill_aligned("DELTA GAMMA BETA ALPHA", [3, 2, 1, 0]) == "DELTA <b>GAMMA BETA</b> ALPHA"
    assert run.fill_aligned("DELTA X GAMMA BETA", [-1, 3, 1, 0]) == "DELTA <b>X GAMMA BETA</b>", "and the words between"
    assert run.fill_aligned("DELTA GAMMA BETA ALPHA", [3, -1, -1, 0]) is None, "the pair's words went nowhere"
    assert run.fill_aligned("DELTA GAMMA", [1, 0, 1]) is None, "not the run's words"
    [nested] = parse("<p><a href='x'>alpha <b>beta</b></a> gamma</p>").runs
    assert nested.fill_aligned("GAMMA ALPHA BETA", [1, 2, 0]) == "GAMMA <a href='x'>ALPHA <b>BETA</b></a>"
    assert nested.fill_aligned("GAMMA ALPHA", [1, 1, 0]) == "GAMMA <a href='x'><b>ALPHA</b></a>"
    [apart] = parse("<p><b>alpha</b> <i>beta</i> gamma</p>").runs
    assert apart.fill_aligned("BETA ALPHA GAMMA", [1, 0, 2]) == "<i>BETA</i> <b>ALPHA</b> GAMMA"
    assert apart.fill_aligned("ALPHABETA GAMMA", [0, 0, 1]) is None, "pairs apart in the source would overlap"


def test_aligned_pairs_keep_out_of_the_punctuation_their_words_had_not_and_hold_a_whole_run_whole():
    [run] = parse("<p> <b>alpha</b> beta </p>").runs
    assert run.fill_aligned(" BETA ¿ALPHA?! ", [1, 0]) == " BETA ¿<b>ALPHA</b>?! "
    [run] = parse("<p><b>«alpha».</b> beta</p>").runs
    assert run.fill_aligned("BETA «ALPHA».", [1, 0]) == "BETA <b>«ALPHA».</b>"
    [run] = parse("<p><a href='x'><b>alpha.</b> beta</a></p>").runs
    assert run.fill_aligned("X.", [0, 0]) == "<a href='x'><b>X.</b></a>", "outside the inner pair's: outside too"
    [run] = parse("<p><i>alpha beta gamma</i></p>").runs
    assert run.fill_aligned("GAMMA BETA ALPHA", [0, 0, 0]) == "<i>GAMMA BETA ALPHA</i>"
    [run] = parse("<p>alpha <b>beta</b>, gamma</p>").runs
    assert run.enclosed() == {1: "beta"}
    assert run.fill_aligned("GAMMA BETA, ALPHA", [2, 1, 0]) == "GAMMA <b>BETA</b>, ALPHA", "the comma was outside"


def test_a_no_break_space_beside_a_pair_stays_beside_it():
    [run] = parse("<p><sup>1</sup>&#160;alpha beta</p>").runs
    assert run.fill_aligned("1 BETA ALPHA", [0, 2, 1]) == "<sup>1</sup>&nbsp;BETA ALPHA"
    assert run.fill_aligned("BETA ALPHA 1", [2, 1, 0]) == "BETA ALPHA <sup>1</sup>", "none after the last word"
    [run] = parse("<p>alpha\xa0<b>beta</b> gamma</p>").runs
    assert run.fill_aligned("GAMMA ALPHA BETA", [1, 2, 0]) == "GAMMA ALPHA&nbsp;<b>BETA</b>"


@pytest.mark.parametrize("source", ["<p>alpha <code>x</code></p>", "<p>alpha</b> beta</p>", "<p>alpha beta</p>"])
def test_runs_with_a_kept_element_or_a_tag_the_source_leaves_unpaired_are_not_aligned(source):
    [run] = parse(source).runs
    assert not run.alignable


def test_an_element_without_content_goes_after_the_word_it_followed_spaced_as_it_was():
    [run] = parse('<p>alpha <img src="x.png"> beta <b>gamma<br>delta</b>.<wbr></p>').runs
    assert run.alignable and run.plain_text() == "alpha beta gamma delta.", "a <br> parts two words"
    assert run.anchors() == {1: (0, True), 5: (2, False), 9: (3, False)} and run.word_ranges() == {3: (2, 4)}
    assert run.fill_aligned("DELTA GAMMA. BETA ALPHA", [3, 2, 1, 0]) == (
        '<b>DELTA<wbr> GAMMA</b>.<br> BETA ALPHA <img src="x.png">')
    [run] = parse('<p><img src="x.png"> alpha</p>').runs
    assert run.fill_aligned("ALPHA", [0]) == '<img src="x.png"> ALPHA'


def test_tags_the_source_leaves_unpaired_may_go_anywhere():
    [run] = parse("<p>alpha <b>beta</p>").runs  # an unclosed <b>
    assert run.pairs == {} and run.fill(f"BETA ALPHA{marker(0)}") == "BETA ALPHA<b>"
    [run] = parse("<p>alpha</b> <i>beta</i></p>").runs  # a stray </b>
    assert run.pairs == {3: 5} and run.fill(f"{marker(1)}BETA{marker(2)} {marker(0)}ALPHA") is not None


def test_a_tag_against_a_word_is_spaced_from_it_for_the_model_and_put_back_against_it():
    """The model reads "⦅0⦆love" as a placeholder and a piece of a word: it dropped the word ("God is <b>love and
    peace" came back "Dios es <b> y paz.")."""
    [run] = parse("<p>God is <b>love and peace</p>").runs  # an unclosed <b>: the marked pass
    assert run.spaced_text() == f"God is {marker(0)} love and peace"
    assert run.fill(f"DIOS ES {marker(0)} AMOR Y PAZ") == "DIOS ES <b>AMOR Y PAZ"
    [run] = parse("<p>(<i>alpha</b>) <b>beta</b></p>").runs  # a stray </b>; spaces where the source has them kept
    b, end_b, i, end_i = marker(0), marker(1), marker(2), marker(3)
    assert run.spaced_text() == f"({b} alpha {end_b}) {i} beta {end_i}"
    assert run.fill(f"{i} BETA {end_i} ( {b} ALPHA {end_b} )") == "<b>BETA</b> (<i>ALPHA</b>)"


def test_a_word_against_a_tag_is_translated_by_the_shipped_model():
    translated = translate_html(Translator.load(device="cpu"), ["God is <b>love and peace.", "<i>God is love."])
    out = [t.text for t in translated]
    assert out == ["Dios es <b>amor y paz.", "<i>Dios es amor."]  # were "Dios es <b> y paz.", "<i> Dios es amor."


def test_a_kept_element_that_ended_the_source_unfinished_stays_at_the_end():
    """html.parser reads '<![foo' as text only at the end of its input: moved before the text, the kept element
    would make the answer unreadable HTML."""
    [run] = parse(". alpha <span translate=no> <b> <![foo ").runs
    assert run.fill(f"ALPHA . {marker(0)}") == "ALPHA . <span translate=no> <b> <![foo "
    assert run.fill(f"{marker(0)} ALPHA .") is None


def test_entities_come_back_as_characters_or_valid_entities():
    [run] = parse("<p>Tom &amp; Jerry &lt;3 &#169;&nbsp;&copy x</p>").runs
    assert run.text() == "Tom & Jerry <3 ©\xa0© x"
    assert run.fill(run.text() or "") == "Tom &amp; Jerry &lt;3 ©&nbsp;© x"


def test_text_that_holds_marker_characters_is_translated_piece_by_piece():
    [run] = parse(f"<p>alpha{marker(0)} <b>beta</b></p>").runs
    assert run.text() is None and run.pieces == [f"alpha{marker(0)} ", "beta"]


def test_an_input_the_parser_refuses_is_invalid_html():
    with pytest.raises(InvalidHtml, match="marked section"):
        parse("<![foo bar")


def test_a_line_break_outside_the_inline_elements_ends_a_line_and_each_line_is_a_run():
    document = parse("<p>alpha <b>beta</b><br>\ngamma<br/></p><p><i>delta<br>eps</i> tau</p>")
    assert [run.raw for run in document.runs] == ["alpha <b>beta</b>", "\ngamma", "<i>delta<br>eps</i> tau"]
    assert [part for part in document.parts if isinstance(part, str)] == ["<p>", "<br>", "<br/>", "</p>", "<p>", "</p>"]


# --- the service, in process ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def placeholders(placeholder_model):
    with client_for(Translator.load(placeholder_model, "cpu")) as client:
        yield client


@pytest.fixture(scope="module")
def plain(toy_model):
    with client_for(Translator.load(toy_model, "cpu")) as client:
        yield client


def native(client, **body) -> httpx.Response:
    return client.post("/v1/translate", json=body)


def html_of(client, text, **body) -> str:
    answer = native(client, text=text, format="html", **body)
    assert answer.status_code == 200, answer.text
    return answer.json()["translations"][0]["text"]


def metric(client_or_url, name: str, **labels: str) -> float:
    text = client_or_url.get("/metrics").text if not isinstance(client_or_url, str) else httpx.get(
        f"{client_or_url}/metrics").text
    return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
               if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))


@settings(max_examples=25, deadline=None)
@given(source=documents)
def test_generated_documents_keep_every_tag_nested_and_kept_blocks_verbatim(placeholders, source):
    out = html_of(placeholders, source)
    assert nested(out) and tag_multiset(out) == tag_multiset(source) and blocks(out) == blocks(source)
    for run in parse(source).parts:
        if isinstance(run, str) and ("translate" in run or "notranslate" in run):
            assert run in out, "a kept block, verbatim"


def test_html_on_both_apis_with_the_placeholder_model(placeholders):
    source = '<p>alpha <a href="x?a=1&amp;b=2">beta</a> gamma</p>\n\n  <div translate="no">tau mu</div>\n'
    out = html_of(placeholders, source)
    assert out.startswith("<p>") and out.endswith('</p>\n\n  <div translate="no">tau mu</div>\n')
    assert out.count('<a href="x?a=1&amp;b=2">') == 1 and out.count("</a>") == 1 and "GAMMA" in out
    answer = placeholders.post("/translate", json={"q": [source, "<b>alpha</b>"], "source": "en", "target": "es",
                                                   "format": "html"})
    assert answer.status_code == 200 and answer.json()["translatedText"][0] == out
    assert answer.json()["translatedText"][1].count("<b>") == 1


def test_a_model_without_placeholders_translates_each_text_piece_around_a_tag_that_is_not_paired(plain, translator):
    before = metric(plain, "nmt_html_fallbacks_total", reason="model")
    out = html_of(plain, '<ul>\n  <li>alpha beta <code>x</code> eps tau.</li>\n  <li>tau mu</li>\n</ul>')
    pieces = [t.text for t in translator.translate(["alpha beta ", " eps tau.", "tau mu"])]
    assert pieces[0] == "BETA ALPHA " and pieces[2] == "MU TAU"
    assert out == '<ul>\n  <li>{}<code>x</code>{}</li>\n  <li>{}</li>\n</ul>'.format(*pieces)
    assert metric(plain, "nmt_html_fallbacks_total", reason="model") == before + 1, "the block with a tag only"


def test_lines_broken_by_br_are_translated_apart(placeholders):
    """As one text, the <br>'s marker would come back wherever the model put it (this model drops it, and
    restore() puts it at the end)."""
    lines = [html_of(placeholders, line) for line in ("alpha beta", "gamma delta.")]
    assert html_of(placeholders, "<p>alpha beta<br>gamma delta.</p>") == "<p>{}<br>{}</p>".format(*lines)


def test_an_image_goes_after_the_word_it_followed_in_the_whole_translation(plain, translator):
    before = metric(plain, "nmt_html_fallbacks_total")
    out = html_of(plain, '<p>alpha beta <img src="x.png"> gamma delta</p>')
    [whole] = translator.translate(["alpha beta gamma delta"])
    assert whole.text == "DELTA GAMMA BETA ALPHA" and out == '<p>DELTA GAMMA BETA <img src="x.png"> ALPHA</p>'
    assert metric(plain, "nmt_html_fallbacks_total") == before


def test_paired_tags_go_around_the_words_they_held_translated_with_the_whole_text(plain, translator):
    before = metric(plain, "nmt_html_unaligned_total")
    out = html_of(plain, "<ul>\n  <li>alpha beta <b>gamma delta</b> eps tau</li>\n</ul>")
    [whole] = translator.translate(["alpha beta gamma delta eps tau"])
    assert whole.text == "TAU EPS DELTA GAMMA BETA ALPHA", "the toy model reverses"
    assert out == "<ul>\n  <li>TAU EPS <b>DELTA GAMMA</b> BETA ALPHA</li>\n</ul>"
    assert metric(plain, "nmt_html_unaligned_total") == before


def test_a_run_written_as_spans_keeps_its_common_formatting_around_the_rest(plain):
    """Word processors write each stretch of text as a span of its formatting: the same span on either side of
    another would cross it if placed by the attention; it goes around the text outside the other spans instead."""
    before = metric(plain, "nmt_html_unaligned_total")
    source = '<p><span class="c1">alpha beta </span><span class="c2">gamma</span><span class="c1"> delta eps</span></p>'
    assert html_of(plain, source) == (
        '<p><span class="c1">EPS DELTA</span> <span class="c2">GAMMA</span> <span class="c1">BETA ALPHA</span></p>')
    assert metric(plain, "nmt_html_unaligned_total") == before
    [run] = parse(source).runs
    assert run.common_pairs() == {0, 6}
    [run] = parse("<p><b>alpha</b> <i>beta gamma</i></p>").runs
    assert run.common_pairs() == set(), "one of each: each placed by the attention"


def test_pairs_that_hold_the_whole_run_need_no_attention():
    """A link around a whole line (a table of contents' entry) goes around its whole translation, even where the
    attention cannot tell where its words went (targets None, or a word that went nowhere)."""
    [run] = parse('<p><a href="#h1"><b>alpha beta.</b></a></p>').runs
    assert run.fill_aligned("GAMMA DELTA.", None) == '<a href="#h1"><b>GAMMA DELTA.</b></a>'
    assert run.fill_aligned("GAMMA DELTA.", [-1, -1]) == '<a href="#h1"><b>GAMMA DELTA.</b></a>'
    [run] = parse('<p><a href="#h1">alpha beta</a></p>').runs
    assert run.fill_aligned("«GAMMA DELTA.»", [1, 0]) == '<a href="#h1">«GAMMA DELTA.»</a>', (
        "the punctuation the translation adds is the line's too")
    [run] = parse('<p><a href="#h1">alpha</a> beta.</p>').runs
    assert run.fill_aligned("GAMMA DELTA.", None) is None, "a pair that holds part of the run needs the attention"
    [run] = parse('<p><a href="#h1">alpha beta.</a><img src="x.png"></p>').runs
    assert run.fill_aligned("GAMMA DELTA.", None) is None, "so does an element without content"


def test_a_pair_beside_a_no_break_space_goes_around_its_own_word(plain):
    """A no-break space glues words in HTML but parts them for the model (its subwords): the words are counted as
    the model counts them, or the pair would go the placeholder way ("<sup>1</sup>&nbsp;In the beginning…")."""
    before = metric(plain, "nmt_html_unaligned_total")
    assert html_of(plain, "<p><b>alpha</b>&nbsp;beta gamma</p>") == "<p>GAMMA BETA <b>ALPHA</b></p>"
    assert metric(plain, "nmt_html_unaligned_total") == before


def test_whitespace_between_inline_and_block_elements_is_kept(plain):
    source = "\n <p> <b>alpha beta</b> <i>gamma delta</i>\n</p>\n\n\t<p>tau mu&nbsp;</p> "
    assert html_of(plain, source) == "\n <p> <i>DELTA GAMMA</i> <b>BETA ALPHA</b>\n</p>\n\n\t<p>MU TAU&nbsp;</p> "


def test_what_a_reader_sees_of_a_tag_is_translated_and_nothing_else_of_it(plain, translator):
    """alt, title, placeholder, aria-label, a button's value, an option's label: translated in place, escaped for
    its quotes, in block and inline tags and in a line without text; the other attributes, a field's value, and
    the tags of an element kept (translate="no", <code>) stay as written."""
    source = ("<div title='alpha beta'><p>gamma <img src=x.png alt=delta> <a href=\"u\" title=\"eps &amp; tau\">mu</a>"
              '</p><p><img alt="alpha"></p><input type=submit value="beta gamma"> <input value="tau mu">'
              '<select><option label="delta eps">x</option></select><input placeholder="mu" aria-label=\'alpha "beta"\'>'
              '<p translate="no" title="tau">alpha</p><code title="mu">x</code><i title=" 12 ">gamma</i></p></div>')
    labels = ["alpha beta", "delta", "eps & tau", "alpha", "beta gamma", "delta eps", "mu", 'alpha "beta"']
    assert parse(source).labels == labels
    *t, gamma = [translated.text for translated in translator.translate([*labels, "gamma"])]
    assert t[0] == "BETA ALPHA", "the toy model reverses"
    out = html_of(plain, source)
    assert out.startswith(f"<div title='{t[0]}'><p>") and f' alt="{t[1]}">' in out and f'title="{t[2]}"' in out
    assert f'<p><img alt="{t[3]}"></p><input type=submit value="{t[4]}"> <input value="tau mu">' in out
    assert f'label="{t[5]}"' in out and f"placeholder=\"{t[6]}\" aria-label='{t[7]}'>" in out
    assert out.endswith('<p translate="no" title="tau">alpha</p><code title="mu">x</code>'
                        f'<i title=" 12 ">{gamma}</i></p></div>')
    assert sorted(parse(out).labels) == sorted(t), "each value read back as the parser reads it"
    document = parse("<p title='x' alt=y>")
    document.relabel(['a "b\' & c', "d e"])
    assert document.render([]) == "<p title='a &quot;b&#x27; &amp; c' alt=\"d e\">", (
        "quotes escaped; a value without quotes given them")


def test_a_name_written_twice_keeps_its_values():
    """The parser reads the last of the two, a browser the first: neither is guessed at."""
    assert parse('<p title="alpha" title="beta">gamma</p>').labels == []
    assert parse('<p data-x=\'title="tau"\' title="mu">gamma</p>').labels == ["mu"], "a name inside a value is no name"
    assert parse('<img src="a.png" alt="IMG_0042.jpg"><img alt="photo.PNG "><img alt="a.png b">').labels == ["a.png b"], (
        "a picture's file name, as tools write it for alt text, is no words")



def test_a_pages_description_is_translated_and_its_other_meta_kept():
    head = ('<head><meta charset="utf-8"><meta name="description" content="alpha beta"><meta property="og:title" '
            'content="gamma"><meta name="viewport" content="width=device-width"><meta http-equiv="refresh" '
            'content="5; url=next.html"><meta name="author" content="Tau Mu"><title>delta</title></head>')
    assert parse(head).labels == ["alpha beta", "gamma"]


def test_entities_stay_valid(plain):
    out = html_of(plain, "<p>alpha &amp; beta &lt;gamma&gt;</p>")
    assert Events(out).tags == [("start", "p", "<p>"), ("end", "p", "")] and "&" not in out.replace("&amp;", "").replace(
        "&lt;", "").replace("&gt;", "")


def test_too_many_tags_for_the_placeholders_falls_back_and_is_counted(placeholders):
    before = metric(placeholders, "nmt_html_fallbacks_total", reason="tags")
    source = "<p><b>alpha</b> <i>beta</i> <em>gamma</em> <code>x</code></p>"  # 7 markers, 4 placeholders; kept: not aligned
    out = html_of(placeholders, source)
    assert out.startswith("<p><b>") and out.endswith("</em> <code>x</code></p>") and tag_multiset(out) == tag_multiset(source)
    assert metric(placeholders, "nmt_html_fallbacks_total", reason="tags") == before + 1


@pytest.mark.parametrize("source", ["<p>alpha <b>beta</p><p>gamma", "alpha</b> beta</i>", "alpha < beta <",
                                    "<p><b><i>alpha</b></i> beta", "<a href='x", "<!-- alpha", "</>alpha<p"])
def test_malformed_html_is_translated_with_its_markup_kept(placeholders, plain, source):
    for client in (placeholders, plain):
        out = html_of(client, source)
        assert tag_multiset(out) == tag_multiset(source)


junk = st.lists(st.sampled_from(WORDS + ["<p>", "</p>", "<b>", "</b>", "<i ", ">", "<", "&", "&amp;", "&#xZZ;", "<!--",
                                         "-->", '"', "<br/>", "</", "<![foo ", "<pre>", "<span translate=no>", "\n", "."]),
                max_size=12).map(" ".join)


@settings(max_examples=30, deadline=None)
@given(source=junk)
def test_any_junk_is_translated_or_refused_clearly_never_a_500(placeholders, source):
    answer = native(placeholders, text=source, format="html")
    assert answer.status_code in (200, 400), answer.text
    if answer.status_code == 200:
        assert tag_multiset(answer.json()["translations"][0]["text"]) == tag_multiset(source)
    else:
        assert "is not HTML" in answer.json()["error"]


def test_html_the_parser_refuses_is_400_and_invalid_unicode_422(plain):
    answer = native(plain, text="<![foo alpha", format="html")
    assert answer.status_code == 400 and "text 0 is not HTML" in answer.json()["error"]
    answer = plain.post("/v1/translate", content=b'{"text": ["<p>alpha</p>", "<p>x</p><p>\\ud800</p>"], "format": "html"}',
                        headers={"content-type": "application/json"})
    assert answer.status_code == 422 and "text 1 is not valid Unicode" in answer.json()["error"]


def test_html_requests_refuse_nbest_attention_and_alternatives(plain):
    assert native(plain, text="<b>alpha</b>", format="html", nbest=2).status_code == 422
    answer = plain.post("/translate", json={"q": "<b>alpha</b>", "source": "en", "target": "es", "format": "html",
                                            "alternatives": 2})
    assert answer.status_code == 400 and "alternatives" in answer.json()["error"]


def test_html_scores_are_given_when_asked(plain):
    answer = native(plain, text="<p>alpha <b>beta</b></p>", format="html", return_scores=True).json()
    assert answer["translations"][0]["score"] < 0


# --- dnt ---------------------------------------------------------------------------------------------------
def test_dnt_strings_come_back_verbatim(placeholders):
    # The toy model writes upper case, so a lower-case "beta" in its output can only be the restored term.
    [free] = [t["text"] for t in native(placeholders, text="alpha beta gamma").json()["translations"]]
    [out] = [t["text"] for t in native(placeholders, text="alpha beta gamma", dnt=["beta"]).json()["translations"]]
    assert "beta" not in free and out.count("beta") == 1
    assert html_of(placeholders, "<p>alpha <b>beta</b> gamma</p>", dnt=["gamma"]).count("gamma") == 1


def test_dnt_for_a_model_without_placeholders_is_400(plain):
    answer = native(plain, text="alpha beta", dnt=["beta"])
    assert answer.status_code == 400 and "no placeholders" in answer.json()["error"]
    assert native(plain, text="alpha beta", dnt=[]).status_code == 200


@pytest.mark.parametrize("dnt, message", [
    (["x"] * 257, "body.dnt: List should have at most 256 items"),
    ([""], "body.dnt.0: String should have at least 1 character"),
    (["alpha", "x" * 1001], "dnt entry 1 is 1001 characters; the limit is 1000"),
])
def test_unusable_dnt_lists_are_422(placeholders, dnt, message):
    answer = native(placeholders, text="alpha", dnt=dnt)
    assert answer.status_code == 422 and message in answer.json()["error"]


def test_span_repairs_are_counted(placeholders):
    before = metric(placeholders, "nmt_span_repairs_total")
    native(placeholders, text="alpha beta gamma delta eps", dnt=["alpha", "gamma", "eps"])
    assert metric(placeholders, "nmt_span_repairs_total") > before  # this model drops most placeholders


# --- a real server ---------------------------------------------------------------------------------------
def test_html_and_dnt_through_a_real_server(placeholder_model):
    source = ('<p>alpha <b>beta</b> <span translate="no">tau mu</span></p>\n'
              '<p><b>alpha</b> <i>beta</i> <em>mu</em> <code>x</code></p>')  # 7 markers, 4 placeholders: a fallback
    with running_server(placeholder_model) as url:
        answer = httpx.post(f"{url}/translate", data={"q": source, "source": "en", "target": "es", "format": "html"})
        out = answer.json()["translatedText"]
        assert tag_multiset(out) == tag_multiset(source) and nested(out) and '<span translate="no">tau mu</span>' in out
        answer = httpx.post(f"{url}/v1/translate", json={"text": "alpha beta gamma", "dnt": ["beta"]})
        assert answer.json()["translations"][0]["text"].count("beta") == 1
        assert httpx.post(f"{url}/v1/translate", json={"text": "<![foo alpha", "format": "html"}).status_code == 400
        # the 7 markers' block, at least (whether this barely trained model carries the first block's 3 depends on
        # the machine it was trained on)
        assert metric(url, "nmt_span_repairs_total") > 0 and metric(url, "nmt_html_fallbacks_total", reason="tags") >= 1
