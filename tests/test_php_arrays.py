"""PHP language files (.php, Laravel's lang/en/*.php) through POST /translate_file and `nmt translate-file`
(app/php_arrays.py): each string value translated in its own quotes, keys, comments and layout kept, a choice's parts
apart; PHP itself reads the translation back (when php is installed). The toy model reverses its input ("alpha
beta" -> "BETA ALPHA")."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from service_fixtures import downloaded, refusal

from nmt.app import php_arrays
from nmt.app.documents import read_document
from nmt.app.labels import Languages
from nmt.cli import main

PHP = shutil.which("php")
ILLUMINATE = PHP is not None and subprocess.run(
    [PHP, "-r", "require 'Illuminate/Translation/autoload.php';"], capture_output=True).returncode == 0
SOURCE = """<?php

// Laravel's messages
return [
    'welcome' => 'alpha beta',  # a comment: 'not a value'
    "quoted" => "gamma \\"delta\\"\\tmu",
    'apples' => '{0} nu xi|{1} omi pi|[2,*] rho sigma',
    'auth' => [
        'failed' => 'tau \\'ups\\' \\\\ phi',
        'list' => ['chi', 'psi'],
    ],
    'count' => 42,
    'empty' => '',
    /* 'kept' => 'as it is', */
];
"""


def test_values_are_translated_in_their_quotes_and_the_rest_kept():
    texts, render = php_arrays.cut(SOURCE)
    assert texts == ["alpha beta", 'gamma "delta"\tmu', "nu xi", "omi pi", "rho sigma", "tau 'ups' \\ phi", "chi",
                     "psi"], "keys, numbers, comments and empty strings kept; a choice's parts apart, without ranges"
    out = render(["A 'a'", 'G "$x" \\', "N", "O", "R", "T \\'", "C", "P\nQ"])
    assert out == SOURCE.replace("'alpha beta'", "'A \\'a\\''").replace('"gamma \\"delta\\"\\tmu"', '"G \\"\\$x\\" \\\\"') \
        .replace("{0} nu xi|{1} omi pi|[2,*] rho sigma", "{0} N|{1} O|[2,*] R") \
        .replace("'tau \\'ups\\' \\\\ phi'", "'T \\\\\\''").replace("'chi'", "'C'").replace("'psi'", "'P\nQ'")


def test_a_language_file_through_the_service(client):
    out = downloaded(client, "messages.php", SOURCE).content.decode()
    assert "'welcome' => 'BETA ALPHA'," in out and "'apples' => '{0} XI NU|{1} PI OMI|[2,*] SIGMA RHO'," in out


@pytest.mark.parametrize("content, reason", [
    ("<?php\nclass A { public $x = 'alpha'; }\n", "it is not a language file: it should only return an array (<?php "
                                                   "return [ ... ];)"),
    ("<?php\nreturn [\n  'a' => <<<EOT\nalpha\nEOT,\n];\n", "line 3: a heredoc string is not read; write it in quotes"),
    ('<?php\nreturn [\n  "a" => "alpha $name",\n];\n', "line 3: a double-quoted string with a variable in it is not "
                                                       "read"),
    # (PHP loads neither; they were translated, and the translation written as broken as they were)
    ("<?php\nreturn [\n  'a' => ['b' => 'alpha'],\n", "line 2: an array opened here is not closed"),
    ("<?php\nreturn [\n  'a' => 'alpha'],\n];\n", "line 4: a ] that closes nothing"),
    pytest.param("<?php\nreturn " + "[" * 100_000, "line 2: arrays nested over 500 deep", id="deep"),  # (0 texts)
])
def test_code_heredocs_and_interpolation_are_refused_in_one_line(client, content, reason):
    assert refusal(client, "messages.php", content, "a PHP language file") == reason


@given(translation=st.text(st.characters(exclude_categories=["Cs"]), min_size=1))
def test_any_translation_is_a_literal_of_itself(translation):
    for quote in ("'", '"'):
        [value] = php_arrays._values(f"<?php return [{php_arrays._quoted(translation, quote)}];")
        assert value.text == translation


@pytest.mark.skipif(PHP is None, reason="php is not installed (Debian: php-cli)")
def test_php_reads_the_translation_as_written(tmp_path):
    translations = ["A 'a' \\", 'G "$x" {$y} \\n', "N", "O", "R", "T \\'", "C", "P\nQ\t\x01"]
    texts, render = php_arrays.cut(SOURCE)
    (tmp_path / "es.php").write_text(render(translations))
    read = subprocess.run([PHP, "-r", f"echo json_encode(include '{tmp_path / 'es.php'}');"], capture_output=True,
                          text=True, check=True).stdout
    loaded = json.loads(read)
    assert (loaded["welcome"], loaded["quoted"], loaded["auth"]["failed"], loaded["auth"]["list"]) == (
        translations[0], translations[1], translations[5], translations[6:8])
    assert loaded["apples"] == "{0} N|{1} O|[2,*] R" and loaded["count"] == 42


CHOICES = "<?php\nreturn [\n    'apples' => 'alpha|beta :count',\n    'ranged' => '{0} gamma|[1,*] delta',\n];\n"


@pytest.mark.parametrize("target, parts", [("es", ["ALPHA", "BETA :COUNT"]), ("ja", ["BETA :COUNT"]), ("xx", None),
                                           ("ru", ["ALPHA", "BETA :COUNT", "BETA :COUNT"]),
                                           ("ar", ["BETA :COUNT", "ALPHA", *["BETA :COUNT"] * 4])])
def test_a_choice_without_ranges_gets_the_parts_of_laravels_rule_for_the_target(target, parts):
    more = "    'three' => 'mu|nu|xi',\n    'title' => 'tau | sigma',\n];"
    document = read_document("messages.php", CHOICES.replace("];", more).encode())
    out = document.render([t.upper() for t in document.texts], Languages("en", target)).decode()
    assert f"'apples' => '{'|'.join(parts or ['ALPHA', 'BETA :COUNT'])}'," in out, "(xx: a locale Laravel lacks)"
    assert "'title' => 'TAU | SIGMA'," in out, "a title's separator, not a choice"
    assert "'ranged' => '{0} GAMMA|[1,*] DELTA'," in out and "'three' => 'MU|NU|XI'," in out, "not an English choice"


@pytest.mark.skipif(not ILLUMINATE, reason="Laravel's translation is not installed (Debian: php-illuminate-translation)")
@pytest.mark.parametrize("target, ones", [("es", {1}), ("ru", {1, 21}), ("ar", {1})])
def test_laravel_shows_a_translated_part_for_every_count(target, ones, tmp_path):
    document = read_document("messages.php", CHOICES.encode())
    (tmp_path / f"{target}.php").write_bytes(document.render([t.upper() for t in document.texts],
                                                             Languages("en", target)))
    assert PHP is not None
    shown = json.loads(subprocess.run([PHP, str(Path(__file__).parents[1] / "benchmarks" / "laravel_choice_check.php"),
                                       str(tmp_path / f"{target}.php"), target], capture_output=True, text=True,
                                      check=True).stdout)  # (exits 1 where a count takes a part the choice lacks)
    assert shown["apples"] == ["ALPHA" if n in ones else "BETA :COUNT" for n in [0, 1, 2, 5, 21, 1000000]], shown


def test_translate_file_skips_a_laravel_apps_code_and_writes_its_language_files(toy_model, tmp_path, capsys):
    (tmp_path / "app" / "lang" / "en").mkdir(parents=True)
    (tmp_path / "app" / "lang" / "en" / "auth.php").write_text("<?php\nreturn ['failed' => 'alpha beta'];\n")
    (tmp_path / "app" / "routes.php").write_text("<?php\nRoute::get('/', fn () => view('welcome'));\n")
    out = tmp_path / "out"
    assert main(["translate-file", "--model", str(toy_model), str(tmp_path / "app"), "--out-dir", str(out)]) == 0
    assert [str(p.relative_to(out)) for p in out.rglob("*.php")] == ["lang/es/auth.php"]
    assert capsys.readouterr().out.splitlines()[1] == f"skipped {tmp_path / 'app/routes.php'}: PHP code, not a " \
                                                      "language file that only returns an array"
    assert (out / "lang/es/auth.php").read_text() == "<?php\nreturn ['failed' => 'BETA ALPHA'];\n"
