"""The Debian mirror this machine's apt uses, for debootstrap (scripts/container-smoke.sh).

apt takes its sources in two forms: one-line entries in /etc/apt/sources.list and sources.list.d/*.list
(`deb [options] URI suite component...`), and deb822 stanzas in sources.list.d/*.sources (`Types:`, `URIs:`,
`Suites:`, optionally `Enabled: no`). Recent Debian images ship only the second form. Either form may be absent.

    python3 scripts/debian_mirror.py [--etc /etc/apt] [--suite bookworm]   # prints the URI; exit 1 if none

Standard library only: the smoke script runs it with the host's python3, before any virtual environment exists.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Source:
    uri: str
    suites: tuple[str, ...]


def one_line_sources(text: str) -> list[Source]:
    """`deb [arch=amd64 signed-by=...] http://mirror/debian bookworm main` lines; deb-src and comments skipped."""
    sources = []
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if not words or words[0] != "deb":
            continue
        if len(words) > 1 and words[1].startswith("["):  # options: up to the word that ends with "]"
            end = next((i for i, w in enumerate(words) if w.endswith("]")), len(words) - 1)
            words = [words[0], *words[end + 1 :]]
        if len(words) >= 3:
            sources.append(Source(words[1], (words[2],)))
    return sources


def deb822_sources(text: str) -> list[Source]:
    """Stanzas separated by blank lines; a field may continue on indented lines; `#` lines are comments."""
    sources: list[Source] = []
    for stanza in _stanzas(text):
        types, enabled = stanza.get("types", "").split(), stanza.get("enabled", "yes").lower()
        if "deb" in types and enabled != "no" and stanza.get("uris"):
            sources.extend(Source(uri, tuple(stanza.get("suites", "").split())) for uri in stanza["uris"].split())
    return sources


def _stanzas(text: str) -> list[dict[str, str]]:
    stanzas: list[dict[str, str]] = []
    fields: dict[str, str] = {}
    key: str | None = None
    for line in [*text.splitlines(), ""]:
        if line.startswith("#"):
            continue
        if not line.strip():
            if fields:
                stanzas.append(fields)
            fields, key = {}, None
        elif line[0].isspace() and key:
            fields[key] += " " + line.strip()
        elif ":" in line:
            key, value = line.split(":", 1)
            key = key.strip().lower()
            fields[key] = value.strip()
    return stanzas


def apt_sources(etc: Path) -> list[Source]:
    """Every enabled binary source under etc (e.g. /etc/apt), in apt's reading order; absent files are skipped."""
    parts = etc / "sources.list.d"
    sources = one_line_sources(_read(etc / "sources.list"))
    for path in sorted(parts.glob("*.list")) + sorted(parts.glob("*.sources")):
        parse = deb822_sources if path.suffix == ".sources" else one_line_sources
        sources += parse(_read(path))
    return sources


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:  # absent or unreadable: apt would skip it too
        return ""


def debian_mirror(sources: list[Source], suite: str = "bookworm") -> str | None:
    """The URI of the first source that carries `suite` itself; else of the first one that is not a security
    archive (security.debian.org holds only updates, debootstrap cannot start from it)."""
    release = [s for s in sources if suite in s.suites]
    other = [s for s in sources if not any("security" in x for x in s.suites) and "security" not in s.uri]
    chosen = (release or other)[:1]
    return chosen[0].uri.rstrip("/") if chosen else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--etc", type=Path, default=Path("/etc/apt"), help="apt's directory (default: /etc/apt)")
    parser.add_argument("--suite", default="bookworm", help="the release to debootstrap (default: bookworm)")
    args = parser.parse_args(argv)
    mirror = debian_mirror(apt_sources(args.etc), args.suite)
    if mirror is None:
        print(f"no apt source under {args.etc}", file=sys.stderr)
        return 1
    print(mirror)
    return 0


if __name__ == "__main__":
    sys.exit(main())
