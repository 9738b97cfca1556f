"""Staged output folders: complete or absent, also when the process is told to stop."""

import os
import signal
import subprocess
import sys
import textwrap
import threading

import pytest

from neuroattn._atomic import staged_dir

WRITER = textwrap.dedent(
    """
    import signal, sys, time
    from pathlib import Path
    from neuroattn._atomic import staged_dir

    # Ctrl-C as in a terminal: a process started in the background by a shell without job
    # control inherits SIGINT ignored, and Python then never raises KeyboardInterrupt
    signal.signal(signal.SIGINT, signal.default_int_handler)

    with staged_dir(Path(sys.argv[1])) as tmp:
        (tmp / "half.txt").write_text("written before the signal")
        print("staging", flush=True)
        time.sleep(60)
    """
)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_mid_write_leaves_no_staging_folder(tmp_path, sig):
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "staging"  # mid-write: the folder exists
        assert [p.name for p in tmp_path.glob(".out.*.tmp")]
        proc.send_signal(sig)
        proc.wait(timeout=30)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode in (128 + sig, 1, -sig) and proc.returncode != -signal.SIGKILL
    if sig == signal.SIGTERM:
        assert proc.returncode == 128 + signal.SIGTERM  # exited through our handler
    assert not list(tmp_path.glob(".out.*")), "a staging folder was left behind"
    assert not out.exists()


def test_the_handler_is_installed_only_while_staging(tmp_path):
    before = signal.getsignal(signal.SIGTERM)
    with staged_dir(tmp_path / "a") as tmp:
        assert signal.getsignal(signal.SIGTERM) is not before
        (tmp / "x").write_text("x")
    assert signal.getsignal(signal.SIGTERM) is before
    assert (tmp_path / "a" / "x").read_text() == "x"


def test_someone_elses_handler_is_left_alone(tmp_path):
    seen = []
    old = signal.signal(signal.SIGTERM, lambda s, f: seen.append(s))
    try:
        with staged_dir(tmp_path / "b"):
            os.kill(os.getpid(), signal.SIGTERM)
        assert seen == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, old)


def test_staging_works_outside_the_main_thread(tmp_path):
    errors = []

    def work():
        try:
            with staged_dir(tmp_path / "c") as tmp:
                (tmp / "y").write_text("y")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert not errors and (tmp_path / "c" / "y").exists()


class _Figure:
    """A stand-in for a matplotlib figure: writes some bytes, or fails half-way."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    def savefig(self, fh, format, dpi):
        fh.write(b"\x89PNG half")
        if self.fail:
            raise OSError("disk full")
        fh.write(b" and the rest")


def test_save_png_writes_whole_files_or_nothing(tmp_path):
    from neuroattn._atomic import save_png

    out = save_png(_Figure(), tmp_path / "new" / "a.png")
    assert out.read_bytes() == b"\x89PNG half and the rest"
    with pytest.raises(OSError, match="disk full"):
        save_png(_Figure(fail=True), tmp_path / "b.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new"]  # no b.png, no temporary
    with pytest.raises(ValueError, match="is a folder"):
        save_png(_Figure(), tmp_path / "new")
    with pytest.raises(ValueError, match="no such folder"):
        save_png(_Figure(), tmp_path / "missing" / "c.png", make_folder=False)
    assert not (tmp_path / "missing").exists()
