"""Peer libraries in their own virtual environments under ``.bench-venvs/``.

A peer (Brian2, JAX, …) is installed from the package registry into a venv of its own,
created on demand, because its pins may clash with ours (Brian2 needs numpy < 2.3). It is
driven by a small script of ours in ``benchmarks/peers/`` run in that venv: inputs go in
as an ``.npz`` file, timings come back as one JSON line on stdout and results as ``.npz``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
VENV_ROOT = ROOT / ".bench-venvs"
PEER_SCRIPTS = Path(__file__).resolve().parent / "peers"

# what each peer venv holds; the marker file records it so a changed list rebuilds the venv
PEER_PACKAGES: dict[str, list[str]] = {
    "brian2": ["brian2", "numpy<2.3"],
    "jax": ["jax", "jaxlib", "diffrax"],  # diffrax (with equinox) resolves beside jax
}


class PeerUnavailable(RuntimeError):
    """The peer's venv could not be created or its script failed; the reason is the text."""


def _last_lines(text: str, n: int = 3) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return " | ".join(lines[-n:]) if lines else "(no output)"


def ensure_venv(name: str, packages: list[str] | None = None, timeout: float = 1800) -> Path:
    """Return the python of ``.bench-venvs/<name>``, creating the venv if needed.

    Raises :class:`PeerUnavailable` with a short reason when venv creation or the
    install fails (no network, no compiler, …).
    """
    packages = PEER_PACKAGES[name] if packages is None else packages
    venv = VENV_ROOT / name
    python = venv / "bin" / "python"
    marker = venv / ".bench-ok"
    spec = json.dumps(sorted(packages))
    if python.exists() and marker.exists() and marker.read_text() == spec:
        return python
    print(f"  setting up peer venv {venv} ({' '.join(packages)}) …", flush=True)
    steps = [
        [sys.executable, "-m", "venv", "--clear", str(venv)],
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *packages],
    ]
    for cmd in steps:
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PeerUnavailable(f"{' '.join(cmd[:3])}: {exc}") from None
        if proc.returncode != 0:
            raise PeerUnavailable(f"{' '.join(cmd[1:4])} failed: {_last_lines(proc.stderr)}")
    marker.write_text(spec)
    return python


def run_peer(
    name: str,
    script: str,
    inputs: dict[str, np.ndarray],
    options: dict[str, Any],
    timeout: float = 3600,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Run ``benchmarks/peers/<script>`` in the peer's venv.

    ``inputs`` are saved to ``in.npz``; ``options`` are passed as JSON. The script prints
    one JSON object (its timings and notes) as its last stdout line and saves its arrays
    to ``out.npz``. Returns ``(report, arrays)``. The thread variables of this process
    (OMP_NUM_THREADS, …) are inherited, so the peer runs with the same thread count.
    """
    python = ensure_venv(name)
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
        in_path, out_path = Path(tmp) / "in.npz", Path(tmp) / "out.npz"
        np.savez(in_path, **inputs)
        cmd = [str(python), str(PEER_SCRIPTS / script), str(in_path), str(out_path)]
        cmd.append(json.dumps({**options, "workdir": tmp}))
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout, env=os.environ.copy()
            )
        except subprocess.TimeoutExpired:
            raise PeerUnavailable(f"{script} timed out after {timeout:.0f} s") from None
        if proc.returncode != 0:
            raise PeerUnavailable(f"{script} failed: {_last_lines(proc.stderr)}")
        try:
            report = json.loads(proc.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            raise PeerUnavailable(f"{script} printed no JSON: {_last_lines(proc.stdout)}") from None
        with np.load(out_path) as data:
            arrays = {k: data[k] for k in data.files}
    return report, arrays


class PeerServer:
    """A peer script kept running in its venv, so that its repetitions interleave with ours.

    ``benchmarks/peers/<script> in.npz '<options JSON>'`` prints one JSON line when ready
    (everything compiled), then answers each command written to its stdin (one line) with one
    JSON line (see ``peers/sweep_server.py``). Use as a context manager; :meth:`request`
    raises :class:`PeerUnavailable` when the peer fails or exits. The thread variables of
    this process are inherited, as in :func:`run_peer`.
    """

    def __init__(self, name: str, script: str, inputs: dict[str, np.ndarray],
                 options: dict[str, Any]) -> None:  # fmt: skip
        python = ensure_venv(name)
        self.script = script
        self._tmp = tempfile.TemporaryDirectory(prefix=f"bench-{name}-")
        self.dir = Path(self._tmp.name)
        in_path = self.dir / "in.npz"
        np.savez(in_path, **inputs)
        self._stderr = open(self.dir / "stderr.txt", "w+")  # closed in close()
        cmd = [str(python), str(PEER_SCRIPTS / script), str(in_path), json.dumps(options)]
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            text=True, env=os.environ.copy(),
        )  # fmt: skip
        try:
            self.ready = self._read()
        except PeerUnavailable:
            self.close()
            raise

    def _read(self) -> dict[str, Any]:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            try:
                reply = json.loads(line)
            except json.JSONDecodeError:
                continue  # a library's chatter on stdout
            if isinstance(reply, dict):
                if "error" in reply:
                    raise PeerUnavailable(f"{self.script}: {reply['error']}")
                return reply
        self._stderr.seek(0)
        raise PeerUnavailable(f"{self.script} exited: {_last_lines(self._stderr.read())}")

    def request(self, command: str) -> dict[str, Any]:
        """Send one command line; return the peer's JSON reply."""
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(command + "\n")
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # the peer is gone: _read reports why
        return self._read()

    def close(self) -> None:
        """End the peer (end of input, then a kill after 30 s) and remove its files."""
        try:
            if self._proc.stdin is not None:
                self._proc.stdin.close()
        except OSError:
            pass
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._stderr.close()
        self._tmp.cleanup()

    def __enter__(self) -> PeerServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def main() -> int:
    """``python -m benchmarks._peers``: create every peer venv now (``make bench-peers``)."""
    failed = 0
    for name in PEER_PACKAGES:
        try:
            print(f"{name}: {ensure_venv(name)}")
        except PeerUnavailable as exc:
            print(f"{name}: peer unavailable: {exc}")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
