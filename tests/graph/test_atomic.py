"""Atomic writes: the old file survives a failed write, and a new file gets the usual mode."""

import os
import stat

import pytest

from szsemi.graph.atomic import write_bytes, write_files


def test_a_new_file_gets_the_mode_open_would_give_it(tmp_path):
    umask = os.umask(0o022)
    try:
        write_bytes(tmp_path / "new.ttl", b"x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.ttl").stat().st_mode) == 0o644


def test_an_existing_file_keeps_its_mode(tmp_path):
    target = tmp_path / "old.ttl"
    target.write_bytes(b"old")
    target.chmod(0o600)
    write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "old.ttl"
    target.write_bytes(b"old")

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["old.ttl"]


def test_files_written_together_are_all_kept_old_when_one_fails(tmp_path, monkeypatch):
    export, description = tmp_path / "g.ttl", tmp_path / "g.ttl.void.ttl"
    export.write_bytes(b"old export")
    description.write_bytes(b"old description")
    real_fsync, calls = os.fsync, []

    def second_fsync_fails(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError("disk full")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", second_fsync_fails)
    with pytest.raises(OSError, match="disk full"):
        write_files({export: b"new export", description: b"new description"})
    assert export.read_bytes() == b"old export" and description.read_bytes() == b"old description"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.ttl", "g.ttl.void.ttl"]
    monkeypatch.setattr(os, "fsync", real_fsync)
    write_files({export: b"new export", description: b"new description"})
    assert export.read_bytes() == b"new export" and description.read_bytes() == b"new description"


def test_a_symlink_keeps_pointing_at_the_replaced_file(tmp_path):
    real = tmp_path / "real.ttl"
    real.write_bytes(b"old")
    link = tmp_path / "link.ttl"
    link.symlink_to(real)
    write_bytes(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"


def test_a_folder_is_refused(tmp_path):
    from szsemi.errors import InputError

    with pytest.raises(InputError, match="is a folder"):
        write_bytes(tmp_path, b"x")


@pytest.mark.hostile(
    what="Ctrl-C after an output is written to its temporary file, before the rename",
    result="the old file stays as it was; no temporary file is left",
    kind="fault",
)
def test_discarded_writes_leave_the_target_and_no_temporary(tmp_path, monkeypatch):
    from szsemi.graph import atomic

    target = tmp_path / "out.ttl"
    target.write_bytes(b"old")
    real_stage = atomic._stage

    def interrupted(target, data):  # Ctrl-C arrives once the file is written, before the rename
        tmp = real_stage(target, data)
        atomic.discard_staged()
        return tmp

    monkeypatch.setattr(atomic, "_stage", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_files({target: b"new"})
    assert target.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["out.ttl"]
