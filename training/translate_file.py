"""`nmt translate-file`: a document (.docx, .pdf, .srt, .html, ...: the formats of app/documents.py) translated
offline, as POST /translate_file translates it: the same reading and writing, the same passes for HTML texts
(model/html_passes.py), the same pipeline (Translator.translate), with a Translator in place of the service's
scheduler and no request limits."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path

from nmt.app.detect import LanguageDetector
from nmt.app.documents import EVERY_LANGUAGE, FORMATS, Document, other_kind, read_document
from nmt.app.labels import Languages
from nmt.model.bundle import MODELS, find_bundles, read_config
from nmt.model.glossary import Glossary
from nmt.model.html import InvalidHtml, parse
from nmt.model.html_passes import offline
from nmt.model.spans import Terms
from nmt.model.text import InvalidText
from nmt.model.translator import DecodeOptions, Translated, Translator
from nmt.training import locale_folders
from nmt.training.evaluate import translated_in_order
from nmt.training.files import write_atomic
from nmt.training.glossary import terms_for


@dataclass(frozen=True)
class FileTranslated:
    out: Path
    pair: tuple[str, str]  # the model's source and target languages
    texts: int  # the texts the file was cut into (paragraphs, cells, cues, ...)
    pieces: int  # HTML texts' runs translated text piece by piece: their formatting could not be carried whole
    runs: int  # HTML texts' runs (paragraphs), of which pieces
    seconds: float

    def __str__(self) -> str:
        pieces = f"; {self.pieces} of {self.runs} paragraphs piece by piece, their formatting kept where it was" \
            if self.pieces else ""
        texts = f"{self.texts:,} text{'' if self.texts == 1 else 's'}"
        return f"wrote {self.out} ({' -> '.join(self.pair)}): {texts} in {self.seconds:.1f} s{pieces}"


@dataclass(frozen=True)
class Skipped:
    source: Path
    why: str

    def __str__(self) -> str:
        return f"skipped {self.source}: {self.why}"


@dataclass
class Models:
    """The model of each document: the bundle given, or else, of the bundles in root (the shipped ones), the one
    that translates from the language its folder is named for (locales/en), or else its text is in, told as the
    service's source "auto" tells it (app/detect.py); each loaded (load) once, when first needed."""

    load: Callable[[Path], Translator]
    given: Path | None = None
    root: Path = MODELS
    loaded: dict[Path, Translator] = field(default_factory=dict)

    def of(self, document: Document, folder: Path) -> Translator:
        """The model of a document in folder."""
        path = self.given if self.given is not None else self._detected(document, folder)
        if path not in self.loaded:
            self.loaded[path] = self.load(path)
        return self.loaded[path]

    def _detected(self, document: Document, folder: Path) -> Path:
        """The model from the language that the document's folder is named for (training/locale_folders.py), else
        from the language its text is in."""
        language = locale_folders.named_language(folder, list(self._sources)) or document.language(self._detector)
        [path, *others] = self._sources[language]
        if others:
            raise ValueError(f"{document.name} reads as {language}, which {len(others) + 1} models in {self.root} "
                             "translate: choose one with --model")
        return path

    @cached_property
    def _sources(self) -> dict[str, list[Path]]:
        """root's bundles, by their source language."""
        sources: dict[str, list[Path]] = {}
        for path in find_bundles(self.root):
            sources.setdefault(read_config(path).src_lang, []).append(path)
        return sources

    @cached_property
    def _detector(self) -> LanguageDetector:
        return LanguageDetector(list(self._sources))


@dataclass
class FileTranslator:
    """Files translated by their models (Models), each written in folder or beside it, the target language before
    its extension (report.docx -> report.es.docx), or where named; never over its source, nor two into one file."""

    models: Models
    options: DecodeOptions
    glossary: Glossary | None = None  # its terms in each model's languages are applied (training/glossary.py)
    folder: Path | None = None
    skip_existing: bool = False  # leave a file whose translation is there already, newer than it
    written: dict[Path, Path] = field(default_factory=dict)  # each file written, by the source it translates

    def translate(self, source: Path, out: Path | None = None,
                  folder: Path | None = None) -> FileTranslated | Skipped:
        """The file source translated (written whole or not at all) into out, or in folder (else the translator's,
        else beside it); ValueError, one line, for a file that cannot be read or translated. A folder's file of
        another kind (an Android res folder's layouts, a Laravel app's code) is skipped, and so is one with no text
        (a colors.xml): its copy would only repeat it."""
        try:
            content = source.read_bytes()
        except OSError as e:  # missing, a directory, no permission, ...
            raise ValueError(f"{source}: cannot read ({e.strerror})") from None
        start = time.perf_counter()
        if folder is not None and (kind := other_kind(source.name, content)) is not None:
            return Skipped(source, kind)
        document = read_document(source.name, content)
        if folder is not None and not document.texts:
            return Skipped(source, "nothing to translate")
        translator = self.models.of(document, source.parent)
        terms = terms_for(translator, self.glossary)
        document = document.into(Languages(translator.src_lang, translator.tgt_lang))
        out = out or self._placed(source, document, translator, folder or self.folder or source.parent)
        self._check(source, out)
        if self.skip_existing and out.is_file() and out.stat().st_mtime >= source.stat().st_mtime:
            return Skipped(source, f"its translation {out} is there, newer than it (--skip-existing)")
        if document.format == "html":
            texts, pieces, runs = _html(translator, document, self.options, terms)
        else:
            texts, pieces, runs = [t.text for t in _translated(translator, document.texts, self.options, terms)], 0, 0
        write_atomic(out, document.render(texts, Languages(translator.src_lang, translator.tgt_lang)))
        self.written[out.resolve()] = source
        return FileTranslated(out, (translator.src_lang, translator.tgt_lang), len(document.texts), pieces, runs,
                              time.perf_counter() - start)

    @staticmethod
    def _placed(source: Path, document: Document, translator: Translator, where: Path) -> Path:
        """The translation's path in folder where: in the target language's folder beside it, under source's name,
        where it is a language's (res/values, en.lproj, locales/en: training/locale_folders.py); under source's name
        too, away from it, where it holds every language (a String Catalog, which replaces its source); else in it,
        its name saying the target language."""
        localized = locale_folders.localized(where, source.suffix.lower(), translator.src_lang, translator.tgt_lang)
        if localized is not None:
            return localized / source.name
        if source.suffix.lower() in EVERY_LANGUAGE and where.resolve() != source.parent.resolve():
            return where / source.name
        return where / document.translated_name(translator.tgt_lang, translator.src_lang)

    def _check(self, source: Path, out: Path) -> None:
        if out.resolve() == source.resolve():
            raise ValueError(f"{out}: the translation would overwrite its source; name another --out")
        if (other := self.written.get(out.resolve())) is not None:
            raise ValueError(f"{out} already holds the translation of {other}; translate {source} apart")


def expanded(paths: list[Path], out_dir: Path | None) -> list[tuple[Path, Path | None]]:
    """Each file to translate, and the folder its translation goes in (None: the translator's, or beside it): a
    file as given; a folder's files of the formats translated, at any depth, each into its place in a copy of the
    folder's tree under out_dir (a folder needs one; the files already under it are left out)."""
    found: list[tuple[Path, Path | None]] = []
    for path in paths:
        if not path.is_dir():
            found.append((path, None))
            continue
        if out_dir is None:
            raise ValueError(f"{path} is a folder: name where its translations go with --out-dir")
        if out_dir.resolve() == path.resolve():
            raise ValueError(f"{path} is a folder: its translations go in another, not in itself (--out-dir)")
        files = [(file, out_dir / file.parent.relative_to(path)) for file in sorted(path.rglob("*"))
                 if file.is_file() and file.suffix.lower() in FORMATS and out_dir.resolve() not in file.resolve().parents]
        if not files:
            raise ValueError(f"{path} holds no file of the formats translated")
        found += files
    return found


def _html(translator: Translator, document: Document, options: DecodeOptions,
          terms: Terms) -> tuple[list[str], int, int]:
    """The document's HTML texts translated in the service's passes; how many runs went piece by piece, of all."""
    try:
        parsed = [parse(text) for text in document.texts]
    except (InvalidText, InvalidHtml) as e:
        raise ValueError(f"{document.name}: {e}") from None
    passes = offline(translator, partial(_translated, translator))
    translated = asyncio.run(passes.run(parsed, options, terms))
    return [t.text for t in translated], sum(passes.fallbacks.values()), sum(len(p.runs) for p in parsed)


def _translated(translator: Translator, texts: list[str], options: DecodeOptions, terms: Terms) -> list[Translated]:
    return list(translated_in_order(translator, texts, options, terms, unit="text"))
