"""Translated files that any replica serves (NMT_FILES_DIR, app/filestore.py): stores of several replicas on one
directory share their files, their count and their age; a file is seen whole with its metadata or not at all;
replicas that expire or remove files at once never fail a request (a download that loses the race is 404); no ID
reaches outside the directory. And two real servers on one directory: a file translated by one is downloaded from
the other. Clocks are injected: nothing here is measured by time."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import httpx
import pytest

from nmt.app import filestore
from nmt.app.filestore import FileStore
from nmt.app.settings import Settings
from nmt.scripts.harness import Server


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def replicas(root, count: int = 100, ttl_s: float = 60, clock=None) -> tuple[FileStore, FileStore]:
    """Two replicas' stores on one shared directory, on one clock."""
    clock = clock or Clock()
    return (FileStore(count, ttl_s, clock=clock, shared=root), FileStore(count, ttl_s, clock=clock, shared=root))


def test_a_file_stored_by_one_replica_is_served_by_another_and_outlives_its_close(tmp_path):
    one, two = replicas(tmp_path)
    file_id = one.put(b"BETA ALPHA\n", "notes (1).txt", "text/plain; charset=utf-8")
    found = two.get(file_id)
    assert found is not None
    stored, content = found
    assert content == b"BETA ALPHA\n" and (stored.name, stored.media_type) == ("notes (1).txt", "text/plain; charset=utf-8")
    assert stored.at == 1_000_000.0
    one.close()  # a replica that stops leaves the shared files to the others
    assert two.get(file_id) is not None and tmp_path.is_dir()


def test_count_and_age_hold_over_the_replicas(tmp_path):
    clock = Clock()
    one, two = replicas(tmp_path, count=3, ttl_s=60, clock=clock)
    ids = []
    for store in (one, two, one, two):
        ids.append(store.put(str(len(ids)).encode(), "a.txt", "text/plain"))
        clock.now += 1
    assert one.get(ids[0]) is None and two.get(ids[0]) is None  # the oldest of all four went, on both
    assert [two.get(i)[1] for i in ids[1:]] == [b"1", b"2", b"3"]  # type: ignore[index]
    clock.now += 57  # ids[1] was stored 60 s ago: kept for ttl_s, no longer
    assert two.get(ids[1]) is not None
    clock.now += 0.5
    assert one.get(ids[1]) is None and one.get(ids[2]) is not None  # past 60 s, and only it
    clock.now += 60
    assert two.get(ids[3]) is None and not any(tmp_path.iterdir())  # every file removed, by either replica


def test_replicas_expiring_at_once_fail_no_request(tmp_path, monkeypatch):
    """Both list the same files to remove: the second finds them gone, between its listing and its stat of each, or
    between its stat and its removal. Neither is an error."""
    clock = Clock()
    one, two = replicas(tmp_path, count=2, clock=clock)
    for _ in range(6):
        one.put(b"x", "a.txt", "text/plain")
    clock.now += 61
    listing, scandir = filestore._listing, os.scandir

    def listed_then_removed(root):  # two lists what is there; one removes it all before two stats any of it
        entries = list(scandir(root))
        monkeypatch.setattr(os, "scandir", scandir)
        one.get("0" * 32)
        return iter(entries)

    class Stale:
        def __init__(self, root):
            self.entries = listed_then_removed(root)

        def __enter__(self):
            return self.entries

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(os, "scandir", Stale)
    assert two.put(b"y", "b.txt", "text/plain")  # its expiry listed six files that were gone when it looked closer
    for _ in range(4):
        two.put(b"z", "c.txt", "text/plain")

    def stale_listing(root):  # two has stat'ed the files; one removes them before two does
        entries = list(listing(root))
        monkeypatch.setattr(filestore, "_listing", listing)
        one.get("0" * 32)
        return iter(entries)

    clock.now += 61
    monkeypatch.setattr(filestore, "_listing", stale_listing)
    assert two.get("0" * 32) is None and not any(tmp_path.iterdir())


def test_replicas_storing_and_expiring_in_threads_fail_no_request(tmp_path):
    clock = Clock()
    stores = replicas(tmp_path, count=3, ttl_s=60, clock=clock)
    failures: list[BaseException] = []

    def work(store: FileStore) -> None:
        try:
            for k in range(60):
                file_id = store.put(b"x" * k, "a.txt", "text/plain")
                clock.now += 7  # (shared: other threads' files age too)
                found = store.get(file_id)
                assert found is None or found[1] == b"x" * k
        except BaseException as e:  # noqa: BLE001 (reported below)
            failures.append(e)

    threads = [threading.Thread(target=work, args=(stores[k % 2],)) for k in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and len([p for p in tmp_path.iterdir() if filestore.FILE_ID.fullmatch(p.name)]) <= 3


def test_a_file_removed_by_another_replica_just_before_its_download_is_none(tmp_path):
    """A download (the route: 404) where another replica removes the file between this one's expiry and its read."""
    one, _ = replicas(tmp_path)
    file_id = one.put(b"x", "a.txt", "text/plain")

    class RemovingClock(Clock):
        def __call__(self) -> float:
            (tmp_path / file_id).unlink(missing_ok=True)
            return self.now

    two = FileStore(100, 60, clock=RemovingClock(), shared=tmp_path)
    assert two.get(file_id) is None


@pytest.mark.parametrize("content", [
    b"", b"BETA ALPHA\n", b'{"name": "a.txt"}\nx', b'{"name": 1, "media_type": "text/plain"}\nx', b"[1, 2]\nx",
    b'{"name": "a.txt", "media_type": "text/plain"', b"\xff\xfe\n"])
def test_a_file_without_whole_metadata_is_not_served(tmp_path, content):
    one, two = replicas(tmp_path)
    file_id = one.put(b"x", "a.txt", "text/plain")
    (tmp_path / file_id).write_bytes(content)
    assert two.get(file_id) is None


def test_a_file_being_written_is_not_served_and_a_dead_writers_is_removed_in_time(tmp_path):
    clock = Clock()
    one, two = replicas(tmp_path, clock=clock)
    partial = tmp_path / ("a" * 32 + ".part")  # another replica's file, being written (or it died writing)
    partial.write_bytes(b'{"name": "a.txt", "media_type": "text/plain"}\nx')
    os.utime(partial, (clock.now, clock.now))
    for name in ("a" * 32, "a" * 32 + ".part"):
        assert two.get(name) is None
    one.put(b"x", "b.txt", "text/plain")
    clock.now += 61
    one.get("0" * 32)
    assert partial.exists()  # past the files' age, but another replica may still be writing it (a slow volume)
    clock.now += filestore.WRITING_S
    one.get("0" * 32)
    assert not partial.exists() and not any(tmp_path.iterdir())


def test_the_shared_directory_keeps_what_is_not_the_stores(tmp_path):
    """A volume's lost+found, an operator's notes: the store removes only the names it makes."""
    clock = Clock()
    one, _ = replicas(tmp_path, count=1, clock=clock)
    (tmp_path / "lost+found").mkdir()
    (tmp_path / "README").write_text("shared by the replicas")
    os.utime(tmp_path / "README", (0, 0))
    one.put(b"x", "a.txt", "text/plain")
    clock.now += 61
    one.put(b"y", "b.txt", "text/plain")
    assert sorted(p.name for p in tmp_path.iterdir() if len(p.name) != 32) == ["README", "lost+found"]


def test_no_id_reaches_outside_the_directory(tmp_path):
    shared = tmp_path / "files"
    shared.mkdir()
    one, two = replicas(shared)
    file_id = one.put(b"x", "a.txt", "text/plain")
    (tmp_path / ("b" * 32)).write_bytes(b'{"name": "a.txt", "media_type": "text/plain"}\nsecret')
    (shared / ("c" * 32)).symlink_to(tmp_path / ("b" * 32))
    for bad in ("c" * 32, "../" + "b" * 32, f"{shared}/{file_id}", file_id.upper(), file_id[:-1], file_id + ".part",
                file_id + "/", "", ".."):
        assert two.get(bad) is None
    assert two.get(file_id) is not None


def test_files_dir_is_refused_unless_a_writable_directory(tmp_path):
    assert Settings.load(files_dir=tmp_path).files_dir == tmp_path and Settings.load().files_dir is None
    (tmp_path / "file").write_text("")
    for path, why in ((tmp_path / "missing", "No such file or directory"), (tmp_path / "file", "Not a directory")):
        with pytest.raises(ValueError, match=f"^setting files_dir: Value error, {path} is not a directory this "
                                             rf"server can write in \({why}\)$"):
            Settings.load(files_dir=path)


@pytest.mark.skipif(not os.path.isdir("/sys"), reason="no sysfs here")
def test_a_directory_the_server_cannot_write_in_is_refused():
    """sysfs refuses a new file to root too, where a directory without write permission would not: CI runs as root."""
    with pytest.raises(ValueError, match=r"^setting files_dir: Value error, /sys is not a directory this server can "
                                         r"write in \(Permission denied\)$"):
        Settings.load(files_dir=Path("/sys"))


def test_two_servers_on_one_directory_serve_each_others_files(toy_model, tmp_path):
    """Replicas behind a balancer: POST /translate_file on one, GET /download_file/ID on the other (404 before)."""
    shared = tmp_path / "files"
    shared.mkdir()
    env = {"NMT_FILES_DIR": str(shared)}
    with Server(toy_model, tmp_path / "one.log", **env) as one, Server(toy_model, tmp_path / "two.log", **env) as two:
        answer = httpx.post(f"{one.url}/translate_file", files={"file": ("notes.txt", b"alpha beta\nmu nu xi\n")},
                            data={"source": "en", "target": "es"}, timeout=30)
        assert answer.status_code == 200, answer.text
        url = answer.json()["translatedFileUrl"]
        assert url.startswith(f"{one.url}/download_file/")
        download = httpx.get(url.replace(one.url, two.url), timeout=30)
        assert download.status_code == 200, download.text
        assert download.content == b"BETA ALPHA\nXI NU MU\n" == httpx.get(url, timeout=30).content
        assert download.headers["content-disposition"] == 'attachment; filename="notes.txt"'
        assert download.headers["content-type"].startswith("text/plain")
        assert httpx.get(f"{two.url}/download_file/{'0' * 32}", timeout=30).status_code == 404
