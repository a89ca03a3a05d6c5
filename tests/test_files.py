"""Atomic writes: a file is replaced whole or not at all."""
from __future__ import annotations

import stat

import pytest

from nmt.training.files import atomic_open, write_atomic


def test_an_error_mid_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_open(path) as handle:
        handle.write("half of the new")
        raise RuntimeError("disk full")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["log.jsonl"]


def test_a_finished_write_replaces_the_file_readable_by_all(tmp_path):
    write_atomic(tmp_path / "sub" / "model.spm", b"\x00bytes")
    write_atomic(tmp_path / "sub" / "report.json", "{}\n")
    assert (tmp_path / "sub" / "model.spm").read_bytes() == b"\x00bytes"
    assert (tmp_path / "sub" / "report.json").read_text() == "{}\n"
    assert stat.S_IMODE((tmp_path / "sub" / "report.json").stat().st_mode) == 0o644
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["model.spm", "report.json"]
