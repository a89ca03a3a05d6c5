"""Markdown files through POST /translate_file (app/markdown.py): each block's text translated, its emphasis and
links around their words, its markers, code, front matter and link definitions kept. The toy model reverses its
input ("alpha beta" -> "BETA ALPHA")."""
from __future__ import annotations

from markdown_it import MarkdownIt
from service_fixtures import downloaded, upload

from nmt.app import markdown
from nmt.app.documents import read_document
from nmt.app.labels import Languages

SOURCE = """---
title: alpha
---
# alpha *beta*

alpha beta **gamma**
delta [eps](http://x.org/a "tau").

> mu nu
> xi

- alpha beta ![tau](a.png)
- gamma <b>delta</b>

| alpha | beta |
|-------|-----:|
| gamma | 50 |

```python
alpha = "beta"
```

mu nu
=====

[ref]: http://example.org
"""


def blocks(text: str) -> list[str]:
    """The block structure markdown-it reads: each block token's type, and a fence's or code block's content."""
    return [f"{t.type}:{t.content}" if t.type in ("fence", "code_block") else t.type
            for t in MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text) if t.type != "inline"]


def test_a_markdown_file_keeps_its_blocks_markers_code_and_links_and_translates_their_text(client):
    download = downloaded(client, "notes.md", SOURCE.encode())
    assert download.headers["content-type"] == "text/markdown; charset=utf-8"
    out = download.content.decode()
    assert blocks(out) == blocks(SOURCE), "every block as it was, a paragraph's two lines now one"
    lines = out.split("\n")
    assert lines[:3] == ["---", "title: alpha", "---"], "the front matter kept"
    assert lines[3].startswith("# ") and "*BETA*" in lines[3], lines[3]
    assert '](http://x.org/a "TAU' in out and "![TAU" in out and "](a.png)" in out and "<b>" in out, (
        "a link's title and a picture's alt translated, their destinations kept")
    assert "| 50 |" in out and '```python\nalpha = "beta"\n```' in out and out.endswith("[ref]: http://example.org\n")
    assert "> XI NU MU" in lines and "NU MU\n=====" in out, "a quotation's two lines one; a setext heading's rule kept"


def test_text_that_markdown_would_read_as_markup_is_escaped():
    assert markdown._markdown("1. a*b_c <em>d</em>") == r"1\. a\*b\_c *d*"
    assert markdown._markdown("# not a heading") == r"\# not a heading"
    assert markdown._markdown('see <code>x `y`</code> and <a href="h (1)">z</a>') == "see `` x `y` `` and [z](<h (1)>)"
    assert markdown._markdown("a <em> b </em> c <strong> </strong> d") == "a *b* c d", (
        '"* b *" is not emphasis, nor "** **" anything but two asterisks')
    assert markdown._markdown("AT&amp;T writes &amp;copy; and &amp;#38;") == "AT&T writes &amp;copy; and &amp;#38;", (
        "text that reads as an entity is not one")
    texts, render = markdown.cut("AT&T writes &amp;copy; and &#169;, ![&amp;amp; a\\*](p.png)\n")
    assert markdown.cut(render(texts))[0] == texts, "read again as it was"


def test_a_markdown_file_that_is_not_utf8_is_refused(client):
    answer = upload(client, "notes.md", "señor".encode("latin-1"))
    assert answer.status_code == 400 and answer.json()["error"] == "Invalid request: notes.md is not UTF-8 text (byte 2)"


def test_line_ends_a_byte_order_mark_and_a_tables_escaped_pipes_are_kept():
    source = "\ufeff# alpha\r\n\r\n| a \\| b | c |\r\n|---|---|\r\n| d | `e \\| f` |\r\n".encode()
    document = read_document("notes.md", source)
    assert document.texts == ["alpha", "a | b", "c", "d", "<code>e | f</code>"]
    assert document.render(document.texts, Languages("en", "es")) == source, "written again as it was"


def test_a_reference_link_goes_to_the_model_as_a_link_and_comes_back_an_inline_one():
    """[text][label] was sent as its characters, which the model translated or dropped, the link gone."""
    source = 'Read the [manual][man] and [the FAQ][].\n\n[man]: https://x.org/m "The manual"\n[the faq]: https://x.org/f\n'
    texts, render = markdown.cut(source)
    assert texts == ['Read the <a href="https://x.org/m" title="The manual">manual</a> and '
                     '<a href="https://x.org/f">the FAQ</a>.']
    assert render(texts) == source.replace("[manual][man]", '[manual](https://x.org/m "The manual")').replace(
        "[the FAQ][]", "[the FAQ](https://x.org/f)"), "the link definitions kept"
