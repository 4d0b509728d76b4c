"""The command line never writes over its own inputs (compared by device and inode, so a
symlink or a hard link is caught), and its outputs are written as ``cp`` would write them
(see tests/test_files_like_cp.py for the library side): refused before any work when they
cannot be, written in place when they are a stream."""

import os
import stat
import threading

import pytest

from autograd_lite import nn
from cli_support import call_cli, error_line, write_csv

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX files")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A folder with moons.csv and model.json, a model trained on it."""
    here = tmp_path_factory.mktemp("cli_files")
    X, y = nn.datasets.moons(40, seed=1)
    write_csv(here / "moons.csv", ["a", "b", "class"], [[*x, t] for x, t in zip(X, y)])
    result = call_cli("train", "--data", "moons.csv", "--hidden", "4", "--epochs", "1", "--save", "model.json",
                      cwd=here)
    assert result.returncode == 0, result.stderr
    return here


def _contents(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@posix_only
@pytest.mark.parametrize("out, what", [
    ("model.json", "the model"),
    ("moons.csv", "the data"),
    ("link-to-data.csv", "the data"),  # a symlink to moons.csv
    ("hard-link-to-model.json", "the model"),  # another name of model.json's inode
])
def test_predict_refuses_an_out_that_is_one_of_its_inputs_before_writing_anything(folder, out, what):
    for name in ("link-to-data.csv", "hard-link-to-model.json"):
        if os.path.lexists(folder / name):
            os.unlink(folder / name)
    (folder / "link-to-data.csv").symlink_to("moons.csv")
    os.link(folder / "model.json", folder / "hard-link-to-model.json")
    before = _contents(folder)
    result = call_cli("predict", "model.json", "moons.csv", "--out", out, cwd=folder)
    assert result.returncode == 2
    assert f"--out {out} is {what}" in error_line(result, "predict")
    assert result.stdout == "" and _contents(folder) == before


def test_train_refuses_to_save_over_its_own_data(folder):
    before = _contents(folder)
    result = call_cli("train", "--data", "moons.csv", "--epochs", "1", "--save", "moons.csv", cwd=folder)
    assert result.returncode == 2
    assert "--save moons.csv is the data (moons.csv)" in error_line(result, "train")
    assert result.stdout == "" and _contents(folder) == before  # refused before training


@pytest.mark.parametrize("command", ["train", "predict"])
def test_a_folder_as_the_output_is_refused_before_any_work(folder, tmp_path, command):
    (tmp_path / "out").mkdir()
    args = (["train", "--data", str(folder / "moons.csv"), "--epochs", "1", "--save", "out"] if command == "train"
            else ["predict", str(folder / "model.json"), str(folder / "moons.csv"), "--out", "out"])
    result = call_cli(*args, cwd=tmp_path)
    assert result.returncode == 2 and "that is a folder" in error_line(result, command)
    assert result.stdout == "" and list((tmp_path / "out").iterdir()) == []


@posix_only
def test_predict_streams_into_a_fifo_in_place(folder, tmp_path):
    fifo = tmp_path / "predictions"
    os.mkfifo(fifo)
    received = []

    def read():
        with open(fifo) as stream:
            received.append(stream.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = call_cli("predict", str(folder / "model.json"), str(folder / "moons.csv"), "--out", str(fifo))
    reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and os.listdir(tmp_path) == ["predictions"]
    printed = call_cli("predict", str(folder / "model.json"), str(folder / "moons.csv"))
    assert received == [printed.stdout]  # the same predictions stdout gets


@pytest.mark.skipif(not ROOT, reason="needs root (mknod)")
@pytest.mark.parametrize("command", ["train", "predict"])
def test_a_character_device_output_is_written_through_never_replaced(folder, tmp_path, command):
    null = tmp_path / "null"  # a second /dev/null: replacing it would harm nothing
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    inode = os.stat(null).st_ino
    args = (["train", "--data", str(folder / "moons.csv"), "--epochs", "1", "--save", str(null)]
            if command == "train" else ["predict", str(folder / "model.json"), str(folder / "moons.csv"),
                                        "--out", str(null)])
    result = call_cli(*args)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(os.lstat(null).st_mode) and os.lstat(null).st_ino == inode
    assert os.listdir(tmp_path) == ["null"]


@posix_only
def test_a_model_saved_through_a_symlink_keeps_the_link_and_the_files_mode(folder, tmp_path):
    (tmp_path / "real.json").write_text("old")
    (tmp_path / "real.json").chmod(0o600)
    (tmp_path / "model.json").symlink_to("real.json")
    result = call_cli("train", "--data", str(folder / "moons.csv"), "--epochs", "1", "--save", "model.json",
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "model.json").is_symlink()
    assert stat.S_IMODE(os.stat(tmp_path / "real.json").st_mode) == 0o600
    assert nn.load(tmp_path / "real.json").nin == 2
