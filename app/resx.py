"""Visual Studio's resource files (.resx), where .NET programs keep their strings: each string resource's value
translated (Resources.resx becomes Resources.es.resx, the name under which .NET looks for a language's resources).

A string resource is a <data> without a type or a mimetype (those are pictures, icons, serialized objects) whose
name does not start with ">>" (the Windows Forms designer's notes: a control's name, type and parent). Its value is
kept whitespace and all (xml:space="preserve"); its <comment>, a note to translators, and everything else are kept as
written. .NET's composite format's placeholders ({0}, {1:N2}, {0,-10}) are spans the pipeline keeps verbatim
(model/spans.py). A .resx file names no language: there is none to check or set.
"""
from __future__ import annotations

from lxml import etree

from nmt.app.labels import Languages
from nmt.app.packages import Damaged, Written
from nmt.app.xmltree import child, local_name, parsed, serialized

RESX = "text/microsoft-resx"  # what a .resx file's resmimetype header says it is


def read(content: bytes) -> Written:
    """The file's string resources, and what writes it with their translations; Damaged if it is not a .resx file."""
    tree = parsed(content)
    root = tree.getroot()
    check(root)
    values = [value for value in map(string_value, root) if value is not None]

    def render(translations: list[str], languages: Languages) -> bytes:
        for value, translation in zip(values, translations, strict=True):
            value.text = translation
        return serialized(tree, content)

    return [value.text or "" for value in values], render


def check(root: etree._Element) -> None:
    """Damaged unless the root is a .resx file's."""
    if local_name(root) != "root" or _header(root, "resmimetype") != RESX:
        raise Damaged(f"it is not a <root> whose resmimetype header is {RESX}")


def _header(root: etree._Element, name: str) -> str | None:
    """The value of the file's header of that name (<resheader name="resmimetype"><value>...)."""
    header = next((h for h in root if local_name(h) == "resheader" and h.get("name") == name), None)
    value = child(header, "value") if header is not None else None
    return (value.text or "").strip() if value is not None else None


def string_value(data: etree._Element) -> etree._Element | None:
    """The <value> of a string resource that has a letter to translate; None for anything else."""
    if local_name(data) != "data" or data.get("type") or data.get("mimetype"):
        return None
    if (data.get("name") or "").startswith(">>"):
        return None
    value = child(data, "value")
    return value if value is not None and any(c.isalpha() for c in value.text or "") else None
