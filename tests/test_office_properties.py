"""app/office.py on paragraphs generated from what Word writes in them (runs of text, breaks, tabs, hyphens,
hyperlinks, content controls, tracked insertions and deletions, fields, note and comment marks, bookmarks, text
boxes, equations, shapes, a deleted paragraph mark), from what PowerPoint writes in a slide's (formatted and linked
runs, line breaks, fields) and from what Excel writes in a shared string (formatted runs, lines, escapes, a phonetic
guide): whatever the mix, the paragraph's words are sent as one text, and the part written from the texts'
translations is well-formed, keeps every element that is kept whole exactly once, and says what the translations
say."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from nmt.app import office
from nmt.app.xmlparts import edited

NAMESPACES = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
DECLARED = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in
                    [*NAMESPACES.items(), ("r", "urn:r"), ("mc", "urn:mc"), ("wps", "urn:wps"), ("v", "urn:v"),
                     ("m", "urn:m")])
TAG = re.compile(r"<[^>]*>")

words = st.lists(st.sampled_from(["alpha", "beta", "gamma", "&amp;", "&lt;x&gt;", "delta"]), min_size=1, max_size=3)
texts = st.builds(lambda ws, lead, trail: lead + " ".join(ws) + trail, words, st.sampled_from(["", " "]),
                  st.sampled_from(["", " "]))
runs = st.one_of(
    st.builds(lambda t: f'<w:r><w:t xml:space="preserve">{t}</w:t></w:r>', texts),
    st.builds(lambda t: f'<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{t}</w:t></w:r>', texts),
    st.builds(lambda a, b, between: f"<w:r><w:t>{a.strip()}</w:t>{between}<w:t>{b.strip()}</w:t></w:r>", texts, texts,
              st.sampled_from(["<w:br/>", "<w:cr/>", "<w:tab/>", "<w:softHyphen/>", "<w:noBreakHyphen/>"])),
)
# kept whole where the translation puts them: each written once, with a number to tell them apart (a text box with
# its own paragraph translated)
kept = st.sampled_from([
    '<w:r><w:footnoteReference w:id="{k}"/></w:r>', '<w:commentRangeStart w:id="{k}"/>',
    '<w:commentRangeEnd w:id="{k}"/>', '<w:fldSimple w:instr=" PAGE {k} "><w:r><w:t>3</w:t></w:r></w:fldSimple>',
    '<w:del w:id="{k}" w:author="A"><w:r><w:delText>old</w:delText></w:r></w:del>', '<w:hyperlink w:anchor="a{k}"/>',
    '<w:r><w:drawing><wps:txbx><w:txbxContent><w:p><w:r><w:t xml:space="preserve">box {k}</w:t></w:r></w:p>'
    "</w:txbxContent></wps:txbx></w:drawing></w:r>",
    '<m:oMath><m:r><m:t>x{k}</m:t></m:r></m:oMath>',
    '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing/></mc:Choice><mc:Fallback><w:pict/></mc:Fallback>'
    '</mc:AlternateContent><!--{k}--></w:r>',
])
wrapper = st.sampled_from([
    '<w:hyperlink r:id="rId{k}">{}</w:hyperlink>', '<w:ins w:id="{k}" w:author="A">{}</w:ins>',
    '<w:sdt><w:sdtPr><w:id w:val="{k}"/></w:sdtPr><w:sdtContent>{}</w:sdtContent></w:sdt>',
    '<w:smartTag w:uri="u" w:element="e{k}"><w:smartTagPr/>{}</w:smartTag>',
])
marks = st.sampled_from(["<w:proofErr/>", '<w:bookmarkStart w:id="1" w:name="b"/>', '<w:bookmarkEnd w:id="1"/>'])
items = st.one_of(runs, runs, kept.map(lambda k: ("kept", k)), marks,
                  st.tuples(wrapper, st.lists(runs, min_size=1, max_size=2)))


PROPERTIES = '<w:pPr><w:jc w:val="left"/><w:rPr><w:del w:id="99" w:author="A"/></w:rPr></w:pPr>'  # a deleted mark


def written(chosen: list, properties: bool) -> tuple[str, list[str], int]:
    """A paragraph's content, the elements in it that are kept whole (each numbered apart), and how many texts it
    is: one for its words (if it has any: a run), one for each text box's."""
    body, whole, words = [PROPERTIES] if properties else [], [PROPERTIES] if properties else [], False
    for k, item in enumerate(chosen):
        if isinstance(item, tuple) and item[0] == "kept":
            whole.append(item[1].replace("{k}", str(k)))
            body.append(whole[-1])
        elif isinstance(item, tuple):
            body.append(item[0].replace("{k}", str(k)).replace("{}", "".join(item[1])))
            words = True
        else:
            body.append(item)
            words = words or item.startswith("<w:r>")
    return "".join(body), whole, words + sum("<w:txbxContent>" in element for element in whole)


def shown(paragraph: ET.Element) -> str:
    """The words a paragraph shows (not its text boxes'), its white space collapsed."""
    boxed = {id(t) for box in paragraph.iter(f"{{{NAMESPACES['w']}}}txbxContent") for t in box.iter()}
    text = "".join(t.text or "" for t in paragraph.iter(f"{{{NAMESPACES['w']}}}t") if id(t) not in boxed)
    return " ".join(text.replace("\u2011", "").split())


@settings(max_examples=300, deadline=None)
@given(st.lists(items, min_size=1, max_size=8), st.booleans(), st.booleans())
def test_any_word_paragraph_is_written_again_well_formed_with_what_it_kept(chosen, properties, upper):
    body, whole, count = written(chosen, properties)
    part = f'<w:document {DECLARED}><w:body><w:p>{body}</w:p></w:body></w:document>'.encode()
    cut = office.cut_part(part, office.WORD)
    assert len(cut.texts) == count, "the paragraph's words are one text, whatever they are in"
    # a translation that changes the words and keeps every tag where it was, as the HTML pipeline keeps them
    translations = [TAG.sub(lambda m: m[0].lower(), t.upper()) if upper else t for t in cut.texts]
    out = edited(part, cut.edits(translations)).decode()
    document = ET.fromstring(out)  # well-formed
    assert out.count('<w:del w:id="99"') == properties, "the paragraph mark's deletion stays a property"
    for element in whole:
        boxed = "<w:txbxContent>" in element and upper
        assert out.count(element.replace("box", "BOX") if boxed else element) == 1, element
    paragraph = document.find("w:body/w:p", NAMESPACES)
    source = shown(ET.fromstring(part).find("w:body/w:p", NAMESPACES))
    assert shown(paragraph).replace("\u2011", "") == (source.upper() if upper else source), (cut.texts, out)


# --- PowerPoint's (DrawingML's) paragraphs and Excel's strings -------------------------------------------------
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
slide_runs = st.one_of(
    st.builds(lambda t: f'<a:r><a:rPr lang="en-US"/><a:t>{t}</a:t></a:r>', texts),
    st.builds(lambda t: f'<a:r><a:rPr lang="en-US" b="1"/><a:t>{t}</a:t></a:r>', texts),
    st.builds(lambda t: f'<a:r><a:rPr lang="en-US"><a:hlinkClick r:id="rId1"/></a:rPr><a:t>{t}</a:t></a:r>', texts),
)
slide_kept = st.sampled_from(['<a:fld id="{{{k}}}" type="slidenum"><a:rPr lang="en-US"/><a:t>{k}</a:t></a:fld>',
                              '<a:br><a:rPr lang="en-US"/><!--{k}--></a:br>'])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(slide_runs, slide_runs, slide_kept.map(lambda k: ("kept", k))), min_size=1, max_size=8),
       st.booleans())
def test_any_slide_paragraph_is_written_again_well_formed_with_what_it_kept(chosen, upper):
    body, whole = ['<a:pPr algn="ctr"/>'], []
    for k, item in enumerate(chosen):
        body.append(item[1].replace("{k}", str(k)) if isinstance(item, tuple) else item)
        whole += [body[-1]] if isinstance(item, tuple) else []
    body.append('<a:endParaRPr lang="en-US"/>')
    part = (f'<p:sld xmlns:a="{A}" xmlns:p="urn:p" xmlns:r="urn:r"><p:txBody><a:p>{"".join(body)}</a:p></p:txBody>'
            "</p:sld>").encode()
    cut = office.cut_part(part, office.POWERPOINT)
    words = any(not isinstance(item, tuple) for item in chosen)
    assert len(cut.texts) == words, "the paragraph's words are one text"
    translations = [TAG.sub(lambda m: m[0].lower(), t.upper()) if upper else t for t in cut.texts]
    out = edited(part, cut.edits(translations)).decode()
    paragraph = ET.fromstring(out).find(f".//{{{A}}}p")  # well-formed
    for element in whole:
        assert out.count(element) == 1, element
    assert out.count('<a:pPr algn="ctr"/>') == 1 and out.count("<a:endParaRPr") == 1, "properties kept once"
    source = slide_lines(ET.fromstring(part).find(f".//{{{A}}}p"))
    assert slide_lines(paragraph) == [line.upper() if upper else line for line in source], (cut.texts, out)


def slide_lines(paragraph: ET.Element) -> list[str]:
    """The lines a slide's paragraph shows (not its fields'), their white space collapsed."""
    text = "".join("\n" if c.tag == f"{{{A}}}br" else "".join(t.text or "" for t in c.iter(f"{{{A}}}t"))
                   for c in paragraph if c.tag in (f"{{{A}}}r", f"{{{A}}}br"))
    return [" ".join(line.split()) for line in text.split("\n")]


cell_runs = st.one_of(
    st.builds(lambda t: f'<r><t xml:space="preserve">{t}</t></r>', texts),
    st.builds(lambda t: f'<r><rPr><b/><sz val="11"/></rPr><t xml:space="preserve">{t}</t></r>', texts),
    st.builds(lambda a, b: f'<r><t xml:space="preserve">{a}\n{b}</t></r>', texts, texts),  # Alt+Enter
    st.builds(lambda t: f'<r><t xml:space="preserve">{t}_x000D_</t></r>', texts),  # an escaped carriage return
)


@settings(max_examples=200, deadline=None)
@given(st.lists(cell_runs, min_size=1, max_size=5), st.booleans(), st.booleans())
def test_any_shared_string_is_written_again_well_formed_saying_what_the_translation_says(chosen, phonetic, upper):
    ruby = '<rPh sb="0" eb="1"><t>ア</t></rPh><phoneticPr fontId="1"/>' if phonetic else ""
    part = (f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1"><si>{"".join(chosen)}'
            f"{ruby}</si></sst>").encode()
    cut = office.cut_part(part, office.EXCEL)
    assert len(cut.texts) == 1, "the cell's text is one text, its lines parted by <br>"
    translations = [TAG.sub(lambda m: m[0].lower(), t.upper()) if upper else t for t in cut.texts]
    out = edited(part, cut.edits(translations)).decode()
    cell = ET.fromstring(out)[0]  # well-formed
    assert out.count("<rPh") == phonetic, "the phonetic guide kept as it was"
    shown = "".join(t.text or "" for r in cell.iter("{*}r") for t in r.iter("{*}t")) or "".join(
        t.text or "" for t in cell.findall("{*}t"))
    source = "".join(t.text or "" for r in ET.fromstring(part)[0].iter("{*}r") for t in r.iter("{*}t"))
    lines = [" ".join(line.replace("_x000D_", "\r").split()) for line in source.split("\n")]
    got = [" ".join(line.replace("_x000D_", "\r").split()) for line in shown.split("\n")]
    assert got == [line.upper() if upper else line for line in lines], (cut.texts, out)
