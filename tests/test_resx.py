""".NET's resource files (.resx) through POST /translate_file and read_document (app/resx.py): each string resource's
value translated, every other resource, comment and header kept. The toy model reverses its input ("alpha beta" ->
"BETA ALPHA")."""
from __future__ import annotations

import shutil
import subprocess

import pytest
from lxml import etree
from service_fixtures import downloaded, refusal

from nmt.app.documents import read_document
from nmt.app.labels import Languages

RESGEN = shutil.which("resgen")  # Mono's: what compiles a .resx into a program's resources
HEADERS = """  <resheader name="resmimetype">
    <value>text/microsoft-resx</value>
  </resheader>
  <resheader name="version">
    <value>2.0</value>
  </resheader>
  <resheader name="reader">
    <value>System.Resources.ResXResourceReader, System.Windows.Forms, Version=4.0.0.0, Culture=neutral</value>
  </resheader>
  <resheader name="writer">
    <value>System.Resources.ResXResourceWriter, System.Windows.Forms, Version=4.0.0.0, Culture=neutral</value>
  </resheader>
"""
RESX = f"""<?xml version="1.0" encoding="utf-8"?>
<root>
{HEADERS}  <data name="Greeting" xml:space="preserve">
    <value>alpha beta</value>
    <comment>gamma: a note to translators</comment>
  </data>
  <data name="TwoLines" xml:space="preserve">
    <value>gamma delta
mu nu</value>
  </data>
  <data name="&gt;&gt;button1.Name" xml:space="preserve">
    <value>button1</value>
  </data>
  <data name="button1.Size" type="System.Drawing.Size, System.Drawing">
    <value>75, 23</value>
  </data>
  <data name="Logo" mimetype="application/x-microsoft.net.object.bytearray.base64">
    <value>iVBORw0KGgo=</value>
  </data>
  <data name="$this.Text" xml:space="preserve">
    <value>sigma tau</value>
  </data>
</root>
"""


def values(content: bytes) -> dict[str, str]:
    return {data.get("name"): data.findtext("value") for data in etree.fromstring(content).iter("data")}


def test_string_resources_are_translated_and_every_other_kept(client):
    content = downloaded(client, "Resources.resx", RESX).content
    assert values(content) == {"Greeting": "BETA ALPHA", "TwoLines": "DELTA GAMMA\nNU MU", ">>button1.Name": "button1",
                               "button1.Size": "75, 23", "Logo": "iVBORw0KGgo=", "$this.Text": "TAU SIGMA"}
    assert content == RESX.replace("alpha beta", "BETA ALPHA").replace("gamma delta\nmu nu", "DELTA GAMMA\nNU MU") \
        .replace("sigma tau", "TAU SIGMA").encode(), "everything else as written, the note to translators too"


def test_the_translation_is_named_as_dotnet_looks_for_it():
    assert read_document("Resources.resx", RESX.encode()).translated_name("es") == "Resources.es.resx"


@pytest.mark.parametrize("content, reason", [
    ("<root><data>", "it is not well-formed XML"),
    ("<root><data name='a'><value>x</value></data></root>", "it is not a <root> whose resmimetype header is "
                                                             "text/microsoft-resx"),
    ("<resources/>", "it is not a <root>"),
])
def test_a_file_that_is_not_a_resx_file_is_refused_in_one_line(client, content, reason):
    assert refusal(client, "Resources.resx", content, "a .resx file").startswith(reason)


@pytest.mark.skipif(RESGEN is None, reason="resgen is not installed (Debian: mono-devel)")
def test_resgen_compiles_the_translation(tmp_path):
    document = read_document("Resources.resx", RESX.encode())
    out = tmp_path / "Resources.es.resx"
    out.write_bytes(document.render(["¿Qué <b> & «y»?", "una\ndos", "tres"], Languages("en", "es")))
    assert RESGEN is not None
    compiled = subprocess.run([RESGEN, str(out), str(tmp_path / "Resources.es.resources")], capture_output=True,
                              text=True)
    assert compiled.returncode == 0 and "Read in 6 resources" in compiled.stdout, compiled.stdout + compiled.stderr
