"""app/accelerators.py: a message's accelerator taken out for the model and put back before its translation's first
letter; the marker written twice is the character; a message without either left as it is."""
from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from nmt.app.accelerators import Accelerator, Marked

QT, GTK = Accelerator("&"), Accelerator("_")


@pytest.mark.parametrize(("accelerator", "message", "seen", "translation", "written"), [
    (QT, "&Open", Marked("Open", accelerator=True, escaped=False), "Abrir", "&Abrir"),
    (QT, "E&xit", Marked("Exit", accelerator=True, escaped=False), "Salir", "&Salir"),
    (QT, "Save && &Quit", Marked("Save & Quit", accelerator=True, escaped=True), "¿Guardar & salir?", "¿&Guardar && salir?"),
    (QT, "Tom & Jerry", Marked("Tom & Jerry", accelerator=False, escaped=False), "Tom & Jerry", "Tom & Jerry"),
    (QT, "<b>Bold &amp; &#38; new</b>", Marked("<b>Bold &amp; &#38; new</b>", accelerator=False, escaped=False),
     "<b>Negrita &amp;</b>", "<b>Negrita &amp;</b>"),
    (GTK, "_Open a_file", Marked("Open a_file", accelerator=True, escaped=False), "Abrir un_archivo", "_Abrir un__archivo"),
    (Accelerator(""), "&Open", Marked("&Open", accelerator=False, escaped=False), "&Abrir", "&Abrir"),
])
def test_the_model_sees_no_marker_and_the_translation_gets_it_back(accelerator, message, seen, translation, written):
    assert accelerator.cut(message) == seen
    assert accelerator.put(translation, seen) == written


# (a translation's "amp;" after the accelerator would read as an entity, in Qt as here: none is written so)
@given(st.text("ab1 &;#_.", max_size=12), st.text("ab1 &#.", max_size=12))
def test_what_is_written_reads_as_the_translation_with_the_messages_accelerator(message, translation):
    assume(any(char.isalnum() for char in translation))
    marked = QT.cut(message)
    written = QT.put(translation, marked)
    if not (marked.accelerator or marked.escaped):
        assert written == translation, "a message without the syntax: its marker character is text"
        return
    again = QT.cut(written)
    assert (again.text, again.accelerator) == (translation, marked.accelerator)
