"""app/office.py on Word paragraphs generated from what Word writes in them (runs of text, breaks, tabs, hyphens,
hyperlinks, content controls, tracked insertions and deletions, fields, note and comment marks, bookmarks, text
boxes, equations, shapes, a deleted paragraph mark): whatever the mix, the paragraph's words are sent as one text, and the part
written from the texts' translations is well-formed, keeps every element that is kept whole exactly once, and says
what the translations say."""
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
