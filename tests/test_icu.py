"""app/icu.py: an ICU message's plural and select branches translated apart, its argument, keywords and selectors
kept as written, so that the translation still formats."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nmt.app import icu

PLURAL = "You have {count, plural, =0{no file} one{# file} other{# files named {name}}} here."


def test_each_branch_and_each_text_outside_the_choice_is_a_text_of_its_own():
    texts, render = icu.cut(PLURAL)
    assert texts == ["You have ", "no file", "# file", "# files named {name}", " here."]
    assert render(["Tienes", "ningún archivo", "# archivo", "# archivos llamados {name}", "aquí."]) == (
        "Tienes {count, plural, =0{ningún archivo} one{# archivo} other{# archivos llamados {name}}} aquí.")


def test_a_select_inside_a_plural_and_an_offset():
    message = "{n, plural, offset:1 =0{{sex, select, male{He is alone} other{They are alone}}} other{With # others}}"
    texts, render = icu.cut(message)
    assert texts == ["He is alone", "They are alone", "With # others"]
    assert render([t.upper() for t in texts]) == message.replace("He is alone", "HE IS ALONE").replace(
        "They are alone", "THEY ARE ALONE").replace("With # others", "WITH # OTHERS")


@pytest.mark.parametrize("message", ["Hello {name}, welcome", "{count, plural, one{# file}", "a {b, plural, x}",
                                     "{a, select, male{x}} }", "plain text"])
def test_a_message_without_a_whole_choice_is_one_text(message):
    texts, render = icu.cut(message)
    assert (texts, render(["X"])) == ([message], "X")


def test_a_choice_without_letters_has_nothing_to_translate():
    texts, render = icu.cut("{n, plural, one{#} other{# {unit}}}")
    assert (texts, render([])) == ([], "{n, plural, one{#} other{# {unit}}}")


@pytest.mark.parametrize("message, texts", [  # (what FormatJS's parser reads, in the comments)
    ("{n, plural, one{'{'# item} other{'{'# items'}'}}", ["'{'# item", "'{'# items'}'"]),  # {# item, {# items}
    ("Type '{name, plural, one{x}}' {n, plural, other{# left}}", ["Type '{name, plural, one{x}}' ", "# left"]),
    ("{n, plural, one{it''s # '{file}'} other{'#' files}}", ["it''s # '{file}'", "'#' files"]),  # it's # {file}
    ("{n, plural, one{alpha '#}' beta} other{gamma}}", ["alpha '#}' beta", "gamma"]),  # alpha #} beta
    ("{g, select, male{alpha '#} other{beta}}", ["alpha '#", "beta"]),  # '# quotes in a plural's branch only
    ("{n, plural, other{alpha '{ # {x}}}", ["{n, plural, other{alpha '{ # {x}}}"]),  # a quote never closed
])
def test_a_quoted_stretch_is_text_never_a_choice_or_a_brace(message, texts):
    found, render = icu.cut(message)
    assert found == texts and render(found) == message


WRITTEN = [  # a message, its translations and what is written (what FormatJS's parser reads, in the comments)
    ("{n, plural, one{# file of {name}} other{# files of {name}}}", ["# fichier d'{name}", "# fichiers de {name}'"],
     "{n, plural, one{# fichier d''{name}} other{# fichiers de {name}''}}"),  # d'{name}, and ' before the }
    ("{n, plural, one{# alpha} other{# beta}}", ["l'# a''b", "x'|y c'est"],
     "{n, plural, one{l''# a'''b} other{x''|y c'est}}"),  # l'# a''b; x'|y c'est
    ("{n, plural, one{Type '{name}' here} other{it''s # of them}}", ["Escribe '{name}' aquí", "son # l''ami"],
     "{n, plural, one{Escribe '{name}' aquí} other{son # l''ami}}"),  # the source's quotes copied: {name}, l'ami
    ("Don''t {n, plural, other{# x}} '{'!", ["No l''{x} ", "# y"], "No l''{x} {n, plural, other{# y}} '{'!"),
]


@pytest.mark.parametrize("message, translations, written", WRITTEN)
def test_a_translations_apostrophe_is_written_as_icu_reads_it_as_meant(message, translations, written):
    assert icu.cut(message)[1](translations) == written


words = st.sampled_from(["alpha", "beta gamma", "#", "{name}", " ", ", ", "''", "'{'", "'}'", "it's"])
text = st.lists(words, max_size=4).map("".join)


@st.composite
def messages(draw, depth: int = 2) -> str:
    pieces = draw(st.lists(text if depth == 0 else st.one_of(text, messages(depth - 1)), min_size=1, max_size=3))
    if depth and draw(st.booleans()):
        kind = draw(st.sampled_from(["plural", "select", "selectordinal"]))
        branches = draw(st.lists(st.sampled_from(["=0", "one", "few", "other", "male"]), min_size=1, max_size=3,
                                 unique=True))
        pieces.append(f"{{arg, {kind},{''.join(f' {b}{{{draw(messages(depth - 1))}}}' for b in branches)}}}")
    return "".join(pieces)


@given(messages())
def test_any_message_is_written_back_as_it_was_and_keeps_its_choices_translated(message):
    texts, render = icu.cut(message)
    assert render(texts) == message
    upper = render([t.upper() for t in texts])
    assert icu.cut(upper)[0] == [t.upper() for t in texts], "the same choices, each branch translated"


NODE = shutil.which("node")
FORMATJS = NODE is not None and subprocess.run([NODE, "-e", "require('@formatjs/icu-messageformat-parser')"],
                                               capture_output=True).returncode == 0


@pytest.mark.skipif(not FORMATJS, reason="FormatJS's parser is not installed (see benchmarks/icu_check.js)")
def test_formatjs_parses_what_is_written(tmp_path):
    """Each message written above is MessageFormat to FormatJS's parser (what it reads: the comments above)."""
    written = {f"m{k}": written for k, (_, _, written) in enumerate(WRITTEN)}
    (tmp_path / "messages.json").write_text(json.dumps(written))
    assert NODE is not None
    checked = subprocess.run([NODE, str(Path(__file__).parents[1] / "benchmarks" / "icu_check.js"),
                              str(tmp_path / "messages.json")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
