"""Project Fluent files (.ftl) through POST /translate_file and `nmt translate-file` (app/fluent.py): each message's
value and attributes translated, a select's variants apart, placeables and terms kept, and every translation written
so that Fluent's own parser reads it back as itself. The toy model reverses its input ("alpha beta" -> "BETA ALPHA")."""
from __future__ import annotations

import pytest
from fluent.syntax import FluentParser, ast
from hypothesis import assume, given
from hypothesis import strategies as st
from service_fixtures import client_for, downloaded, refusal

from nmt.app import fluent
from nmt.cli import main
from nmt.model.translator import Translator

SOURCE = """### The app's messages

# A greeting
hello = alpha beta
welcome = gamma { $user } delta
    .title = mu nu
emails =
    { $count ->
        [one] eps zeta
       *[other] eta { NUMBER($count) } theta
    }
-brand-name = Iota Kappa
about = lam { -brand-name }
block =
    sigma tau
    rho pi
only = { -brand-name }
"""


def read_back(source: str) -> dict[str, str]:
    """Each message's value and attributes as Fluent reads them (a string literal its text, another placeable its
    source), by their ids (attribute: message.attribute)."""
    found = {}
    for entry in FluentParser().parse(source).body:
        assert not isinstance(entry, ast.Junk), entry.content
        if isinstance(entry, ast.Message):
            patterns = [(entry.id.name, entry.value)] + [(f"{entry.id.name}.{a.id.name}", a.value) for a in entry.attributes]
            found |= {name: "".join(map(text_of, p.elements)) for name, p in patterns if p is not None}
    return found


def text_of(element: ast.PatternElement) -> str:
    if isinstance(element, ast.TextElement):
        return element.value
    expression = element.expression
    if isinstance(expression, ast.SelectExpression):
        return "|".join("".join(map(text_of, variant.value.elements)) for variant in expression.variants)
    return expression.value if isinstance(expression, ast.StringLiteral) else "{}"


def test_values_attributes_and_variants_are_translated_and_the_rest_kept():
    texts, render = fluent.cut(SOURCE)
    assert texts == ["alpha beta", "gamma {0} delta", "mu nu", "eps zeta", "eta {0} theta", "lam {0}",
                     "sigma tau\nrho pi"], "terms and patterns of placeables alone are not translated"
    out = render(["BETA ALPHA", "DELTA {0} GAMMA", "NU MU", "ZETA EPS", "THETA {0} ETA", "{0} LAM", "PI RHO\nTAU SIGMA"])
    assert out == SOURCE.replace("alpha beta", "BETA ALPHA").replace("gamma { $user } delta", "DELTA { $user } GAMMA") \
        .replace("mu nu", "NU MU").replace("eps zeta", "ZETA EPS") \
        .replace("eta { NUMBER($count) } theta", "THETA { NUMBER($count) } ETA") \
        .replace("sigma tau\n    rho pi", "PI RHO\n    TAU SIGMA").replace("lam { -brand-name }", "{ -brand-name } LAM")


def test_placeables_come_back_once_each_through_the_service(placeholder_model):
    with client_for(Translator.load(placeholder_model, "cpu")) as client:
        out = downloaded(client, "main.ftl", SOURCE).content.decode()
    assert "-brand-name = Iota Kappa\n" in out and "only = { -brand-name }\n" in out, "terms, and placeables alone, kept"
    for placeable, times in [("{ $user }", 1), ("{ NUMBER($count) }", 1), ("{ -brand-name }", 2), ("[one] ", 1),
                             ("*[other] ", 1), ("    .title = ", 1)]:
        assert out.count(placeable) == times, out
    assert set(read_back(out)) == set(read_back(SOURCE))


LINE = st.text(st.characters(exclude_categories=["Cs", "Cc", "Zl", "Zp"]) | st.sampled_from("{}[*.  "), min_size=1)


@pytest.mark.parametrize("source", ["key = alpha\n", "key =\n    alpha\n    beta\n", "key = alpha\n    .title = beta\n",
                                    "key = { $n ->\n   *[other] alpha\n}\n"])
@given(translation=st.lists(LINE, min_size=1, max_size=3).map("\n".join))
def test_any_translation_reads_back_as_itself(source, translation):
    expected = "\n".join(line.strip() for line in translation.strip().split("\n"))
    assume(any(char.isalpha() for char in expected) and "{" not in expected)
    texts, render = fluent.cut(source)
    written = render([translation] * len(texts))
    assert all(value == expected for value in read_back(written).values()), written


def test_a_placeable_the_model_drops_or_invents_is_put_back_or_written_as_text():
    texts, render = fluent.cut("key = alpha { $n } beta\n")
    assert render(["ALPHA {3} BETA {0}"]) == 'key = ALPHA { "{" }3{ "}" } BETA { $n }\n'


@pytest.mark.parametrize("content, reason", [
    ("key = { \n", "it is not Fluent: line 1: Expected an inline expression"),
    ("ok = alpha\n\nkey\n", "it is not Fluent: line 3: Expected token: \"=\""),
])
def test_a_file_with_junk_is_refused_in_one_line(client, content, reason):
    assert refusal(client, "main.ftl", content, "a Fluent file") == reason


def test_translate_file_writes_a_fluent_file_into_the_targets_folder(toy_model, tmp_path, capsys):
    source = tmp_path / "locales" / "en-US" / "main.ftl"
    source.parent.mkdir(parents=True)
    source.write_text(SOURCE)
    assert main(["translate-file", "--model", str(toy_model), str(source)]) == 0
    out = tmp_path / "locales" / "es" / "main.ftl"
    assert capsys.readouterr().out.startswith(f"wrote {out} ")
    assert read_back(out.read_text())["hello"] == "BETA ALPHA"
