"""scripts/debian_mirror.py: the mirror container-smoke.sh debootstraps from, read from either form of apt
sources, with files absent (the bug of issue 21: only deb822 .sources present stopped the smoke script)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import nmt.scripts.debian_mirror as dm

DEB822 = """\
Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
"""

ONE_LINE = """\
# a comment
deb-src http://src.example/debian bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] http://one.example/debian/ bookworm main contrib
deb http://security.debian.org/debian-security bookworm-security main
"""


def apt_dir(tmp_path: Path, files: dict[str, str]) -> Path:
    etc = tmp_path / "apt"
    (etc / "sources.list.d").mkdir(parents=True)
    for name, text in files.items():
        (etc / name).write_text(text)
    return etc


def mirror_cli(etc: Path) -> subprocess.CompletedProcess:
    script = Path(dm.__file__)  # run as the smoke script runs it: a file, by the host's python, no package
    return subprocess.run([sys.executable, str(script), "--etc", str(etc)], capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("files, expected", [
    ({"sources.list.d/debian.sources": DEB822}, "http://mirror.example/debian"),  # deb822 only, no sources.list
    ({"sources.list": ONE_LINE}, "http://one.example/debian"),  # one-line only, options in brackets
    ({"sources.list.d/a.list": "deb http://security.debian.org/debian-security bookworm-security main\n",
      "sources.list.d/debian.sources": DEB822}, "http://mirror.example/debian"),  # security is never the mirror
    ({"sources.list.d/x.sources": "Types: deb\nEnabled: no\nURIs: http://off.example/debian\nSuites: bookworm\n",
      "sources.list.d/y.sources": "Types: deb-src deb\nURIs:\n http://on.example/debian\nSuites: bookworm\n"},
     "http://on.example/debian"),  # disabled stanza skipped; a field continued on the next line
])
def test_either_form(tmp_path, files, expected):
    done = mirror_cli(apt_dir(tmp_path, files))
    assert (done.returncode, done.stdout.strip()) == (0, expected), done.stderr


def test_no_sources_at_all(tmp_path):
    done = mirror_cli(apt_dir(tmp_path, {}))
    assert done.returncode == 1 and done.stdout == "" and "no apt source" in done.stderr


def test_the_requested_release_wins():
    sources = dm.one_line_sources("deb http://a.example/debian trixie main\ndeb http://b.example/debian bookworm main\n")
    assert dm.debian_mirror(sources, "bookworm") == "http://b.example/debian"
    assert dm.debian_mirror(sources, "sid") == "http://a.example/debian"  # else the first that is not security
