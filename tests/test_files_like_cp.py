"""Every save writes its target the way ``cp`` does, atomically where it can (see
``autograd_lite.atomic``): links are followed, an existing file keeps its mode and owner,
streams are written in place, anything else that is not a regular file is refused before
any work, and nothing is ever left half-written or behind.

Nothing here writes at the real /dev/null: character devices are made with ``os.mknod``
in tmp_path (root only), and the one test that names /dev/null forbids renaming first."""

import os
import socket
import stat
import subprocess
import sys
import threading

import pytest

from autograd_lite import Value, backward_steps, draw_graph, nn
from autograd_lite import atomic
from autograd_lite.atomic import open_atomically, write_atomically

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX files")
root_only = pytest.mark.skipif(not ROOT, reason="needs root (mknod, chown)")
not_root = pytest.mark.skipif(ROOT, reason="root may write read-only files and folders")


def _model():
    return nn.MLP(2, [3, 1], seed=0)


def _graph():
    x = Value(2.0, label="x")
    y = x * x + 1
    y.backward()
    return y


def _save_model(path):
    _model().save(path)


def _model_saved(path):
    return [p.data for p in nn.load(path).parameters()] == [p.data for p in _model().parameters()]


SAVERS = {  # name: (save to a path, check that the file read back is what was saved)
    "Module.save": (_save_model, _model_saved),
    "write_atomically": (lambda path: write_atomically(path, "hello\n"),
                         lambda path: open(path).read() == "hello\n"),
    "draw_graph.save": (lambda path: draw_graph(_graph()).save(path),
                        lambda path: open(path).read() == draw_graph(_graph()).source),
}
saver = pytest.mark.parametrize("name", SAVERS)


def _names(folder):
    return sorted(p.name for p in folder.iterdir())


@posix_only
@saver
def test_a_symlink_is_followed_and_stays_a_link(tmp_path, name):
    save, saved = SAVERS[name]
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "out.dot"
    real.write_text("old")
    link = tmp_path / "out.dot"
    link.symlink_to(os.path.join("real", "out.dot"))
    save(link)
    assert link.is_symlink() and os.readlink(link) == os.path.join("real", "out.dot")
    assert saved(real)
    assert _names(tmp_path) == ["out.dot", "real"] and _names(tmp_path / "real") == ["out.dot"]


@posix_only
def test_a_dangling_symlink_gets_the_file_it_names(tmp_path):
    link = tmp_path / "model.json"
    link.symlink_to("made.json")
    _save_model(link)
    assert link.is_symlink() and _model_saved(tmp_path / "made.json")


@posix_only
def test_a_symlink_that_loops_is_refused_and_nothing_is_written(tmp_path):
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(OSError, match="loops"):
        _save_model(tmp_path / "a")
    assert _names(tmp_path) == ["a", "b"] and os.readlink(tmp_path / "a") == "b"


@posix_only
@saver
def test_an_existing_file_keeps_its_permission_bits(tmp_path, name):
    save, saved = SAVERS[name]
    target = tmp_path / "secret.dot"
    target.write_text("old")
    target.chmod(0o600)
    save(target)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600 and saved(target)


@posix_only
def test_a_new_file_gets_0666_less_the_umask(tmp_path):
    previous = os.umask(0o027)
    try:
        _save_model(tmp_path / "new.json")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(os.stat(tmp_path / "new.json").st_mode) == 0o640  # 0o666 & ~0o027


@posix_only
def test_the_new_contents_are_never_more_readable_than_the_file_they_replace(tmp_path):
    target = tmp_path / "secret.json"
    target.write_text("old")
    target.chmod(0o600)
    with open_atomically(target) as file:
        file.write("new")
        (temporary,) = [p for p in tmp_path.iterdir() if p.name != "secret.json"]
        assert stat.S_IMODE(os.stat(temporary).st_mode) == 0o600
    assert target.read_text() == "new"


@root_only
def test_an_existing_file_keeps_its_owner_and_group(tmp_path):
    target = tmp_path / "theirs.json"
    target.write_text("old")
    os.chown(target, 12345, 23456)
    target.chmod(0o640)
    _save_model(target)
    status = os.stat(target)
    assert (status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode)) == (12345, 23456, 0o640)


@posix_only
@pytest.mark.parametrize("stop", [KeyboardInterrupt, ValueError])
def test_ctrl_c_or_an_error_leaves_the_target_and_the_link_untouched_and_no_temporary_file(tmp_path, stop):
    real = tmp_path / "real.csv"
    real.write_text("old")
    real.chmod(0o600)
    link = tmp_path / "link.csv"
    link.symlink_to("real.csv")
    with pytest.raises(stop):
        with open_atomically(link) as file:
            file.write("half")
            raise stop()
    assert real.read_text() == "old" and link.is_symlink() and _names(tmp_path) == ["link.csv", "real.csv"]
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o600


def _read_fifo(path, into):
    with open(path) as fifo:
        into.append(fifo.read())


@posix_only
def test_a_fifo_is_written_in_place_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=_read_fifo, args=(fifo, received), daemon=True)
    reader.start()
    write_atomically(fifo, "through the pipe\n", fsync=True)
    reader.join(timeout=10)
    assert received == ["through the pipe\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and _names(tmp_path) == ["pipe"]


@root_only
def test_a_character_device_is_written_in_place_never_replaced(tmp_path):
    null = tmp_path / "null"  # a second /dev/null: replacing it would harm nothing
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    before = os.stat(null)
    _save_model(null)
    after = os.lstat(null)
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert _names(tmp_path) == ["null"]


@posix_only
def test_saving_to_dev_null_writes_through_it_without_renaming_anything(monkeypatch):
    def no_rename(*args):
        raise AssertionError(f"would have replaced {args[-1]}")

    monkeypatch.setattr(atomic.os, "replace", no_rename)
    monkeypatch.setattr(atomic.os, "rename", no_rename)
    before = os.stat("/dev/null")
    _save_model("/dev/null")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


@posix_only
def test_a_socket_is_refused_before_any_work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a short relative name: AF_UNIX paths are limited to ~100 bytes
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("sock")
        with pytest.raises(OSError, match="is a socket, not a regular file"):
            with open_atomically("sock"):
                raise AssertionError("the work ran")
        assert stat.S_ISSOCK(os.lstat("sock").st_mode) and _names(tmp_path) == ["sock"]


@root_only
def test_a_block_device_is_refused_and_never_replaced(tmp_path):
    disk = tmp_path / "disk"
    os.mknod(disk, stat.S_IFBLK | 0o600, os.makedev(7, 200))
    with pytest.raises(OSError, match="is a block device"):
        _save_model(disk)
    assert stat.S_ISBLK(os.lstat(disk).st_mode) and _names(tmp_path) == ["disk"]


@saver
def test_a_folder_is_refused_before_any_work(tmp_path, name):
    save, _ = SAVERS[name]
    (tmp_path / "out.dot").mkdir()
    with pytest.raises(IsADirectoryError, match="that is a folder"):
        save(tmp_path / "out.dot")
    with pytest.raises(IsADirectoryError):
        with open_atomically(tmp_path / "out.dot"):
            raise AssertionError("the work ran")
    assert _names(tmp_path) == ["out.dot"] and _names(tmp_path / "out.dot") == []


def test_a_missing_folder_is_refused_naming_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="the folder .*nowhere.* does not exist"):
        _save_model(tmp_path / "nowhere" / "m.json")
    assert _names(tmp_path) == []


def test_a_read_only_file_is_refused_as_cp_refuses_it(tmp_path, monkeypatch):
    target = tmp_path / "keep.json"
    target.write_text("old")
    target.chmod(0o444)
    if ROOT:  # root may write anything; ask as a user would be answered
        monkeypatch.setattr(atomic.os, "access", lambda path, mode: False)
    with pytest.raises(PermissionError, match="read-only .*0444"):
        _save_model(target)
    assert target.read_text() == "old" and _names(tmp_path) == ["keep.json"]


@not_root
@posix_only
def test_a_read_only_folder_is_refused_before_any_work(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(PermissionError, match="cannot create a file in the folder"):
            with open_atomically(folder / "m.json"):
                raise AssertionError("the work ran")
        assert _names(folder) == []
    finally:
        folder.chmod(0o755)


def test_backward_steps_save_follows_a_link_too(tmp_path):
    steps = backward_steps(_graph())
    (tmp_path / "page.html").write_text("old")
    (tmp_path / "link.html").symlink_to("page.html")
    steps.save(tmp_path / "link.html")
    assert (tmp_path / "link.html").is_symlink()
    assert (tmp_path / "page.html").read_text() == steps.html()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux /dev/stdout")
def test_saving_to_dev_stdout_writes_into_the_pipe_it_is(tmp_path):
    code = "from autograd_lite import nn; nn.MLP(2, [3, 1], seed=0).save('/dev/stdout')"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, timeout=60)
    assert finished.returncode == 0, finished.stderr
    (tmp_path / "m.json").write_bytes(finished.stdout)
    assert _model_saved(tmp_path / "m.json")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux /dev/stdout and /proc")
@pytest.mark.parametrize("name", ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"])
def test_a_name_for_an_open_file_writes_through_it_so_appending_to_a_log_keeps_the_log(tmp_path, name):
    """`... --out /dev/stdout >> log.txt`: the output is appended after what the log held, the
    log is the same file (not replaced), and what the program prints afterwards lands too."""
    log = tmp_path / "log.txt"
    log.write_text("earlier run\n")
    inode = log.stat().st_ino
    code = (f"from autograd_lite.atomic import write_atomically; write_atomically({name!r}, 'the output\\n'); "
            "print('printed after', flush=True)")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    with open(log, "ab") as appending:
        finished = subprocess.run([sys.executable, "-c", code], stdout=appending, stderr=subprocess.PIPE, env=env,
                                  timeout=60)
    assert finished.returncode == 0, finished.stderr
    assert log.read_text() == "earlier run\nthe output\nprinted after\n"
    assert log.stat().st_ino == inode
